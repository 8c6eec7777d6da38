package org.onionpeer.e2e;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * throughput ours/tor (goal &gt;= 1.0). Part of {@code mvn -q -Pbench -DskipTests verify}; skip with
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
            Bridge.Options o = TestBridges.tor(net.authorityLine());
            o.socksPort = 0;
            int ports = TorNetwork.freePorts(BASE_PORT + 10, BASE_PORT + 40, 2);
            // A second onion proxy that asks the exit for congestion control (off by default), to compare.
            Bridge.Options cc = TestBridges.tor(net.authorityLine());
            cc.socksPort = 0;
            cc.proxy.circuit.congestionControl = NtorV3ExitHandshake.FACTORY;
            try (Bridge bridge = new Bridge(o);
                    Bridge withCc = new Bridge(cc);
                    CTorClient ctor = net.startClient("bench-client", ports, ports + 1, List.of());
                    TorClient ours = new TorClient(new Channel.Limits(), new ClientCircuit.Options())) {
                Directory d = bridge.awaitTorNetwork(90_000);
                withCc.awaitTorNetwork(90_000);
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
                TorReference.cTorBulkMBps(withCc.socksPort(), url, BULK_BYTES);
                double[] mb = new double[BULK_RUNS];
                double[] tb = new double[BULK_RUNS];
                double[] fb = new double[BULK_RUNS];
                for (int i = 0; i < BULK_RUNS; i++) {
                    mb[i] = TorReference.cTorBulkMBps(bridge.socksPort(), url, BULK_BYTES);
                    tb[i] = TorReference.cTorBulkMBps(ctor.socksPort(), url, BULK_BYTES);
                    fb[i] = TorReference.cTorBulkMBps(withCc.socksPort(), url, BULK_BYTES);
                }
                double mm = TorReference.median(mb);
                double tm = TorReference.median(tb);
                System.out.printf(Locale.ROOT, "tor  bulk, 1 stream, ours   median %6.1f MB/s  [%s]  (%d MB via our SOCKS5 and"
                        + " C tor relays, classic windows: the default)%n", mm, NetworkBench.runs(mb),
                        BULK_BYTES >> 20);
                System.out.printf(Locale.ROOT, "tor  bulk, 1 stream, C tor  median %6.1f MB/s  [%s]  (tor's SocksPort)  ->"
                        + " ratio ours/tor %.2f (goal >= 1.0)%n", tm, NetworkBench.runs(tb), mm / tm);
                double fm = TorReference.median(fb);
                System.out.printf(Locale.ROOT, "tor  bulk, ours, with CC    median %6.1f MB/s  [%s]  (congestion control"
                        + " negotiated with the exit over ntor v3)  -> ratio to tor %.2f%n", fm, NetworkBench.runs(fb), fm / tm);
            }
        }
        System.out.printf(Locale.ROOT, "(tor network bench took %.0f s)%n", (System.nanoTime() - t0) / 1e9);
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
