package org.onionpeer.cert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;

/** Runs the shared cert known-answer suite on the JVM (the browser self-test runs the same code). */
class CertKnownAnswersTest {
    @Test
    void everyCertKnownAnswerHolds() {
        Check c = new Check();
        new CertKnownAnswers().run(c);
        System.out.println("[cert known answers]\n" + c.report());
        assertTrue(c.results().size() > 60, "checks ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }

    @Test
    void suiteIsDeterministic() {
        Check a = new Check();
        new CertKnownAnswers().run(a);
        Check b = new Check();
        new CertKnownAnswers().run(b);
        assertEquals(a.report(), b.report());
    }
}
