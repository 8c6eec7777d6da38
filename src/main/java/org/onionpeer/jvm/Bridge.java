package org.onionpeer.jvm;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.peer.PeerService;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.exit.ExitPolicy;
import org.onionpeer.jvm.bridge.BridgeServer;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.jvm.net.ConnectionGate;
import org.onionpeer.jvm.net.Socks5Server;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.netdoc.AuthorityLine;
import org.onionpeer.netdoc.Consensus;
import org.onionpeer.netdoc.ServerDescriptorWriter;
import org.onionpeer.node.TorDirectoryClient;
import org.onionpeer.node.Node;
import org.onionpeer.node.NodeLimits;
import org.onionpeer.node.OnionProxy;

/**
 * The main job: a bridge. One Jetty server serves the web app and the bridge's directory and accepts
 * WebSocket links from browsers into the bridge's own onion router; an embedded network of onion routers
 * (TLS ORPorts on the same host, the last one an exit) gives those links somewhere to go at once; an onion
 * proxy with a SOCKS5 port lets any local program use the network. Everything listens on loopback by
 * default.
 */
public final class Bridge implements AutoCloseable {
    /** Command-line options, with their defaults. */
    public static final class Options {
        public String host = "127.0.0.1";
        public int port = 8080;
        /** 0 = any free port; -1 = no SOCKS listener. */
        public int socksPort = 9350;
        public int relays = 5;
        /** Rules put before the default exit policy, e.g. "accept 127.0.0.0/8:*". */
        public String exitPolicy = "";
        public boolean embedded = true;
        public URI join;
        public Path webappDir;
        public Channel.Limits limits = new Channel.Limits();
        /**
         * The onion proxy's options. Unlike the core's defaults (the page bundle carries no ntor v3), the JVM proxy
         * asks exits for congestion control (prop324: ntor v3 with the CC request to exits listing Relay=4 and
         * FlowCtrl=2, our own relays included) unless the consensus's cc_alg says 0; set
         * {@code proxy.circuit.congestionControl = null} for the classic windows. With it, streams to exits
         * listing Conflux=1 (C tor 0.4.8+) go over linked sets of 2 circuits as tor's own client's do (prop329,
         * {@code proxy.confluxLegs}; 0 turns that off).
         */
        public OnionProxy.Options proxy = withCongestionControl(new OnionProxy.Options());
        /**
         * DirAuthority lines (torrc syntax) of a Tor network: when given, the onion proxy builds its circuits
         * from that network's verified consensus instead of our own relays, and the bridge's directory offers
         * browsers that network's relays behind the bridge.
         */
        public List<String> torAuthorities = new ArrayList<>();
        /**
         * With {@link #torAuthorities}: the bridge's relay, and the embedded ones if any, join that network as one
         * family, publishing their descriptors to the authorities. The bridge's relay is then the only exit, and
         * only if {@link #exitPolicy} is given, for exactly those rules.
         */
        public boolean torRelay;
        /** TLS links held at once by all our relays together, and from one source address. */
        public int maxTlsLinks = JvmRelay.DEFAULT_MAX_TLS_LINKS;
        public int maxTlsLinksPerAddress = JvmRelay.DEFAULT_MAX_TLS_LINKS_PER_ADDRESS;
        /** Node-wide bounds of each of our relays: the memory budget of their queues, circuits, exit streams. */
        public NodeLimits nodeLimits = new NodeLimits();
        /** Concurrent page links (WebSocket sessions) in all, and from one source address (0 = no cap). */
        public int maxPageLinks = 10_000;
        public int maxPageLinksPerAddress = 50;
        /**
         * The bridge's public URL (http(s)://host[:port]/), e.g. behind a TLS proxy: the bookmarklet, the pages'
         * policy and the advertised link address (https gives wss) name it. Null: http://host:port/.
         */
        public String publicUrl;
    }

