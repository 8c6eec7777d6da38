package org.onionpeer.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.selftest.Check;

/** Runs the relay-crypto known-answer suite (the one the browser self-test runs) on the JVM. */
class RelayCryptoKnownAnswersTest {
    @Test
    void everyVectorHoldsWithBouncyCastle() {
        Check c = new Check();
        new RelayCryptoKnownAnswers(new BcRelayPrimitives()).run(c);
        System.out.println("[relay-crypto]\n" + c.report());
        assertTrue(c.results().size() >= 50, "checks ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }
}
