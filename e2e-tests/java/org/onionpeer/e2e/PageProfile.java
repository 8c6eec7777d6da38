package org.onionpeer.e2e;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import org.onionpeer.jvm.Bridge;

/**
 * Where the page's time goes on a bulk download through 3 hops: Chrome's own sampling profiler, driven over
 * CDP (Profiler.start/stop) around one onionpeer.fetch of {@code onionpeer.profile.mb} MB (default 20), on the
 * same embedded network as {@link NetworkBench} (in-process bridge, 5 relays, local HTTP server). Prints the
 * page's MB/s (median of {@link #RUNS} unprofiled runs after a warm-up), the JVM onion proxy's MB/s on the same
 * bridge for the ratio, and the top 15 frames by self time of the profiled run; writes the whole profile to
 * {@code target/page.cpuprofile} (open it in DevTools' Performance panel).
 *
 * <p>Run: {@code mvn -q -o -Pbench -DskipTests verify -Donionpeer.bench.profile=true} (only this, then exit).
 * Add {@code -Donionpeer.minify=false} for readable function names: onionpeer.js is then built unminified,
 * which the profile needs and the shipped bundle never is (src/docs/browser-throughput.md).
 */
final class PageProfile {
    static final int RUNS = 3;
    static final int TOP = 15;

    private PageProfile() {
    }

