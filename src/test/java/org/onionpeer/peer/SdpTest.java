package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.fuzz.Fuzzer;

/** The DTLS fingerprint of session descriptions as Chromium and Firefox write them. */
class SdpTest {
    /** "AB:CD:..." (RFC 8122), upper-case as browsers write it. */
    static String colons(byte[] fp) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fp.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Bytes.hex(new byte[] {fp[i]}).toUpperCase());
        }
        return sb.toString();
    }

    /**
     * A Chromium offer (or answer) for one data channel with its ICE candidates gathered, as
     * {@code pc.localDescription.sdp} reads after gathering; {@code session} goes in the o= line.
     */
    static String chromium(boolean offer, long session, byte[] fp, String eol) {
        String[] lines = {
            "v=0",
            "o=- " + session + " 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "a=extmap-allow-mixed",
            "a=msid-semantic: WMS",
            "m=application 54400 UDP/DTLS/SCTP webrtc-datachannel",
            "c=IN IP4 192.168.1.5",
            "a=candidate:1467250027 1 udp 2122260223 192.168.1.5 54400 typ host generation 0 network-id 1",
            "a=candidate:2045219386 1 udp 2122194687 fd00::a4c1:3ff:fe2b:61 60421 typ host generation 0 network-id 2",
            "a=candidate:842163049 1 udp 1686052607 203.0.113.7 54400 typ srflx raddr 192.168.1.5 rport 54400"
                    + " generation 0 network-id 1",
            "a=candidate:3a0c0e6f-7d2b-4b1e-9f3e-1c2d3e4f5a6b.local 1 udp 2113937151 54400 typ host",
            "a=ice-ufrag:4ZcD",
            "a=ice-pwd:2/1muCWoOi3uLifh0NuRHlbL",
            "a=ice-options:trickle",
            "a=fingerprint:sha-256 " + colons(fp),
            offer ? "a=setup:actpass" : "a=setup:active",
            "a=mid:0",
            "a=sctp-port:5000",
            "a=max-message-size:262144",
        };
        return String.join(eol, lines) + eol;
    }

    /** A Firefox answer: the fingerprint at session level. */
    static String firefox(byte[] fp) {
        return "v=0\r\n"
                + "o=mozilla...THIS_IS_SDPARTA-99.0 6543287612789232135 0 IN IP4 0.0.0.0\r\n"
                + "s=-\r\n"
                + "t=0 0\r\n"
                + "a=fingerprint:sha-256 " + colons(fp) + "\r\n"
                + "a=group:BUNDLE 0\r\n"
                + "a=ice-options:trickle\r\n"
                + "a=msid-semantic:WMS *\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                + "c=IN IP4 0.0.0.0\r\n"
                + "a=candidate:0 1 UDP 2122252543 192.168.1.6 50735 typ host\r\n"
                + "a=sendrecv\r\n"
                + "a=end-of-candidates\r\n"
                + "a=ice-pwd:b8b4fd4f6e1b0b7d8e4b5c4e4d3c2b1a\r\n"
                + "a=ice-ufrag:c1f4a2b3\r\n"
                + "a=mid:0\r\n"
                + "a=setup:active\r\n"
                + "a=sctp-port:5000\r\n"
                + "a=max-message-size:1073741823\r\n";
    }

    private static final byte[] FP = Bytes.unhex("7b8bf0655f78e2513bac6ff33f461b35dcb85f641a24c243f0a158d0a12c1908");
    private static final byte[] FP2 = Bytes.unhex("00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210");

    private static String error(String sdp) {
        return assertThrows(ProtocolException.class, () -> Sdp.fingerprint(sdp)).getMessage();
    }

    @Test
    void chromiumOfferAndAnswerCrlfAndLf() {
        assertArrayEquals(FP, Sdp.fingerprint(chromium(true, 4611731400430051336L, FP, "\r\n")));
        assertArrayEquals(FP, Sdp.fingerprint(chromium(true, 4611731400430051336L, FP, "\n")));
        assertArrayEquals(FP2, Sdp.fingerprint(chromium(false, 77L, FP2, "\r\n")));
        assertArrayEquals(FP2, Sdp.fingerprint(chromium(false, 77L, FP2, "\n")));
        // Without a final line ending, and with the fingerprint on the last line.
        String last = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 " + colons(FP);
        assertArrayEquals(FP, Sdp.fingerprint(last));
        // The exact text from a real Chromium offer.
        assertArrayEquals(FP, Sdp.fingerprint("a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:"
                + "35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08\r\n"));
    }

    @Test
    void firefoxSessionLevelFingerprint() {
        assertArrayEquals(FP2, Sdp.fingerprint(firefox(FP2)));
    }

    @Test
    void caseAndRepeatsOfTheSameFingerprint() {
        String lower = "a=fingerprint:sha-256 " + colons(FP).toLowerCase() + "\n";
        assertArrayEquals(FP, Sdp.fingerprint(lower));
        assertArrayEquals(FP, Sdp.fingerprint("A=FINGERPRINT:SHA-256 " + colons(FP) + "\n"));
        // Session level and media level with the same certificate (RFC 8122 allows both).
        String twice = "a=fingerprint:sha-256 " + colons(FP)
                + "\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                + "a=fingerprint:sha-256 " + colons(FP).toLowerCase() + "\r\n";
        assertArrayEquals(FP, Sdp.fingerprint(twice));
    }

    @Test
    void anotherHashIsRefusedNotSkipped() {
        // WebRTC checks DTLS against the media-level fingerprint when there is one, whatever its hash: a
        // sha-512 line added under the m= line would be the certificate the browser accepts, not ours.
        String sha512 = colons(Bytes.concat(FP2, FP2));
        String moved = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 " + colons(FP)
                + "\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=fingerprint:sha-512 " + sha512 + "\r\n";
        assertEquals(Sdp.OTHER_HASH, error(moved));
        assertEquals(Sdp.OTHER_HASH, error(chromium(true, 1, FP, "\r\n") + "a=fingerprint:sha-1 "
                + colons(Bytes.slice(FP, 0, 20)) + "\r\n"));
        assertEquals(Sdp.OTHER_HASH, error("a=fingerprint:SHA-384 AA:BB\na=fingerprint:sha-256 " + colons(FP)));
        assertEquals(Sdp.OTHER_HASH, error(chromium(true, 1, FP, "\r\n").replace("sha-256", "sha-1")));
        assertEquals(Sdp.OTHER_HASH, error("a=fingerprint:sha-256\t" + colons(FP) + "\r\n"));
        assertEquals(Sdp.OTHER_HASH, error("a=fingerprint:\r\n"));
    }

    @Test
    void noFingerprint() {
        assertEquals(Sdp.NO_FINGERPRINT, error("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"));
        assertEquals(Sdp.NO_FINGERPRINT,
                error(chromium(true, 1, FP, "\r\n").replace("a=fingerprint", "a=fingerprinx")));
        assertEquals(Sdp.NO_FINGERPRINT, error("x a=fingerprint:sha-256 " + colons(FP) + "\r\n"));
        assertEquals("empty session description", error(""));
        assertEquals("empty session description", error(null));
    }

    @Test
    void twoDifferentFingerprints() {
        String two = chromium(true, 1, FP, "\r\n") + "a=fingerprint:sha-256 " + colons(FP2) + "\r\n";
        assertEquals("session description has two different fingerprints", error(two));
    }

    @Test
    void malformedFingerprints() {
        String c = colons(FP);
        String m = "malformed sha-256 fingerprint";
        assertEquals(m, error("a=fingerprint:sha-256 " + c.substring(0, c.length() - 3) + "\n")); // 31 bytes
        assertEquals(m, error("a=fingerprint:sha-256 " + c + ":00\n")); // 33 bytes
        assertEquals(m, error("a=fingerprint:sha-256 " + c.replace(':', '-') + "\n"));
        assertEquals(m, error("a=fingerprint:sha-256 " + "G" + c.substring(1) + "\n"));
        assertEquals(m, error("a=fingerprint:sha-256 " + c.substring(0, 94) + "Z\n"));
        assertEquals(m, error("a=fingerprint:sha-256 " + Bytes.hex(FP) + "\n")); // no colons
        assertEquals(m, error("a=fingerprint:sha-256\r\n"));
        // Malformed even when a good one came first: we do not guess which one the browser checks.
        assertEquals(m, error("a=fingerprint:sha-256 " + c + "\na=fingerprint:sha-256 " + c.substring(1) + "0\n"));
    }

    @Test
    void tooLong() {
        String ok = chromium(true, 1, FP, "\r\n");
        StringBuilder sb = new StringBuilder(ok);
        while (sb.length() < Sdp.MAX_LENGTH) {
            sb.append('x');
        }
        assertEquals(Sdp.MAX_LENGTH, sb.length());
        assertArrayEquals(FP, Sdp.fingerprint(sb.toString()));
        sb.append('x');
        assertEquals("session description longer than 16384 characters", error(sb.toString()));
    }

    @Test
    void fuzz() {
        long seed = Long.getLong("peer.fuzz.seed", System.nanoTime());
        System.out.println("[fuzz] Sdp.fingerprint seed " + seed + " (-Dpeer.fuzz.seed=" + seed + " replays)");
        Fuzzer f = new Fuzzer(seed).maxLen(Sdp.MAX_LENGTH + 200);
        String[] seeds = {chromium(true, 4611731400430051336L, FP, "\r\n"), chromium(false, 9, FP2, "\n"), firefox(FP)};
        for (String s : seeds) {
            assertTrue(Sdp.fingerprint(s).length == 32, "seed must parse");
            f.seed(s.getBytes(StandardCharsets.UTF_8));
        }
        int n = 200_000;
        String summary = f.run("Sdp.fingerprint", n, b -> {
            byte[] fp = Sdp.fingerprint(new String(b, StandardCharsets.UTF_8));
            if (fp.length != 32) {
                throw new AssertionError("fingerprint of " + fp.length + " bytes");
            }
        });
        System.out.println("[fuzz] " + summary);
        assertEquals(n, f.accepted() + f.rejected(), summary);
        assertTrue(f.accepted() > 0, "the mutator must reach valid descriptions too: " + summary);
        assertTrue(f.rejected() > 0, summary);
    }
}
