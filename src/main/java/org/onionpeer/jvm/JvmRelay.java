package org.onionpeer.jvm;

import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.crypto.Rsa;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.exit.ExitPolicy;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.jvm.bridge.WebSocketTransport;
import org.onionpeer.jvm.net.ConnectionGate;
import org.onionpeer.jvm.net.SocketConnector;
import org.onionpeer.jvm.net.TcpServer;
import org.onionpeer.jvm.net.TcpTransport;
import org.onionpeer.jvm.tls.TlsIdentity;
import org.onionpeer.link.Channel;
import org.onionpeer.netdoc.ServerDescriptorWriter;
import org.onionpeer.node.Node;
import org.onionpeer.node.NodeLimits;
import org.onionpeer.node.OnionRouter;

/**
 * One onion router on the JVM: its own event loop, fresh keys (RSA identity, Ed25519, ntor onion key, TLS
 * link key), an ORPort (TLS on 127.0.0.1 or the given host), and, for the bridge's relay, WebSocket links
 * handed over by the bridge server. Its directory view comes from a supplier (the bridge's document), so
 * EXTEND2 can reach relays by identity.
 */
public final class JvmRelay implements AutoCloseable {
    private final String nickname;
    private final EventLoop loop;
    private final RelayKeys keys;
    private final RelayCredentials credentials;
    private final long startedSeconds;
    /** The TAP onion key, only for the descriptor (see {@link #descriptorInput}); made on first use. */
    private Rsa.PrivateKey tapOnionKey;
    private final TlsIdentity tls;
    private final Ntor.Keypair onionKey;
    private final Node node;
    private final OnionRouter router;
    private final TcpServer orPort;
    private final JvmDialer dialer;
    private final SocketConnector exitConnector;
    private final ExitPolicy exitPolicy;
    private final List<String> extraAddresses = new ArrayList<>();
    /** Asked for EXTEND2 targets the directory does not list (a bridge: its registered pages). */
    private volatile OnionRouter.RelayLocator extraLocator;
    private volatile boolean closed;
    private final long tlsHandshakeMillis;
    /** Congestion control parameters: tor's defaults until a consensus gives others (see {@link #setCcParams}). */
    private volatile java.util.function.Supplier<org.onionpeer.circuit.CcParams> ccParams =
            org.onionpeer.circuit.CcParams::defaults;

    /**
     * Default caps on TLS links held at once: in all (file descriptors and memory, not threads: links cost
     * none), and from one address (tor's DoSConnectionMaxConcurrentCount is 50; every embedded relay and local
     * tool shares 127.0.0.1 here, so a little more).
     */
    public static final int DEFAULT_MAX_TLS_LINKS = 8192;
    public static final int DEFAULT_MAX_TLS_LINKS_PER_ADDRESS = 64;

    /**
     * @param exitPolicy null: not an exit
     * @param directory the current directory (for EXTEND2 by identity, and BEGIN_DIR)
     */
    public JvmRelay(String nickname, String host, ExitPolicy exitPolicy, Supplier<Directory> directory,
            WebSocketConnector ws, Channel.Limits limits) throws IOException, java.security.GeneralSecurityException {
        this(nickname, host, exitPolicy, directory, ws, limits,
                new ConnectionGate("TLS links", DEFAULT_MAX_TLS_LINKS, DEFAULT_MAX_TLS_LINKS_PER_ADDRESS), null);
    }

    /**
     * @param orGate caps on the TLS links our ORPort holds at once (in all and per source address); the bridge
     *        passes one gate to all of its relays, so the caps are the process's
     * @param nodeLimits node-wide bounds (memory budget, circuits, exit streams); the node gets its own copy;
     *        null: the defaults
     */
    public JvmRelay(String nickname, String host, ExitPolicy exitPolicy, Supplier<Directory> directory,
            WebSocketConnector ws, Channel.Limits limits, ConnectionGate orGate, NodeLimits nodeLimits)
            throws IOException, java.security.GeneralSecurityException {
        this(nickname, host, exitPolicy, directory, ws, limits, orGate, nodeLimits, null);
    }

