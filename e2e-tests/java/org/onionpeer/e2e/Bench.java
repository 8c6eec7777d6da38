package org.onionpeer.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.onionpeer.bench.NtorWorkload;
import org.onionpeer.bench.RelayLayerWorkload;
import org.onionpeer.bench.Workload;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.TunedRelayPrimitives;
import org.onionpeer.jvm.JcaRelayPrimitives;

/**
 * The benchmark: prints figures, asserts nothing. Run it with {@code mvn -q -o -Pbench -DskipTests verify}
 * (the bench profile builds target/webapp/bench.js and runs this class). JVM rows are timed here; the
 * JavaScript rows run in headless Chromium (org.onionpeer.browser.BenchMain, webapp/bench.html). Every
 * row: a warm-up run, then RUNS runs of at least MIN_MILLIS each, and the median.
 * System properties: onionpeer.bench.millis (default 1000), onionpeer.bench.runs (default 5),
 * onionpeer.bench.js=false to skip the browser, onionpeer.bench.net=false to skip the network rows
 * ({@link NetworkBench}: an in-process bridge, 3-hop circuit build times and one-stream bulk throughput, for the
 * JVM onion proxy and, unless onionpeer.bench.js=false, for the browser node in Chromium),
 * onionpeer.bench.load=false to skip the load rows ({@link LoadBench}: a bridge process idle and holding 5,000
 * WebSocket page links, then 2,000 TLS links too: links per GB of its RSS, its threads, circuit build and SOCKS
 * fetch p50/p99 against idle), onionpeer.bench.ordb=false to skip the ORDB rows ({@link OrdbPageBench}: time
 * to first frame between pages; {@link OrdbBench}: a file through 5 ORDB circuits against 1, every JVM relay
 * rate-limited), onionpeer.bench.torrent=false to skip the torrent rows ({@link TorrentPageBench}: a page given a
 * magnet, time to first frame, and MB/s from a loopback swarm through facilitators to the page against aria2c alone),
 * onionpeer.bench.https=false to skip the HTTPS row ({@link HttpsPageBench}: the page's TLS client against plain
 * HTTP over the same circuits), onionpeer.bench.profile=true to run only {@link PageProfile} (Chrome's profiler on
 * the page's bulk download; with -Donionpeer.minify=false for readable names).
 */
public final class Bench {
    static final int MIN_MILLIS = Integer.getInteger("onionpeer.bench.millis", 1000);
    static final int RUNS = Integer.getInteger("onionpeer.bench.runs", 5);
    static final long BUNDLE_TARGET = 500 * 1024;

    private Bench() {
    }

    /** The JVM rows; BenchMain#workloads has the JavaScript ones. */
    static List<Workload> jvmWorkloads() {
        List<Workload> w = new ArrayList<>();
        w.add(new RelayLayerWorkload(new JcaRelayPrimitives()));
        w.add(new RelayLayerWorkload(new BcRelayPrimitives()));
        w.add(new RelayLayerWorkload(new TunedRelayPrimitives()));
        w.add(new NtorWorkload(true));
        w.add(new NtorWorkload(false));
        return w;
    }

    /** The target for a row, or 0 if none: one relay layer >= 500 MB/s on the JVM, >= 80 MB/s in JS. */
    static double target(String platform, String group) {
        if (group.startsWith("relay layer")) {
            return platform.equals("JVM") ? 500 : 80;
        }
        return 0;
    }

    /** One printed row. The group is the name before " / ", the implementation after it. */
    record Row(String platform, String group, String impl, String unit, double median, double[] runs, String note) {
        static Row of(String platform, String name, String unit, double median, double[] runs, String note) {
            int i = name.indexOf(" / ");
            return new Row(platform, i < 0 ? name : name.substring(0, i), i < 0 ? "" : name.substring(i + 3), unit,
                    median, runs, note);
        }
    }

