package org.onionpeer.netdoc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;

/** Runs the netdoc known-answer suite on the JVM (the browser runs the same suite through TeaVM). */
class NetdocKnownAnswersTest {
    @Test
    void everyNetdocKnownAnswerHolds() {
        Check c = new Check();
        new NetdocKnownAnswers().run(c);
        System.out.println("[netdoc known answers]\n" + c.report());
        assertTrue(c.results().size() > 40, "suite ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }

    @Test
    void capturedConstantsAreTheCapturedFiles() {
        assertEquals(Captured.consensus(), CapturedDocuments.CONSENSUS);
        assertEquals(Captured.keys(), CapturedDocuments.KEYS_ALL);
        assertTrue(Captured.servers().startsWith(CapturedDocuments.EXIT1_DESCRIPTOR));
        assertEquals(Captured.authorityLine(), CapturedDocuments.AUTHORITY_LINE);
        assertEquals(Captured.now(), CapturedDocuments.NOW);
    }
}
