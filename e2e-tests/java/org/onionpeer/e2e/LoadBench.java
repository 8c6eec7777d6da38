package org.onionpeer.e2e;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.onionpeer.circuit.CircuitOptions;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;

/**
 * The load rows of the benchmark (skip with {@code -Donionpeer.bench.load=false}): a bridge in its own process
 * (as {@code java -jar target/onionpeer.jar} runs it, SOCKS port and embedded network), measured idle and then
 * with {@link #PAGES} WebSocket page links held by {@link LinkLoad}, in the same run:
 * <ul>
 * <li>links held per GB of the bridge's RSS (VmRSS of /proc/PID/status, after a full GC requested with jcmd),
 * and its thread count;</li>
 * <li>3-hop circuit build time, p50 and p99 of {@link #BUILDS} builds from this process's JVM onion proxy
 * ({@link TorClient}, TLS links already open) with the bridge's own relay as first hop, the one holding every
 * page link; a random middle, the exit last;</li>
 * <li>SOCKS5 fetch latency, p50 and p99 of {@link #FETCHES} fetches of a {@link #FETCH_BYTES}-byte file
 * from a local HTTP server through the bridge's SOCKS port (connect to last byte, SHA-256 checked);</li>
 * </ul>
 * then {@link #TLS_LINKS} TLS links to the relays' ORPorts added, for their RSS and thread cost. Loaded
 * against idle is printed as a ratio.
 */
final class LoadBench {
    static final int PAGES = 5000;
    static final int TLS_LINKS = 2000;
    static final int BUILDS = 100;
    static final int FETCHES = 100;
    static final int FETCH_BYTES = 16 * 1024;
    /** Builds and fetches before the idle figures, so that JIT warm-up does not count against idle. */
    static final int WARMUP = 30;
    static final long OPEN_MILLIS = 90_000;
    static final double GB = 1 << 30;
    static final double MB = 1 << 20;

    private LoadBench() {
    }

    record Latency(double[] sortedMs, int failures, String firstFailure) {
        double p(double pct) {
            return LinkLoad.percentile(sortedMs, pct);
        }
    }