    static void run() throws Exception {
        int mb = Integer.getInteger("onionpeer.profile.mb", 20);
        byte[] blob = new byte[mb << 20];
        new SeededHttpServer.Generator(64).fill(blob, blob.length);
        String sha = HexFormat.of().formatHex(SeededHttpServer.sha256().digest(blob));
        Bridge.Options o = TestBridges.options(5);
        o.socksPort = 0;
        try (SeededHttpServer http = new SeededHttpServer(); Bridge bridge = new Bridge(o);
                Chromium chromium = new Chromium()) {
            http.serve("/bulk", blob);
            System.out.println("Page profile: " + mb + " MB through 3 hops, " + chromium.version() + ", load average "
                    + Bench.loadAverage());
            // The JVM onion proxy on the same bridge: the reference of the ratio.
            Proxy socks = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", bridge.socksPort()));
            NetworkBench.download(socks, http.port(), sha, null);
            double[] jvm = new double[RUNS];
            double[] c0 = cpu();
            for (int i = 0; i < RUNS; i++) {
                jvm[i] = NetworkBench.download(socks, http.port(), sha, null).mbPerSecond();
            }
            String jvmCpu = cpuPerMb(c0, cpu(), RUNS * mb);
            // Counts the WebSocket messages the page receives (the counters are reset before the profiled run).
            chromium.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
                    "(function () { var W = window.WebSocket; window.__ws = {n: 0, bytes: 0};"
                    + " window.WebSocket = function (u, p) { var w = p === undefined ? new W(u) : new W(u, p);"
                    + " w.addEventListener('message', function (e) { var c = window.__ws; c.n++;"
                    + " c.bytes += e.data.byteLength || 0; });"
                    + " w.addEventListener('open', function () { window.__wsExt = w.extensions; }); return w; };"
                    + " window.WebSocket.prototype = W.prototype; })();"));
            if (Boolean.getBoolean("onionpeer.profile.noworker")) {
                // No Worker constructor: the page's keystream requests stay on its main thread (the fallback path).
                chromium.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                        Map.of("source", "delete window.Worker;"));
            }
            chromium.open(bridge.server().url(""));
            String url = "http://127.0.0.1:" + http.port() + "/bulk";
            fetch(chromium, url, sha, blob.length); // warm-up (and waits for the first circuit)
            double[] page = new double[RUNS];
            double[] cpuPage = new double[3];
            Map<String, Double> t0 = jvmThreads();
            Map<String, Double> r0 = rendererThreads();
            for (int i = 0; i < RUNS; i++) {
                double[] b = cpu();
                Object r = download(chromium, url);
                double[] a = cpu();
                for (int k = 0; k < 3; k++) {
                    cpuPage[k] += a[k] - b[k];
                }
                page[i] = check(chromium, r, sha, blob.length);
            }
            String threads = jvmThreadsPerMb(t0, jvmThreads(), RUNS * mb);
            String rendererThreads = jvmThreadsPerMb(r0, rendererThreads(), RUNS * mb);
            // Counts the page's WebSocket sends (calls, bytes, time inside send) during the profiled run.
            chromium.js("window.__ws = {n: 0, bytes: 0};"
                    + "var s$ = WebSocket.prototype.send; window.__sends = {n: 0, bytes: 0, ms: 0};"
                    + "WebSocket.prototype.send = function (d) { var t = performance.now(); s$.call(this, d);"
                    + " var c = window.__sends; c.n++; c.bytes += d.byteLength; c.ms += performance.now() - t; };"
                    + "var p$ = MessagePort.prototype.postMessage; window.__posts = 0;"
                    + "MessagePort.prototype.postMessage = function (m) { window.__posts++; return p$.apply(this, arguments); };");
            var driver = chromium.driver();
            PageProfiler profiler = new PageProfiler(driver);
            profiler.start(100);
            Object result = download(chromium, url);
            Map<String, Object> profile = profiler.stopProfile();
            double profiled = check(chromium, result, sha, blob.length);
            System.out.printf(Locale.ROOT, "page %.1f MB/s median [%s], JVM onion proxy %.1f MB/s median [%s] -> %.2fx"
                    + " (browser/JVM); profiled run %.1f MB/s%n", NetworkBench.median(page), NetworkBench.runs(page),
                    NetworkBench.median(jvm), NetworkBench.runs(jvm), NetworkBench.median(page)
                    / NetworkBench.median(jvm), profiled);
            System.out.println("page WebSocket sends during the profiled run: "
                    + chromium.js("var c = window.__sends; return c.n + ' sends, ' + c.bytes + ' bytes, '"
                    + " + c.ms.toFixed(1) + ' ms inside send; ' + window.__posts + ' tasks queued (MessageChannel); '"
                    + " + window.__ws.n + ' messages received, ' + window.__ws.bytes + ' bytes; extensions: \"'"
                    + " + window.__wsExt + '\"';"));
            System.out.println("page runs: " + cpuPerMb(new double[3], cpuPage, RUNS * mb) + "; JVM onion proxy runs: "
                    + jvmCpu);
            System.out.println("JVM CPU ms/MB by thread group during the page runs: " + threads);
            System.out.println("renderer CPU ms/MB by thread group during the page runs: " + rendererThreads);
            System.out.println("page keystream: " + chromium.js("return window.onionpeer.keystreamStats"
                    + " ? window.onionpeer.keystreamStats() : 'no keystreamStats';"));
            System.out.println("top " + TOP + " frames by self time (main thread):");
            PageProfiler.top(profile, TOP).forEach(l -> System.out.println("  " + l));
            Path out = Path.of(System.getProperty("onionpeer.profile.out", "target/page.cpuprofile"));
            Files.writeString(out, new org.openqa.selenium.json.Json().toJson(profile), StandardCharsets.UTF_8);
            System.out.println("profile written to " + out.toAbsolutePath());
            if (Boolean.getBoolean("onionpeer.profile.trace")) {
                // One more download under Chrome's tracing, to attribute the profile's "(program)".
                PageProfileTrace trace = PageProfileTrace.connect(driver);
                trace.start();
                Object traced = download(chromium, url);
                trace.stop();
                System.out.printf(Locale.ROOT, "traced run %.1f MB/s; trace, self time by event:%n",
                        check(chromium, traced, sha, blob.length));
                trace.report(25).forEach(l -> System.out.println("  " + l));
            }
        }
    }

    /**
     * One onionpeer.fetch timed in the page; MB/s. The body's SHA-256 is checked in the page afterwards, in a
     * second call, so that a profile around this one holds the download only.
     */
    static double fetch(Chromium chromium, String url, String sha, int length) throws Exception {
        return check(chromium, download(chromium, url), sha, length);
    }

    /** The download alone: "status length ms" or "error: ...", the body kept in the page for {@link #check}. */
    static Object download(Chromium chromium, String url) {
        return chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = performance.now();"
                + "window.onionpeer.fetch(arguments[0], function () {}, function (err, status, body) {"
                + " var ms = performance.now() - t0; window.__body = body;"
                + " cb(err ? 'error: ' + err : status + ' ' + body.length + ' ' + ms); });", url);
    }

    /** Checks the kept body's length and SHA-256 in the page; MB/s. */
    static double check(Chromium chromium, Object r, String sha, int length) {
        Object h = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var b = window.__body;"
                + " window.__body = null; if (!b) { cb('none'); return; }"
                + " crypto.subtle.digest('SHA-256', b).then(function (h) {"
                + "  cb(Array.from(new Uint8Array(h)).map(function (x) {"
                + "   return ('0' + x.toString(16)).slice(-2); }).join('')); });");
        String[] p = String.valueOf(r).split(" ");
        if (p.length != 3 || !p[0].equals("200") || !p[1].equals(String.valueOf(length)) || !sha.equals(h)) {
            throw new IllegalStateException("page fetch: bad result " + r + ", SHA-256 " + h);
        }
        return length / (double) (1 << 20) / (Double.parseDouble(p[2]) / 1e3);
    }

    /**
     * CPU time used so far, in ms, by: [0] Chromium's renderer processes, [1] its other processes (browser,
     * network service, ...), [2] this JVM (the bridge, its relays, the HTTP server). Wall-clock figures on a
     * busy 2-core machine move with the load; CPU per MB does much less.
     */
    static double[] cpu() {
        double[] t = new double[3];
        ProcessHandle.current().descendants().forEach(ph -> {
            try {
                String stat = Files.readString(Path.of("/proc/" + ph.pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                double ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0; // utime, stime: 100 ticks/s
                String cmd = Files.readString(Path.of("/proc/" + ph.pid() + "/cmdline"));
                t[cmd.contains("--type=renderer") ? 0 : 1] += ms;
            } catch (java.io.IOException | RuntimeException gone) {
                // exited meanwhile
            }
        });
        t[2] = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e6;
        return t;
    }

    /**
     * CPU ms so far of this JVM's threads that are alive, by group: the thread's name in /proc (15 characters)
     * without digits, so the JIT compilers, GC workers, Jetty pool, node loops each add up. Threads that ended
     * meanwhile are missed; the JVM's total in {@link #cpu} has them.
     */
    static Map<String, Double> jvmThreads() {
        return threads(Path.of("/proc/self/task"), new java.util.TreeMap<>());
    }

    /**
     * The same for the threads of Chromium's renderer processes (CrRendererMain = the page's main thread,
     * DedicatedWorker = a Web Worker's thread, ...): where the renderer's CPU goes.
     */
    static Map<String, Double> rendererThreads() {
        Map<String, Double> m = new java.util.TreeMap<>();
        ProcessHandle.current().descendants().forEach(ph -> {
            try {
                if (Files.readString(Path.of("/proc/" + ph.pid() + "/cmdline")).contains("--type=renderer")) {
                    threads(Path.of("/proc/" + ph.pid() + "/task"), m);
                }
            } catch (java.io.IOException | RuntimeException gone) {
                // exited meanwhile
            }
        });
        return m;
    }

    private static Map<String, Double> threads(Path taskDir, Map<String, Double> m) {
        try (var tasks = Files.list(taskDir)) {
            tasks.forEach(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9#-]+", "").trim();
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    m.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0, Double::sum);
                } catch (java.io.IOException | RuntimeException gone) {
                    // ended meanwhile
                }
            });
        } catch (java.io.IOException e) {
            return m;
        }
        return m;
    }

    static String jvmThreadsPerMb(Map<String, Double> before, Map<String, Double> after, double mb) {
        StringBuilder sb = new StringBuilder();
        after.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() / mb >= 0.5)
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> sb.append(sb.length() > 0 ? ", " : "").append(e.getKey()).append(' ')
                        .append(String.format(Locale.ROOT, "%.1f", e.getValue() / mb)));
        return sb.toString();
    }

    static String cpuPerMb(double[] before, double[] after, double mb) {
        return String.format(Locale.ROOT, "CPU ms/MB: renderer %.0f, other Chromium %.0f, JVM %.0f",
                (after[0] - before[0]) / mb, (after[1] - before[1]) / mb, (after[2] - before[2]) / mb);
    }
}
