package org.onionpeer.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.JcaRelayPrimitives;
import org.onionpeer.jvm.JvmDialer;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.node.Node;
import org.onionpeer.node.OnionProxy;

/**
 * What a user of a loaded bridge does, each timed: a fresh page linking and building a circuit, and a SOCKS5
 * fetch. Shared by {@link BridgeLoadTest} and the load rows of the benchmark ({@link LoadBench}).
 */
final class LoadProbes {
    private LoadProbes() {
    }

    /** The bridge's signed directory from {@code /tor/directory}, signature verified. */
    static Directory directory(URI web) throws Exception {
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(web.resolve("/tor/directory"))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("/tor/directory: HTTP " + r.statusCode());
        }
        return Directory.parse(r.body(), null, System.currentTimeMillis() / 1000);
    }

    /** A page's first circuit: how long, its path, and whether its first link is the WebSocket one. */
    record PageCircuit(double millis, List<String> path, boolean webSocketFirstLink) {
    }

    /**
     * A fresh "page" in this JVM: what the browser node does, with the project's JVM onion proxy: a new node
     * (fresh keys, its own loop) whose only way in is a WebSocket link to the bridge (the bridge is the first
     * hop, as for a page), the directory fetched and verified, then the proxy's first 3-hop circuit. Timed from
     * the proxy's start to the first open circuit; fails after {@code timeoutMillis}.
     */
    static PageCircuit pageCircuit(Directory directory, long timeoutMillis) throws Exception {
        EventLoop loop = new EventLoop("page-probe");
        WebSocketConnector ws = new WebSocketConnector();
        JvmDialer dialer = new JvmDialer(loop, ws);
        try {
            SecureRandom rnd = new SecureRandom();
            Node node = new Node(loop, rnd::nextBytes, dialer, new Channel.Limits());
            OnionProxy.Options o = new OnionProxy.Options();
            o.firstHopFilter = r -> r.hasFlag(RelayInfo.FLAG_BRIDGE);
            long t0 = System.nanoTime();
            OnionProxy op = loop.call(() -> {
                OnionProxy p = new OnionProxy(node, new JcaRelayPrimitives(), directory, o);
                p.start();
                return p;
            }, 10);
            long deadline = t0 + timeoutMillis * 1_000_000L;
            while (true) {
                PageCircuit c = loop.call(() -> {
                    for (ClientCircuit cc : op.circuits()) {
                        if (cc.isOpen()) {
                            return new PageCircuit((System.nanoTime() - t0) / 1e6,
                                    cc.path().stream().map(RelayInfo::nickname).toList(),
                                    !cc.channel().isAuthenticated());
                        }
                    }
                    return null;
                }, 10);
                if (c != null) {
                    loop.call(() -> {
                        op.stop();
                        node.links().closeAll("probe done");
                        return null;
                    }, 10);
                    return c;
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("no circuit from a fresh WebSocket-linked node within " + timeoutMillis
                            + " ms; a link to the bridge now: " + linkOutcome(loop, node, directory));
                }
                Thread.sleep(10); // polling a condition with a deadline
            }
        } finally {
            dialer.close();
            ws.close();
            loop.close();
        }
    }

    /** For a failure message: what one more link attempt from {@code node} to the bridge's relay gives. */
    private static String linkOutcome(EventLoop loop, Node node, Directory directory) {
        CompletableFuture<String> f = new CompletableFuture<>();
        RelayInfo bridge = directory.relays().stream().filter(r -> r.hasFlag(RelayInfo.FLAG_BRIDGE)).findFirst()
                .orElse(null);
        if (bridge == null) {
            return "no bridge in the directory";
        }
        loop.execute(() -> node.links().connect(bridge, new LinkManager.ConnectCallback() {
            @Override
            public void connected(org.onionpeer.link.Channel channel) {
                f.complete("opened (" + channel + ")");
            }

            @Override
            public void failed(String reason) {
                f.complete("failed: " + reason);
            }
        }));
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "no answer: " + e;
        }
    }

    /**
     * GET {@code path} from 127.0.0.1:{@code httpPort} through the SOCKS5 port (host name resolved by the
     * proxy's exit); the body must be {@code size} bytes with SHA-256 {@code sha256}. Returns milliseconds
     * from connect to the last byte.
     */
    static double socksFetch(int socksPort, int httpPort, String path, long size, String sha256) throws Exception {
        long t0 = System.nanoTime();
        Proxy socks = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socksPort));
        try (Socket s = new Socket(socks)) {
            s.connect(InetSocketAddress.createUnresolved("127.0.0.1", httpPort), 30_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + httpPort + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            long length = NetworkBench.readHead(in);
            MessageDigest md = SeededHttpServer.sha256();
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                got += n;
            }
            String sha = HexFormat.of().formatHex(md.digest());
            if (length != size || got != size || !sha.equals(sha256)) {
                throw new IOException("SOCKS fetch of " + path + ": Content-Length " + length + ", " + got
                        + " bytes, SHA-256 " + sha + " (want " + size + " bytes, " + sha256 + ")");
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