    static void run() throws Exception {
        long t0 = System.nanoTime();
        String sha = SeededHttpServer.sha256(5, FETCH_BYTES);
        String path = SeededHttpServer.path(5, FETCH_BYTES);
        System.out.println("Load: a bridge process (java " + System.getProperty("java.version") + ", its router + 5"
                + " relays, SOCKS port), idle and then holding " + PAGES + " WebSocket page links (Netty load client, "
                + LinkLoad.THREADS + " threads, 40 links per source address); load average " + Bench.loadAverage());
        try (SeededHttpServer http = new SeededHttpServer();
                BridgeProcess bridge = new BridgeProcess(List.of(), BridgeProcess.args("--socks-port", "0",
                        "--exit-policy", "accept 127.0.0.0/8:*"), 60_000);
                TorClient client = new TorClient(new Channel.Limits(), new CircuitOptions());
                LinkLoad load = new LinkLoad(new LinkLoad.Options())) {
            Directory d = LoadProbes.directory(bridge.web());
            RelayInfo first = null;
            RelayInfo exit = null;
            List<RelayInfo> middles = new ArrayList<>();
            for (RelayInfo r : d.relays()) {
                if (r.hasFlag(RelayInfo.FLAG_BRIDGE)) {
                    first = r;
                } else if (r.hasFlag(RelayInfo.FLAG_EXIT)) {
                    exit = r;
                } else {
                    middles.add(r);
                }
            }
            if (first == null || exit == null || middles.isEmpty()) {
                throw new IllegalStateException("bridge, exit and middles expected in " + d.relays());
            }
            // Warm-up: every link a timed build uses opened, JIT on both sides, the SOCKS proxy's pool.
            for (int i = 0; i < WARMUP; i++) {
                NetworkBench.buildOnce(client, List.of(first, middles.get(i % middles.size()), exit));
            }
            for (int i = 0; i < WARMUP; i++) {
                LoadProbes.socksFetch(bridge.socksPort(), http.port(), path, FETCH_BYTES, sha);
            }

            long idleRss = bridge.rssAfterGc();
            int idleThreads = bridge.threads();
            Latency idleBuilds = builds(client, first, middles, exit);
            Latency idleFetches = fetches(bridge, http.port(), path, sha);

            LinkLoad.Result pages = load.open("WebSocket page links", List.of(bridge.link()), PAGES, OPEN_MILLIS);
            long pagesRss = bridge.rssAfterGc();
            int pagesThreads = bridge.threads();
            Latency loadedBuilds = builds(client, first, middles, exit);
            Latency loadedFetches = fetches(bridge, http.port(), path, sha);
            int pagesHeld = load.held();

            LinkLoad.Result tls = load.open("TLS links", bridge.orPorts(), TLS_LINKS, OPEN_MILLIS);
            long allRss = bridge.rssAfterGc();
            int allThreads = bridge.threads();
            int allHeld = load.held();

            System.out.printf(Locale.ROOT, "load pages linked          %d of %d held (%s) in %.1f s; link handshake"
                    + " p50 %.0f ms  p99 %.0f ms%n", pagesHeld, PAGES, pages.failures.isEmpty() ? "no failures"
                    : pages.failed + " failed: " + pages.topFailures(3), pages.wallNanos / 1e9, pages.percentile(50),
                    pages.percentile(99));
            System.out.printf(Locale.ROOT, "load RSS after GC          idle %.0f MB, with %d pages %.0f MB -> %.0f links"
                    + " per GB of RSS, %.0f per GB of RSS growth (%.1f KB each); threads %d -> %d%n", idleRss / MB,
                    pagesHeld, pagesRss / MB, pagesHeld / (pagesRss / GB), perGb(pagesHeld, pagesRss - idleRss),
                    kbEach(pagesRss - idleRss, pagesHeld), idleThreads, pagesThreads);
            printLatency("3-hop circuit build", idleBuilds, loadedBuilds, pagesHeld,
                    "JVM OP in this process, first hop the bridge's relay over TLS, links open");
            printLatency("SOCKS fetch " + FETCH_BYTES / 1024 + " KB", idleFetches, loadedFetches, pagesHeld,
                    "connect to last byte via the bridge's SOCKS port, SHA-256 checked");
            int tlsHeld = allHeld - pagesHeld;
            System.out.printf(Locale.ROOT, "load TLS links added       %d of %d held (%s) in %.1f s; handshake p50 %.0f ms"
                    + "  p99 %.0f ms; RSS %.0f MB -> %.0f links (pages + TLS) per GB of RSS, TLS links %.1f KB each;"
                    + " threads %d -> %d (%.2f per TLS link)%n", tlsHeld, TLS_LINKS, tls.failures.isEmpty()
                    ? "no failures" : tls.failed + " failed: " + tls.topFailures(3), tls.wallNanos / 1e9,
                    tls.percentile(50), tls.percentile(99), allRss / MB, allHeld / (allRss / GB),
                    kbEach(allRss - pagesRss, tlsHeld), pagesThreads, allThreads,
                    tlsHeld == 0 ? 0 : (allThreads - pagesThreads) / (double) tlsHeld);
        }
        System.out.printf(Locale.ROOT, "(load bench took %.0f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    static double perGb(int links, long bytes) {
        return bytes <= 0 ? Double.NaN : links / (bytes / GB);
    }

    static double kbEach(long bytes, int links) {
        return links == 0 ? Double.NaN : bytes / 1024.0 / links;
    }

    static void printLatency(String what, Latency idle, Latency loaded, int held, String how) {
        System.out.printf(Locale.ROOT, "load %-21s idle p50 %6.1f ms  p99 %6.1f   with %d pages p50 %6.1f ms  p99 %6.1f"
                + "  -> %.2fx p50, %.2fx p99   (%d each%s; %s)%n", what, idle.p(50), idle.p(99), held, loaded.p(50),
                loaded.p(99), loaded.p(50) / idle.p(50), loaded.p(99) / idle.p(99), idle.sortedMs().length,
                idle.failures() + loaded.failures() == 0 ? "" : ", failures idle " + idle.failures() + " loaded "
                        + loaded.failures() + ", e.g. " + (idle.firstFailure() != null ? idle.firstFailure()
                        : loaded.firstFailure()), how);
    }

    static Latency builds(TorClient client, RelayInfo first, List<RelayInfo> middles, RelayInfo exit) {
        SplittableRandom r = new SplittableRandom(BUILDS);
        List<Double> ms = new ArrayList<>();
        int failures = 0;
        String firstFailure = null;
        for (int i = 0; i < BUILDS; i++) {
            try {
                ms.add(NetworkBench.buildOnce(client, List.of(first, middles.get(r.nextInt(middles.size())), exit)));
            } catch (Exception e) {
                failures++;
                firstFailure = firstFailure == null ? String.valueOf(e) : firstFailure;
            }
        }
        return latency(ms, failures, firstFailure);
    }

    static Latency fetches(BridgeProcess bridge, int httpPort, String path, String sha) {
        List<Double> ms = new ArrayList<>();
        int failures = 0;
        String firstFailure = null;
        for (int i = 0; i < FETCHES; i++) {
            try {
                ms.add(LoadProbes.socksFetch(bridge.socksPort(), httpPort, path, FETCH_BYTES, sha));
            } catch (Exception e) {
                failures++;
                firstFailure = firstFailure == null ? String.valueOf(e) : firstFailure;
            }
        }
        return latency(ms, failures, firstFailure);
    }

    private static Latency latency(List<Double> ms, int failures, String firstFailure) {
        double[] a = ms.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return new Latency(a, failures, firstFailure);
    }
}