    private static OnionProxy.Options withCongestionControl(OnionProxy.Options o) {
        o.circuit.congestionControl = org.onionpeer.circuit.NtorV3ExitHandshake.FACTORY;
        o.confluxLegs = 2;
        o.conflux = org.onionpeer.node.ConfluxLegs.FACTORY;
        return o;
    }

    /** Directory lifetime and how long before its end it is re-signed. */
    static final long DIRECTORY_LIFETIME = 24 * 3600;
    static final long DIRECTORY_REFRESH_MILLIS = 6 * 3600 * 1000L;

    private final Options options;
    private final WebSocketConnector ws;
    /** One set of caps for the TLS links of all our relays. */
    private final ConnectionGate tlsLinks;
    private final JvmRelay bridgeRelay;
    /** prop324 parameters of the Tor network we are part of (tor's defaults without one). */
    private volatile org.onionpeer.circuit.CcParams ccParams = org.onionpeer.circuit.CcParams.defaults();
    private final List<JvmRelay> relays = new ArrayList<>();
    private final List<RelayInfo> joined = new ArrayList<>();
    private final BridgeServer server;
    private volatile Directory directory;
    private final EventLoop proxyLoop;
    private final Node proxyNode;
    private final JvmDialer proxyDialer;
    private final OnionProxy proxy;
    private final Socks5Server socks;
    private final List<AuthorityLine> authorities = new ArrayList<>();
    private volatile List<RelayInfo> torRelays = new ArrayList<>();
    private final PeerService peers;
    private BridgeFederation federation;
    private final CompletableFuture<Directory> firstTorDirectory = new CompletableFuture<>();
    private TorDirectoryClient torClient;
    /** The documents behind the proxy's current Tor relay list, as received, for pages to check themselves. */
    private volatile TorDirectoryClient.Documents torDocuments;
    private ScheduledExecutorService publisher;
    private volatile String lastPublishResult = "not published";