    /**
     * @param customise applied to the router's config after we filled it in and before the router is made
     *        (e.g. {@code relayBytesPerSecond}, which the router reads only then, or {@code ordbHandler});
     *        null: none. Runs on the caller's thread.
     */
    public JvmRelay(String nickname, String host, ExitPolicy exitPolicy, Supplier<Directory> directory,
            WebSocketConnector ws, Channel.Limits limits, ConnectionGate orGate, NodeLimits nodeLimits,
            Consumer<OnionRouter.Config> customise) throws IOException, java.security.GeneralSecurityException {
        this.nickname = nickname;
        this.exitPolicy = exitPolicy;
        // The link handshake timeout bounds the TLS handshake before it too (never more than a dial's).
        this.tlsHandshakeMillis = Math.min(JvmDialer.CONNECT_TIMEOUT_MILLIS,
                (limits == null ? new Channel.Limits() : limits).handshakeTimeoutMillis);
        SecureRandom rnd = new SecureRandom();
        this.loop = new EventLoop("relay-" + nickname);
        long now = loop.epochSeconds();
        this.startedSeconds = now;
        this.keys = RelayKeys.generate(rnd);
        RelayCredentials creds = RelayCredentials.create(keys, now);
        this.credentials = creds;
        this.tls = TlsIdentity.create(creds, rnd, now);
        byte[] secret = new byte[32];
        rnd.nextBytes(secret);
        this.onionKey = Ntor.Keypair.fromSecret(secret);
        this.dialer = new JvmDialer(loop, ws);
        this.node = new Node(loop, rnd::nextBytes, dialer, limits, nodeLimits == null ? null : nodeLimits.copy());
        IpAddress ours = IpAddress.of(InetAddress.getByName(host).getAddress());
        node.links().setResponder(digest -> Bytes.constantTimeEquals(digest, tls.linkDigest())
                ? creds.certsCell(digest, tls.certificate(), loop.epochSeconds())
                : creds.certsCell(digest, null, loop.epochSeconds()), ours);
        if (org.onionpeer.jvm.tls.TlsExporter.available()) {
            // AUTH0003 as link initiator (only possible with the exporter: a 1024-bit RSA key costs time).
            node.links().setInitiatorAuth(org.onionpeer.cert.LinkAuthKeys.create(creds,
                    Rsa.generate(RelayKeys.RSA_IDENTITY_BITS, rnd), org.onionpeer.crypto.Ed25519.generate(rnd), now));
        }

        OnionRouter.Config cfg = new OnionRouter.Config();
        cfg.nodeId = keys.identity().rsaIdentity();
        cfg.onionKeys.add(onionKey);
        cfg.primitives = new JcaRelayPrimitives();
        cfg.locator = (rsaId, edId, tlsAddress) -> {
            Directory d = directory.get();
            if (d != null) {
                for (RelayInfo r : d.relays()) {
                    if (Bytes.constantTimeEquals(r.identity().rsaIdentity(), rsaId)
                            && (edId == null || Bytes.constantTimeEquals(r.identity().ed25519Identity(), edId))) {
                        return r;
                    }
                }
            }
            OnionRouter.RelayLocator more = extraLocator;
            return more == null ? null : more.locate(rsaId, edId, tlsAddress);
        };
        if (exitPolicy != null) {
            this.exitConnector = new SocketConnector(loop);
            cfg.exitConnector = exitConnector;
            cfg.exitPolicy = exitPolicy;
        } else {
            this.exitConnector = null;
        }
        cfg.directory = path -> {
            Directory d = directory.get();
            return d != null && path.equals("/tor/directory") ? d.text() : null;
        };
        // ntor v3 and congestion control at this end (prop324), with the consensus's parameters.
        cfg.ntorV3 = new org.onionpeer.circuit.NtorV3RelayHandshake(keys.ed25519Identity().publicKey(),
                () -> java.util.List.of(onionKey), () -> ccParams.get());
        if (customise != null) {
            customise.accept(cfg);
        }
        this.router = new OnionRouter(node, cfg);

        TcpServer.Options or = new TcpServer.Options();
        or.host = host;
        or.tls = tls.sslContext();
        or.gate = orGate;
        or.handshakeTimeoutMillis = tlsHandshakeMillis;
        this.orPort = new TcpServer(or, ch -> {
            IpAddress peer = IpAddress.of(ch.remoteAddress().getAddress().getAddress());
            TcpTransport t = TcpTransport.attach(ch, loop);
            loop.execute(() -> node.links().accept(t, tls.linkDigest(), peer));
        });
    }

    /** Where this relay's congestion control parameters come from (e.g. the bridge's verified consensus). */
    /** See {@link #extraLocator}; called on the relay's loop. */
    public void setExtraLocator(OnionRouter.RelayLocator locator) {
        this.extraLocator = locator;
    }

    public void setCcParams(java.util.function.Supplier<org.onionpeer.circuit.CcParams> params) {
        this.ccParams = params;
    }

    /**
     * What our published descriptor's proto line claims. Relay=4 (ntor v3, and with it congestion control) only
     * together with LinkAuth=3: a C tor client puts a relay's Ed25519 identity into its extend info only when
     * the relay lists LinkAuth=3 (node_supports_ed25519_link_authentication), yet picks ntor v3 by Relay=4
     * alone and then fails ("Chose ntorv3 handshake, but no ed id"), so on Java 17 we claim neither.
     */
    public static String proto() {
        boolean exporter = org.onionpeer.jvm.tls.TlsExporter.available();
        return ServerDescriptorWriter.proto(exporter, exporter);
    }

