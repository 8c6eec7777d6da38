package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** MemoryGuard.mib writes tenths of a MiB by hand (no double-to-text code in onionpeer.js, issue 12); it must
 * print what the double formatting it replaces printed. */
class MibTextTest {
    @Test
    void mibPrintsWhatDoubleFormattingPrinted() {
        long[] samples = {0, 1023, 1024, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3L << 19, 10L << 20, 123_456_789L,
            (1L << 30) * 7 + 12345, (1L << 40) * 9};
        for (long b : samples) {
            String want = b < (1 << 20) ? (b >> 10) + " KiB" : (b * 10 / (1 << 20)) / 10.0 + " MiB";
            assertEquals(want, MemoryGuard.mib(b), "bytes " + b);
        }
        for (long b = 1 << 20; b < 300L << 20; b += 77_777) {
            assertEquals((b * 10 / (1 << 20)) / 10.0 + " MiB", MemoryGuard.mib(b));
        }
    }
}
