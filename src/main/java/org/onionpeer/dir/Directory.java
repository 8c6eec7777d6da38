package org.onionpeer.dir;

import org.onionpeer.bytes.Text;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.crypto.Ed25519;

/**
 * A bridge's directory document: the relays it vouches for, signed with the bridge's Ed25519 identity so
 * that a client holding the bridge's identity (from its bridge line, or pinned on first use) can tell a
 * forged list from a real one. Text, line oriented, like Tor's own documents:
 *
 * <pre>
 * onionpeer-directory 1
 * valid-after 1764115200
 * valid-until 1764201600
 * signer &lt;64 hex: Ed25519 identity of the bridge&gt;
 * relay &lt;nickname&gt;
 * rsa-id &lt;40 hex&gt;
 * ed-id &lt;64 hex&gt;
 * ntor-key &lt;64 hex&gt;
 * address &lt;uri&gt;            (one or more)
 * flags Exit Guard         (optional)
 * policy accept ...        (optional)
 * proto Relay=2,4 ...      (optional: the subprotocols it speaks, tor's "proto" syntax)
 * signature &lt;128 hex&gt;       (over every byte before the "signature " line)
 * </pre>
 */
public final class Directory {
    public static final int MAX_DOCUMENT = 1 << 20;
    public static final int MAX_RELAYS = 5000;

    private final long validAfter;
    private final long validUntil;
    private final byte[] signer;
    private final List<RelayInfo> relays;
    private final String text;

    private Directory(long validAfter, long validUntil, byte[] signer, List<RelayInfo> relays, String text) {
        this.validAfter = validAfter;
        this.validUntil = validUntil;
        this.signer = signer;
        this.relays = Collections.unmodifiableList(relays);
        this.text = text;
    }

    /** Writes and signs a document. */
    public static Directory sign(List<RelayInfo> relays, long validAfter, long validUntil, Ed25519.KeyPair signer) {
        StringBuilder sb = new StringBuilder();
        sb.append("onionpeer-directory 1\n");
        sb.append("valid-after ").append(validAfter).append('\n');
        sb.append("valid-until ").append(validUntil).append('\n');
        sb.append("signer ").append(Bytes.hex(signer.publicKey())).append('\n');
        sb.append(relayLines(relays));
        byte[] signed = Bytes.ascii(sb.toString());
        sb.append("signature ").append(Bytes.hex(signer.sign(signed))).append('\n');
        return new Directory(validAfter, validUntil, signer.publicKey(), new ArrayList<>(relays), sb.toString());
    }

