package org.onionpeer.e2e;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.JcaRelayPrimitives;
import org.onionpeer.jvm.JvmDialer;
import org.onionpeer.jvm.JvmRelay;
import org.onionpeer.jvm.net.ConnectionGate;
import org.onionpeer.link.Channel;
import org.onionpeer.node.Node;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.node.OrdbCircuits;
import org.onionpeer.ordb.CircuitLink;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.DbInfo;
import org.onionpeer.ordb.Download;
import org.onionpeer.ordb.DownloadListener;
import org.onionpeer.ordb.DownloadSource;
import org.onionpeer.ordb.OrdbServer;

/**
 * ORDB throughput, 5 circuits against 1, on real JVM relays in real time: N {@link JvmRelay}s on 127.0.0.1 (TLS links, one event loop each), every one relaying at most {@link #RATE} bytes/s
 * ({@code relayBytesPerSecond}, both directions together). Relay 1 is the hub, relays 2..6 are ORDBs o1..o5,
 * the rest plain relays; every client's circuits have 3 hops chosen by the normal path selection (random
 * guard and middle per circuit, any relay). Two layouts:
 * <ul>
 * <li><b>hub</b>: publisher P shares the file through its circuit to the hub; each ORDB's finder reaches the hub
 * through a circuit of its own: D -> g -> m -> o_i -> g' -> m' -> hub <- m'' <- g'' <- P.
 * <li><b>seeded</b>: each ORDB already holds the file (as seeders would, see {@code Seeding}): D -> g -> m -> o_i.
 * </ul>
 * Downloader D fetches it with {@code Download.Config.sources} 1, then 5 (fresh downloads, fresh circuits,
 * after an untimed warm-up download), SHA-256 checked. Prints figures, asserts nothing.
 *
 * <p>What caps the ratio (printed per run: each circuit's path, the circuits through each relay, and the
 * max-min fair bound they set): in the hub layout every byte crosses P's circuit (its guard, its middle, the
 * hub), so 5 circuits cannot pass more than one relay's rate, whatever D does; with all relays at one rate the
 * goal is out of reach by construction. In the seeded layout the cap is path sharing: each circuit's guard and
 * middle are drawn at random from all relays (ORDBs included), so among 10 relays 5 circuits nearly always
 * share some, and only a larger network lets them run side by side. (A tor-like client with one primary
 * guard would be capped by that guard alone.)
 *
 * <p>Properties: onionpeer.bench.ordb.runs ("hub:10,seeded:10,seeded:40,seeded:15:disjoint": layout, relay
 * count, and ":disjoint" for D's circuits on relay-disjoint paths, per run),
 * .rate (1000000), .mb (8), .seed.
 */
public final class OrdbBench {
    static final long RATE = Long.getLong("onionpeer.bench.ordb.rate", 1_000_000);
    static final int MB = Integer.getInteger("onionpeer.bench.ordb.mb", 8);
    static final int ORDBS = 5;
    static final long TIMEOUT_SECONDS = 300;

    private OrdbBench() {
    }

    public static void main(String[] args) throws Exception {
        run();
        System.exit(0); // the relays' loops are closed; JVM helper threads (TLS) need not linger
    }

    static void run() throws Exception {
        long seed = Long.getLong("onionpeer.bench.ordb.seed", System.nanoTime());
        String runs = System.getProperty("onionpeer.bench.ordb.runs",
                "hub:10,seeded:10,seeded:40,seeded:15:disjoint");
        System.out.printf(Locale.ROOT, "ORDB: JVM relays on 127.0.0.1 (TLS), each relaying <= %.0f kB/s, %d MB"
                + " random (seed %d, -Donionpeer.bench.ordb.seed=%d replays the file), %d CPUs, load average %s%n",
                RATE / 1e3, MB, seed, seed, Runtime.getRuntime().availableProcessors(), Bench.loadAverage());
        byte[] file = new byte[MB << 20];
        new Random(seed).nextBytes(file);
        for (String run : runs.split(",")) {
            String[] spec = run.split(":");
            String layout = spec[0];
            int relays = Integer.parseInt(spec[1]);
            boolean disjoint = spec.length > 2 && spec[2].equals("disjoint");
            System.out.printf(Locale.ROOT, "ordb %s layout, %d relays%s:%n", layout, relays,
                    disjoint ? ", D's circuits on disjoint paths (OrdbCircuits.disjoint, as OrdbNode's downloads)"
                            : ", paths drawn independently");
            try (Net net = new Net(layout.equals("seeded"), relays, file)) {
                net.disjoint = disjoint;
                // Untimed, so neither timed run pays for the JIT or for building the ORDBs' circuits to the hub.
                net.download(ORDBS, "warm-up ");
                Result one = net.download(1);
                Result five = net.download(ORDBS);
                System.out.printf(Locale.ROOT, "ordb %-6s %3d relays%s  5 circuits vs 1: %.2fx (goal >= 3.5)   1 circuit"
                        + " %.2f MB/s (%.1f s), 5 circuits %.2f MB/s (%.1f s), SHA-256 %s%n", layout, relays,
                        disjoint ? " disjoint" : "",
                        one.seconds / five.seconds, one.mbPerSecond(file.length), one.seconds,
                        five.mbPerSecond(file.length), five.seconds,
                        one.ok && five.ok ? "equal (" + one.sha.substring(0, 16) + "...)" : "MISMATCH");
            }
        }
        System.out.println("(load average now " + Bench.loadAverage() + ")");
    }

