package org.onionpeer.dir;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ProtocolException;

/**
 * A relay's subprotocol versions, as its descriptor's "proto" line (or a consensus "pr" line) lists them
 * (dir-spec §2.1.1, tor-spec "Subprotocol versioning"): {@code Cons=1-2 Link=3-5 Relay=2-4}. An onion proxy
 * asks it what a relay can do, e.g. {@code supports("Relay", 4)}: the ntor v3 handshake and congestion control.
 * Immutable. Unknown names are kept and simply never asked about.
 */
public final class Protover {
    public static final int MAX_TEXT = 4096;
    public static final int MAX_VERSION = 63; // tor's MAX_PROTOCOL_VERSION
    private static final Protover NONE = new Protover(new ArrayList<>());

    private final List<Entry> entries;
    private String text = "";

    private static final class Entry {
        final String name;
        final int low;
        final int high;

        Entry(String name, int low, int high) {
            this.name = name;
            this.low = low;
            this.high = high;
        }
    }

    private Protover(List<Entry> entries) {
        this.entries = entries;
    }

    /** The text this was parsed from ("" for {@link #none}). */
    public String text() {
        return text;
    }

    /** Nothing known: every {@link #supports} answers false. */
    public static Protover none() {
        return NONE;
    }

    /** Parses "Name=ranges ..." where ranges are "N" or "N-M" joined by ","; empty text gives {@link #none}. */
    public static Protover parse(String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        if (text.length() > MAX_TEXT) {
            throw new ProtocolException("proto: longer than " + MAX_TEXT);
        }
        List<Entry> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int sp = text.indexOf(' ', i);
            String item = text.substring(i, sp < 0 ? text.length() : sp);
            i = sp < 0 ? text.length() : sp + 1;
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new ProtocolException("proto: '" + item + "' is not Name=versions");
            }
            String name = item.substring(0, eq);
            String ranges = item.substring(eq + 1);
            int j = 0;
            while (j <= ranges.length() && !ranges.isEmpty()) {
                int comma = ranges.indexOf(',', j);
                String r = ranges.substring(j, comma < 0 ? ranges.length() : comma);
                int dash = r.indexOf('-');
                int low = version(dash < 0 ? r : r.substring(0, dash));
                int high = dash < 0 ? low : version(r.substring(dash + 1));
                if (high < low) {
                    throw new ProtocolException("proto: empty range " + r);
                }
                out.add(new Entry(name, low, high));
                if (comma < 0) {
                    break;
                }
                j = comma + 1;
            }
        }
        Protover p = new Protover(out);
        p.text = text;
        return p;
    }

    private static int version(String s) {
        if (s.isEmpty() || s.length() > 2) {
            throw new ProtocolException("proto: bad version '" + s + "'");
        }
        int v = 0;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                throw new ProtocolException("proto: bad version '" + s + "'");
            }
            v = v * 10 + (c - '0');
        }
        if (v > MAX_VERSION) {
            throw new ProtocolException("proto: version " + v + " over " + MAX_VERSION);
        }
        return v;
    }

    public boolean supports(String name, int version) {
        for (Entry e : entries) {
            if (e.name.equals(name) && version >= e.low && version <= e.high) {
                return true;
            }
        }
        return false;
    }
}
