package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;

/**
 * On the bridge's own page (its Content-Security-Policy in force), a download through 3 hops takes its
 * keystream from the page's keystream worker; with no Worker, or a worker that fails midway, the same
 * download completes with the same bytes from in-thread requests. The body's SHA-256 is checked in the
 * page: any keystream byte wrong would break the relay digests or the body.
 */
@Tag("browser")
class KeystreamWorkerInBrowserTest {
    static final int SIZE = 6 << 20;
    static final long SEED = 13;
    static final Pattern STATS = Pattern.compile("worker (.*), \\d+ batches asked; batches from worker (\\d+), "
            + "in page (\\d+) \\(hedges \\d+\\); pool (\\d+), fallback (\\d+)");
    static SeededHttpServer web;
    static Bridge bridge;

    @BeforeAll
    static void start() throws Exception {
        web = new SeededHttpServer();
        bridge = new Bridge(TestBridges.options(3));
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (web != null) {
            web.close();
        }
    }

    @Test
    void theBridgesPageUsesTheWorker() throws Exception {
        Matcher m = download(null);
        assertEquals("ready", m.group(1));
        long fromWorker = Long.parseLong(m.group(2));
        long inPage = Long.parseLong(m.group(3));
        // 3 hops x 6 MB = 288 batches of 64 KiB at least; only those asked before the worker said hello are not
        // its own.
        assertTrue(fromWorker >= 3L * SIZE / 65536 / 2 && inPage * 10 < fromWorker, m.group());
    }

    @Test
    void withoutWorkerTheDownloadIsTheSame() throws Exception {
        Matcher m = download(WebCryptoPoolInBrowserTest.NO_WORKER);
        assertEquals("off: ReferenceError: Worker is not defined", m.group(1));
        assertEquals("0", m.group(2));
        assertTrue(Long.parseLong(m.group(3)) >= 3L * SIZE / 65536 / 2, m.group());
    }

    @Test
    void aWorkerFailingMidwayGivesTheSameDownload() throws Exception {
        Matcher m = download(WebCryptoPoolInBrowserTest.FAILING_WORKER);
        assertTrue(m.group(1).startsWith("off: worker: TypeError"), m.group());
        assertTrue(Long.parseLong(m.group(2)) > 0, m.group());
        assertTrue(Long.parseLong(m.group(3)) >= 3L * SIZE / 65536 / 2, m.group());
    }

    /** Opens the bridge's page (after {@code initScript} if not null), downloads and checks; the page's stats. */
    static Matcher download(String initScript) throws Exception {
        try (Chromium chromium = new Chromium()) {
            if (initScript != null) {
                chromium.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                        Map.of("source", initScript));
            }
            chromium.open(bridge.server().url(""));
            DownloadInBrowserTest.openAndWaitForCircuit(chromium);
            String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(SEED, SIZE);
            double mbs = PageProfile.fetch(chromium, url, SeededHttpServer.sha256(SEED, SIZE), SIZE);
            String stats = String.valueOf(chromium.js("return window.onionpeer.keystreamStats();"));
            System.out.printf("[keystream worker] %.1f MB/s; %s%n", mbs, stats);
            chromium.assertCspInForceWithoutViolations();
            Matcher m = STATS.matcher(stats);
            assertTrue(m.matches(), stats);
            return m;
        }
    }
}
