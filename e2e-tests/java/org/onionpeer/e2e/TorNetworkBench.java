package org.onionpeer.e2e;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.NtorV3ExitHandshake;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.link.Channel;

/**
 * Our JVM onion proxy against the C tor client, in one run on the same private Tor network of tor 0.4.9
 * (e2e-tests/tor): 3-hop circuit build time (median of {@link #BUILDS}, the same paths of C tor relays for
 * both, links already open: our ClientCircuit from start to built, tor's ControlPort EXTENDCIRCUIT to
 * "650 CIRC BUILT") and bulk throughput of one download (the same SOCKS5 client code against our SOCKS port
 * and tor's SocksPort, the same server, the body length checked). Ratios: build ours/tor (goal &lt;= 1.0),
 * throughput ours/tor (goal &gt;= 1.5, our proxy running congestion control as it does by default; a second proxy
 * with the classic windows is measured too), with the CPU each process used during the runs (the C relays'
 * share tells whether they set the ceiling). {@code -Donionpeer.bench.tor.runs=N} changes the number of bulk
 * runs per side. Part of {@code mvn -q -Pbench -DskipTests verify}; skip with
 * {@code -Donionpeer.bench.tor=false}.
 */
final class TorNetworkBench {
    static final int BUILDS = 30;
    static final int BULK_RUNS = 3;
    static final long BULK_BYTES = 32L << 20;
    static final int BASE_PORT = 17900;

    private TorNetworkBench() {
    }

