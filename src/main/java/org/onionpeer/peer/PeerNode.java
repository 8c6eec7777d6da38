package org.onionpeer.peer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dht.RoutingTable;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.node.Node;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.node.OnionRouter;
import org.onionpeer.platform.Scheduler;

/**
 * A page (or any node without a public address) as a member of the peer network: it keeps a registered
 * link to its bridge, is a DHT node, relays circuits for others as an onion router that never exits (its
 * policy is "reject *:*"; web exits stay on JVM relays), and offers its onion proxy the peers it knows as
 * hops. Peers come from the DHT; each one's router entry (its onion key, signed by its identity key) is
 * verified before it is used, and a peer we failed to reach is left alone for a while.
 */
public final class PeerNode {
    /** Explicit limits for relaying. */
    public static final class Limits {
        /** Circuits this page relays for others at once. */
        public int maxRelayedCircuits = 64;
        /**
         * Bytes per second this page relays for others, both ways together (a page must not take its user's
         * whole connection); cells past it wait in bounded per-circuit queues ({@code node/RelayPacer}).
         */
        public long relayBytesPerSecond = 8L << 20;
        /** How long a peer whose link to us closed is not used as a hop (it probably left). */
        public long goneMillis = 5 * 60_000;
        /**
         * How long we must have known a peer before it may be our first hop. A first hop sees our address, so
         * it is not taken from whoever just appeared (an attacker would have to stay that long, like tor's
         * guards); until one qualifies, the first hop is our bridge and peers are middle hops.
         */
        public long firstHopMinAgeMillis = 10 * 60_000;
        public long bridgeRetryMillis = 2_000;
        public long maxBridgeRetryMillis = 30_000;
    }

    private final Node node;
    private final OnionProxy proxy;
    private final PeerService service;
    private final PeerCert router;
    private final OnionRouter onionRouter;
    private final Limits limits;
    private final Map<NodeId, RelayInfo> verified = new HashMap<>();
    private final Set<NodeId> rejected = new HashSet<>();
    private final Map<NodeId, Long> goneUntil = new HashMap<>();
    /** When we first verified each peer we know (forgotten when its link to us closes: it left). */
    private final Map<NodeId, Long> firstSeen = new HashMap<>();
    private boolean relaying = true;
    private long bridgeRetry;
    private Scheduler.Cancellable bridgeTimer;
    private String state = "not started";

    public PeerNode(Node node, OnionProxy proxy, PeerService service, RelayPrimitives primitives,
            Ntor.Keypair onionKey, PeerCert router, Limits limits) {
        this.node = node;
        this.proxy = proxy;
        this.service = service;
        this.router = router;
        this.limits = limits == null ? new Limits() : limits;
        this.bridgeRetry = this.limits.bridgeRetryMillis;
        OnionRouter.Config c = new OnionRouter.Config();
        c.nodeId = service.id().bytes();
        c.onionKeys = Collections.singletonList(onionKey);
        c.primitives = primitives;
        c.locator = this::locate;
        c.exitConnector = null; // pages never exit
        c.relayBytesPerSecond = Math.max(8 * 514, this.limits.relayBytesPerSecond); // pages are always paced
        node.limits().maxRelayCircuits = this.limits.maxRelayedCircuits;
        this.onionRouter = new OnionRouter(node, c);
        service.startDht(router, null);
        service.onBridgeLinkClosed(this::bridgeLinkLost);
        service.onPeerLinkClosed(id -> {
            goneUntil.put(id, node.scheduler().nowMillis() + this.limits.goneMillis);
            firstSeen.remove(id);
        });
    }

    public OnionRouter router() {
        return onionRouter;
    }

    public PeerService service() {
        return service;
    }

    /** What the peer side waits for, in words. */
    public String state() {
        return state;
    }

    /** Stops (or resumes) relaying circuits for others; circuits already through us go on. */
    public void setRelaying(boolean on) {
        relaying = on;
        node.setCreateHandler(on ? onionRouter : null);
    }

    /** Makes this page an ORDB: circuits that end here and speak ORDB go to {@code h} ({@link OrdbNode}). */
    public void setOrdbHandler(OnionRouter.OrdbHandler h) {
        onionRouter.setOrdbHandler(h);
    }

    /** Bytes per second this page relays for others, both ways together (at least 8 cells' worth). */
    public void setRelayRate(long bytesPerSecond) {
        onionRouter.pacer().setRate(bytesPerSecond);
    }

    public boolean isRelaying() {
        return relaying;
    }

    /** Our router entry as a relay (for tests and the UI). */
    public RelayInfo self() {
        return asRelay(router);
    }

    // ---- the bridge link ----------------------------------------------------------------------------------

    /** Links to the bridge of {@code directory}, registers, joins the DHT; relinks by itself when dropped. */
    public void start() {
        linkBridge();
    }

    private RelayInfo bridge() {
        Directory d = proxy.directory();
        if (d == null) {
            return null;
        }
        for (RelayInfo r : d.relays()) {
            if (r.hasFlag(RelayInfo.FLAG_BRIDGE) && r.identity().hasEd25519()) { // reached as the node can (pages: WebSocket)
                return r;
            }
        }
        return null;
    }

