package org.onionpeer.jvm;

import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.crypto.RelayPrimitivesEquivalence;

class JcaRelayPrimitivesTest {
    private final RelayPrimitives p = new JcaRelayPrimitives();

    @Test
    void knownAnswers() {
        RelayPrimitivesEquivalence.knownAnswersPass(p);
    }

    @Test
    void cipherMatchesBouncyCastle() {
        RelayPrimitivesEquivalence.cipherMatchesBc(p, 11, 400);
    }

    @Test
    void digestMatchesBouncyCastle() {
        RelayPrimitivesEquivalence.digestMatchesBc(p, 12, 400);
    }
}