    static void run() throws Exception {
        long t0 = System.nanoTime();
        System.out.println("Tor network: a private network of " + torVersion() + " on 127.0.0.1 (authority, 2 relays,"
                + " 1 exit), load average " + Bench.loadAverage());
        try (SeededHttpServer web = new SeededHttpServer();
                TorNetwork net = TorNetwork.start(Paths.get("target", "tor-networks", "bench"), BASE_PORT)) {
            // Our onion proxy as it runs by default: congestion control asked of the exit (ntor v3, prop324).
            Bridge.Options o = TestBridges.tor(net.authorityLine());
            o.socksPort = 0;
            o.proxy.circuit.congestionControl = NtorV3ExitHandshake.FACTORY;
            int ports = TorNetwork.freePorts(BASE_PORT + 10, BASE_PORT + 40, 2);
            // A second onion proxy with tor's classic windows (no congestion control), to compare.
            Bridge.Options cl = TestBridges.tor(net.authorityLine());
            cl.socksPort = 0;
            cl.proxy.circuit.congestionControl = null;
            try (Bridge bridge = new Bridge(o);
                    Bridge classic = new Bridge(cl);
                    CTorClient ctor = net.startClient("bench-client", ports, ports + 1, List.of());
                    TorClient ours = new TorClient(new Channel.Limits(), new ClientCircuit.Options())) {
                Directory d = bridge.awaitTorNetwork(90_000);
                classic.awaitTorNetwork(90_000);
                RelayInfo relay1 = byName(d, "relay1");
                RelayInfo relay2 = byName(d, "relay2");
                RelayInfo auth0 = byName(d, "auth0");
                RelayInfo exit1 = byName(d, "exit1");
                List<List<RelayInfo>> paths = List.of(List.of(relay1, relay2, exit1), List.of(relay2, relay1, exit1),
                        List.of(auth0, relay1, exit1), List.of(relay1, auth0, exit1));
                List<List<String>> fps = new ArrayList<>();
                for (List<RelayInfo> p : paths) {
                    List<String> f = new ArrayList<>();
                    for (RelayInfo r : p) {
                        f.add(r.identity().fingerprint());
                    }
                    fps.add(f);
                }
                // Warm-up: each path once on each side, so every link a timed build uses is open.
                for (List<RelayInfo> p : paths) {
                    NetworkBench.buildOnce(ours, p);
                }
                TorReference.cTorBuildMillis(ctor, fps, fps.size());
                // Interleaved, so both see the same load: ours i, tor i.
                double[] mine = new double[BUILDS];
                double[] theirs = new double[BUILDS];
                for (int i = 0; i < BUILDS; i++) {
                    mine[i] = NetworkBench.buildOnce(ours, paths.get(i % paths.size()));
                    theirs[i] = TorReference.cTorBuildMillis(ctor, List.of(fps.get(i % fps.size())), 1)[0];
                }
                double bm = TorReference.median(mine);
                double bt = TorReference.median(theirs);
                System.out.printf(Locale.ROOT, "tor  3-hop build, ours      median %6.1f ms  min %5.1f  max %5.1f  (%d builds"
                        + " through C tor relays, links open)%n", bm, NetworkBench.min(mine), NetworkBench.max(mine), BUILDS);
                System.out.printf(Locale.ROOT, "tor  3-hop build, C tor     median %6.1f ms  min %5.1f  max %5.1f  (EXTENDCIRCUIT,"
                        + " same paths)  -> ratio ours/tor %.2f (goal <= 1.0)%n", bt, NetworkBench.min(theirs),
                        NetworkBench.max(theirs), bm / bt);

                String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(77, BULK_BYTES);
                TorReference.cTorBulkMBps(bridge.socksPort(), url, BULK_BYTES); // warm-up (JIT, circuits)
                TorReference.cTorBulkMBps(ctor.socksPort(), url, BULK_BYTES);
                TorReference.cTorBulkMBps(classic.socksPort(), url, BULK_BYTES);
                int runs = Integer.getInteger("onionpeer.bench.tor.runs", BULK_RUNS);
                double[] mb = new double[runs];
                double[] tb = new double[runs];
                double[] fb = new double[runs];
                // CPU seconds each process used during each side's runs: are the C relays the ceiling?
                Path dir = Paths.get("target", "tor-networks", "bench");
                Map<String, Long> cpuMine = new TreeMap<>();
                Map<String, Long> cpuTor = new TreeMap<>();
                long[] wall = new long[2];
                for (int i = 0; i < runs; i++) {
                    Map<String, Long> c0 = cpuMillis(dir);
                    long w0 = System.nanoTime();
                    mb[i] = TorReference.cTorBulkMBps(bridge.socksPort(), url, BULK_BYTES);
                    long w1 = System.nanoTime();
                    Map<String, Long> c1 = cpuMillis(dir);
                    tb[i] = TorReference.cTorBulkMBps(ctor.socksPort(), url, BULK_BYTES);
                    long w2 = System.nanoTime();
                    Map<String, Long> c2 = cpuMillis(dir);
                    fb[i] = TorReference.cTorBulkMBps(classic.socksPort(), url, BULK_BYTES);
                    addDelta(cpuMine, c0, c1);
                    addDelta(cpuTor, c1, c2);
                    wall[0] += w1 - w0;
                    wall[1] += w2 - w1;
                }
                double mm = TorReference.median(mb);
                double tm = TorReference.median(tb);
                double fm = TorReference.median(fb);
                System.out.printf(Locale.ROOT, "tor  bulk, 1 stream, ours   median %6.1f MB/s  [%s]  (%d MB via our SOCKS5 and"
                        + " C tor relays, congestion control: the default)%n", mm, NetworkBench.runs(mb),
                        BULK_BYTES >> 20);
                System.out.printf(Locale.ROOT, "tor  bulk, 1 stream, C tor  median %6.1f MB/s  [%s]  (tor's SocksPort)  ->"
                        + " ratio ours/tor %.2f (goal >= 1.5)%n", tm, NetworkBench.runs(tb), mm / tm);
                System.out.printf(Locale.ROOT, "tor  bulk, ours, classic    median %6.1f MB/s  [%s]  (no congestion control:"
                        + " SENDME windows)  -> ratio to tor %.2f%n", fm, NetworkBench.runs(fb), fm / tm);
                System.out.println("     CPU during the runs (% of one core): ours (CC) " + cpuShares(cpuMine, wall[0])
                        + "; C tor " + cpuShares(cpuTor, wall[1]) + "; load average " + Bench.loadAverage());
            }
        }
        System.out.printf(Locale.ROOT, "(tor network bench took %.0f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * CPU time (ms) so far of each tor of the network (by its directory's launched.pid) and of this JVM ("jvm",
     * our onion proxies and the benchmark's client and server); a process that is gone is left out.
     */
    static Map<String, Long> cpuMillis(Path dir) {
        Map<String, Long> out = new TreeMap<>();
        try (DirectoryStream<Path> nodes = Files.newDirectoryStream(dir)) {
            for (Path d : nodes) {
                Path pf = d.resolve("launched.pid");
                if (Files.isRegularFile(pf)) {
                    try {
                        ProcessHandle.of(Long.parseLong(Files.readString(pf).trim()))
                                .flatMap(h -> h.info().totalCpuDuration())
                                .ifPresent(t -> out.put(d.getFileName().toString(), t.toMillis()));
                    } catch (IOException | NumberFormatException e) {
                        // a half-written pid file: leave that process out
                    }
                }
            }
        } catch (IOException e) {
            return out;
        }
        ProcessHandle.current().info().totalCpuDuration().ifPresent(t -> out.put("jvm", t.toMillis()));
        return out;
    }

    private static void addDelta(Map<String, Long> sum, Map<String, Long> before, Map<String, Long> after) {
        for (Map.Entry<String, Long> e : after.entrySet()) {
            Long b = before.get(e.getKey());
            if (b != null) {
                sum.merge(e.getKey(), e.getValue() - b, Long::sum);
            }
        }
    }

    private static String cpuShares(Map<String, Long> cpu, long wallNanos) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : cpu.entrySet()) {
            sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append(String.format(Locale.ROOT, " %.0f%%",
                    100.0 * e.getValue() * 1e6 / Math.max(1, wallNanos)));
        }
        return sb.toString();
    }

    static RelayInfo byName(Directory d, String nickname) {
        for (RelayInfo r : d.relays()) {
            if (r.nickname().equals(nickname)) {
                return r;
            }
        }
        throw new IllegalStateException(nickname + " is not in the verified consensus");
    }

    static String torVersion() {
        try {
            Process p = new ProcessBuilder("tor", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            int nl = out.indexOf('\n');
            String first = nl < 0 ? out : out.substring(0, nl);
            return first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
        } catch (Exception e) {
            return "tor (version unknown)";
        }
    }
}
