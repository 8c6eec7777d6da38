package org.onionpeer.jvm;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.node.Bootstrap;
import org.onionpeer.node.Node;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.jvm.torrent.TorrentBridge;
import org.onionpeer.peer.OrdbDiscovery;
import org.onionpeer.peer.OrdbNode;
import org.onionpeer.peer.PeerCert;
import org.onionpeer.peer.PeerConnector;
import org.onionpeer.peer.PeerDialer;
import org.onionpeer.peer.PeerNode;
import org.onionpeer.peer.PeerService;

/**
 * A node of the peer network on the JVM, wired as a page is in the browser ({@code browser.BrowserMain},
 * {@code browser.Peers}, {@code browser.Sharing}): the core's {@link Bootstrap} fetches the bridge's signed
 * directory (here with java.net.http, off the loop) and refetches it when the bridge restarts; the node
 * links to the bridge over WebSocket, registers with a fresh Ed25519 identity, joins the DHT, relays
 * circuits (never exits) and is an ORDB ({@link OrdbNode}). All node state lives on one {@link EventLoop}.
 *
 * <p>There is no WebRTC on the JVM: peer links are refused at once, so other pages reach this node only
 * through the bridge, and its own circuits always start at the bridge.
 */
public final class JvmPeer implements AutoCloseable {
    private final EventLoop loop;
    private final WebSocketConnector ws;
    private final HttpClient http;
    private final SecureRandom rnd = new SecureRandom();
    private final Ed25519.KeyPair key = Ed25519.generate(rnd);
    private final RelayPrimitives primitives = new JcaRelayPrimitives();
    private final Consumer<String> log;
    private final Bootstrap bootstrap;
    /** A facilitator's bridge to BitTorrent, or null (only a facilitator has one, unless --no-torrents). */
    private final TorrentBridge torrents;
    private volatile PeerNode peer;
    private volatile OrdbNode ordb;
    private String lastPeerState;
    private boolean closed;

    /**
     * Starts a node against the bridge at {@code base} ({@code http://HOST:PORT}, no trailing slash).
     * {@code log} gets state changes in words (called on the loop).
     */
    public JvmPeer(String name, String base, OrdbNode.Limits ordbLimits, PeerNode.Limits peerLimits,
            Consumer<String> log) throws Exception {
        this(name, base, ordbLimits, peerLimits, null, log);
    }

    /**
     * As above; with {@code torrentOptions} the node's ORDB also serves torrent queries through a
     * {@link TorrentBridge} of its own (a facilitator), closed with the node.
     */
    public JvmPeer(String name, String base, OrdbNode.Limits ordbLimits, PeerNode.Limits peerLimits,
            TorrentBridge.Options torrentOptions, Consumer<String> log) throws Exception {
        this.loop = new EventLoop(name);
        this.ws = new WebSocketConnector();
        this.log = log;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI u = URI.create(base);
        boolean secure = "https".equals(u.getScheme());
        BridgeAddress bridgeAddress = BridgeAddress.of(u.getHost(), u.getPort() > 0 ? u.getPort() : secure ? 443 : 80);
        PeerNode.Limits pl = peerLimits == null ? new PeerNode.Limits() : peerLimits;
        // Without WebRTC no peer can be a first hop (it could not be reached): always the bridge.
        pl.firstHopMinAgeMillis = Long.MAX_VALUE;
        this.bootstrap = new Bootstrap(loop, rnd::nextBytes, this::getText, base + "/tor/directory",
                d -> create(d, bridgeAddress, pl, ordbLimits), null);
        bootstrap.setListener(new Bootstrap.Listener() {
            @Override
            public void state(String s) {
                log.accept("network: " + s);
            }
        });
        // Started off the loop (libtorrent's session), last so that nothing above can fail and leave it running;
        // set on the ORDB's server when the ORDB exists.
        this.torrents = torrentOptions == null ? null : new TorrentBridge(loop, torrentOptions, log);
        loop.execute(() -> {
            bootstrap.start();
            watchPeerState();
        });
    }

