package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;

/** Runs the onion-proxy known-answer suite (the one the browser self-test runs) on the JVM. */
class OnionProxyKnownAnswersTest {
    @Test
    void everyCheckHolds() {
        Check c = new Check();
        new OnionProxyKnownAnswers().run(c);
        System.out.println("[onion-proxy]\n" + c.report());
        assertTrue(c.results().size() >= 15, "checks ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }
}
