package org.onionpeer.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Downloads.seconds writes decimals by hand so that onionpeer.js carries no double-to-text
 * code (issue 12); it must print exactly what the Java double formatting it replaces printed.
 */
class SecondsTextTest {
    @Test
    void secondsPrintsWhatDoubleFormattingPrinted() {
        for (int ms = -5000; ms <= 70_000; ms++) {
            String want = ms % 1000 == 0 ? String.valueOf(ms / 1000) : String.valueOf(ms / 1000.0);
            assertEquals(want, Downloads.seconds(ms), "ms " + ms);
        }
        for (int shift = 0; shift < 22; shift++) { // the retry backoffs, 500 ms doubling
            int ms = 500 << shift;
            assertEquals(ms % 1000 == 0 ? String.valueOf(ms / 1000) : String.valueOf(ms / 1000.0),
                    Downloads.seconds(ms));
        }
    }
}