    /** The first directory came: the node, its peer side and its ORDB (on the loop). */
    private OnionProxy create(org.onionpeer.dir.Directory d, BridgeAddress bridgeAddress, PeerNode.Limits pl,
            OrdbNode.Limits ordbLimits) {
        PeerDialer dialer = new PeerDialer(new JvmDialer(loop, ws));
        Node node = new Node(loop, rnd::nextBytes, dialer, null);
        OnionProxy.Options o = new OnionProxy.Options();
        // As the bridge's own proxy: congestion control where the exit offers it (our relays do), conflux where
        // it lists Conflux=1. Circuits to pages (ORDB) stay classic: pages do not offer either.
        o.circuit.congestionControl = org.onionpeer.circuit.NtorV3ExitHandshake.FACTORY;
        o.confluxLegs = 2;
        o.conflux = org.onionpeer.node.ConfluxLegs.FACTORY;
        o.firstHopFilter = r -> r.hasFlag(RelayInfo.FLAG_BRIDGE) && r.hasTarget(LinkTarget.WEBSOCKET);
        OnionProxy proxy = new OnionProxy(node, primitives, d, o);
        PeerService svc = new PeerService(node, key.publicKey(), (tbs, ok, failed) -> ok.accept(key.sign(tbs)),
                false, bridgeAddress, null);
        byte[] secret = new byte[32];
        rnd.nextBytes(secret);
        Ntor.Keypair onion = Ntor.Keypair.fromSecret(secret);
        svc.enablePeerLinks(noPeerLinks(), onion.publicKey());
        dialer.setIntroductions(svc.introductions());
        PeerCert router = PeerCert.sign(key, onion.publicKey(), null, null,
                loop.epochSeconds() + svc.limits().certLifetimeSeconds);
        PeerNode p = new PeerNode(node, proxy, svc, primitives, onion, router, pl);
        o.peerHops = p.hops();
        ordb = new OrdbNode(p, proxy, OrdbDiscovery.keyPair(key, svc.dht().self()), ordbLimits);
        if (torrents != null) {
            ordb.server().setTorrentProvider(torrents);
        }
        peer = p;
        p.start();
        return proxy;
    }

    /** Peer links (WebRTC) fail at once: a page trying one gives up on us quickly and uses the bridge. */
    private PeerConnector noPeerLinks() {
        return new PeerConnector() {
            @Override
            public void offer(Events events) {
                loop.execute(() -> events.failed("no WebRTC on the JVM"));
            }

            @Override
            public void answer(String offer, Events events) {
                loop.execute(() -> events.failed("no WebRTC on the JVM"));
            }
        };
    }

    /** The core's "GET this URL as text": java.net.http on its own threads; Bootstrap re-posts to the loop. */
    private void getText(String url, Bootstrap.TextCallback cb) {
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build();
        } catch (IllegalArgumentException e) {
            loop.execute(() -> cb.failed("bad URL " + url));
            return;
        }
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            if (e != null) {
                cb.failed("cannot reach " + url + " (" + e.getClass().getSimpleName() + ")");
            } else if (r.statusCode() != 200) {
                cb.failed("HTTP " + r.statusCode());
            } else {
                cb.text(r.body());
            }
        });
    }

    /** PeerNode has no listener: its state is looked at every 2 s and logged when it changed. */
    private void watchPeerState() {
        if (closed) {
            return;
        }
        PeerNode p = peer;
        if (p != null && !p.state().equals(lastPeerState)) {
            lastPeerState = p.state();
            // The name pages' download reports give this node ("peer" and 8 hex digits of its ID), so an
            // operator can tell it among a page's sources.
            log.accept("peer network: " + lastPeerState + " (as peer" + p.service().id().hex().substring(0, 8) + ")");
        }
        loop.schedule(2_000, this::watchPeerState);
    }

    public EventLoop loop() {
        return loop;
    }

    /** The ORDB, once the first directory arrived (else null); use it on the loop. */
    public OrdbNode ordb() {
        return ordb;
    }

    /** The node's bridge to BitTorrent, or null; its state belongs to the loop. */
    public TorrentBridge torrents() {
        return torrents;
    }

    /** The peer side, once the first directory arrived (else null); use it on the loop. */
    public PeerNode peer() {
        return peer;
    }

    /** True when registered with the bridge and in the DHT (read on the loop). */
    public boolean inPeerNetwork() throws Exception {
        return call(() -> peer != null && "in the peer network".equals(peer.state()));
    }

    /** Runs {@code c} on the loop and waits for it (at most 30 s); never from the loop itself. */
    public <T> T call(Callable<T> c) throws Exception {
        return loop.call(c, 30);
    }

    /** Stops publishing, serving and relaying; every link closes. */
    @Override
    public void close() {
        try {
            loop.call(() -> {
                closed = true;
                if (ordb != null) {
                    ordb.close();
                }
                bootstrap.stop();
                OnionProxy p = bootstrap.proxy();
                if (p != null) {
                    for (Channel c : new ArrayList<>(p.node().links().channels())) {
                        c.close("shutting down");
                    }
                }
                return null;
            }, 10);
        } catch (Exception e) {
            log.accept("stopping: " + e);
        }
        loop.close();
        if (torrents != null) {
            torrents.close(); // after the loop: waits until libtorrent deleted every temp dir
        }
        try {
            ws.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