    public Bridge(Options options) throws Exception {
        this.options = options;
        this.ws = new WebSocketConnector();
        for (String line : options.torAuthorities) {
            authorities.add(AuthorityLine.parse(line));
        }
        boolean tor = !authorities.isEmpty();
        // A relay published into a Tor network exits only where its operator said, and nowhere else.
        ExitPolicy bridgePolicy = tor && options.torRelay && !options.exitPolicy.isEmpty()
                ? ExitPolicy.parse(options.exitPolicy).then(ExitPolicy.rejectAll()) : null;
        this.tlsLinks = new ConnectionGate("TLS links", options.maxTlsLinks, options.maxTlsLinksPerAddress);
        this.bridgeRelay = new JvmRelay("bridge", options.host, bridgePolicy, this::directory, ws,
                options.limits, tlsLinks, options.nodeLimits);
        this.server = new BridgeServer(new BridgeServer.Options().host(options.host).port(options.port)
                .webappDir(options.webappDir).maxSessions(options.maxPageLinks)
                .maxSessionsPerAddress(options.maxPageLinksPerAddress).publicUrl(options.publicUrl), bridgeRelay.loop(), () -> directory == null ? null : directory.text(),
                t -> bridgeRelay.node().links().accept(t, null, t.peerIp()));
        Bookmarklet.install(server);
        if (tor) {
            serveTorDocuments();
        }
        server.start();
        bridgeRelay.addAddress(server.linkAddress());
        // The peer network: pages register on their link to us; we introduce them and run a DHT node.
        URI pub = URI.create(server.linkAddress());
        BridgeAddress self = BridgeAddress.of(pub.getHost(), pub.getPort() > 0 ? pub.getPort()
                : pub.getScheme().equals("wss") ? 443 : 80);
        this.peers = onLoop(bridgeRelay.loop(), () -> {
            // A bridge signs one kind of peer certificate: its JOIN to a bridge it federates with.
            org.onionpeer.crypto.Ed25519.KeyPair ed = bridgeRelay.keys().ed25519Identity();
            PeerService p = new PeerService(bridgeRelay.node(), ed.publicKey(),
                    (tbs, ok, failed) -> ok.accept(ed.sign(tbs)), true, self, null);
            p.startDht(null, null);
            // A page's circuit may go bridge -> page -> ...: we extend to registered pages over their links.
            bridgeRelay.setExtraLocator((rsaId, edId, tls) -> p.registeredRouter(rsaId));
            return p;
        });
        if (options.embedded) {
            // Published into a Tor network, the bridge's relay is the one exit (see above); otherwise the last
            // embedded relay is, open to the public internet after the operator's rules.
            ExitPolicy policy = tor && options.torRelay ? null : ExitPolicy.withDefault(options.exitPolicy);
            for (int i = 1; i <= options.relays; i++) {
                // In a Tor network "relay1" may be taken (nicknames there are not unique, but logs read better).
                JvmRelay r = new JvmRelay((tor ? "onionpeer" : "relay") + i, options.host,
                        i == options.relays ? policy : null, this::directory, ws, options.limits, tlsLinks,
                        options.nodeLimits);
                // Pages relaying circuits extend to our relays over WebSocket (they cannot dial TLS).
                r.addRelayAddress(server.addRelayLink(r.nickname(), r.loop(), r::acceptWebSocket, r::isOpen));
                relays.add(r);
            }
        }
        // Congestion control parameters: tor's defaults until a verified consensus gives its own.
        bridgeRelay.setCcParams(() -> ccParams);
        for (JvmRelay r : relays) {
            r.setCcParams(() -> ccParams);
        }
        if (options.join != null) {
            Directory theirs = fetchDirectory(options.join);
            joined.addAll(theirs.relays());
            federation = new BridgeFederation(bridgeRelay, peers, options.join, theirs);
            // Pages may take their first hop at a joined bridge: their policy lets them reach it.
            for (RelayInfo r : joined) {
                for (LinkTarget t : r.targets()) {
                    if (t.kind() == LinkTarget.WEBSOCKET) {
                        server.addConnectSource(t.origin());
                    }
                }
            }
        }
        resign();
        bridgeRelay.loop().schedule(DIRECTORY_REFRESH_MILLIS, this::refresh);
        if (tor && options.torRelay) {
            publisher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tor-publisher");
                t.setDaemon(true);
                return t;
            });
            publishDescriptor();
        }

        if (options.socksPort >= 0 || tor) {
            proxyLoop = new EventLoop("proxy");
            SecureRandom rnd = new SecureRandom();
            proxyDialer = new JvmDialer(proxyLoop, ws);
            proxyNode = new Node(proxyLoop, rnd::nextBytes, proxyDialer, options.limits);
            proxy = onLoop(proxyLoop, () -> {
                OnionProxy p = new OnionProxy(proxyNode, new JcaRelayPrimitives(), tor ? null : directory,
                        options.proxy);
                p.start();
                return p;
            });
            if (tor) {
                torClient = onLoop(proxyLoop, () -> {
                    TorDirectoryClient[] client = new TorDirectoryClient[1];
                    TorDirectoryClient c = new TorDirectoryClient(proxy, authorities, new TorDirectoryClient.Listener() {
                        @Override
                        public void updated(Directory relays, Consensus consensus) {
                            // prop324 parameters from the consensus, for our relays and our circuits alike.
                            org.onionpeer.circuit.CcParams p = org.onionpeer.circuit.CcParams.fromConsensus(
                                    consensus.params());
                            ccParams = p;
                            options.proxy.circuit.useConsensus(p);
                            options.proxy.useConsensus(consensus.params()); // prop329: cfx_enabled
                            proxy.setDirectory(relays);
                            torDocuments = client[0].documents();
                            torNetworkUpdated(relays);
                        }

                        @Override
                        public void failed(String reason) {
                            System.err.println("[onionpeer] tor directory: " + reason);
                        }
                    });
                    client[0] = c;
                    c.start();
                    return c;
                });
            }
            socks = options.socksPort >= 0 ? new Socks5Server(proxyLoop, proxy, options.socksPort) : null;
        } else {
            proxyLoop = null;
            proxyDialer = null;
            proxyNode = null;
            proxy = null;
            socks = null;
        }
    }

    private void refresh() {
        resign();
        if (proxy != null && authorities.isEmpty()) {
            Directory d = directory;
            proxyLoop.execute(() -> proxy.setDirectory(d));
        }
        bridgeRelay.loop().schedule(DIRECTORY_REFRESH_MILLIS, this::refresh);
    }

    /**
     * With {@link Options#torAuthorities}, pages check the Tor network themselves (node/TorNetworkCheck)
     * rather than trust our relay list, so we serve what they need, under C tor's directory paths (dir-spec
     * §4): our DirAuthority lines at /tor/authorities (an offer: a page that pins its own authorities ignores
     * it), and the consensus, key certificates and server descriptors our onion proxy verified, passed on
     * byte for byte as the authorities and relays signed them, never re-signed. 404 (as C tor answers) for
     * what we do not hold, the consensus included until the first one verified.
     */
    private void serveTorDocuments() {
        StringBuilder lines = new StringBuilder();
        for (String l : options.torAuthorities) {
            lines.append(l.trim()).append('\n');
        }
        server.addTextRoute("/tor/authorities", "text/plain; charset=utf-8", lines::toString);
        server.addBytesPrefixRoute("/tor/status-vote/current/consensus", path -> {
            TorDirectoryClient.Documents d = torDocuments;
            return d == null || !path.equals("/tor/status-vote/current/consensus") ? null : d.consensus.clone();
        });
        server.addBytesPrefixRoute("/tor/keys/fp/", path -> torDocuments(path, "/tor/keys/fp/", true));
        server.addBytesPrefixRoute("/tor/server/d/", path -> torDocuments(path, "/tor/server/d/", false));
    }

    /** The certificates or descriptors named (hex, '+'-separated) after {@code prefix} that we hold, or null. */
    private byte[] torDocuments(String path, String prefix, boolean certificates) {
        TorDirectoryClient.Documents d = torDocuments;
        if (d == null) {
            return null;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String key : path.substring(prefix.length()).split("\\+", 200)) {
            byte[] b = (certificates ? d.certificates : d.descriptors).get(key.toUpperCase(java.util.Locale.ROOT));
            if (b != null) {
                out.writeBytes(b);
            }
        }
        return out.size() == 0 ? null : out.toByteArray();
    }

    /** How often the relay's descriptor is published again (tor's 18 hours, router.c). */
    static final long REPUBLISH_MILLIS = 18 * 3600 * 1000L;
    static final int PUBLISH_TIMEOUT_MILLIS = 10_000;

    /**
     * Writes our relay's descriptor and uploads it to every authority (dir-spec §3.1); again every
     * {@link #REPUBLISH_MILLIS}, or after a minute if no authority took it. Runs off the event loops: the
     * upload is a blocking HTTP exchange.
     */
    private void publishDescriptor() {
        // All our relays are run by one operator: each descriptor names the others as its family (dir-spec
        // §2.1.1 "family"), so that clients never put two of them in one circuit.
        List<JvmRelay> ours = new ArrayList<>();
        ours.add(bridgeRelay);
        ours.addAll(relays);
        int accepted = 0;
        int attempts = 0;
        StringBuilder results = new StringBuilder();
        for (JvmRelay relay : ours) {
            ServerDescriptorWriter.Input in = relay.descriptorInput(options.host);
            for (JvmRelay other : ours) {
                if (other != relay) {
                    in.family.add("$" + other.keys().identity().fingerprint());
                }
            }
            String text = ServerDescriptorWriter.write(in);
            for (AuthorityLine a : authorities) {
                String r;
                attempts++;
                try {
                    TorPublisher.Response resp = TorPublisher.post(a.address(), a.dirPort(), text,
                            PUBLISH_TIMEOUT_MILLIS);
                    r = resp.statusLine();
                    if (resp.accepted()) {
                        accepted++;
                    }
                } catch (IOException e) {
                    r = e.toString();
                }
                results.append(results.length() == 0 ? "" : "; ").append(relay.nickname()).append(" -> ")
                        .append(a.address()).append(':').append(a.dirPort()).append(' ').append(r);
            }
        }
        lastPublishResult = accepted + " of " + attempts + " uploads taken: " + results;
        if (accepted < attempts) {
            System.err.println("[onionpeer] tor relay: " + lastPublishResult);
        }
        if (publisher.isShutdown()) {
            return;
        }
        publisher.schedule(this::publishDescriptor, accepted == attempts ? REPUBLISH_MILLIS : 60_000,
                TimeUnit.MILLISECONDS);
    }

    /** What the authorities answered to the last upload of our descriptor (with {@link Options#torRelay}). */
    public String lastPublishResult() {
        return lastPublishResult;
    }

    /** A new verified list of the Tor network's relays: browsers see them behind the bridge from now on. */
    private void torNetworkUpdated(Directory d) {
        List<RelayInfo> l = new ArrayList<>();
        String ours = bridgeRelay.info().identity().fingerprint();
        for (RelayInfo r : d.relays()) {
            if (!r.identity().fingerprint().equals(ours)) { // our own entry, once published, is already first
                l.add(r);
            }
        }
        torRelays = l;
        resign();
        firstTorDirectory.complete(d);
    }

    /**
     * The first verified relay list of the Tor network given by {@link Options#torAuthorities}, waiting for it
     * at most {@code timeoutMillis}.
     */
    public Directory awaitTorNetwork(long timeoutMillis) throws Exception {
        return firstTorDirectory.get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized void resign() {
        List<RelayInfo> all = new ArrayList<>();
        all.add(bridgeRelay.info());
        for (JvmRelay r : relays) {
            all.add(r.info());
        }
        all.addAll(joined);
        all.addAll(torRelays);
        long now = System.currentTimeMillis() / 1000;
        directory = Directory.sign(all, now, now + DIRECTORY_LIFETIME, bridgeRelay.keys().ed25519Identity());
    }

    /** Another bridge's directory, over HTTP; its signature is checked (trusted on first use). */
    static Directory fetchDirectory(URI bridge) throws Exception {
        URI u = bridge.resolve("/tor/directory");
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(u + ": HTTP " + r.statusCode());
        }
        return Directory.parse(r.body(), null, System.currentTimeMillis() / 1000);
    }

    static <T> T onLoop(EventLoop loop, java.util.function.Supplier<T> s) throws Exception {
        return loop.call(s::get, 30);
    }

    public Directory directory() {
        return directory;
    }

    public BridgeServer server() {
        return server;
    }

    /** With {@link Options#join}: "federated", "joining", or why the last attempt to federate failed. */
    public String federationState() {
        return federation == null ? "not joined" : federation.state();
    }

    /** The bridge's peer service (registered pages, introductions, DHT); use it on the bridge relay's loop. */
    public PeerService peers() {
        return peers;
    }

    public JvmRelay bridgeRelay() {
        return bridgeRelay;
    }

    public List<JvmRelay> relays() {
        return relays;
    }

    public OnionProxy proxy() {
        return proxy;
    }

    public EventLoop proxyLoop() {
        return proxyLoop;
    }

    public int socksPort() {
        return socks == null ? -1 : socks.port();
    }

    @Override
    public void close() {
        if (socks != null) {
            socks.close();
        }
        if (proxy != null) {
            try {
                onLoop(proxyLoop, () -> {
                    if (torClient != null) {
                        torClient.stop();
                    }
                    proxy.stop();
                    proxyNode.links().closeAll("shutting down");
                    return null;
                });
            } catch (Exception ignored) {
                // shutting down anyway
            }
            proxyDialer.close();
            proxyLoop.close();
        }
        if (publisher != null) {
            publisher.shutdownNow();
        }
        if (federation != null) {
            federation.close();
        }
        server.close();
        for (JvmRelay r : relays) {
            r.close();
        }
        bridgeRelay.close();
        try {
            ws.close();
        } catch (Exception ignored) {
            // shutting down anyway
        }
    }
}