    /** What our entry in the bridge's own directory claims: our clients learn Ed25519 ids from it directly. */
    static String directoryProto() {
        return ServerDescriptorWriter.proto(org.onionpeer.jvm.tls.TlsExporter.available(), true);
    }

    /** A WebSocket link from the bridge server (a browser or another bridge); runs on our loop. */
    public void acceptWebSocket(WebSocketTransport t) {
        loop.execute(() -> node.links().accept(t, null, t.peerIp()));
    }

    /** False once {@link #close} has begun: the bridge then refuses links to our path (see addRelayLink). */
    public boolean isOpen() {
        return !closed;
    }

    /** Adds an address under which others reach us (e.g. the bridge's ws:// URL), listed first. */
    private final List<String> relayAddresses = new java.util.concurrent.CopyOnWriteArrayList<>();

    public void addAddress(String address) {
        extraAddresses.add(address);
    }

    /**
     * Adds a WebSocket address at which pages relaying circuits reach us (listed after the bridge address, if
     * any): unlike {@link #addAddress}, it does not make us a Bridge, a page's first hop and introducer.
     */
    public void addRelayAddress(String address) {
        relayAddresses.add(address);
    }

    public RelayInfo info() {
        List<String> addrs = new ArrayList<>(extraAddresses);
        addrs.addAll(relayAddresses);
        addrs.add("tls://" + orPort.address().getHostAddress() + ":" + orPort.port());
        Set<String> flags = new LinkedHashSet<>();
        flags.add(RelayInfo.FLAG_GUARD);
        if (exitPolicy != null) {
            flags.add(RelayInfo.FLAG_EXIT);
        }
        if (!extraAddresses.isEmpty()) {
            flags.add(RelayInfo.FLAG_BRIDGE);
        }
        return new RelayInfo(nickname, keys.identity(), onionKey.publicKey(), addrs, flags,
                exitPolicy == null ? "reject *:*" : exitPolicy.toString(), org.onionpeer.dir.Protover.parse(directoryProto()));
    }

    public String nickname() {
        return nickname;
    }

    /**
     * What our server descriptor (dir-spec §2.1.1) says, filled in from this relay: nickname, {@code address}
     * (the IPv4 address others reach our ORPort on), ORPort, keys and certificates, ntor key, the IPv4 rules of
     * our exit policy (none: "reject *:*"; IPv6 rules are left out: tor takes those only from an "ipv6-policy"
     * line, which we do not write yet), uptime and published = now. Adjust fields (contact, bandwidth) and pass
     * it to {@link ServerDescriptorWriter#write}.
     *
     * <p>It includes a TAP onion key: tor 0.4.9.11 authorities refuse descriptors without one ("400 Missing TAP
     * key in descriptor."). We never answer TAP CREATE (and do not advertise Relay=1), so the key only
     * satisfies the format; it is made (1024-bit RSA, slow) on the first call and kept.
     */
    public synchronized ServerDescriptorWriter.Input descriptorInput(String address) {
        if (tapOnionKey == null) {
            tapOnionKey = Rsa.generate(RelayKeys.RSA_IDENTITY_BITS, new SecureRandom());
        }
        long now = loop.epochSeconds();
        ServerDescriptorWriter.Input in = new ServerDescriptorWriter.Input();
        in.nickname = nickname;
        in.address = address;
        in.orPort = orPort.port();
        in.credentials = credentials;
        in.proto = proto();
        in.ntorKey = onionKey;
        in.tapOnionKey = tapOnionKey;
        if (exitPolicy != null) {
            for (String rule : exitPolicy.rules()) {
                if (rule.indexOf('[') < 0) {
                    in.exitPolicy.add(rule);
                }
            }
        }
        in.uptimeSeconds = Math.max(0, now - startedSeconds);
        in.publishedSeconds = now;
        return in;
    }

    public RelayCredentials credentials() {
        return credentials;
    }

    public RelayKeys keys() {
        return keys;
    }

    public EventLoop loop() {
        return loop;
    }

    public Node node() {
        return node;
    }

    public OnionRouter router() {
        return router;
    }

    public int orPort() {
        return orPort.port();
    }

    @Override
    public void close() {
        closed = true;
        orPort.close();
        // Close the links on the loop, then the loop (transports must close before their loop does).
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        loop.execute(() -> {
            node.links().closeAll("relay shutting down");
            done.countDown();
        });
        try {
            done.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (exitConnector != null) {
            exitConnector.close();
        }
        dialer.close();
        loop.close();
    }
}
