package org.onionpeer.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.onionpeer.circuit.CircuitOptions;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.link.Channel;

/**
 * The network rows of the benchmark: an in-process {@link Bridge} (its router, five relays with TLS ORPorts on
 * loopback, the last an exit; an onion proxy with a SOCKS5 port), then
 * <ul>
 * <li>3-hop circuit build time: {@link #BUILDS} builds one after another, each timed from
 * {@link ClientCircuit#start} to its {@code built} callback (links already open: a warm-up build through every
 * ordered pair of non-exit relays opens them first, so link handshakes are not counted);
 * <li>bulk throughput of one stream through 3 hops: {@link #BULK_BYTES} from a local HTTP server through the
 * SOCKS port and the onion proxy's circuit, best and median of {@link #BULK_RUNS} (after {@link #BULK_WARMUPS}
 * warm-up runs),
 * every body checked by SHA-256; and the same download directly (no Tor) for context.
 * </ul>
 * Figures are compared with a C tor private network measured on the same host.
 */
final class NetworkBench {
    static final int BUILDS = 30;
    static final int BULK_RUNS = 3;
    static final int BULK_BYTES = 64 << 20;
    /**
     * Untimed runs first: on a loaded 2-core machine C2 needs a few hundred MB through the relays before their
     * path is compiled (AES-CTR and SHA-1 intrinsics included); after one warm-up the timed runs went at about
     * half the steady rate (NetBulkProbe, docs/jvm-throughput.md).
     */
    static final int BULK_WARMUPS = 4;
    /** Reference: C tor private network on this machine (shared reference figures). */
    static final double REF_BUILD_MEDIAN_MS = 59.8;
    static final double REF_BULK_LOW = 12.3;
    static final double REF_BULK_HIGH = 13.5;
    static final String REF = "reference (C tor, same host)";

    private NetworkBench() {
    }