    record Result(double seconds, String sha, boolean ok) {
        double mbPerSecond(long bytes) {
            return bytes / 1e6 / seconds;
        }
    }

    /** A client (publisher, downloader): its own loop, node and onion proxy; no relay, so nobody dials it. */
    static final class Client implements AutoCloseable {
        final EventLoop loop;
        final JvmDialer dialer;
        final Node node;
        final OrdbCircuits ops;

        Client(String name, Directory directory) throws Exception {
            loop = new EventLoop(name);
            dialer = new JvmDialer(loop, null);
            SecureRandom rnd = new SecureRandom();
            node = new Node(loop, rnd::nextBytes, dialer, new Channel.Limits());
            ops = loop.call(() -> new OrdbCircuits(proxy(node, directory)), 30);
        }

        @Override
        public void close() {
            try {
                loop.call(() -> {
                    node.links().closeAll("bench done");
                    return null;
                }, 10);
            } catch (Exception e) {
                // closing anyway
            }
            dialer.close();
            loop.close();
        }
    }

    static OnionProxy proxy(Node node, Directory directory) {
        OnionProxy.Options o = new OnionProxy.Options();
        o.poolSize = 0; // ORDB circuits only, no exit circuits kept ready
        return new OnionProxy(node, new JcaRelayPrimitives(), directory, o);
    }

    /** The relays, the ORDB servers, the publisher (hub layout) and the downloader. */
    static final class Net implements AutoCloseable {
        final List<JvmRelay> relays = new ArrayList<>();
        final List<AtomicReference<OrdbServer>> servers = new ArrayList<>();
        final List<Client> clients = new ArrayList<>();
        /** The circuits of everyone but D, with the loop they live on: the ORDBs' finders, P's. */
        final List<OrdbCircuits> others = new ArrayList<>();
        final List<EventLoop> otherLoops = new ArrayList<>();
        final Directory directory;
        final Content published;
        /** D's circuits avoid each other's relays and the ORDBs (not the normal path selection). */
        boolean disjoint;
        final byte[] expected;