    private void linkBridge() {
        bridgeTimer = null;
        RelayInfo b = bridge();
        if (b == null) {
            state = "waiting for a directory with a bridge";
            retryBridge();
            return;
        }
        state = "linking to the bridge";
        node.links().connect(b, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                state = "registering with the bridge";
                service.useBridge(channel, b.identity().ed25519Identity(), err -> {
                    if (err != null) {
                        state = "registration failed: " + err;
                        retryBridge();
                        return;
                    }
                    state = "in the peer network";
                    bridgeRetry = limits.bridgeRetryMillis;
                    proxy.peersChanged(); // the DHT join just taught us peers
                });
            }

            @Override
            public void failed(String reason) {
                state = "bridge link failed: " + reason;
                retryBridge();
            }
        });
    }

    /** Relinks when the bridge link closes (a restarted bridge, a dropped connection). */
    private void bridgeLinkLost(String why) {
        state = "bridge link lost: " + why;
        retryBridge();
    }

    private void retryBridge() {
        if (bridgeTimer != null) {
            return;
        }
        long d = bridgeRetry;
        bridgeRetry = Math.min(bridgeRetry * 2, limits.maxBridgeRetryMillis);
        bridgeTimer = node.scheduler().schedule(d, this::linkBridge);
    }

    // ---- peers as hops ------------------------------------------------------------------------------------

    /** The peers we know with a verified router entry, from the DHT routing table. */
    public List<RelayInfo> knownPeers() {
        List<RelayInfo> out = new ArrayList<>();
        if (service.dht() == null) {
            return out;
        }
        RoutingTable t = service.dht().table();
        for (int j = 0; j < 160; j++) {
            for (Contact c : t.bucket(j)) {
                Long gone = goneUntil.get(c.id());
                if (gone != null && gone > node.scheduler().nowMillis()) {
                    continue;
                }
                RelayInfo r = verify(c);
                if (r != null) {
                    out.add(r);
                    firstSeen.putIfAbsent(c.id(), node.scheduler().nowMillis());
                }
            }
        }
        return out;
    }

    /** A contact's router entry, verified once: signed by the contact's key, not expired, no binding. */
    private RelayInfo verify(Contact c) {
        RelayInfo have = verified.get(c.id());
        if (have != null || rejected.contains(c.id()) || c.router() == null) {
            return have;
        }
        try {
            PeerCert cert = PeerCert.decode(c.router());
            NodeId id = cert.verify(null, null, node.scheduler().epochSeconds());
            if (!id.equals(c.id())) {
                throw new ProtocolException("router entry is signed by another key");
            }
            RelayInfo r = asRelay(cert);
            verified.put(c.id(), r);
            return r;
        } catch (ProtocolException e) {
            rejected.add(c.id());
            service.stats().peerCertsRefused++;
            return null;
        }
    }

    static RelayInfo asRelay(PeerCert cert) {
        NodeId id = cert.id();
        List<String> addrs = new ArrayList<>();
        addrs.add(Introductions.address(id));
        return new RelayInfo("peer" + id.hex().substring(0, 8), PeerLinkAuth.identityOf(cert), cert.onionKey(),
                addrs, new LinkedHashSet<>(), "reject *:*");
    }

    /**
     * For the onion proxy: middle hops, up to n peers at random, and first hops, a peer known for at least
     * {@link Limits#firstHopMinAgeMillis}; never excluded ones, never ourselves.
     */
    public OnionProxy.PeerHops hops() {
        return new OnionProxy.PeerHops() {
            @Override
            public List<RelayInfo> peers(int n, Set<String> exclude) {
                return pick(knownPeers(), n, exclude);
            }

            @Override
            public RelayInfo firstHop(Set<String> exclude) {
                List<RelayInfo> old = new ArrayList<>();
                long now = node.scheduler().nowMillis();
                for (RelayInfo r : knownPeers()) {
                    Long seen = firstSeen.get(NodeId.of(r.identity().rsaIdentity()));
                    if (seen != null && now - seen >= limits.firstHopMinAgeMillis) {
                        old.add(r);
                    }
                }
                List<RelayInfo> one = pick(old, 1, exclude);
                return one.isEmpty() ? null : one.get(0);
            }
        };
    }

    private List<RelayInfo> pick(List<RelayInfo> all, int n, Set<String> exclude) {
        List<RelayInfo> pick = new ArrayList<>();
        byte[] b = new byte[1];
        while (pick.size() < n && !all.isEmpty()) {
            node.entropy().nextBytes(b);
            RelayInfo r = all.remove((b[0] & 0xff) % all.size());
            if (!exclude.contains(r.identity().fingerprint())
                    && !NodeId.of(r.identity().rsaIdentity()).equals(service.id())) {
                pick.add(r);
            }
        }
        return pick;
    }

    /** See {@link Limits#firstHopMinAgeMillis}. */
    public void setFirstHopMinAge(long millis) {
        limits.firstHopMinAgeMillis = Math.max(0, millis);
    }

    /** EXTEND2 targets: a peer we know (linked, or from the DHT), else a relay of the directory. */
    private RelayInfo locate(byte[] rsaId, byte[] edId, LinkTarget tls) {
        NodeId id = NodeId.of(rsaId);
        RelayInfo peer = verified.get(id);
        if (peer == null) {
            for (RelayInfo r : knownPeers()) {
                if (NodeId.of(r.identity().rsaIdentity()).equals(id)) {
                    peer = r;
                }
            }
        }
        if (peer != null) {
            return peer;
        }
        Directory d = proxy.directory();
        if (d != null) {
            for (RelayInfo r : d.relays()) {
                if (java.util.Arrays.equals(r.identity().rsaIdentity(), rsaId)) {
                    return r; // reached over its WebSocket address
                }
            }
        }
        return null;
    }
}