    static void run() throws Exception {
        long t0 = System.nanoTime();
        Bridge.Options o = TestBridges.options(5);
        o.socksPort = 0;
        // This network's onion proxy keeps the classic windows, as the page does (its bundle has no ntor v3):
        // the browser rows below compare with it. The proxy's default, congestion control, is measured next.
        o.proxy.circuit.congestionControl = null;
        byte[] blob = new byte[BULK_BYTES];
        new SeededHttpServer.Generator(64).fill(blob, blob.length);
        String blobSha = HexFormat.of().formatHex(SeededHttpServer.sha256().digest(blob));
        System.out.println("Network: in-process bridge (its router + 5 relays with TLS ORPorts on 127.0.0.1, the last"
                + " an exit), JVM " + System.getProperty("java.version") + ", " + Runtime.getRuntime()
                .availableProcessors() + " CPUs, load average " + Bench.loadAverage());
        try (SeededHttpServer http = new SeededHttpServer(); Bridge bridge = new Bridge(o);
                TorClient client = new TorClient(new Channel.Limits(), new CircuitOptions())) {
            http.serve("/bulk", blob);
            double buildMedian = builds(bridge, client);
            Bulk jvmBulk = bulk(bridge, http.port(), blobSha);
            bulkWithCongestionControl(http.port(), blobSha, jvmBulk.mbPerSecond());
            if (!"false".equals(System.getProperty("onionpeer.bench.js"))) {
                byte[] small = Arrays.copyOf(blob, BROWSER_BULK_BYTES);
                http.serve("/bulk20", small);
                browser(bridge, http.port(), HexFormat.of().formatHex(SeededHttpServer.sha256().digest(small)),
                        buildMedian, jvmBulk);
            }
        }
        System.out.printf(Locale.ROOT, "(network bench took %.0f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    // ---- circuit builds ---------------------------------------------------------------------------------

    static double builds(Bridge bridge, TorClient client) throws Exception {
        List<RelayInfo> inner = TorClient.exits(bridge, false);
        RelayInfo exit = TorClient.exits(bridge, true).get(0);
        // Warm-up: every ordered (first, middle) pair, so every link a timed build uses is open already.
        for (RelayInfo first : inner) {
            for (RelayInfo middle : inner) {
                if (first != middle) {
                    buildOnce(client, List.of(first, middle, exit));
                }
            }
        }
        SplittableRandom r = new SplittableRandom(30);
        double[] ms = new double[BUILDS];
        for (int i = 0; i < BUILDS; i++) {
            RelayInfo first = inner.get(r.nextInt(inner.size()));
            RelayInfo middle;
            do {
                middle = inner.get(r.nextInt(inner.size()));
            } while (middle == first);
            ms[i] = buildOnce(client, List.of(first, middle, exit));
        }
        double[] s = ms.clone();
        Arrays.sort(s);
        double median = (s[BUILDS / 2 - 1] + s[BUILDS / 2]) / 2;
        System.out.printf(Locale.ROOT, "net  3-hop circuit build   median %6.1f ms  min %5.1f  max %5.1f   (%d builds,"
                + " ntor x3, links open)   %s: median %.1f ms -> %.2fx its time%n", median, s[0], s[BUILDS - 1], BUILDS,
                REF, REF_BUILD_MEDIAN_MS, median / REF_BUILD_MEDIAN_MS);
        StringBuilder all = new StringBuilder();
        for (double x : ms) {
            all.append(all.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f", x));
        }
        System.out.println("     builds (ms, in order): " + all);
        return median;
    }

    /** One build, then DESTROY; the time from start() to built, in ms. */
    static double buildOnce(TorClient client, List<RelayInfo> path) throws Exception {
        TorClient.Built b = client.build(path).get(30, TimeUnit.SECONDS);
        client.close(b.circuit());
        return b.buildNanos() / 1e6;
    }

    // ---- bulk -------------------------------------------------------------------------------------------

    /** The JVM onion proxy's classic bulk rows: median MB/s, and this process's CPU ms per MB over the timed runs. */
    record Bulk(double mbPerSecond, double cpuMsPerMb) {
    }

    static Bulk bulk(Bridge bridge, int httpPort, String sha) throws Exception {
        Proxy socks = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", bridge.socksPort()));
        for (int i = 0; i < BULK_WARMUPS; i++) {
            download(socks, httpPort, sha, bridge); // warm-up (JIT, the proxy's pool)
        }
        double[] tor = new double[BULK_RUNS];
        List<String> paths = new ArrayList<>();
        double[] c0 = PageProfile.cpu();
        java.util.Map<String, Double> t0 = PageProfile.jvmThreads();
        for (int i = 0; i < BULK_RUNS; i++) {
            Result r = download(socks, httpPort, sha, bridge);
            tor[i] = r.mbPerSecond;
            paths.add(r.path);
        }
        double cpu = (PageProfile.cpu()[2] - c0[2]) / (BULK_RUNS * (double) (BULK_BYTES >> 20));
        System.out.println("     JVM CPU ms/MB by thread group: "
                + PageProfile.jvmThreadsPerMb(t0, PageProfile.jvmThreads(), BULK_RUNS * (double) (BULK_BYTES >> 20)));
        download(Proxy.NO_PROXY, httpPort, sha, null); // warm-up
        double[] direct = new double[BULK_RUNS];
        for (int i = 0; i < BULK_RUNS; i++) {
            direct[i] = download(Proxy.NO_PROXY, httpPort, sha, null).mbPerSecond;
        }
        double torBest = max(tor);
        double torMedian = median(tor);
        double directBest = max(direct);
        System.out.printf(Locale.ROOT, "net  bulk, 1 stream, 3 hops, classic  best %6.1f MB/s  median %5.1f  [%s]  (%d MB via"
                + " SOCKS5 + onion proxy, SHA-256 checked)   %s: %.1f-%.1f MB/s -> %.2fx-%.2fx (median %.2fx-%.2fx)%n",
                torBest, torMedian, runs(tor), BULK_BYTES >> 20, REF, REF_BULK_LOW, REF_BULK_HIGH,
                torBest / REF_BULK_HIGH, torBest / REF_BULK_LOW, torMedian / REF_BULK_HIGH, torMedian / REF_BULK_LOW);
        System.out.printf(Locale.ROOT, "     circuits used: %s; CPU %.1f ms per MB (this JVM: client, relays, exit,"
                + " HTTP server)%n", paths, cpu);
        System.out.printf(Locale.ROOT, "net  bulk, direct (no Tor)   best %6.1f MB/s  median %5.1f  [%s]  (same server,"
                + " same client code) -> 3 hops get %.1f%% of direct%n", directBest, median(direct), runs(direct),
                100 * torBest / directBest);
        return new Bulk(torMedian, cpu);
    }

    /**
     * The same download on a second embedded network whose onion proxy runs as it does by default, asking the
     * exit for congestion control (ntor v3, prop324): an all-Onionpeer circuit with Vegas at both ends and
     * XON/XOFF on the stream.
     */
    static void bulkWithCongestionControl(int httpPort, String sha, double classicMedian) throws Exception {
        Bridge.Options o = TestBridges.options(5);
        o.socksPort = 0;
        o.proxy.circuit.congestionControl = org.onionpeer.circuit.NtorV3ExitHandshake.FACTORY; // the default
        try (Bridge bridge = new Bridge(o)) {
            Proxy socks = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", bridge.socksPort()));
            for (int i = 0; i < BULK_WARMUPS; i++) {
                download(socks, httpPort, sha, bridge); // warm-up (a new bridge: new circuits, same JIT)
            }
            double[] cc = new double[BULK_RUNS];
            for (int i = 0; i < BULK_RUNS; i++) {
                cc[i] = download(socks, httpPort, sha, bridge).mbPerSecond;
            }
            System.out.printf(Locale.ROOT, "net  bulk, 1 stream, 3 hops, congestion control  best %6.1f MB/s  median %5.1f"
                    + "  [%s]  (the default; our exit negotiated it: Vegas both ends)  -> median %.2fx classic%n", max(cc), median(cc),
                    runs(cc), median(cc) / classicMedian);
        }
    }

    // ---- the browser node (onionpeer.js in headless Chromium) on the same network -----------------------

    static final int PAGE_LOADS = 10;
    static final int BROWSER_BULK_RUNS = 3;
    /**
     * Untimed page downloads first: the bridge's server side of a browser's link (Jetty's WebSocket server, the
     * bridge relay's loop) is compiled by them, as the JVM onion proxy's path is by its {@link #BULK_WARMUPS}; after
     * one, the JIT still took 9-13 ms of the JVM's CPU per MB during the timed page runs.
     */
    static final int BROWSER_BULK_WARMUPS = 3;
    static final int BROWSER_BULK_BYTES = 20 << 20;

    /**
     * Page open -> first circuit ready: the page's own clock (performance.now(), from navigation start) when
     * its status first lists a built circuit (checked every ms by a script added to each new document), median of {@link #PAGE_LOADS} loads of
     * the bridge's main page (directory fetch, WebSocket link, three ntor handshakes included). Then one
     * stream's throughput through 3 hops: onionpeer.fetch of {@link #BROWSER_BULK_BYTES}, timed in the page
     * from the call to the body, median of {@link #BROWSER_BULK_RUNS} after {@link #BROWSER_BULK_WARMUPS} warm-ups; SHA-256 checked in
     * the page. Ratios against the JVM onion proxy's figures above (same bridge, same exit, same server).
     */
    static void browser(Bridge bridge, int httpPort, String sha, double jvmBuildMedian, Bulk jvmBulk)
            throws Exception {
        double jvmBulkMedian = jvmBulk.mbPerSecond();
        try (Chromium chromium = new Chromium()) {
            // Watch from the document's start, every ms, for the first built circuit: the page's own clock.
            chromium.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", java.util.Map.of("source",
                    "(function () { var t = setInterval(function () { var o = window.onionpeer;"
                    + " if (o && o.status && o.status().circuits.length > 0) {"
                    + " window.__firstCircuit = performance.now(); clearInterval(t); } }, 1); })();"));
            double[] ready = new double[PAGE_LOADS];
            for (int i = 0; i < PAGE_LOADS; i++) {
                chromium.open(bridge.server().url(""));
                Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1];"
                        + "(function poll() { if (window.__firstCircuit) cb(window.__firstCircuit);"
                        + " else if (performance.now() > 60000) cb(-1); else setTimeout(poll, 20); })();");
                ready[i] = ((Number) r).doubleValue();
                if (ready[i] < 0) {
                    throw new IOException("page " + i + ": no circuit within 60 s");
                }
            }
            double readyMedian = median(ready);
            System.out.printf(Locale.ROOT, "web  page open -> 1st circuit median %6.1f ms  min %5.1f  max %5.1f  [%s]  (%d"
                    + " loads, in-page clock from navigation start: directory + WebSocket link + 3 ntor)   JVM OP 3-hop build (links open)"
                    + " median %.1f ms -> %.1fx its time%n", readyMedian, min(ready), max(ready), runs(ready),
                    PAGE_LOADS, jvmBuildMedian, readyMedian / jvmBuildMedian);

            String url = "http://127.0.0.1:" + httpPort + "/bulk20";
            double[] mbs = new double[BROWSER_BULK_RUNS];
            double[] cpu = new double[3];
            java.util.Map<String, Double> threads = null;
            for (int i = -BROWSER_BULK_WARMUPS; i < BROWSER_BULK_RUNS; i++) {
                double[] c0 = PageProfile.cpu();
                if (i == 0) {
                    threads = PageProfile.jvmThreads();
                }
                Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = performance.now();"
                        + "window.onionpeer.fetch(arguments[0], function () {}, function (err, status, body) {"
                        + " var ms = performance.now() - t0;"
                        + " if (err) { cb('error: ' + err); return; }"
                        + " crypto.subtle.digest('SHA-256', body).then(function (h) {"
                        + "  cb(status + ' ' + body.length + ' ' + Array.from(new Uint8Array(h)).map(function (b) {"
                        + "   return ('0' + b.toString(16)).slice(-2); }).join('') + ' ' + ms); }); });", url);
                String[] p = String.valueOf(r).split(" ");
                if (p.length != 4 || !p[0].equals("200") || !p[1].equals(String.valueOf(BROWSER_BULK_BYTES))
                        || !p[2].equals(sha)) {
                    throw new IOException("browser bulk: bad result " + r);
                }
                if (i >= 0) {
                    mbs[i] = BROWSER_BULK_BYTES / (double) (1 << 20) / (Double.parseDouble(p[3]) / 1e3);
                    double[] c1 = PageProfile.cpu();
                    for (int k = 0; k < 3; k++) {
                        cpu[k] += (c1[k] - c0[k]) / (BROWSER_BULK_RUNS * (double) (BROWSER_BULK_BYTES >> 20));
                    }
                }
            }
            double m = median(mbs);
            System.out.printf(Locale.ROOT, "web  bulk, 1 stream, 3 hops best %6.1f MB/s  median %5.1f  [%s]  (%d MB via"
                    + " onionpeer.fetch in Chromium %s, SHA-256 checked)   JVM OP median %.1f MB/s -> %.2fx (browser/JVM)%n",
                    max(mbs), m, runs(mbs), BROWSER_BULK_BYTES >> 20, chromium.version(), jvmBulkMedian,
                    m / jvmBulkMedian);
            System.out.println("     JVM CPU ms/MB by thread group during the page runs: " + PageProfile.jvmThreadsPerMb(
                    threads, PageProfile.jvmThreads(), BROWSER_BULK_RUNS * (double) (BROWSER_BULK_BYTES >> 20)));
            BrowserFloor.report(chromium, cpu, jvmBulk.cpuMsPerMb(), 2 * BROWSER_BULK_BYTES);
        }
    }

    static double min(double[] a) {
        return Arrays.stream(a).min().orElse(0);
    }

    record Result(double mbPerSecond, String path) {
    }

    /** GET /bulk over {@code proxy}; checks length and SHA-256; the rate over the whole exchange. */
    static Result download(Proxy proxy, int port, String sha, Bridge bridge) throws Exception {
        long t0 = System.nanoTime();
        String path = "direct";
        try (Socket s = new Socket(proxy)) {
            s.connect(proxy == Proxy.NO_PROXY ? new InetSocketAddress("127.0.0.1", port)
                    : InetSocketAddress.createUnresolved("127.0.0.1", port), 30_000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /bulk HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            long length = readHead(in);
            if (bridge != null) {
                path = circuitWithStream(bridge);
            }
            MessageDigest md = SeededHttpServer.sha256();
            byte[] buf = new byte[256 * 1024];
            long got = 0;
            int n;
            while (got < length && (n = in.read(buf, 0, (int) Math.min(buf.length, length - got))) > 0) {
                md.update(buf, 0, n);
                got += n;
            }
            long nanos = System.nanoTime() - t0;
            if (got != length || !HexFormat.of().formatHex(md.digest()).equals(sha)) {
                throw new IOException("bulk body wrong: " + got + " of " + length + " bytes or SHA-256 mismatch");
            }
            return new Result(length / (double) (1 << 20) / (nanos / 1e9), path);
        }
    }

    /** Reads the response head (must be 200 with Content-Length); returns the length. */
    static long readHead(InputStream in) throws IOException {
        String h = headText(in, "response");
        if (!h.startsWith("HTTP/1.1 200") && !h.startsWith("HTTP/1.0 200")) {
            throw new IOException("bad status: " + h.lines().findFirst().orElse(""));
        }
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(15).trim());
            }
        }
        throw new IOException("no Content-Length");
    }

    /**
     * An HTTP/1.x head, read byte by byte up to and with its blank line (so nothing after it is consumed), at most
     * 16 KiB; {@code what} ("response", "request") names it in the error.
     */
    static String headText(InputStream in, String what) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.length() > 16384) {
                throw new IOException("bad " + what + " head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** The path of the proxy circuit carrying a stream now, e.g. "relay2>bridge>relay5 (first link ws)". */
    static String circuitWithStream(Bridge bridge) throws Exception {
        return TorClient.onLoop(bridge.proxyLoop(), () -> {
            StringBuilder sb = new StringBuilder();
            for (ClientCircuit c : bridge.proxy().circuits()) {
                if (c.streamCount() > 0) {
                    for (RelayInfo r : c.path()) {
                        sb.append(sb.length() == 0 ? "" : ">").append(r.nickname());
                    }
                    sb.append(c.channel().isAuthenticated() ? " (TLS first link)" : " (WebSocket first link)");
                }
            }
            return sb.toString();
        });
    }

    static double max(double[] a) {
        return Arrays.stream(a).max().orElse(0);
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String runs(double[] a) {
        StringBuilder sb = new StringBuilder();
        for (double x : a) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f", x));
        }
        return sb.toString();
    }
}