        Net(boolean seeded, int count, byte[] file) throws Exception {
            expected = MessageDigest.getInstance("SHA-256").digest(file);
            published = Content.publish(file, "bench.bin".getBytes(), "application/octet-stream", 16384);
            AtomicReference<Directory> dir = new AtomicReference<>();
            ConnectionGate gate = new ConnectionGate("TLS links", JvmRelay.DEFAULT_MAX_TLS_LINKS,
                    JvmRelay.DEFAULT_MAX_TLS_LINKS_PER_ADDRESS);
            for (int i = 1; i <= count; i++) {
                AtomicReference<OrdbServer> server = new AtomicReference<>();
                servers.add(server);
                String name = i == 1 ? "hub" : i <= ORDBS + 1 ? "o" + (i - 1) : "r" + i;
                relays.add(new JvmRelay(name, "127.0.0.1", null, dir::get, null, new Channel.Limits(), gate, null,
                        cfg -> {
                            cfg.relayBytesPerSecond = RATE;
                            // Only relays given a server below answer ORDB circuits; the others drop DB_* cells.
                            cfg.ordbHandler = link -> server.get() == null ? null : server.get().attach(link, false);
                        }));
            }
            List<RelayInfo> infos = new ArrayList<>();
            for (JvmRelay r : relays) {
                infos.add(r.info());
            }
            long now = System.currentTimeMillis() / 1000;
            directory = Directory.sign(infos, now - 60, now + 86400, Ed25519.generate(new SecureRandom()));
            dir.set(directory);
            RelayInfo hub = infos.get(0);
            for (int i = 1; i <= ORDBS; i++) {
                JvmRelay r = relays.get(i);
                Content.MemoryStore store = new Content.MemoryStore();
                if (seeded) {
                    store.add(published);
                    servers.get(i).set(r.loop().call(() -> new OrdbServer(store, null), 30));
                } else {
                    OrdbCircuits ops = r.loop().call(() -> new OrdbCircuits(proxy(r.node(), directory)), 30);
                    others.add(ops);
                    otherLoops.add(r.loop());
                    servers.get(i).set(r.loop().call(() -> {
                        OrdbCircuits.CircuitFinder f = ops.finder((h, found) -> found.accept(List.of(hub)));
                        OrdbServer s = new OrdbServer(store, f);
                        f.bind(s);
                        return s;
                    }, 30));
                }
            }
            if (!seeded) {
                CompletableFuture<Void> listed = new CompletableFuture<>();
                servers.get(0).set(relays.get(0).loop().call(() -> {
                    OrdbServer s = new OrdbServer(new Content.MemoryStore(), null);
                    s.setListener((h, pieces, facilitator) -> listed.complete(null)); // P's DB_INFO, its circuit listed
                    return s;
                }, 30));
                Client p = new Client("publisher", directory);
                clients.add(p);
                others.add(p.ops);
                otherLoops.add(p.loop);
                Content.MemoryStore store = new Content.MemoryStore();
                store.add(published);
                p.loop.execute(() -> {
                    OrdbServer publisher = new OrdbServer(store, null);
                    CircuitLink toHub = p.ops.open(hub, null);
                    toHub.setHandler(publisher.attach(toHub, true));
                    publisher.advertise(published.hashName(), DbInfo.P100, false);
                });
                listed.get(30, TimeUnit.SECONDS);
            }
        }

        /** A fresh downloader fetching through {@code sources} circuits; prints its per-circuit report. */
        Result download(int sources) throws Exception {
            return download(sources, "");
        }

        Result download(int sources, String label) throws Exception {
            Client d = new Client("downloader-" + sources, directory);
            clients.add(d);
            d.loop.call(() -> d.ops.disjoint(disjoint), 10);
            List<RelayInfo> ordbs = new ArrayList<>(directory.relays().subList(1, ORDBS + 1));
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            CompletableFuture<String> done = new CompletableFuture<>();
            Download[] dl = new Download[1];
            long t0 = System.nanoTime();
            d.loop.execute(() -> {
                Download.Config c = new Download.Config();
                c.sources = sources;
                SecureRandom rnd = new SecureRandom();
                dl[0] = new Download(d.loop, rnd::nextBytes, published.hashName(), d.ops.connector(ordbs), c,
                        new DownloadListener() {
                            @Override
                            public void onData(long index, byte[] data, byte[][] proof) {
                                sha.update(data);
                            }

                            @Override
                            public void onDone(String error) {
                                done.complete(error == null ? "ok" : error);
                            }
                        });
                dl[0].start();
            });
            String outcome = done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String hex = HexFormat.of().formatHex(sha.digest());
            boolean ok = outcome.equals("ok") && hex.equals(HexFormat.of().formatHex(expected));
            String report = d.loop.call(() -> report(dl[0], d.ops), 10) + loads(d);
            System.out.printf(Locale.ROOT, "ordb   %s%d circuit%s: %s in %.2f s, %.2f MB/s%n%s", label, sources,
                    sources == 1 ? " " : "s", outcome, seconds, published.manifest().length() / 1e6 / seconds, report);
            return new Result(seconds, hex, ok);
        }

        /** Per circuit: its ORDB's account and the path of the circuit (shared relays cap the sum). */
        static String report(Download d, OrdbCircuits ops) {
            StringBuilder sb = new StringBuilder();
            for (DownloadSource s : d.sources()) {
                sb.append(String.format(Locale.ROOT, "         %-4s %6.2f MB %4d chunks %3d requests %6.0f kB/s  %s%n",
                        s.name, s.bytes / 1e6, s.chunks, s.requests, s.rate, s.fate));
            }
            sb.append("         D's circuits: ").append(String.join("  ", paths(ops, false))).append('\n');
            return sb.toString();
        }