    /**
     * The relay entries of a document, without header or signature: also how a list checked in another
     * bundle of the page (torcheck.js) comes back to onionpeer.js ({@link #parseRelayLines}).
     */
    public static String relayLines(List<RelayInfo> relays) {
        StringBuilder sb = new StringBuilder();
        for (RelayInfo r : relays) {
            if (!r.identity().hasEd25519() || r.ntorKey() == null) {
                throw new IllegalArgumentException("relay " + r + " lacks its Ed25519 identity or ntor key");
            }
            sb.append("relay ").append(r.nickname()).append('\n');
            sb.append("rsa-id ").append(Bytes.hex(r.identity().rsaIdentity())).append('\n');
            sb.append("ed-id ").append(Bytes.hex(r.identity().ed25519Identity())).append('\n');
            sb.append("ntor-key ").append(Bytes.hex(r.ntorKey())).append('\n');
            for (String a : r.addresses()) {
                sb.append("address ").append(a).append('\n');
            }
            if (!r.flags().isEmpty()) {
                sb.append("flags ").append(String.join(" ", r.flags())).append('\n');
            }
            if (!r.exitPolicy().isEmpty()) {
                sb.append("policy ").append(r.exitPolicy()).append('\n');
            }
            if (!r.protocols().text().isEmpty()) {
                sb.append("proto ").append(r.protocols().text()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * A relay list whose trust comes from elsewhere (a Tor consensus checked against its authorities'
     * signatures): it has no signer and no text of its own; {@link #sign} makes one to hand to others.
     */
    public static Directory verifiedElsewhere(List<RelayInfo> relays, long validAfter, long validUntil) {
        if (relays.size() > MAX_RELAYS) {
            throw new ProtocolException("more than " + MAX_RELAYS + " relays");
        }
        return new Directory(validAfter, validUntil, null, new ArrayList<>(relays), null);
    }

    /**
     * Parses and verifies a document. {@code expectedSigner} (32 bytes) pins the bridge identity; null
     * accepts any signer whose signature verifies (trust on first use: the caller should pin it then).
     */
    public static Directory parse(String text, byte[] expectedSigner, long nowSeconds) {
        if (text.length() > MAX_DOCUMENT) {
            throw new ProtocolException("directory too large");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0x7e || (c < 0x20 && c != '\n')) {
                throw new ProtocolException("directory has a byte outside printable ASCII at " + i);
            }
        }
        int sigAt = text.lastIndexOf("\nsignature ");
        if (sigAt < 0) {
            throw new ProtocolException("directory is not signed");
        }
        String body = text.substring(0, sigAt + 1);
        String sigHex = text.substring(sigAt + "\nsignature ".length());
        if (sigHex.endsWith("\n")) {
            sigHex = sigHex.substring(0, sigHex.length() - 1);
        }
        byte[] sig = hex(sigHex, 64, "signature");
        String[] lines = Text.split(body, "\n");
        if (lines.length < 5 || !lines[0].equals("onionpeer-directory 1")) {
            throw new ProtocolException("not an onionpeer directory");
        }
        long after = number(field(lines[1], "valid-after"));
        long until = number(field(lines[2], "valid-until"));
        byte[] signer = hex(field(lines[3], "signer"), 32, "signer");
        if (expectedSigner != null && !Bytes.constantTimeEquals(expectedSigner, signer)) {
            throw new ProtocolException("directory signed by an unexpected key");
        }
        if (!Ed25519.verify(signer, Bytes.ascii(body), sig)) {
            throw new ProtocolException("directory signature does not verify");
        }
        if (nowSeconds < after - 3600 || nowSeconds > until) {
            throw new ProtocolException("directory is not valid now");
        }
        List<RelayInfo> relays = relays(lines, 4);
        return new Directory(after, until, signer, relays, text);
    }

    /** Relay entries as {@link #relayLines} writes them; their trust is the caller's to establish. */
    public static List<RelayInfo> parseRelayLines(String text) {
        if (text.length() > MAX_DOCUMENT) {
            throw new ProtocolException("relay list too large");
        }
        return relays(Text.split(text, "\n"), 0);
    }

    private static List<RelayInfo> relays(String[] lines, int i) {
        List<RelayInfo> relays = new ArrayList<>();
        while (i < lines.length && !lines[i].isEmpty()) {
            String nick = field(lines[i++], "relay");
            if (i + 3 > lines.length) {
                throw new ProtocolException("truncated relay entry");
            }
            byte[] rsa = hex(field(lines[i++], "rsa-id"), 20, "rsa-id");
            byte[] ed = hex(field(lines[i++], "ed-id"), 32, "ed-id");
            byte[] ntor = hex(field(lines[i++], "ntor-key"), 32, "ntor-key");
            List<String> addrs = new ArrayList<>();
            Set<String> flags = new LinkedHashSet<>();
            String policy = "";
            Protover proto = Protover.none();
            while (i < lines.length && !lines[i].isEmpty() && !lines[i].startsWith("relay ")) {
                String l = lines[i++];
                if (l.startsWith("address ")) {
                    addrs.add(l.substring(8));
                } else if (l.startsWith("flags ")) {
                    for (String f : Text.split(l.substring(6), " ")) {
                        if (!f.isEmpty()) {
                            flags.add(f);
                        }
                    }
                } else if (l.startsWith("policy ")) {
                    policy = l.substring(7);
                } else if (l.startsWith("proto ")) {
                    proto = Protover.parse(l.substring(6));
                }
                // Unknown lines are ignored, so later versions can add fields.
            }
            relays.add(new RelayInfo(nick, new RelayIdentity(rsa, ed), ntor, addrs, flags, policy, proto));
            if (relays.size() > MAX_RELAYS) {
                throw new ProtocolException("too many relays");
            }
        }
        return relays;
    }

    private static String field(String line, String key) {
        if (!line.startsWith(key + " ")) {
            throw new ProtocolException("expected '" + key + "', got '" + shorten(line) + "'");
        }
        return line.substring(key.length() + 1);
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static long number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            throw new ProtocolException("bad number");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("bad number");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static byte[] hex(String s, int len, String what) {
        if (s.length() != 2 * len) {
            throw new ProtocolException(what + ": expected " + len + " bytes of hex");
        }
        try {
            return Bytes.unhex(s);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(what + ": not hex");
        }
    }

    public long validAfter() {
        return validAfter;
    }

    public long validUntil() {
        return validUntil;
    }

    /** The signer's Ed25519 identity; null for a list {@link #verifiedElsewhere}. */
    public byte[] signer() {
        return signer == null ? null : signer.clone();
    }

    public List<RelayInfo> relays() {
        return relays;
    }

    public RelayInfo byIdentity(RelayIdentity id) {
        for (RelayInfo r : relays) {
            if (r.identity().equals(id)) {
                return r;
            }
        }
        return null;
    }

    /** The signed document; null for a list {@link #verifiedElsewhere}. */
    public String text() {
        return text;
    }
}
