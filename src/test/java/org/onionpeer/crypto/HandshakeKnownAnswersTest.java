package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;

/** Runs the handshake known-answer suite (the same one the browser self-test runs) on the JVM. */
class HandshakeKnownAnswersTest {
    @Test
    void everyVectorHolds() {
        Check c = new Check();
        new HandshakeKnownAnswers().run(c);
        System.out.println("[handshakes]\n" + c.report());
        assertTrue(c.results().size() >= 40, "checks ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }
}
