package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;

/**
 * The handshake, ntor v3 and RFC 7748 known answers with X25519 in doubles, as the page computes them (the browser
 * self-test runs them there too; this runs them on the JVM with the same switch).
 */
class KnownAnswersInDoublesTest {
    @AfterEach
    void backToBouncyCastle() {
        Curve25519.useBouncyCastle();
    }

    @Test
    void everyVectorHoldsInDoubles() {
        Curve25519.useDoubles();
        Check c = new Check();
        new HandshakeKnownAnswers().run(c);
        new NtorV3KnownAnswers().run(c);
        new Ed25519ExpandedKnownAnswers().run(c);
        assertTrue(c.results().size() >= 60, "checks ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }
}
