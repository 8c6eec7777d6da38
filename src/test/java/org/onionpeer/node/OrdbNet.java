package org.onionpeer.node;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.DbData;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbMessage;
import org.onionpeer.ordb.OrdbServer;

/**
 * An in-process onion network ({@link TestNet}: pipes, one ManualScheduler) whose ORDB relays run an
 * {@link OrdbServer} behind {@code OnionRouter.Config.ordbHandler}, and whose clients (publisher,
 * downloader) and ORDBs build their ORDB circuits with {@link OrdbCircuits} through an {@link OnionProxy}'s
 * path selection, each with one guard (its only first hop, as tor's primary guard). Keys, paths and
 * entropy come from one seeded SHA1PRNG, so a seed replays a run.
 */
final class OrdbNet {
    final TestNet net = new TestNet();
    final SecureRandom rnd;
    Directory directory;
    final Map<String, OrdbServer> servers = new LinkedHashMap<>();
    /** The OP side of every node that builds ORDB circuits, by name. */
    final Map<String, OrdbCircuits> ops = new HashMap<>();
    final Map<String, Node> clients = new HashMap<>();
    /** Circuits ask their last hop (the ORDB) for congestion control (ntor v3, Vegas); set before relays. */
    final boolean congestionControl;

    OrdbNet(long seed, long latencyMillis) {
        this(seed, latencyMillis, false);
    }

    OrdbNet(long seed, long latencyMillis, boolean congestionControl) {
        this.congestionControl = congestionControl;
        net.congestionControl = congestionControl;
        try {
            rnd = SecureRandom.getInstance("SHA1PRNG");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        rnd.setSeed(seed);
        net.random = rnd;
        net.latencyMillis = latencyMillis;
    }

    TestNet.Relay relay(String name) {
        return net.addRelay(name, null, null, null);
    }

    RelayInfo info(String name) {
        return net.relays.get(name).info;
    }

    /** Signs the directory of every relay added so far; call before {@link #proxy}. */
    void sign() {
        long now = net.sched.epochSeconds();
        directory = Directory.sign(new ArrayList<>(net.infos), now - 60, now + 86400, Ed25519.generate(rnd));
    }

    /** ORDB circuits for {@code node}: 3 hops, first hop always {@code guard}. */
    OrdbCircuits ops(String name, Node node, String guard) {
        OnionProxy.Options o = new OnionProxy.Options();
        o.firstHopFilter = r -> r.nickname().equals(guard);
        if (congestionControl) {
            o.circuit.congestionControl = org.onionpeer.circuit.NtorV3ExitHandshake.FACTORY;
        }
        OrdbCircuits c = new OrdbCircuits(new OnionProxy(node, new BcRelayPrimitives(), directory, o));
        ops.put(name, c);
        return c;
    }

    /** A node that is no relay (a page, a client): nobody can dial it, it dials only its guard. */
    Node client(String name) {
        Node n = new Node(net.sched, rnd::nextBytes, net.dialer(name), null);
        clients.put(name, n);
        return n;
    }

    /**
     * Makes relay {@code name} an ORDB: an OrdbServer serving circuits built to it and, when {@code source}
     * is given, finding sources by opening circuits of its own (through {@code guard}) to that node.
     * {@code wrap} (may be null) sits between the server and each circuit built to it (a tampering ORDB).
     */
    OrdbServer makeOrdb(String name, String guard, String source, java.util.function.UnaryOperator<OrdbLink> wrap) {
        return makeOrdbFinding(name, guard, source == null ? null : (h, found) -> found.accept(List.of(info(source))), wrap);
    }

    /** The same, finding sources with {@code lookup} (e.g. the DHT's FIND_VALUE), if not null. */
    OrdbServer makeOrdbFinding(String name, String guard, OrdbCircuits.Lookup lookup,
            java.util.function.UnaryOperator<OrdbLink> wrap) {
        TestNet.Relay r = net.relays.get(name);
        OrdbServer server;
        if (lookup != null) {
            OrdbCircuits.CircuitFinder f = ops(name, r.node, guard).finder(lookup);
            server = new OrdbServer(new Content.MemoryStore(), f);
            f.bind(server);
        } else {
            server = new OrdbServer(new Content.MemoryStore(), null);
        }
        OrdbServer s = server;
        r.router.config().ordbHandler = link -> s.attach(wrap == null ? link : wrap.apply(link), false);
        servers.put(name, server);
        return server;
    }

    /**
     * P shares {@code file} through a circuit of its own (first hop gP) to the hub ORDB and announces it
     * (DB_INFO, 100 %); returns once 2 s of network time have passed.
     */
    Content publishThroughHub(byte[] file) {
        Content published = Content.publish(file, "file.bin".getBytes(), "application/octet-stream", 16384);
        Content.MemoryStore store = new Content.MemoryStore();
        store.add(published);
        OrdbServer publisher = new OrdbServer(store, null);
        org.onionpeer.ordb.CircuitLink toHub = ops("P", client("P"), "gP").open(info("hub"), null);
        toHub.setHandler(publisher.attach(toHub, true));
        publisher.advertise(published.hashName(), org.onionpeer.ordb.DbInfo.P100, false);
        net.sched.advance(2_000);
        return published;
    }

    /** Flips one bit in the data of the {@code nth} DB_DATA sent on each link it wraps. */
    static OrdbLink flipNth(OrdbLink link, int nth) {
        int[] seen = {0};
        return new OrdbLink() {
            @Override
            public String name() {
                return link.name();
            }

            @Override
            public void send(int stream, OrdbMessage m) {
                if (m instanceof DbData && ++seen[0] == nth) {
                    DbData d = (DbData) m;
                    byte[] b = d.data().clone();
                    b[b.length / 2] ^= 1;
                    m = DbData.of(d.chunk(), b, d.proof());
                }
                link.send(stream, m);
            }

            @Override
            public void close() {
                link.close();
            }
        };
    }

    /** The nodes {@code from} opened links to (the only ones that ever saw its address). */
    List<String> dialledBy(String from) {
        List<String> out = new ArrayList<>();
        for (String d : net.dials) {
            if (d.startsWith(from + "->") && !out.contains(d.substring(from.length() + 2))) {
                out.add(d.substring(from.length() + 2));
            }
        }
        return out;
    }
}
