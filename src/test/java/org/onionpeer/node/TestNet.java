package org.onionpeer.node;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.platform.Entropy;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Connector;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

/**
 * An in-process network of onion routers on one {@link ManualScheduler}, linked by pipes
 * ({@code inproc:name} addresses), for deterministic core tests of relays and proxies.
 */
public final class TestNet {
    public static final SecureRandom RND = new SecureRandom();
    public static final Entropy ENTROPY = RND::nextBytes;

    public final ManualScheduler sched = new ManualScheduler();
    public final Map<String, Relay> relays = new HashMap<>();
    public final List<RelayInfo> infos = new ArrayList<>();
    /** Relays added while this is set answer ntor v3 with congestion control and say so (Relay=4, FlowCtrl=2). */
    public boolean congestionControl;
    /** One-way delay of every link dialled from now on (0: none), so round trips take virtual time. */
    public long latencyMillis;
    /** Relays added while this is set pace what they relay to it (bytes per second; see RelayPacer). */
    public long relayBytesPerSecond;
    /** Keys and node entropy of relays added from now on (a seeded SHA1PRNG makes a run repeatable). */
    public SecureRandom random = RND;
    /** Nodes that stopped answering: nothing passes on their links, which stay open (see {@link #silenceable}). */
    public final Set<String> silenced = new java.util.HashSet<>();
    /** Every link dialled through {@link #dialer(String)}, as "from->to" (who saw whose address). */
    public final List<String> dials = new ArrayList<>();

    /** One relay of the test network. */
    public static final class Relay {
        public final String name;
        public final Node node;
        public final OnionRouter router;
        public final RelayKeys keys;
        public final RelayInfo info;

        Relay(String name, Node node, OnionRouter router, RelayKeys keys, RelayInfo info) {
            this.name = name;
            this.node = node;
            this.router = router;
            this.keys = keys;
            this.info = info;
        }
    }

    /** Dials other nodes of this network through pipes. */
    public Dialer dialer() {
        return dialer(null);
    }

    /** Dials as node {@code from} (recorded in {@link #dials} when not null). */
    public Dialer dialer(String from) {
        return new Dialer() {
            @Override
            public boolean canDial(LinkTarget target) {
                return target.kind() == LinkTarget.INPROC;
            }

            @Override
            public void dial(LinkTarget target, DialCallback cb) {
                Relay r = relays.get(target.name());
                if (r == null) {
                    sched.execute(() -> cb.failed("no such node"));
                    return;
                }
                if (from != null) {
                    dials.add(from + "->" + target.name());
                }
                Pipe p = new Pipe(sched, sched);
                r.node.links().accept(silenceable(delayed(p.b()), target.name(), from), null, null);
                sched.execute(() -> cb.connected(silenceable(delayed(p.a()), from, target.name()), null, null));
            }
        };
    }

    /**
     * {@code owner}'s end of a link to {@code peer}: nothing passes once either is in {@link #silenced}, and
     * a silenced owner does not close it either (a node that stopped answering, its links left open).
     */
    private Transport silenceable(Transport t, String owner, String peer) {
        return new Transport() {
            @Override
            public void send(byte[] data) {
                if (!silenced.contains(owner) && !silenced.contains(peer)) {
                    t.send(data);
                }
            }

            @Override
            public void close(String reason) {
                if (!silenced.contains(owner)) {
                    t.close(reason);
                }
            }

            @Override
            public long bufferedAmount() {
                return t.bufferedAmount();
            }

            @Override
            public void setListener(Listener listener) {
                t.setListener(listener);
            }
        };
    }

    /**
     * {@code t}, its sends held back {@link #latencyMillis} as it is at each send (timers run in order, so bytes
     * stay in order; a test may raise it mid-run, never lower it).
     */
    private Transport delayed(Transport t) {
        if (latencyMillis <= 0) {
            return t;
        }
        return new Transport() {
            @Override
            public void send(byte[] data) {
                byte[] copy = data.clone();
                sched.schedule(latencyMillis, () -> t.send(copy));
            }

            @Override
            public void close(String reason) {
                sched.schedule(latencyMillis, () -> t.close(reason));
            }

            @Override
            public long bufferedAmount() {
                return t.bufferedAmount();
            }

            @Override
            public void setListener(Listener listener) {
                t.setListener(listener);
            }
        };
    }

    public Relay addRelay(String name, Connector exitConnector, Connector.AddressFilter policy,
            OnionRouter.DirectorySource dir) {
        SecureRandom rnd = random;
        RelayKeys keys = RelayKeys.generate(rnd);
        RelayCredentials creds = RelayCredentials.create(keys, sched.epochSeconds());
        Node node = new Node(sched, rnd == RND ? ENTROPY : rnd::nextBytes, dialer(name), null);
        node.links().setResponder(digest -> creds.certsCell(digest, null, sched.epochSeconds()), null);
        byte[] secret = new byte[32];
        rnd.nextBytes(secret);
        Ntor.Keypair onion = Ntor.Keypair.fromSecret(secret);
        OnionRouter.Config cfg = new OnionRouter.Config();
        cfg.nodeId = keys.identity().rsaIdentity();
        cfg.onionKeys.add(onion);
        cfg.primitives = new BcRelayPrimitives();
        cfg.exitConnector = exitConnector;
        if (policy != null) {
            cfg.exitPolicy = policy;
        }
        cfg.directory = dir;
        cfg.relayBytesPerSecond = relayBytesPerSecond;
        cfg.locator = (rsaId, ed, tls) -> {
            for (RelayInfo i : infos) {
                if (Bytes.constantTimeEquals(i.identity().rsaIdentity(), rsaId)) {
                    return i;
                }
            }
            return null;
        };
        if (congestionControl) {
            cfg.ntorV3 = new org.onionpeer.circuit.NtorV3RelayHandshake(keys.ed25519Identity().publicKey(),
                    () -> List.of(onion), org.onionpeer.circuit.CcParams::defaults);
        }
        OnionRouter router = new OnionRouter(node, cfg);
        Set<String> flags = new LinkedHashSet<>();
        if (exitConnector != null) {
            flags.add(RelayInfo.FLAG_EXIT);
        }
        RelayInfo info = new RelayInfo(name, keys.identity(), onion.publicKey(), List.of("inproc:" + name), flags, "",
                org.onionpeer.dir.Protover.parse(congestionControl ? "FlowCtrl=1-2 Relay=2,4" : "FlowCtrl=1 Relay=2"));
        Relay r = new Relay(name, node, router, keys, info);
        relays.put(name, r);
        infos.add(info);
        return r;
    }
}
