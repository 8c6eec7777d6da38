package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;

/** Runs the ntor v3 known-answer suite (the one the browser self-test runs) on the JVM. */
class NtorV3KnownAnswersTest {
    @Test
    void everyVectorHolds() {
        Check c = new Check();
        new NtorV3KnownAnswers().run(c);
        System.out.println("[ntorv3]\n" + c.report());
        assertTrue(c.results().size() >= 40, "checks ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }
}
