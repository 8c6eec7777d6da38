package org.onionpeer.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;

/** Runs the cell known-answer suite on the JVM (the browser runs the same suite through TeaVM). */
class CellKnownAnswersTest {
    @Test
    void everyCellKnownAnswerHolds() {
        Check c = new Check();
        new CellKnownAnswers().run(c);
        System.out.println("[cell known answers]\n" + c.report());
        assertTrue(c.results().size() > 150, "suite ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }
}
