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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.onionpeer.circuit.CircuitOptions;
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
 * throughput ours/tor (goal &gt;= 1.5, both as they run by default: congestion control and conflux; one-circuit
 * variants of both and our classic windows are measured too; every run gives its stream a SOCKS username of its
 * own, so both clients draw new circuits each run), with the CPU each process used during the runs
 * (the C relays' share tells whether they set the ceiling) and exit1's own log of its Vegas state (the
 * congestion window and RTT it ran each client's legs at). {@code -Donionpeer.bench.tor.runs=N} changes the number of bulk
 * runs per side. Part of {@code mvn -q -Pbench -DskipTests verify}; skip with
 * {@code -Donionpeer.bench.tor=false}.
 */
final class TorNetworkBench {
    static final int BUILDS = 30;
    static final int BULK_RUNS = 5;
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
            int ports1 = TorNetwork.freePorts(ports + 2, BASE_PORT + 60, 2);
            // Onion proxies with one circuit per stream (congestion control without conflux) and with tor's classic
            // windows (no congestion control), to compare.
            Bridge.Options one = TestBridges.tor(net.authorityLine());
            one.socksPort = 0;
            one.proxy.confluxLegs = 0;
            Bridge.Options cl = TestBridges.tor(net.authorityLine());
            cl.socksPort = 0;
            cl.proxy.circuit.congestionControl = null;
            cl.proxy.confluxLegs = 0;
            try (Bridge bridge = new Bridge(o);
                    Bridge single = new Bridge(one);
                    Bridge classic = new Bridge(cl);
                    CTorClient ctor = net.startClient("bench-client", ports, ports + 1, List.of());
                    CTorClient ctor1 = net.startClient("bench-client1", ports1, ports1 + 1, List.of("ConfluxEnabled 0"));
                    TorClient ours = new TorClient(new Channel.Limits(), new CircuitOptions())) {
                Directory d = bridge.awaitTorNetwork(90_000);
                single.awaitTorNetwork(90_000);
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
                // Each side in turn, interleaved run by run so that all see the same load. Ours as it runs by
                // default (congestion control and conflux), tor's client as it runs by default (the same), then the
                // one-circuit variants of both and our classic windows.
                List<Side> sides = List.of(
                        new Side("ours", bridge.socksPort(), "congestion control and conflux: the default"),
                        new Side("C tor", ctor.socksPort(), "tor's SocksPort, its defaults: conflux"),
                        new Side("ours, 1 circuit", single.socksPort(), "congestion control, no conflux"),
                        new Side("C tor, 1 circuit", ctor1.socksPort(), "ConfluxEnabled 0"),
                        new Side("ours, classic", classic.socksPort(), "no congestion control: SENDME windows"));
                for (Side side : sides) {
                    TorReference.isolatedBulkMBps(side.socksPort, url, BULK_BYTES, "warm-up"); // JIT, links
                }
                int runs = Integer.getInteger("onionpeer.bench.tor.runs", BULK_RUNS);
                // CPU seconds each process used during each side's runs: are the C relays the ceiling? And exit1's
                // own log of its Vegas state, one line per SENDME: what congestion window it allowed each client.
                Path dir = Paths.get("target", "tor-networks", "bench");
                ExitVegasLog vegas = new ExitVegasLog(net.extraLog("exit1"));
                for (int i = 0; i < runs; i++) {
                    for (Side side : sides) {
                        Map<String, Long> c0 = cpuMillis(dir);
                        long mark = vegas.mark();
                        long w0 = System.nanoTime();
                        // A SOCKS username of its own: each run draws new paths (and a new conflux set), so the
                        // runs' median is over draws rather than one draw's luck.
                        side.mbps.add(TorReference.isolatedBulkMBps(side.socksPort, url, BULK_BYTES, "run" + i));
                        side.wallNanos += System.nanoTime() - w0;
                        addDelta(side.cpu, c0, cpuMillis(dir));
                        side.vegas.addAll(vegas.since(mark));
                    }
                }
                double tor = sides.get(1).median();
                for (Side side : sides) {
                    String ratio = side == sides.get(0)
                            ? String.format(Locale.ROOT, "  -> ratio ours/tor %.2f (goal >= 1.5)", side.median() / tor)
                            : side == sides.get(1) ? "" : String.format(Locale.ROOT, "  -> ratio to tor %.2f",
                                    side.median() / tor);
                    System.out.printf(Locale.ROOT, "tor  bulk, 1 stream, %-17s median %6.1f MB/s  [%s]  (%d MB, %s)%s%n",
                            side.name, side.median(), NetworkBench.runs(side.mbpsArray()), BULK_BYTES >> 20,
                            side.note, ratio);
                }
                for (Side side : sides) {
                    System.out.println("     " + side.name + ": CPU (% of one core) " + cpuShares(side.cpu, side.wallNanos)
                            + "; exit1's Vegas " + ExitVegasLog.summary(side.vegas, side.wallNanos));
                }
                System.out.println("     (exit1's Vegas: from its own log, one line per SENDME it received; each leg's"
                        + " rate is about cwnd x 498 B / RTT; load average " + Bench.loadAverage() + ")");
                pathLengths(d, web, vegas, runs, sides.get(0).median(), tor);
            }
        }
        System.out.printf(Locale.ROOT, "(tor network bench took %.0f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Where the exit's RTT comes from: one circuit of ours with congestion control on fixed paths of 3 hops and
     * of 2 (a C relay, then exit1: the shortest path tor lets carry an exit stream, as it refuses streams on a
     * circuit's first hop), interleaved, with exit1's Vegas state for each, and the same file fetched directly
     * without Tor. If RTT_min grows by the same step per C relay and the line through the points meets the
     * 0-hop axis near zero, what our client adds to the RTT is small and the C relays' own latency sets how
     * fast a circuit of a given window goes: the ceiling of a client on these relays. Then the most two legs can
     * carry, measured rather than taken as twice one: two circuits of ours at once, one stream each, on two 3-hop
     * paths (with three non-exit relays any two share one; these share relay2 in different positions, so no
     * channel), against which ours and tor's client by default (two conflux legs, one stream) are put.
     */
    private static void pathLengths(Directory d, SeededHttpServer web, ExitVegasLog vegas, int runs, double oursDefault,
            double torDefault) throws Exception {
        CircuitOptions cc = new CircuitOptions();
        cc.congestionControl = NtorV3ExitHandshake.FACTORY;
        String path = SeededHttpServer.path(78, BULK_BYTES);
        RelayInfo relay1 = byName(d, "relay1");
        RelayInfo relay2 = byName(d, "relay2");
        RelayInfo exit1 = byName(d, "exit1");
        List<List<RelayInfo>> paths = List.of(List.of(relay1, relay2, exit1), List.of(relay1, exit1));
        List<List<RelayInfo>> pair = List.of(List.of(relay1, relay2, exit1),
                List.of(relay2, byName(d, "auth0"), exit1));
        try (TorClient client = new TorClient(new Channel.Limits(), cc)) {
            // Rows 0 and 1: one circuit on each fixed path; row 2: the pair at once.
            double[][] mbps = new double[paths.size() + 1][runs];
            List<List<ExitVegasLog.Line>> lines = new ArrayList<>();
            long[] wall = new long[paths.size() + 1];
            for (int k = 0; k <= paths.size(); k++) {
                lines.add(new ArrayList<>());
            }
            for (List<RelayInfo> p : paths) {
                fixedPathFetch(client, List.of(p), web, path); // warm-up: links, JIT
            }
            fixedPathFetch(client, pair, web, path);
            for (int i = 0; i < runs; i++) {
                for (int k = 0; k <= paths.size(); k++) {
                    long mark = vegas.mark();
                    long w0 = System.nanoTime();
                    mbps[k][i] = fixedPathFetch(client, k < paths.size() ? List.of(paths.get(k)) : pair, web, path);
                    wall[k] += System.nanoTime() - w0;
                    lines.get(k).addAll(vegas.since(mark));
                }
            }
            for (int k = 0; k < paths.size(); k++) {
                System.out.printf(Locale.ROOT, "tor  bulk, 1 circuit of ours, %d hops   median %6.1f MB/s  [%s]"
                        + "  exit1's Vegas %s%n", paths.get(k).size(), TorReference.median(mbps[k]),
                        NetworkBench.runs(mbps[k]), ExitVegasLog.summary(lines.get(k), wall[k]));
            }
            double two = TorReference.median(mbps[paths.size()]);
            System.out.printf(Locale.ROOT, "tor  bulk, 2 circuits of ours at once    median %6.1f MB/s  [%s]"
                    + "  exit1's Vegas %s  (3 hops each, sharing relay2; the most 2 legs carry)"
                    + " -> by default ours %.2f, C tor %.2f of it%n",
                    two, NetworkBench.runs(mbps[paths.size()]), ExitVegasLog.summary(lines.get(paths.size()),
                            wall[paths.size()]), oursDefault / two, torDefault / two);
        }
        double[] direct = new double[runs];
        String url = "http://127.0.0.1:" + web.port() + path;
        for (int i = 0; i < runs; i++) {
            direct[i] = TorReference.directBulkMBps(url, BULK_BYTES);
        }
        System.out.printf(Locale.ROOT, "tor  bulk, the same file without Tor    median %6.1f MB/s  [%s]  (what the host and"
                + " the server allow)%n", TorReference.median(direct), NetworkBench.runs(direct));
    }

    /**
     * A new circuit through each of {@code ps}, then one GET of {@code path} on each, all at once, each checked; MB/s
     * of all the bytes from the first request to the last byte.
     */
    private static double fixedPathFetch(TorClient client, List<List<RelayInfo>> ps, SeededHttpServer web, String path)
            throws Exception {
        List<ClientCircuit> circuits = new ArrayList<>();
        try {
            for (List<RelayInfo> p : ps) {
                ClientCircuit c = client.build(p).get(60, TimeUnit.SECONDS).circuit();
                circuits.add(c);
                if (!TorClient.onLoop(client.loop(), c::usesCongestionControl)) {
                    throw new IllegalStateException("exit1 did not negotiate congestion control on " + c);
                }
            }
            long t0 = System.nanoTime();
            List<CompletableFuture<TorClient.Fetched>> fetches = new ArrayList<>();
            for (ClientCircuit c : circuits) {
                fetches.add(client.fetch(c, "127.0.0.1", web.port(), path));
            }
            long bytes = 0;
            for (int i = 0; i < fetches.size(); i++) {
                TorClient.Fetched f = fetches.get(i).get(120, TimeUnit.SECONDS);
                if (f.length() != BULK_BYTES) {
                    throw new IllegalStateException("got " + f.length() + " bytes over " + circuits.get(i));
                }
                bytes += f.length();
            }
            // One fetch: its own time, as before (the pair's requests go out together, so the wall clock for them).
            double seconds = (fetches.size() == 1 ? fetches.get(0).get().nanos() : System.nanoTime() - t0) / 1e9;
            return bytes / seconds / 1e6;
        } finally {
            for (ClientCircuit c : circuits) {
                client.close(c);
            }
        }
    }

    /** One SOCKS port measured: its runs, its CPU, exit1's Vegas lines during its runs. */
    private static final class Side {
        final String name;
        final int socksPort;
        final String note;
        final List<Double> mbps = new ArrayList<>();
        final Map<String, Long> cpu = new TreeMap<>();
        final List<ExitVegasLog.Line> vegas = new ArrayList<>();
        long wallNanos;

        Side(String name, int socksPort, String note) {
            this.name = name;
            this.socksPort = socksPort;
            this.note = note;
        }

        double[] mbpsArray() {
            double[] a = new double[mbps.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = mbps.get(i);
            }
            return a;
        }

        double median() {
            return TorReference.median(mbpsArray());
        }
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
