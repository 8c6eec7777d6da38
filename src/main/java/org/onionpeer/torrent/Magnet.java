package org.onionpeer.torrent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * A BitTorrent v1 magnet link (BEP 9): {@code magnet:?xt=urn:btih:INFOHASH&dn=NAME&tr=TRACKER...}. The
 * infohash (40 hex digits or 32 base32 letters) names the content: SHA-1 of its bencoded info dict, which a
 * requester checks (see {@link InfoDict}). Trackers are where a facilitator looks for the swarm; the display
 * name is a hint only. Immutable.
 */
public final class Magnet {
    public static final String PREFIX = "magnet:?";
    /** Bounds what a query carries: at most this many trackers, each at most {@link #MAX_TRACKER} chars. */
    public static final int MAX_TRACKERS = 8;
    public static final int MAX_TRACKER = 200;

    private final byte[] infoHash;
    private final List<String> trackers;
    private final String name;

    private Magnet(byte[] infoHash, List<String> trackers, String name) {
        if (infoHash.length != 20) {
            throw new ProtocolException("infohash is " + infoHash.length + " bytes, not 20");
        }
        if (trackers.size() > MAX_TRACKERS) {
            throw new ProtocolException(trackers.size() + " trackers, limit " + MAX_TRACKERS);
        }
        for (String t : trackers) {
            checkTracker(t);
        }
        this.infoHash = infoHash.clone();
        this.trackers = Collections.unmodifiableList(new ArrayList<>(trackers));
        this.name = name;
    }

    public static Magnet of(byte[] infoHash, List<String> trackers) {
        return new Magnet(infoHash, trackers, null);
    }

    /** True if {@code s} looks like a magnet link (parse it to know whether it is a good one). */
    public static boolean isMagnet(String s) {
        return s != null && s.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /** Parses a magnet link; throws with the reason for anything that is not a v1 BitTorrent one. */
    public static Magnet parse(String uri) {
        if (!isMagnet(uri)) {
            throw new ProtocolException("not a magnet link (it must start with magnet:?)");
        }
        byte[] hash = null;
        String dn = null;
        List<String> tr = new ArrayList<>();
        for (String part : org.onionpeer.bytes.Text.split(uri.substring(PREFIX.length()), "&")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = part.substring(0, eq);
            String v = decode(part.substring(eq + 1));
            if (k.equals("xt") && v.regionMatches(true, 0, "urn:btih:", 0, 9)) {
                hash = infoHash(v.substring(9));
            } else if (k.equals("dn")) {
                dn = v;
            } else if ((k.equals("tr") || k.startsWith("tr.")) && tr.size() < MAX_TRACKERS) {
                tr.add(v);
            }
        }
        if (hash == null) {
            throw new ProtocolException("the magnet link has no BitTorrent v1 infohash (xt=urn:btih:...)");
        }
        return new Magnet(hash, tr, dn);
    }

    private static byte[] infoHash(String s) {
        if (s.length() == 40) {
            for (int i = 0; i < 40; i++) {
                if (Bytes.hexDigit(s.charAt(i)) < 0) {
                    throw new ProtocolException("infohash " + s + " is not hex");
                }
            }
            return Bytes.unhex(s.toLowerCase());
        }
        if (s.length() == 32) {
            return base32(s);
        }
        throw new ProtocolException("infohash of " + s.length() + " characters, not 40 hex or 32 base32");
    }

    private static byte[] base32(String s) {
        byte[] out = new byte[20];
        int bits = 0;
        int acc = 0;
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = Character.toUpperCase(s.charAt(i));
            int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (v < 0) {
                throw new ProtocolException("infohash " + s + " is not base32");
            }
            acc = acc << 5 | v;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (acc >> bits);
            }
        }
        return out;
    }

    static void checkTracker(String t) {
        if (t.isEmpty() || t.length() > MAX_TRACKER) {
            throw new ProtocolException("tracker URL of " + t.length() + " characters is not in 1.." + MAX_TRACKER);
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new ProtocolException("tracker URL has a character that is not printable ASCII");
            }
        }
        if (!t.startsWith("http://") && !t.startsWith("https://") && !t.startsWith("udp://")) {
            throw new ProtocolException("tracker " + t + " is not http, https or udp");
        }
    }

    /** Percent-decoding of a query value, '+' as space (UTF-8). */
    private static String decode(String s) {
        byte[] b = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()
                    && Bytes.hexDigit(s.charAt(i + 1)) >= 0 && Bytes.hexDigit(s.charAt(i + 2)) >= 0) {
                b[n++] = (byte) (Bytes.hexDigit(s.charAt(i + 1)) << 4 | Bytes.hexDigit(s.charAt(i + 2)));
                i += 2;
            } else if (c == '+') {
                b[n++] = ' ';
            } else if (c < 0x80) {
                b[n++] = (byte) c;
            } else {
                byte[] u = org.onionpeer.bytes.Text.utf8(String.valueOf(c));
                b = java.util.Arrays.copyOf(b, b.length + u.length);
                System.arraycopy(u, 0, b, n, u.length);
                n += u.length;
            }
        }
        return org.onionpeer.bytes.Text.utf8(b, 0, n);
    }

    public byte[] infoHash() {
        return infoHash.clone();
    }

    public String infoHashHex() {
        return Bytes.hex(infoHash);
    }

    public List<String> trackers() {
        return trackers;
    }

    /** The dn= hint, or null. Not checked against anything: the info dict's name is what counts. */
    public String displayName() {
        return name;
    }

    /** The magnet link again, without the display name: what a facilitator hands its BitTorrent library. */
    public String uri() {
        StringBuilder s = new StringBuilder(PREFIX).append("xt=urn:btih:").append(infoHashHex());
        for (String t : trackers) {
            s.append("&tr=").append(encode(t));
        }
        return s.toString();
    }

    private static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == '~') {
                b.append(c);
            } else {
                b.append('%').append(Bytes.hex(new byte[] {(byte) c}).toUpperCase());
            }
        }
        return s.isEmpty() ? "" : b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Magnet && java.util.Arrays.equals(infoHash, ((Magnet) o).infoHash)
            && trackers.equals(((Magnet) o).trackers);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(infoHash);
    }

    @Override
    public String toString() {
        return "magnet " + infoHashHex();
    }
}
