package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.selftest.Check;

class Ed25519ExpandedTest {
    @Test
    void knownAnswers() {
        Check c = new Check();
        new Ed25519ExpandedKnownAnswers().run(c);
        System.out.println("[ed25519-expanded]\n" + c.report());
        assertTrue(c.results().size() >= 12, "checks ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }

    /** For many keys: birational map + sign bit == the scalar's public key, and signatures verify under it. */
    @Test
    void conversionAgreesWithDerivedKeyForManySecrets() {
        Random r = new Random(7); // fixed seed: reproducible
        int ones = 0;
        for (int i = 0; i < 200; i++) {
            byte[] secret = new byte[32];
            r.nextBytes(secret);
            Ntor.Keypair ntor = Ntor.Keypair.fromSecret(secret);
            Ed25519Expanded.KeyPair kp = Ed25519Expanded.fromCurve25519(ntor);
            byte[] converted = Ed25519Expanded.publicFromCurve25519(ntor.publicKey(), kp.signBit());
            assertArrayEquals(kp.publicKey(), converted, "secret " + Bytes.hex(secret));
            byte[] msg = Bytes.ascii("message " + i);
            byte[] sig = kp.sign(msg);
            assertTrue(Ed25519.verify(converted, msg, sig));
            msg[0] ^= 1;
            assertFalse(Ed25519.verify(converted, msg, sig));
            ones += kp.signBit();
        }
        assertTrue(ones > 50 && ones < 150, "both sign bits occur: " + ones);
    }
}