    public static void main(String[] args) throws Exception {
        if (Boolean.getBoolean("onionpeer.bench.profile")) {
            PageProfile.run(); // only the page's profile (src/docs/browser-throughput.md)
            return;
        }
        long t0 = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "Onionpeer benchmark: %d ms per run, median of %d runs after a warm-up run%n",
                MIN_MILLIS, RUNS);
        System.out.printf(Locale.ROOT, "JVM %s %s, %d CPUs, load average %s%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), loadAverage());
        for (Workload w : jvmWorkloads()) {
            rows.add(timeOnJvm(w));
        }
        String browser = null;
        if (!"false".equals(System.getProperty("onionpeer.bench.js"))) {
            try (WebappServer server = new WebappServer(); Chromium chromium = new Chromium()) {
                browser = "Chromium " + chromium.version();
                chromium.open(server.url("bench.html"));
                String list = (String) chromium.js("return window.onionpeer.benchList();");
                String[] names = list.split("\n");
                for (int i = 0; i < names.length; i++) {
                    String[] nu = names[i].split("\t");
                    String r = (String) chromium.jsAsync("window.onionpeer.bench(arguments[0], arguments[1],"
                            + " arguments[2], arguments[arguments.length - 1]);", i, MIN_MILLIS, RUNS);
                    String[] p = r.split("\\|", -1);
                    double[] runs = Arrays.stream(p[1].split(",")).mapToDouble(Double::parseDouble).toArray();
                    rows.add(Row.of("JS", nu[0], nu[1], Double.parseDouble(p[0]), runs, p[2]));
                }
            }
        }
        System.out.println();
        print(rows, browser);
        System.out.println();
        bundle("onionpeer.js", "the node bundle; target " + BUNDLE_TARGET / 1024 + " KB");
        bundle("files.js", "downloads, stored files and the players, loaded by the page on its first download()/stream()");
        bundle("media.js", "media parsers and MP4 remuxer, loaded by the page on its first stream()");
        bundle("tls.js", "the page's TLS client, loaded on its first https:// fetch");
        bundle("tls-roots.js", "Mozilla's root store, loaded with tls.js");
        bundle("torcheck.js", "Tor consensus and descriptor checks, loaded when the bridge has a Tor network");
        bundle("selftest.js", "self-test bundle, for comparison");
        bundle("bench.js", "bench bundle, for comparison");
        if (!"false".equals(System.getProperty("onionpeer.bench.net"))) {
            System.out.println();
            try {
                NetworkBench.run();
            } catch (Exception e) {
                System.out.println("network bench failed: " + e);
                e.printStackTrace(System.out);
            }
        }
        if (!"false".equals(System.getProperty("onionpeer.bench.load"))) {
            System.out.println();
            try {
                LoadBench.run();
            } catch (Exception e) {
                System.out.println("load bench failed: " + e);
                e.printStackTrace(System.out);
            }
        }
        if (!"false".equals(System.getProperty("onionpeer.bench.peers"))) {
            System.out.println();
            try {
                PeerBench.run();
            } catch (Exception | AssertionError e) {
                System.out.println("peer bench failed: " + e);
                e.printStackTrace(System.out);
            }
        }
        if (!"false".equals(System.getProperty("onionpeer.bench.ordb"))) {
            System.out.println();
            try {
                OrdbPageBench.run();
            } catch (Exception | AssertionError e) {
                System.out.println("ORDB page bench failed: " + e);
                e.printStackTrace(System.out);
            }
            System.out.println();
            try {
                OrdbBench.run();
            } catch (Exception e) {
                System.out.println("ordb bench failed: " + e);
                e.printStackTrace(System.out);
            }
        }
        if (!"false".equals(System.getProperty("onionpeer.bench.torrent"))) {
            System.out.println();
            try {
                TorrentPageBench.run();
            } catch (Exception | AssertionError e) {
                System.out.println("torrent page bench failed: " + e);
                e.printStackTrace(System.out);
            }
        }
        if (!"false".equals(System.getProperty("onionpeer.bench.https"))) {
            System.out.println();
            try {
                HttpsPageBench.run();
            } catch (Exception | AssertionError e) {
                System.out.println("https page bench failed: " + e);
                e.printStackTrace(System.out);
            }
        }
        if (!"false".equals(System.getProperty("onionpeer.bench.tor"))) {
            System.out.println();
            try {
                TorNetworkBench.run();
            } catch (Exception e) {
                System.out.println("tor network bench failed: " + e);
                e.printStackTrace(System.out);
            }
        }
        System.out.printf(Locale.ROOT, "(bench took %.0f s; load average now %s)%n", (System.nanoTime() - t0) / 1e9,
                loadAverage());
    }

