package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.onionpeer.dir.Directory;

/**
 * The bridge under load: a separate bridge process (so its threads and RSS are its own, read from
 * /proc/PID/status) holds {@link #PAGES} WebSocket page links and {@link #TLS_LINKS} TLS links to its relays'
 * ORPorts, opened by {@link LinkLoad} (Netty, 2 threads, from source addresses 127.0.0.2 upward, 40 links per
 * address), every one through the Tor link handshake. With all of them held:
 * <ul>
 * <li>a fresh page still links over WebSocket and builds a 3-hop circuit through the bridge (the project's JVM
 * onion proxy as the page: {@link LoadProbes#pageCircuit});</li>
 * <li>a SOCKS5 fetch through the bridge's SOCKS port of a file from a local HTTP server answers with the right
 * bytes;</li>
 * <li>the bridge runs fewer than {@link #MAX_THREADS} threads (sampled every 100 ms while everything is held,
 * peak and last value) and no held link was dropped.</li>
 * </ul>
 * Every figure is printed (RSS, threads, descriptors, links held, handshake times) before the assertions, which
 * are checked together so one failure does not hide the others.
 */
@Tag("slow")
@Tag("load")
class BridgeLoadTest {
    static final int PAGES = 5000;
    static final int TLS_LINKS = 2000;
    static final int MAX_THREADS = 100;
    static final long START_MILLIS = 60_000;
    static final long OPEN_MILLIS = 60_000;
    static final long PROBE_MILLIS = 20_000;
    static final int FILE_SEED = 77;
    static final int FILE_SIZE = 100 * 1024;
    static final long MB = 1 << 20;

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void holdsSevenThousandLinksOnFewThreadsAndStillServes() throws Exception {
        long tStart = System.nanoTime();
        String fileSha = SeededHttpServer.sha256(FILE_SEED, FILE_SIZE);
        LinkLoad.Options lo = new LinkLoad.Options();
        try (SeededHttpServer http = new SeededHttpServer();
                BridgeProcess bridge = new BridgeProcess(List.of(), BridgeProcess.args("--socks-port", "0",
                        "--exit-policy", "accept 127.0.0.0/8:*"), START_MILLIS);
                LinkLoad load = new LinkLoad(lo);
                Chromium chromium = new Chromium()) {
            double startSeconds = (System.nanoTime() - tStart) / 1e9;
            List<BridgeProcess.Relay> relays = bridge.relays();
            assertTrue(relays.size() >= 2 && bridge.orPorts().size() == relays.size(),
                    "relays with ORPorts from the start-up lines: " + relays);
            int idleThreads = bridge.threads();
            long idleRss = bridge.rssAfterGc();
            Directory directory = LoadProbes.directory(bridge.web());
            // The fixture works before any load: the same fetch the loaded bridge must answer.
            double idleFetch = LoadProbes.socksFetch(bridge.socksPort(), http.port(),
                    SeededHttpServer.path(FILE_SEED, FILE_SIZE), FILE_SIZE, fileSha);

            ThreadSampler sampler = new ThreadSampler(bridge);
            LinkLoad.Result pages = load.open("WebSocket page links", List.of(bridge.link()), PAGES, OPEN_MILLIS);
            System.out.println("[load] " + pages);
            LinkLoad.Result tls = load.open("TLS links", bridge.orPorts(), TLS_LINKS, OPEN_MILLIS);
            System.out.println("[load] " + tls);
            int peakWhileOpening = sampler.peakAndReset();

            int heldBefore = load.held();
            long rss = bridge.rssAfterGc();
            int threadsHeld = bridge.threads();
            int fds = bridge.fds();

            // (a) a fresh page links and builds a circuit; (b) a SOCKS fetch, both while everything is held.
            LoadProbes.PageCircuit page = null;
            String pageFailure = null;
            try {
                page = LoadProbes.pageCircuit(directory, PROBE_MILLIS);
            } catch (Exception e) {
                pageFailure = String.valueOf(e);
            }
            // (a') the same with a real page in Chromium: it loads the app from the loaded bridge, links over
            // WebSocket and builds its circuits.
            String browserPage;
            try {
                browserPage = browserCircuit(chromium, bridge.web().toString());
            } catch (Exception e) {
                browserPage = "FAILED: " + e;
            }
            double fetchMs = -1;
            String fetchFailure = null;
            try {
                fetchMs = LoadProbes.socksFetch(bridge.socksPort(), http.port(),
                        SeededHttpServer.path(FILE_SEED, FILE_SIZE), FILE_SIZE, fileSha);
            } catch (Exception e) {
                fetchFailure = String.valueOf(e);
            }
            int heldAfter = load.held();
            int threadsAfter = bridge.threads();
            int peakWhileHeld = sampler.stop();
            int threads = Math.max(peakWhileHeld, Math.max(threadsHeld, threadsAfter));
            String threadNames = bridge.isAlive() ? bridge.threadNames() : "gone";
            boolean alive = bridge.isAlive();

            int heldLinks = pages.opened + tls.opened;
            System.out.printf(Locale.ROOT, "[load] bridge pid %d (%d relays) started in %.1f s; idle: %d threads,"
                    + " RSS after GC %.0f MB; SOCKS fetch of %d KB %.0f ms%n", bridge.pid(), relays.size(), startSeconds,
                    idleThreads, idleRss / (double) MB, FILE_SIZE / 1024, idleFetch);
            System.out.printf(Locale.ROOT, "[load] held %d links (%d of %d pages, %d of %d TLS), %d still held after the"
                    + " probes, %d dropped %s%n", heldBefore, pages.opened, PAGES, tls.opened, TLS_LINKS, heldAfter,
                    load.dropped(), load.dropReasons().isEmpty() ? "" : load.dropReasons());
            System.out.printf(Locale.ROOT, "[load] bridge with everything held: %d threads (peak %d while held, %d while"
                    + " opening; bound %d), RSS after GC %.0f MB (+%.0f MB over idle, %.1f KB per held link), %d fds%n",
                    threadsHeld, peakWhileHeld, peakWhileOpening, MAX_THREADS, rss / (double) MB,
                    (rss - idleRss) / (double) MB, heldLinks == 0 ? 0 : (rss - idleRss) / 1024.0 / heldLinks, fds);
            System.out.println("[load] bridge threads by name: " + threadNames);
            System.out.printf(Locale.ROOT, "[load] handshakes: pages p50 %.0f ms p99 %.0f ms; TLS p50 %.0f ms p99 %.0f ms%n",
                    pages.percentile(50), pages.percentile(99), tls.percentile(50), tls.percentile(99));
            System.out.println("[load] fresh page under load: " + (page != null ? String.format(Locale.ROOT,
                    "circuit %s in %.0f ms, first link %s", page.path(), page.millis(),
                    page.webSocketFirstLink() ? "WebSocket" : "TLS") : "FAILED: " + pageFailure));
            System.out.println("[load] Chromium page under load: " + browserPage);
            System.out.println("[load] SOCKS fetch under load: " + (fetchFailure == null ? String.format(Locale.ROOT,
                    "%d KB, SHA-256 right, in %.0f ms", FILE_SIZE / 1024, fetchMs) : "FAILED: " + fetchFailure));
            System.out.printf(Locale.ROOT, "[load] test took %.1f s%n", (System.nanoTime() - tStart) / 1e9);

            LoadProbes.PageCircuit p = page;
            String pf = pageFailure;
            String ff = fetchFailure;
            List<Executable> checks = new ArrayList<>();
            checks.add(() -> assertTrue(alive, "the bridge process is alive:\n" + bridge.tail()));
            checks.add(() -> assertEquals(PAGES, pages.opened, "page links opened: " + pages));
            checks.add(() -> assertEquals(TLS_LINKS, tls.opened, "TLS links opened: " + tls));
            checks.add(() -> assertEquals(PAGES + TLS_LINKS, heldAfter, "links still held after the probes; dropped: "
                    + load.dropReasons()));
            checks.add(() -> assertNotNull(p, "a fresh page builds a circuit under load: " + pf));
            checks.add(() -> assertTrue(p == null || (p.webSocketFirstLink() && p.path().size() == 3),
                    "the page's circuit: 3 hops, first link WebSocket: " + p));
            String bp = browserPage;
            checks.add(() -> assertTrue(bp.startsWith("circuit [bridge, "), "a Chromium page under load: " + bp));
            checks.add(() -> assertTrue(ff == null, "SOCKS fetch under load: " + ff));
            checks.add(() -> assertTrue(threads < MAX_THREADS, "bridge threads with " + heldBefore + " links held: "
                    + threads + " (bound " + MAX_THREADS + "): " + threadNames));
            assertAll("the bridge under load", checks);
        }
    }

