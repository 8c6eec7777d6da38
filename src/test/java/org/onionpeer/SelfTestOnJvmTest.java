package org.onionpeer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.SelfTest;
import org.junit.jupiter.api.Test;

/** The known-answer suites that the browser test also runs, here on the JVM. */
class SelfTestOnJvmTest {
    @Test
    void everyKnownAnswerHoldsOnTheJvm() {
        Check c = SelfTest.runAll(new BcRelayPrimitives());
        System.out.println("[jvm self-test]\n" + c.report());
        assertTrue(c.results().size() > 5, "suites registered");
        assertEquals(0, c.failures(), c.report());
    }
}
