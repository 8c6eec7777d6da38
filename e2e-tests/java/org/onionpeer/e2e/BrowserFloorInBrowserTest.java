package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bench's browser floor ({@link BrowserFloor}) does the work it reports: every mode's answer is checked
 * (a page that skipped the decryption or lost a message would fail it), and a run whose data was changed on the
 * way fails with the exact message.
 */
@Tag("browser")
class BrowserFloorInBrowserTest {
    @Test
    void everyModeDoesItsWorkAndTamperedDataFails() throws Exception {
        try (BrowserFloor floor = new BrowserFloor(2 * BrowserFloor.MESSAGE * BrowserFloor.AHEAD);
                Chromium chromium = new Chromium()) {
            for (BrowserFloor.Mode mode : BrowserFloor.Mode.values()) {
                BrowserFloor.Run r = floor.run(chromium, mode);
                assertTrue(r.mbPerSecond() > 0, mode + ": " + r);
            }
            floor.tamper = true;
            IOException e = assertThrows(IOException.class, () -> floor.run(chromium,
                    BrowserFloor.Mode.DECRYPT_AND_KEEP));
            assertTrue(e.getMessage().startsWith("browser floor DECRYPT_AND_KEEP: page answered "), e.getMessage());
            assertEquals(" expected " + floor.expected(BrowserFloor.Mode.DECRYPT_AND_KEEP),
                    e.getMessage().substring(e.getMessage().lastIndexOf(',') + 1));
        }
    }
}