    /** Reads the bridge's thread count every 100 ms on a daemon thread; keeps the peak. */
    static final class ThreadSampler {
        private final AtomicInteger peak = new AtomicInteger();
        private final Thread thread;

        ThreadSampler(BridgeProcess bridge) {
            thread = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        peak.accumulateAndGet(bridge.threads(), Math::max);
                        Thread.sleep(100); // a sampling period, not a synchronisation
                    }
                } catch (InterruptedException | java.io.IOException e) {
                    // stopped, or the process is gone
                }
            }, "bridge-thread-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        int peakAndReset() {
            return peak.getAndSet(0);
        }

        int stop() throws InterruptedException {
            thread.interrupt();
            thread.join(5_000);
            return peak.get();
        }
    }

    /**
     * Opens the bridge's page in Chromium and waits (polling the page's own state, at most 30 s) for its first
     * circuit: "circuit [hops] in N ms" from page open, or what the page says instead.
     */
    @SuppressWarnings("unchecked")
    static String browserCircuit(Chromium chromium, String webUrl) {
        long t0 = System.nanoTime();
        chromium.open(webUrl);
        Object s = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { var s = window.onionpeer && window.onionpeer.status();"
                + " if (s && s.circuits.length > 0) cb(s); else if (Date.now() - t0 > 30000) cb(s || 'no node');"
                + " else setTimeout(poll, 50); })();");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (!(s instanceof java.util.Map)) {
            return "no circuit after " + ms + " ms: " + s;
        }
        List<java.util.Map<String, Object>> circuits = (List<java.util.Map<String, Object>>)
                ((java.util.Map<String, Object>) s).get("circuits");
        if (circuits == null || circuits.isEmpty()) {
            return "no circuit after " + ms + " ms: " + s;
        }
        List<String> hops = new java.util.ArrayList<>();
        for (Object h : (List<Object>) circuits.get(0).get("hops")) {
            hops.add(String.valueOf(((java.util.Map<String, Object>) h).get("nickname")));
        }
        return "circuit " + hops + " in " + ms + " ms";
    }
}
