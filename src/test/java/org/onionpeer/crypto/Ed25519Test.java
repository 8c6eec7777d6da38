package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Our Bouncy Castle Ed25519 against the JDK's independent implementation (JVM-only test). */
class Ed25519Test {
    private static byte[] jdkSign(byte[] seed, byte[] msg) throws Exception {
        PrivateKey k = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(k);
        s.update(msg);
        return s.sign();
    }

    @Test
    void signaturesMatchTheJdkForRandomSeedsAndMessages() throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 200; i++) {
            byte[] seed = new byte[32];
            byte[] msg = new byte[r.nextInt(300)];
            r.nextBytes(seed);
            r.nextBytes(msg);
            Ed25519.KeyPair kp = Ed25519.fromSeed(seed);
            byte[] ours = kp.sign(msg);
            assertArrayEquals(jdkSign(seed, msg), ours);
            assertTrue(Ed25519.verify(kp.publicKey(), msg, ours));
            if (msg.length > 0) {
                msg[r.nextInt(msg.length)] ^= 1;
                assertFalse(Ed25519.verify(kp.publicKey(), msg, ours));
            }
        }
    }

    @Test
    void signingASliceEqualsSigningTheCopy() {
        Ed25519.KeyPair kp = Ed25519.fromSeed(new byte[32]);
        byte[] buf = "xxhello worldyy".getBytes();
        byte[] slice = "hello world".getBytes();
        assertArrayEquals(kp.sign(slice), kp.sign(buf, 2, 11));
        assertTrue(Ed25519.verify(kp.publicKey(), buf, 2, 11, kp.sign(slice)));
    }

    @Test
    void hostileInputsDoNotVerifyAndDoNotThrow() {
        Ed25519.KeyPair kp = Ed25519.fromSeed(new byte[32]);
        byte[] sig = kp.sign(new byte[0]);
        byte[] notAPoint = new byte[32];
        notAPoint[0] = 2; // y = 2 is not on the curve
        assertFalse(Ed25519.verify(notAPoint, new byte[0], sig));
        byte[] allFf = new byte[32];
        java.util.Arrays.fill(allFf, (byte) 0xff);
        assertFalse(Ed25519.verify(allFf, new byte[0], sig));
        assertFalse(Ed25519.verify(null, new byte[0], sig));
        assertFalse(Ed25519.verify(kp.publicKey(), null, sig));
        assertFalse(Ed25519.verify(kp.publicKey(), new byte[4], 3, 2, sig));
        byte[] bigS = sig.clone();
        bigS[63] = (byte) 0xff; // S >= L must be refused (RFC 8032 §5.1.7)
        assertFalse(Ed25519.verify(kp.publicKey(), new byte[0], bigS));
        assertThrows(IllegalArgumentException.class, () -> Ed25519.fromSeed(new byte[31]));
    }

    @Test
    void generatedKeysSignAndVerify() {
        Ed25519.KeyPair kp = Ed25519.generate(new java.security.SecureRandom());
        byte[] m = "m".getBytes();
        assertTrue(Ed25519.verify(kp.publicKey(), m, kp.sign(m)));
        assertArrayEquals(kp.publicKey(), Ed25519.fromSeed(kp.seed()).publicKey());
    }
}