        /**
         * How many of the circuits in play pass each relay (D's, and in the hub layout the ORDBs' circuits to
         * the hub and P's), and the bound they set. A byte D gets from o_i is sent once by each relay of D's
         * circuit and, in the hub layout, of o_i's circuit to the hub (the hub included) and of P's circuit
         * (not the hub, which only receives on it); a relay sending it k times gives it 1/k of its rate.
         */
        String loads(Client d) throws Exception {
            List<String> mine = d.loop.call(() -> paths(d.ops, false), 10);
            List<String> theirs = new ArrayList<>();
            java.util.Map<String, List<String>> finderPaths = new java.util.HashMap<>();
            for (int i = 0; i < others.size(); i++) {
                OrdbCircuits ops = others.get(i);
                List<String> ps = otherLoops.get(i).call(() -> paths(ops, true), 10);
                finderPaths.put(i < ORDBS ? "o" + (i + 1) : "P", ps);
                theirs.addAll(ps);
            }
            List<String> chains = new ArrayList<>();
            for (String p : mine) {
                String chain = p;
                List<String> pub = finderPaths.getOrDefault("P", List.of());
                List<String> finder = finderPaths.getOrDefault(p.substring(p.lastIndexOf('>') + 1), List.of());
                if (!pub.isEmpty() && !finder.isEmpty()) {
                    chain += ">" + finder.get(0) + ">" + pub.get(0).substring(0, pub.get(0).lastIndexOf('>'));
                }
                chains.add(chain);
            }
            java.util.Map<String, Integer> load = new java.util.TreeMap<>();
            for (String p : mine) {
                count(load, p);
            }
            for (String p : theirs) {
                count(load, p);
            }
            StringBuilder sb = new StringBuilder();
            if (!theirs.isEmpty()) {
                sb.append("         ORDBs' and P's circuits (P's last): ").append(String.join("  ", theirs)).append('\n');
            }
            sb.append("         circuits through each relay: ").append(load).append('\n');
            sb.append(String.format(Locale.ROOT, "         bound from these paths (max-min fair shares of %.0f kB/s per"
                    + " relay): %.2f MB/s%n", RATE / 1e3, fairShare(chains) / 1e6));
            return sb.toString();
        }

        /**
         * The sum of max-min fair rates of circuits {@code paths} when each relay passes at most RATE (water
         * filling: all circuits grow together; those through a relay that is full stop). What a download
         * spreading its requests over the circuits can get at best, before cell and proof overhead.
         */
        static double fairShare(List<String> paths) {
            List<String[]> circuits = new ArrayList<>();
            for (String p : paths) {
                circuits.add(p.split(">"));
            }
            double[] rate = new double[circuits.size()];
            boolean[] frozen = new boolean[circuits.size()];
            while (true) {
                java.util.Map<String, Double> used = new java.util.HashMap<>();
                java.util.Map<String, Integer> growing = new java.util.HashMap<>();
                for (int i = 0; i < circuits.size(); i++) {
                    for (String hop : circuits.get(i)) {
                        used.merge(hop, rate[i], Double::sum);
                        if (!frozen[i]) {
                            growing.merge(hop, 1, Integer::sum);
                        }
                    }
                }
                double step = Double.MAX_VALUE;
                for (var e : growing.entrySet()) {
                    step = Math.min(step, (RATE - used.get(e.getKey())) / e.getValue());
                }
                if (growing.isEmpty()) {
                    break;
                }
                for (int i = 0; i < circuits.size(); i++) {
                    rate[i] += frozen[i] ? 0 : step;
                }
                for (int i = 0; i < circuits.size(); i++) {
                    for (String hop : circuits.get(i)) {
                        if (used.get(hop) + step * growing.getOrDefault(hop, 0) >= RATE - 1e-6) {
                            frozen[i] = true; // through a full relay
                        }
                    }
                }
            }
            return java.util.Arrays.stream(rate).sum();
        }

        private static void count(java.util.Map<String, Integer> load, String path) {
            for (String hop : path.split(">")) {
                load.merge(hop, 1, Integer::sum);
            }
        }

        /** The paths of the circuits {@code ops} built, only those still open if {@code openOnly}. */
        static List<String> paths(OrdbCircuits ops, boolean openOnly) {
            List<String> paths = new ArrayList<>();
            for (ClientCircuit c : ops.circuits()) {
                if (openOnly && c.isClosed()) {
                    continue;
                }
                List<String> p = new ArrayList<>();
                for (RelayInfo r : c.path()) {
                    p.add(r.nickname());
                }
                paths.add(String.join(">", p));
            }
            return paths;
        }

        @Override
        public void close() {
            for (Client c : clients) {
                c.close();
            }
            for (JvmRelay r : relays) {
                r.close();
            }
        }
    }
}
