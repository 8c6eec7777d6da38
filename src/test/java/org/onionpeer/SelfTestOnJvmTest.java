package org.onionpeer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.SelfTest;

/** The known-answer suites that the browser test also runs, here on the JVM. */
class SelfTestOnJvmTest {
    @Test
    void everyCoreKnownAnswerHoldsOnTheJvm() {
        Check c = SelfTest.run(SelfTest.coreSuites());
        System.out.println("[jvm core self-test]\n" + c.report());
        assertTrue(c.results().size() > 5, "suites registered");
        assertEquals(0, c.failures(), c.report());
    }
}
