package org.onionpeer.peer;

import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;

/**
 * What we read from a session description: the SHA-256 DTLS fingerprint ({@code a=fingerprint:sha-256
 * AB:CD:...}, RFC 8122). Browsers put one fingerprint in every description they make; a description with
 * none, with another hash, or with two different SHA-256 fingerprints is refused, because the peer
 * certificate can bind only one certificate per side. Another hash is refused, not skipped: the browser
 * checks the DTLS certificate against the fingerprint it prefers (in WebRTC a media-level one overrides the
 * session-level one, whatever its hash), so a relaying node that added a {@code sha-512} line of its own
 * would have us bind one certificate while the browser accepts another. Descriptions are bounded in size
 * before parsing.
 */
public final class Sdp {
    /** Longest description we take: browsers' offers for one data channel are 1-3 KB, with candidates. */
    public static final int MAX_LENGTH = 16384;
    public static final String NO_FINGERPRINT = "session description has no sha-256 fingerprint";
    public static final String OTHER_HASH = "session description has a fingerprint that is not sha-256";

    private Sdp() {
    }

    /** The 32-byte SHA-256 fingerprint of a description's DTLS certificate; throws with a clear reason. */
    public static byte[] fingerprint(String sdp) {
        if (sdp == null || sdp.isEmpty()) {
            throw new ProtocolException("empty session description");
        }
        if (sdp.length() > MAX_LENGTH) {
            throw new ProtocolException("session description longer than " + MAX_LENGTH + " characters");
        }
        byte[] found = null;
        int at = 0;
        while (at < sdp.length()) {
            int end = sdp.indexOf('\n', at);
            if (end < 0) {
                end = sdp.length();
            }
            String line = sdp.substring(at, end).trim();
            at = end + 1;
            if (!Text.startsWithIgnoreAsciiCase(line, "a=fingerprint:")) {
                continue;
            }
            String rest = line.substring(14).trim();
            int sp = rest.indexOf(' ');
            if (!Text.equalsIgnoreAsciiCase(sp < 0 ? rest : rest.substring(0, sp), "sha-256")) {
                throw new ProtocolException(OTHER_HASH); // the browser might check that one, not ours
            }
            byte[] fp = parseHexColons(sp < 0 ? "" : rest.substring(sp + 1).trim());
            if (found != null && !Bytes.constantTimeEquals(found, fp)) {
                throw new ProtocolException("session description has two different fingerprints");
            }
            found = fp;
        }
        if (found == null) {
            throw new ProtocolException(NO_FINGERPRINT);
        }
        return found;
    }

    private static byte[] parseHexColons(String s) {
        if (s.length() != 32 * 3 - 1) {
            throw new ProtocolException("malformed sha-256 fingerprint");
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            int hi = Bytes.hexDigit(s.charAt(3 * i));
            int lo = Bytes.hexDigit(s.charAt(3 * i + 1));
            if (hi < 0 || lo < 0 || (i < 31 && s.charAt(3 * i + 2) != ':')) {
                throw new ProtocolException("malformed sha-256 fingerprint");
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
