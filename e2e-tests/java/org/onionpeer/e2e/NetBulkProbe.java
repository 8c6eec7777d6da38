package org.onionpeer.e2e;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.HexFormat;
import java.util.Locale;
import org.onionpeer.jvm.Bridge;

/**
 * A quick, repeatable slice of {@link NetworkBench}: only the 1-stream, 3-hop bulk download through the
 * embedded network, classic then congestion control, {@code runs} timed runs each after one warm-up.
 * For profiling: {@code java ... org.onionpeer.e2e.NetBulkProbe [runs] [MB] [classic|cc|both] [warm-up runs]}.
 * Besides MB/s (which follow this process's share of a shared machine) it prints what does not: CPU ms and KB
 * allocated per MB moved, by thread group.
 */
final class NetBulkProbe {
    private NetBulkProbe() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int mb = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        String which = args.length > 2 ? args[2] : "both";
        int warmups = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        byte[] blob = new byte[mb << 20];
        new SeededHttpServer.Generator(64).fill(blob, blob.length);
        String sha = HexFormat.of().formatHex(SeededHttpServer.sha256().digest(blob));
        System.out.println("load average " + Bench.loadAverage());
        try (SeededHttpServer http = new SeededHttpServer()) {
            http.serve("/bulk", blob);
            if (!which.equals("cc")) {
                row("classic", runs, http.port(), sha, false, mb, warmups);
            }
            if (!which.equals("classic")) {
                row("cc", runs, http.port(), sha, true, mb, warmups);
            }
        }
        System.out.println("load average " + Bench.loadAverage());
        System.exit(0);
    }

    /** CPU nanoseconds of the live threads, summed by name with the digits taken out. */
    static java.util.Map<String, Long> threadCpu() {
        return threadStat(false);
    }

    /** Bytes allocated by the live threads, summed by name with the digits taken out. */
    static java.util.Map<String, Long> threadAlloc() {
        return threadStat(true);
    }

    static java.util.Map<String, Long> threadStat(boolean alloc) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti != null) {
                long c = alloc ? mx.getThreadAllocatedBytes(ti.getThreadId()) : mx.getThreadCpuTime(ti.getThreadId());
                if (c > 0) {
                    m.merge(ti.getThreadName().replaceAll("[0-9]+$", "").replaceAll("-[0-9]+-$", "-"), c, Long::sum);
                }
            }
        }
        return m;
    }

    static long gcMillis() {
        long t = 0;
        for (java.lang.management.GarbageCollectorMXBean g
                : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, g.getCollectionTime());
        }
        return t;
    }

    static void row(String name, int runs, int port, String sha, boolean cc, int mb, int warmups)
            throws Exception {
        Bridge.Options o = TestBridges.options(5);
        o.socksPort = 0;
        if (cc) {
            o.proxy.circuit.congestionControl = org.onionpeer.circuit.NtorV3ExitHandshake.FACTORY;
        }
        try (Bridge bridge = new Bridge(o)) {
            Proxy socks = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", bridge.socksPort()));
            // Several warm-up runs: on a loaded 2-core machine C2 needs a few hundred MB of traffic before the
            // relay path is compiled (the first runs then go at half the rate and half the MB per CPU-second).
            for (int i = 0; i < warmups; i++) {
                NetworkBench.download(socks, port, sha, bridge);
            }
            double[] r = new double[runs];
            double[] cpu = new double[runs];
            String path = "";
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            // -Dprobe.jfr=FILE: a flight recording of the timed runs only (no start-up, no warm-up).
            String jfr = System.getProperty("probe.jfr");
            jdk.jfr.Recording rec = null;
            if (jfr != null) {
                rec = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                rec.disable("jdk.SocketRead"); // JDK 17: its instrumentation throws on a SOCKS socket
                rec.disable("jdk.SocketWrite");
                rec.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(2));
                rec.enable("jdk.ThreadPark").withThreshold(java.time.Duration.ofMillis(1)).withStackTrace();
                rec.start();
            }
            java.util.Map<String, Long> threads0 = threadCpu();
            java.util.Map<String, Long> alloc0 = threadAlloc();
            long gc0 = gcMillis();
            for (int i = 0; i < runs; i++) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                NetworkBench.Result x = NetworkBench.download(socks, port, sha, bridge);
                long wall = System.nanoTime() - t0;
                r[i] = x.mbPerSecond();
                // CPU seconds of this whole process (relays, proxy, client, HTTP server) per wall second and per
                // MB: on a shared machine the MB/s follow our share of the cores; MB per CPU-second less so.
                cpu[i] = (mb / ((os.getProcessCpuTime() - c0) / 1e9));
                path = x.path() + String.format(Locale.ROOT, " cpu %.2f cores", (os.getProcessCpuTime() - c0)
                        / (double) wall);
            }
            java.util.Map<String, Long> threads1 = threadCpu();
            StringBuilder sb = new StringBuilder();
            threads1.forEach((k, v) -> {
                long d = v - threads0.getOrDefault(k, 0L);
                if (d > 0) {
                    sb.append(String.format(Locale.ROOT, " %s %.1f", k, d / 1e6 / (runs * (double) mb)));
                }
            });
            System.out.println("  CPU ms per MB by thread group:" + sb);
            java.util.Map<String, Long> alloc1 = threadAlloc();
            StringBuilder sa = new StringBuilder();
            long[] total = {0};
            alloc1.forEach((k, v) -> {
                long d = v - alloc0.getOrDefault(k, 0L);
                total[0] += Math.max(0, d);
                if (d > 1024 * runs * (long) mb) {
                    sa.append(String.format(Locale.ROOT, " %s %.0f", k, d / 1024.0 / (runs * (double) mb)));
                }
            });
            System.out.printf(Locale.ROOT, "  KB allocated per MB: total %.0f;%s; GC %.2f ms per MB%n",
                    total[0] / 1024.0 / (runs * (double) mb), sa, (gcMillis() - gc0) / (runs * (double) mb));
            if (rec != null) {
                rec.stop();
                rec.dump(java.nio.file.Path.of(jfr.replace("%s", name)));
                rec.close();
            }
            System.out.printf(Locale.ROOT, "%-8s median %6.1f MB/s  [%s]  MB per CPU-s median %5.1f [%s]  %s%n",
                    name, NetworkBench.median(r), NetworkBench.runs(r), NetworkBench.median(cpu),
                    NetworkBench.runs(cpu), path);
        }
    }
}