    /** The 1-minute load average: figures taken on a busy machine are low and spread out. */
    static String loadAverage() {
        double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f", l);
    }

    /** Warm-up (JIT) run, then RUNS runs of at least MIN_MILLIS; ops doubled until a batch takes >= 20 ms. */
    static Row timeOnJvm(Workload w) {
        int batch = 1;
        while (true) {
            long s = System.nanoTime();
            w.run(batch);
            if (System.nanoTime() - s > 20_000_000L || batch >= (1 << 26)) {
                break;
            }
            batch *= 2;
        }
        double[] rates = new double[RUNS];
        for (int r = -1; r < RUNS; r++) {
            long ops = 0;
            long start = System.nanoTime();
            long end = start + MIN_MILLIS * 1_000_000L;
            long now;
            do {
                w.run(batch);
                ops += batch;
                now = System.nanoTime();
            } while (now < end);
            if (r >= 0) {
                rates[r] = ops * w.unitsPerOp() / ((now - start) / 1e9);
            }
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        return Row.of("JVM", w.name(), w.unit(), sorted[RUNS / 2], rates, w.note());
    }

    static void print(List<Row> rows, String browser) {
        System.out.printf(Locale.ROOT, "%-4s %-22s %-16s %12s %-9s %-14s %-10s %s%n", "", "workload", "impl", "median",
                "unit", "vs target", "vs BC", "runs / note");
        for (Row r : rows) {
            double t = target(r.platform(), r.group());
            String vsTarget = t == 0 ? "-" : String.format(Locale.ROOT, "%.2fx of %.0f", r.median() / t, t);
            String vsBc = "-";
            for (Row b : rows) {
                if (b.platform().equals(r.platform()) && b.group().equals(r.group())
                        && b.impl().equals("bouncycastle")) {
                    vsBc = String.format(Locale.ROOT, "%.2fx", r.median() / b.median());
                }
            }
            StringBuilder runs = new StringBuilder();
            for (double x : r.runs()) {
                runs.append(runs.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f", x));
            }
            System.out.printf(Locale.ROOT, "%-4s %-22s %-16s %12.1f %-9s %-14s %-10s [%s] %s%n", r.platform(),
                    r.group(), r.impl(), r.median(), r.unit(), vsTarget, vsBc, runs, r.note());
        }
        if (browser != null) {
            System.out.println("JS = TeaVM-compiled JavaScript in headless " + browser);
        }
    }

    static void bundle(String file, String what) throws IOException {
        Path p = WebappServer.webappDir().resolve(file);
        if (!Files.isRegularFile(p)) {
            System.out.println(file + ": not built");
            return;
        }
        byte[] b = Files.readAllBytes(p);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(b);
        }
        String verdict = file.equals("onionpeer.js")
                ? String.format(Locale.ROOT, " (%.2fx of the %d KB target: %s)", b.length / (double) BUNDLE_TARGET,
                        BUNDLE_TARGET / 1024, b.length <= BUNDLE_TARGET ? "within" : "OVER")
                : "";
        System.out.printf(Locale.ROOT, "bundle %-13s %8.1f KB minified, %7.1f KB gzipped%s  -- %s%n", file,
                b.length / 1024.0, gz.size() / 1024.0, verdict, what);
    }
}
