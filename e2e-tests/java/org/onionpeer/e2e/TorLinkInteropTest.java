package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.circuit.CircuitOptions;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.JcaRelayPrimitives;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.netdoc.ServerDescriptor;
import org.onionpeer.node.OnionProxy;

/**
 * Our code against real C tor (Debian's tor 0.4.9) in a private network on 127.0.0.1 ({@link TorNetwork}):
 * TLS links to C tor relays with their CERTS verified, a CREATE_FAST + BEGIN_DIR consensus fetch from the
 * authority, a 3-hop ntor circuit of C tor relays carrying an HTTP download, and the C tor reference figures.
 * Ports 17500-17529.
 */
@Tag("e2e")
class TorLinkInteropTest {
    private static final int BASE_PORT = 17500;
    private static TorNetwork net;
    private static TorClient client;

    @BeforeAll
    static void startNetwork() throws Exception {
        net = TorNetwork.start(Path.of("target", "tor-networks", "interop"), BASE_PORT);
        CircuitOptions o = new CircuitOptions();
        o.allowCreateFast = true;
        client = new TorClient(null, o);
    }

    @AfterAll
    static void stopNetwork() {
        if (client != null) {
            client.close();
        }
        if (net != null) {
            net.close();
        }
    }

    /** What a DirAuthority line (or a bare fingerprint) tells: the RSA identity and an address, no keys. */
    private static RelayInfo knownByFingerprint(String name) throws Exception {
        return new RelayInfo(name, RelayIdentity.rsaOnly(HexFormat.of().parseHex(net.fingerprint(name))), null,
                List.of("tls://127.0.0.1:" + net.orPort(name)), Set.of(), null);
    }

