package org.onionpeer.dir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.fuzz.Fuzzer;

class DirectoryTest {
    static final long NOW = 1_764_115_200L;
    static final SecureRandom RND = new SecureRandom();

    static RelayInfo relay(String nick, boolean exit) {
        byte[] rsa = new byte[20];
        byte[] ed = new byte[32];
        byte[] ntor = new byte[32];
        RND.nextBytes(rsa);
        RND.nextBytes(ed);
        RND.nextBytes(ntor);
        return new RelayInfo(nick, new RelayIdentity(rsa, ed), ntor,
                List.of("ws://127.0.0.1:8080/link", "tls://127.0.0.1:9001"),
                exit ? Set.of(RelayInfo.FLAG_EXIT) : Set.of(), exit ? "accept 127.0.0.0/8:*, reject *:*" : "");
    }

    @Test
    void signedDocumentRoundTripsAndPinsItsSigner() {
        Ed25519.KeyPair signer = Ed25519.generate(RND);
        Directory d = Directory.sign(List.of(relay("alpha", false), relay("omega", true)), NOW, NOW + 86400, signer);
        Directory back = Directory.parse(d.text(), signer.publicKey(), NOW + 10);
        assertEquals(2, back.relays().size());
        RelayInfo o = back.relays().get(1);
        assertEquals("omega", o.nickname());
        assertTrue(o.hasFlag(RelayInfo.FLAG_EXIT));
        assertEquals(d.relays().get(1).identity(), o.identity());
        assertEquals("accept 127.0.0.0/8:*, reject *:*", o.exitPolicy());
        Ed25519.KeyPair other = Ed25519.generate(RND);
        assertThrows(ProtocolException.class, () -> Directory.parse(d.text(), other.publicKey(), NOW));
        assertThrows(ProtocolException.class, () -> Directory.parse(d.text(), null, NOW + 2 * 86400), "expired");
    }

    @Test
    void anyTamperingBreaksTheSignature() {
        Ed25519.KeyPair signer = Ed25519.generate(RND);
        String text = Directory.sign(List.of(relay("alpha", true)), NOW, NOW + 86400, signer).text();
        int sig = text.lastIndexOf("\nsignature ");
        for (int i = 0; i < sig; i += 7) {
            char c = text.charAt(i);
            char swapped = c == 'a' ? 'b' : 'a';
            String t = text.substring(0, i) + swapped + text.substring(i + 1);
            assertThrows(ProtocolException.class, () -> Directory.parse(t, null, NOW), "byte " + i);
        }
    }

    @Test
    void fuzzedDocumentsOnlyEverFailWithProtocolException() {
        Ed25519.KeyPair signer = Ed25519.generate(RND);
        byte[] valid = Directory.sign(List.of(relay("alpha", false), relay("bravo", true)), NOW, NOW + 86400, signer)
                .text().getBytes(StandardCharsets.ISO_8859_1);
        // Signed body checks come first, so also fuzz the parser behind the signature: re-sign each input.
        Fuzzer f = new Fuzzer(11).seed(valid).maxLen(4096);
        System.out.println(f.run("directory", 1_000_000,
                in -> Directory.parse(new String(in, StandardCharsets.ISO_8859_1), null, NOW)));
        Fuzzer g = new Fuzzer(12).seed(body(valid)).maxLen(4096);
        System.out.println(g.run("directory-body", 200_000, in -> {
            String body = new String(in, StandardCharsets.ISO_8859_1);
            if (!body.endsWith("\n")) {
                body = body + "\n";
            }
            byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
            String signed = body + "signature " + org.onionpeer.bytes.Bytes.hex(signer.sign(b)) + "\n";
            Directory.parse(signed, signer.publicKey(), NOW);
        }));
    }

    private static byte[] body(byte[] doc) {
        String s = new String(doc, StandardCharsets.ISO_8859_1);
        return s.substring(0, s.lastIndexOf("signature ")).getBytes(StandardCharsets.ISO_8859_1);
    }
}
