package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The WebCrypto keystream pool in headless Chromium gives exactly Bouncy Castle's keystream, both from
 * ready batches and from its synchronous fallback, with batches arriving between calls (see PoolCheck):
 * with the batches made by the page's keystream worker, and with the worker unavailable (no Worker at all,
 * or a worker that fails with requests in it), where the page falls back to in-thread requests.
 */
@Tag("browser")
class WebCryptoPoolInBrowserTest {
    /** Run before the page's scripts: no Worker constructor, as where a page's scripts cannot start one. */
    static final String NO_WORKER = "delete window.Worker;";
    /**
     * Run before the page's scripts: the worker starts and answers, but its 6th keystream request (one with a
     * batch number) carries a string for its CryptoKey, so the worker rejects it while other requests are in
     * it: the page must drop the worker and ask again in-thread.
     */
    static final String FAILING_WORKER = "(function () { var W = window.Worker; window.Worker = function (u) {"
            + " var w = new W(u), n = 0, post = w.postMessage.bind(w);"
            + " w.postMessage = function (m, t) { if (m.b !== undefined && ++n === 6) m.k = 'not a key';"
            + " return post(m, t || []); };"
            + " return w; }; })();";
    static final Pattern RESULT = Pattern.compile("ok (\\d+) bytes; pool (\\d+), fallback (\\d+) \\(worker (.*), "
            + "\\d+ batches asked; batches from worker (\\d+), in page (\\d+) \\(hedges \\d+\\); "
            + "pool \\d+, fallback \\d+\\)");

    @Test
    void poolKeystreamIsExact() throws Exception {
        Matcher m = check(null);
        assertEquals("ready", m.group(4));
        assertTrue(Long.parseLong(m.group(5)) > 0, "no batch came from the worker: " + m.group());
    }

    @Test
    void withoutWorkerTheInThreadPoolIsExact() throws Exception {
        Matcher m = check(NO_WORKER);
        assertEquals("off: ReferenceError: Worker is not defined", m.group(4));
        assertEquals("0", m.group(5));
        assertTrue(Long.parseLong(m.group(6)) > 0, "no batch came from in-thread requests: " + m.group());
    }

    @Test
    void aWorkerFailingMidwayIsReplacedExactly() throws Exception {
        Matcher m = check(FAILING_WORKER);
        assertTrue(m.group(4).startsWith("off: worker: TypeError"), m.group());
        assertTrue(Long.parseLong(m.group(5)) > 0, "no batch came from the worker before it failed: " + m.group());
        assertTrue(Long.parseLong(m.group(6)) > 0, "no batch came from in-thread requests: " + m.group());
    }

    /** PoolCheck on selftest.html, with {@code initScript} run before the page's own scripts if not null. */
    static Matcher check(String initScript) throws Exception {
        try (WebappServer server = new WebappServer(); Chromium chromium = new Chromium()) {
            if (initScript != null) {
                chromium.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                        Map.of("source", initScript));
            }
            chromium.open(server.url("selftest.html"));
            String r = (String) chromium.jsAsync(
                    "window.onionpeer.selftestPool(arguments[arguments.length - 1]);");
            System.out.println("[webcrypto pool check] " + r);
            Matcher m = RESULT.matcher(r);
            assertTrue(m.matches(), r);
            // Both paths must have been exercised for the check to mean anything.
            assertTrue(Long.parseLong(m.group(2)) > 0, "no keystream came from the pool: " + r);
            assertTrue(Long.parseLong(m.group(3)) > 0, "the fallback was never used: " + r);
            return m;
        }
    }
}
