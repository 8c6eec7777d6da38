package org.onionpeer.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;

/** Runs the exit-policy known-answer suite on the JVM (the browser runs the same suite through TeaVM). */
class ExitPolicyKnownAnswersTest {
    @Test
    void everyExitPolicyKnownAnswerHolds() {
        Check c = new Check();
        new ExitPolicyKnownAnswers().run(c);
        System.out.println("[exit-policy known answers]\n" + c.report());
        assertTrue(c.results().size() > 80, "suite ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }
}
