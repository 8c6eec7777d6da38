package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;

/** The page's X25519 in doubles against RFC 7748's vectors and against Bouncy Castle (the JVM's) on random input. */
class X25519F64Test {
    private static byte[] h(String hex) {
        return Bytes.unhex(hex);
    }

    @Test
    void rfc7748Section5Vectors() {
        byte[] out = new byte[32];
        assertTrue(X25519F64.scalarMult(h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"), out));
        assertEquals("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", Bytes.hex(out));
        // The u-coordinate's top bit is ignored (§5: masked on decoding).
        assertTrue(X25519F64.scalarMult(h("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                h("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"), out));
        assertEquals("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957", Bytes.hex(out));
    }

    @Test
    void rfc7748IteratedThousandTimes() {
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] u = k.clone();
        byte[] out = new byte[32];
        for (int i = 1; i <= 1000; i++) {
            X25519F64.scalarMult(k, u, out);
            u = k;
            k = out.clone();
            if (i == 1) {
                assertEquals("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", Bytes.hex(k));
            }
        }
        assertEquals("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", Bytes.hex(k));
    }

    @Test
    void rfc7748Section6DiffieHellman() {
        byte[] alice = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] pa = new byte[32];
        byte[] pb = new byte[32];
        X25519F64.scalarMultBase(alice, pa);
        X25519F64.scalarMultBase(bob, pb);
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Bytes.hex(pa));
        assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Bytes.hex(pb));
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        X25519F64.scalarMult(alice, pb, k1);
        X25519F64.scalarMult(bob, pa, k2);
        assertEquals("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Bytes.hex(k1));
        assertArrayEquals(k1, k2);
    }

    @Test
    void aLowOrderPointGivesZeroAndFalse() {
        byte[] out = new byte[32];
        byte[] k = new byte[32];
        k[5] = 7;
        assertFalse(X25519F64.scalarMult(k, new byte[32], out), "u = 0");
        assertArrayEquals(new byte[32], out);
        byte[] one = new byte[32];
        one[0] = 1;
        assertFalse(X25519F64.scalarMult(k, one, out), "u = 1");
    }

    @Test
    void equalsBouncyCastleOnRandomInput() {
        long seed = System.nanoTime();
        System.out.println("X25519F64Test seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        byte[] k = new byte[32];
        byte[] u = new byte[32];
        byte[] mine = new byte[32];
        byte[] theirs = new byte[32];
        for (int i = 0; i < 300; i++) {
            r.nextBytes(k);
            r.nextBytes(u);
            if (i % 3 == 0) {
                // u >= p (non-canonical: RFC 7748 §5 says accept and reduce) and the top bit set.
                for (int j = 1; j < 32; j++) {
                    u[j] = (byte) 0xff;
                }
                u[0] = (byte) (0xed + r.nextInt(0x13));
            }
            boolean ok = X25519F64.scalarMult(k, u, mine);
            assertEquals(X25519.calculateAgreement(k, 0, u, 0, theirs, 0), ok, "seed " + seed + " #" + i);
            assertArrayEquals(theirs, mine, "seed " + seed + " #" + i);
            X25519F64.scalarMultBase(k, mine);
            X25519.scalarMultBase(k, 0, theirs, 0);
            assertArrayEquals(theirs, mine, "base, seed " + seed + " #" + i);
        }
    }
}
