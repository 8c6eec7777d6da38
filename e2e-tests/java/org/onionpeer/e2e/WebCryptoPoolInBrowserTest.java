package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The WebCrypto keystream pool in headless Chromium gives exactly Bouncy Castle's keystream, both from
 * ready batches and from its synchronous fallback, with batches arriving between calls (see PoolCheck).
 */
@Tag("browser")
class WebCryptoPoolInBrowserTest {
    @Test
    void poolKeystreamIsExact() throws Exception {
        try (WebappServer server = new WebappServer(); Chromium chromium = new Chromium()) {
            chromium.open(server.url("selftest.html"));
            String r = (String) chromium.jsAsync(
                    "window.onionpeer.selftestPool(arguments[arguments.length - 1]);");
            System.out.println("[webcrypto pool check] " + r);
            Matcher m = Pattern.compile("ok (\\d+) bytes; pool (\\d+), fallback (\\d+)$").matcher(r);
            assertTrue(m.matches(), r);
            // Both paths must have been exercised for the check to mean anything.
            assertTrue(Long.parseLong(m.group(2)) > 0, "no keystream came from the pool: " + r);
            assertTrue(Long.parseLong(m.group(3)) > 0, "the fallback was never used: " + r);
        }
    }
}