    private static Channel connect(RelayInfo r) throws Exception {
        CompletableFuture<Channel> f = new CompletableFuture<>();
        client.loop().execute(() -> client.node().links().connect(r, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                f.complete(channel);
            }

            @Override
            public void failed(String reason) {
                f.completeExceptionally(new IllegalStateException("link to " + r + ": " + reason));
            }
        }));
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void tlsLinksToEveryCTorRelayProveTheirIdentities() throws Exception {
        for (String name : TorNetwork.NODES) {
            Channel ch = connect(knownByFingerprint(name));
            RelayIdentity proven = TorClient.onLoop(client.loop(), ch::peerIdentity);
            assertTrue(TorClient.onLoop(client.loop(), ch::isOpen), name);
            assertEquals(5, (int) TorClient.onLoop(client.loop(), ch::linkVersion), name + ": tor offers 3, 4, 5");
            assertTrue(TorClient.onLoop(client.loop(), ch::isAuthenticated),
                    name + ": CERTS type 5 certifies this TLS certificate");
            assertEquals(net.fingerprint(name), proven.fingerprint(), name + "'s RSA identity");
            // tor writes its Ed25519 identity to DIR/fingerprint-ed25519 ("NAME base64"); CERTS type 4/7 proved it.
            String[] ed = Files.readString(net.noticeLog(name).resolveSibling("fingerprint-ed25519"),
                    StandardCharsets.US_ASCII).trim().split(" ");
            assertEquals(HexFormat.of().formatHex(Base64.getDecoder().decode(ed[1])),
                    HexFormat.of().formatHex(proven.ed25519Identity()), name + "'s Ed25519 identity");
        }
    }

    @Test
    void createFastBeginDirFetchesTheConsensusFromTheAuthority() throws Exception {
        OnionProxy.Options o = new OnionProxy.Options();
        o.circuit.allowCreateFast = true;
        OnionProxy proxy = TorClient.onLoop(client.loop(),
                () -> new OnionProxy(client.node(), new JcaRelayPrimitives(), null, o));
        // No ntor key is known for the authority: only CREATE_FAST on the authenticated TLS link can work.
        RelayInfo auth = knownByFingerprint("auth0");
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        client.loop().execute(() -> proxy.fetchDirectory(auth, "/tor/status-vote/current/consensus",
                new OnionProxy.DirectoryCallback() {
                    @Override
                    public void fetched(byte[] body) {
                        f.complete(body);
                    }

                    @Override
                    public void failed(String reason) {
                        f.completeExceptionally(new IllegalStateException(reason));
                    }
                }));
        String consensus = new String(f.get(60, TimeUnit.SECONDS), StandardCharsets.ISO_8859_1);
        assertTrue(consensus.startsWith("network-status-version 3"), consensus.substring(0, Math.min(80, consensus.length())));
        List<String> running = TorNetwork.runningRouters(consensus);
        for (String name : TorNetwork.NODES) {
            assertTrue(running.contains(net.fingerprint(name)), name + " listed Running in the fetched consensus");
        }
    }

    /** The relays' descriptors from the authority (/tor/server/all), each verified, by nickname. */
    static Map<String, RelayInfo> descriptors(TorNetwork net) throws Exception {
        String all = net.dirGet("/tor/server/all");
        if (all == null) {
            throw new IllegalStateException("no /tor/server/all");
        }
        Map<String, RelayInfo> out = new LinkedHashMap<>();
        long now = System.currentTimeMillis() / 1000;
        for (ServerDescriptor d : ServerDescriptor.parseAll(all)) {
            d.verify(now);
            out.put(d.nickname(), new RelayInfo(d.nickname(), new RelayIdentity(d.rsaIdentity(), d.ed25519Identity()),
                    d.ntorOnionKey(), List.of("tls://" + d.address() + ":" + d.orPort()), Set.of(), null));
        }
        return out;
    }

    @Test
    void threeHopNtorCircuitOfCTorRelaysCarriesADownload() throws Exception {
        Map<String, RelayInfo> d = descriptors(net);
        assertTrue(d.keySet().containsAll(List.of("relay1", "relay2", "exit1")), "descriptors: " + d.keySet());
        for (String name : d.keySet()) {
            assertEquals(net.fingerprint(name), d.get(name).identity().fingerprint());
        }
        List<RelayInfo> path = List.of(d.get("relay1"), d.get("relay2"), d.get("exit1"));
        CircuitOptions ntorOnly = new CircuitOptions();
        try (TorClient ntorClient = new TorClient(null, ntorOnly);
                SeededHttpServer http = new SeededHttpServer()) {
            TorClient.Built b = ntorClient.build(path).get(60, TimeUnit.SECONDS);
            assertTrue(!TorClient.onLoop(ntorClient.loop(), b.circuit()::usedCreateFast), "first hop by CREATE2/ntor");
            assertEquals(3, (int) TorClient.onLoop(ntorClient.loop(), b.circuit()::hopCount));
            long size = 4L << 20;
            TorClient.Fetched got = ntorClient.fetch(b.circuit(), "127.0.0.1", http.port(),
                    SeededHttpServer.path(7, size)).get(120, TimeUnit.SECONDS);
            assertEquals(size, got.length());
            assertEquals(SeededHttpServer.sha256(7, size), got.sha256());
            System.out.printf("onionpeer over C tor relays: build %.1f ms, %d bytes in %.0f ms = %.2f MB/s%n",
                    b.buildNanos() / 1e6, got.length(), got.nanos() / 1e6, got.length() / (got.nanos() / 1e9) / 1e6);
            ntorClient.close(b.circuit());
        }
    }

    @Test
    void cTorClientReferenceFigures() throws Exception {
        int ports = TorNetwork.freePorts(BASE_PORT + 10, BASE_PORT + 30, 2);
        try (CTorClient c = net.startClient("client1", ports, ports + 1, List.of());
                SeededHttpServer http = new SeededHttpServer()) {
            List<String> path = new ArrayList<>();
            for (String n : new String[] {"relay1", "relay2", "exit1"}) {
                path.add(net.fingerprint(n));
            }
            double[] ms = TorReference.cTorBuildMillis(c, List.of(path), 30);
            assertEquals(30, ms.length);
            long size = 4L << 20;
            double mbps = TorReference.cTorBulkMBps(c.socksPort(), "http://127.0.0.1:" + http.port()
                    + SeededHttpServer.path(3, size), size);
            double[] sorted = ms.clone();
            java.util.Arrays.sort(sorted);
            System.out.printf("C tor reference: 3-hop build median %.1f ms (n=30, min %.1f, max %.1f); bulk %.2f MB/s%n",
                    TorReference.median(ms), sorted[0], sorted[sorted.length - 1], mbps);
            assertTrue(mbps > 0);
        }
    }
}
