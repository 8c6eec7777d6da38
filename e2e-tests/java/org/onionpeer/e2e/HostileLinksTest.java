package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.onionpeer.cell.BeginDir;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.CellReader;
import org.onionpeer.cell.Create2;
import org.onionpeer.cell.Created2;
import org.onionpeer.cell.Data;
import org.onionpeer.cell.Destroy;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.Drop;
import org.onionpeer.cell.End;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cell.LinkFormat;
import org.onionpeer.cell.LinkVersions;
import org.onionpeer.cell.PaddingSource;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.RelayMessage;
import org.onionpeer.cell.Sendme;
import org.onionpeer.cell.Versions;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.circuit.CircuitMap;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ClientCircuitCrypto;
import org.onionpeer.circuit.Window;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.HandshakeException;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.JvmRelay;
import org.onionpeer.jvm.bridge.BridgeServer;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.jvm.bridge.WebSocketTransport;
import org.onionpeer.jvm.net.TcpTransport;
import org.onionpeer.jvm.tls.TlsContexts;
import org.onionpeer.jvm.tls.TlsIdentity;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.transport.Transport;

/**
 * Hostile input on every kind of link of a running {@link Bridge} (in-process, real WebSocket and TLS
 * transports on loopback, ports 0): each case sends its abuse with raw clients and checks the exact way the
 * link or circuit ends, then that the bridge still serves everyone else — a bystander link opened before
 * any abuse (its circuit fetches the directory again), a fresh honest WebSocket link (CREATE2 + BEGIN_DIR),
 * and a SOCKS5 fetch of a local file through a three-hop circuit of the bridge's onion proxy.
 *
 * <p>Threads: our raw clients live on their own {@link EventLoop}; every call into a client {@link Channel}
 * (and its circuit crypto) runs there through {@link #onLoop}. Waits are futures and queues with timeouts,
 * never sleeps.
 */
@Tag("e2e")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class HostileLinksTest {
    /** Bound on any single wait, in seconds: generous, the happy path takes milliseconds. */
    private static final long T = 15;
    private static final int MAX_CIRCUITS = 16;
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 2_000;

    private static Bridge bridge;
    private static EventLoop loop;
    private static WebSocketConnector ws;
    private static HttpServer http;
    private static byte[] file;
    private static final SecureRandom RND = new SecureRandom();
    private static RelayInfo bridgeInfo;
    private static RelayInfo exitInfo;
    private static JvmRelay exitRelay;
    private static Op bystander;
    private static Circ bystanderCirc;

    @BeforeAll
    static void startBridge() throws Exception {
        Bridge.Options o = TestBridges.options(3);
        o.socksPort = 0;
        o.limits.maxCircuits = MAX_CIRCUITS;
        o.limits.handshakeTimeoutMillis = HANDSHAKE_TIMEOUT_MILLIS;
        bridge = new Bridge(o);
        loop = new EventLoop("hostile-clients");
        ws = new WebSocketConnector();

        // A small local web server behind the exit: 64 KiB, more than 100 DATA cells (one circuit SENDME).
        file = new byte[64 * 1024];
        new Random(7).nextBytes(file);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        http.createContext("/file", ex -> {
            ex.getResponseHeaders().add("Connection", "close");
            ex.sendResponseHeaders(200, file.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(file);
            }
        });
        http.start();

        for (RelayInfo r : bridge.directory().relays()) {
            if (r.nickname().equals("bridge")) {
                bridgeInfo = r;
            }
            if (r.nickname().equals("relay" + o.relays)) {
                exitInfo = r;
            }
        }
        assertNotNull(bridgeInfo);
        assertNotNull(exitInfo);
        exitRelay = bridge.relays().get(o.relays - 1);

        // The bystander: an honest client whose link and circuit must outlive every abuse below.
        bystander = Op.overWebSocket();
        bystanderCirc = bystander.create(bridgeInfo);
        assertDirectory(bystander.fetchDirectory(bystanderCirc, 0));
        assertBridgeServesEveryone();
    }

    @AfterAll
    static void stopBridge() throws Exception {
        if (bystander != null) {
            bystander.close();
        }
        if (http != null) {
            http.stop(0);
        }
        if (bridge != null) {
            bridge.close();
        }
        if (ws != null) {
            ws.close();
        }
        if (loop != null) {
            loop.close();
        }
    }

    // ==== 1. WebSocket garbage ==============================================================================

    @Test
    void webSocketGarbageTextAndOversizedFramesCloseTheLink() throws Exception {
        // Random bytes as the first binary frame. Byte 2 (the command of a VERSIONS-format cell header) is
        // pinned to a fixed-length command, so the garbage is judged at once rather than waiting for the
        // body of a random variable-length cell (that case is the handshake timeout's, below).
        byte[] garbage = new byte[4096];
        new Random(1).nextBytes(garbage);
        garbage[2] = 0x2a;
        RawWs g = RawWs.connect();
        onLoop(() -> g.t.send(garbage));
        String reason = observed("WebSocket garbage", g.closed.get(T, TimeUnit.SECONDS));
        assertTrue(reason.contains("protocol error") && reason.contains("before VERSIONS"), reason);

        // A text frame: policy violation (1008).
        WebSocketClient raw = new WebSocketClient();
        raw.start();
        try {
            RawPeer peer = new RawPeer();
            Session s = raw.connect(peer, bridge.server().linkUri()).get(T, TimeUnit.SECONDS);
            s.sendText("GET / HTTP/1.1", Callback.NOOP);
            assertEquals(StatusCode.POLICY_VIOLATION, peer.closeCode.get(T, TimeUnit.SECONDS));
            observed("WebSocket text frame", peer.closeCode.get() + " " + peer.closeReason);
            assertTrue(peer.closeReason.contains("text"), peer.closeReason);
        } finally {
            raw.stop();
        }

        // A binary message one byte over the bridge's 64 KiB limit: 1009 (message too big).
        RawWs big = RawWs.connect();
        int max = big.t.limits().maxMessageBytes();
        onLoop(() -> big.t.send(LinkVersions.ours().toCell(0).encode(LinkFormat.INITIAL)));
        onLoop(() -> big.t.send(new byte[max + 1]));
        String bigReason = observed("WebSocket oversized message", big.closed.get(T, TimeUnit.SECONDS));
        assertTrue(bigReason.contains(String.valueOf(StatusCode.MESSAGE_TOO_LARGE)), bigReason);

        assertBridgeServesEveryone();
    }

    // ==== 2. TLS ORPort garbage ============================================================================

    @Test
    void tlsOrPortGarbageIsDroppedPromptly() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(2).nextBytes(garbage);
        garbage[2] = 0x2a; // see above: a fixed-length command, judged at once
        JvmRelay relay = bridge.relays().get(0);
        try (SSLSocket s = TlsContexts.connect(TlsContexts.client(), "127.0.0.1", relay.orPort(), 10_000)) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(T));
            long t0 = System.nanoTime();
            s.getOutputStream().write(garbage);
            s.getOutputStream().flush();
            long millis = readUntilClosed(s.getInputStream(), t0);
            observed("TLS ORPort garbage", "closed after " + millis + " ms");
            // Well before the handshake timeout: the garbage itself closed the link.
            assertTrue(millis < HANDSHAKE_TIMEOUT_MILLIS - 200, "closed after " + millis + " ms");
        }
        assertBridgeServesEveryone();
    }

    // ==== 3. Wrong CERTS from a fake responder, dialled by the bridge's own relay ==========================

    @Test
    void replayedOrForeignCertsFailTheBridgesOwnDial() throws Exception {
        // The victim: a real relay outside the bridge's network. Its CERTS cell is public: anyone who links
        // to it gets one. A fake responder replays it behind its own TLS certificate.
        JvmRelay victim = new JvmRelay("victim", "127.0.0.1", null, () -> null, ws, null);
        try (FakeRelay replay = new FakeRelay(digest -> null);
                FakeRelay foreign = new FakeRelay(null)) {
            byte[] stolen = captureCerts(victim.orPort());
            replay.certs = digest -> CertsCell.decode(stolen);
            RelayInfo victimAtReplay = new RelayInfo("victim", victim.keys().identity(), victim.info().ntorKey(),
                    List.of("tls://127.0.0.1:" + replay.port()), Set.of(), "reject *:*");
            String r1 = observed("replayed CERTS", bridgeDials(victimAtReplay));
            assertTrue(r1.contains("protocol error: CERTS: signing->link cert does not match this link's certificate"),
                    r1);
            assertTrue(replay.linkClosed.get(T, TimeUnit.SECONDS) != null);

            // A fake with honest certificates of its own identity, dialled as the victim.
            RelayInfo victimAtForeign = new RelayInfo("victim", victim.keys().identity(), victim.info().ntorKey(),
                    List.of("tls://127.0.0.1:" + foreign.port()), Set.of(), "reject *:*");
            String r2 = observed("foreign CERTS", bridgeDials(victimAtForeign));
            assertTrue(r2.contains("protocol error: responder is " + foreign.identityFingerprint()
                    + ", expected " + victim.keys().identity().fingerprint()), r2);

            // Neither left a link behind.
            JvmRelay b = bridge.bridgeRelay();
            assertNull(onLoop(b.loop(), () -> b.node().links().channelTo(victim.keys().identity())));
        } finally {
            victim.close();
        }
        assertBridgeServesEveryone();
    }

    // ==== 4. Wrong ntor ====================================================================================

    @Test
    void createWithWrongNodeIdKeyIdOrPointIsDestroyedAndTheLinkStays() throws Exception {
        Op op = Op.overWebSocket();
        byte[] nodeId = bridgeInfo.identity().rsaIdentity();
        byte[] keyId = bridgeInfo.ntorKey();
        byte[] x = Ntor.publicKey(random(32));
        byte[][] skins = {
            new Ntor.Onionskin(random(20), keyId, x).encode(), // NODEID not ours
            new Ntor.Onionskin(nodeId, random(32), x).encode(), // KEYID names no key of ours
            new Ntor.Onionskin(nodeId, keyId, new byte[32]).encode(), // X is a low-order point
        };
        for (byte[] skin : skins) {
            long id = op.newCircId();
            op.send(new Create2(Ntor.HTYPE, skin).toCell(id));
            op.expectDestroy(id, DestroyReason.PROTOCOL);
        }
        // CREATE_FAST proves nothing on a link without TLS: refused the same way (tor-spec §5.1.3).
        long fast = op.newCircId();
        op.send(new Cell(fast, CellCommand.CREATE_FAST, random(20)));
        op.expectDestroy(fast, DestroyReason.PROTOCOL);
        // The same link still makes circuits.
        assertLinkStillWorks(op);
    }

    @Test
    void createdWithBadAuthFailsTheClientCircuit() throws Exception {
        byte[] bridgeCerts = captureCerts(bridge.bridgeRelay().orPort());
        byte[][] sent = new byte[1][];
        try (FakeRelay fake = new FakeRelay(null)) {
            // The fake answers CREATE2 with a well-formed CREATED2 (a real point Y) whose AUTH it cannot know.
            fake.onCell = (ch, cell) -> {
                if (cell.command() == CellCommand.CREATE2) {
                    byte[] reply = new Ntor.Reply(Ntor.publicKey(random(32)), random(32)).encode();
                    sent[0] = reply;
                    ch.send(new Created2(reply).toCell(cell.circId()));
                }
            };

            // (a) WebSocket impersonation: the fake replays the real bridge's CERTS. A WebSocket link cannot
            // bind them, so the link opens, unauthenticated; ntor against the bridge's onion key is what
            // unmasks the impostor.
            fake.certs = digest -> CertsCell.decode(bridgeCerts);
            Op viaWs = Op.overWebSocket(fake.webSocket(), bridgeInfo.identity());
            assertFalse(onLoop(() -> viaWs.ch.isAuthenticated()));
            assertEquals("protocol error: ntor: AUTH does not verify", buildFails(viaWs, bridgeInfo));
            Ntor.Client again = Ntor.client(bridgeInfo.identity().rsaIdentity(), bridgeInfo.ntorKey(), random(32));
            HandshakeException e = assertThrows(HandshakeException.class, () -> again.finish(sent[0]));
            assertEquals(HandshakeException.Reason.BAD_AUTH, e.reason());
            assertFalse(viaWs.closed.isDone(), "the circuit failed, not the link");
            viaWs.close();

            // (b) Over TLS, a relay with honest certificates of its own but a bad AUTH.
            fake.certs = null;
            byte[] fakeNtorKey = Ntor.publicKey(random(32));
            RelayInfo fakeInfo = new RelayInfo("fake", fake.creds.identity(), fakeNtorKey,
                    List.of("tls://127.0.0.1:" + fake.port()), Set.of(), "reject *:*");
            Op viaTls = Op.overTls(fake.port(), fakeInfo);
            assertEquals("protocol error: ntor: AUTH does not verify", buildFails(viaTls, fakeInfo));
            Ntor.Client again2 = Ntor.client(fakeInfo.identity().rsaIdentity(), fakeNtorKey, random(32));
            assertEquals(HandshakeException.Reason.BAD_AUTH,
                    assertThrows(HandshakeException.class, () -> again2.finish(sent[0])).reason());
            assertFalse(viaTls.closed.isDone());
            viaTls.close();
        }
        assertBridgeServesEveryone();
    }

    /** Builds a one-hop {@link ClientCircuit} to {@code first} on {@code op}'s link; it must fail: the reason. */
    private static String buildFails(Op op, RelayInfo first) throws Exception {
        CompletableFuture<String> failed = new CompletableFuture<>();
        ClientCircuit circ = onLoop(() -> {
            ClientCircuit c = new ClientCircuit(op.ch, op.map, loop, RND::nextBytes, new BcRelayPrimitives(),
                    List.of(first), null, new ClientCircuit.Listener() {
                        @Override
                        public void built(ClientCircuit circuit) {
                            failed.completeExceptionally(new AssertionError("built against a bad AUTH"));
                        }

                        @Override
                        public void closed(ClientCircuit circuit, String reason) {
                            failed.complete(reason);
                        }
                    });
            c.start();
            return c;
        });
        String reason = observed("client circuit to a bad-AUTH relay", failed.get(T, TimeUnit.SECONDS));
        assertFalse(onLoop(circ::wasBuilt));
        return reason;
    }

    // ==== 5. Cells for unknown circuits; CircID of the wrong half =========================================

    @Test
    void cellsForUnknownCircuitsAreIgnored() throws Exception {
        Op op = Op.overWebSocket();
        long[] never = {0x80001234L, 0xfffffffeL, 0x80000001L};
        for (long id : never) {
            op.send(new Cell(id, CellCommand.RELAY, random(RelayCell.BODY_LEN)));
            op.send(new Cell(id, CellCommand.RELAY_EARLY, random(RelayCell.BODY_LEN)));
            op.send(new Cell(id, CellCommand.DESTROY, new byte[] {DestroyReason.FINISHED}));
            op.send(new Cell(id, CellCommand.CREATED2, new Created2(random(64)).encode()));
        }
        // Cells on a link arrive in order: had any of those been answered, the answer would come first.
        assertLinkStillWorks(op);
    }

    @Test
    void createWithACircIdOfTheWrongHalfClosesTheLink() throws Exception {
        Op op = Op.overWebSocket();
        byte[] x = random(32);
        Ntor.Client nc = Ntor.client(bridgeInfo.identity().rsaIdentity(), bridgeInfo.ntorKey(), x);
        // tor-spec §5.1.1: with link protocol >= 4 the initiator's CircIDs have the top bit set.
        op.send(new Create2(Ntor.HTYPE, nc.onionskin()).toCell(0x00000042L));
        String reason = observed("CREATE2 on the wrong CircID half", op.closed.get(T, TimeUnit.SECONDS));
        assertTrue(reason.contains("protocol error: CREATE with a CircID of the wrong half"), reason);
        assertTrue(op.cells.isEmpty(), "no CREATED2 for it: " + op.cells);
        assertBridgeServesEveryone();
    }

    @Test
    void aCircuitCellOnCircIdZeroClosesTheLink() throws Exception {
        Op op = Op.overWebSocket();
        op.send(new Cell(0, CellCommand.RELAY, random(RelayCell.BODY_LEN)));
        String reason = observed("RELAY on CircID 0", op.closed.get(T, TimeUnit.SECONDS));
        assertTrue(reason.contains("protocol error: RELAY cell on CircID 0 after the handshake"), reason);
        assertBridgeServesEveryone();
    }

    // ==== 6. SENDME abuse ===================================================================================

    @Test
    void unexpectedCircuitSendmeIsDestroyed() throws Exception {
        Op op = Op.overWebSocket();
        Circ c = op.create(bridgeInfo);
        // Nothing was sent to us: any circuit SENDME acknowledges data that never went.
        op.relay(c, 0, 0, Sendme.authenticated(random(20)), false);
        op.expectDestroy(c.id, DestroyReason.PROTOCOL);
        // A v0 (unauthenticated) one too, on a fresh circuit of the same link.
        Circ c2 = op.create(bridgeInfo);
        op.relay(c2, 0, 0, Sendme.unauthenticated(), false);
        op.expectDestroy(c2.id, DestroyReason.PROTOCOL);
        assertFalse(op.closed.isDone());
        op.close();
        assertBridgeServesEveryone();
    }

    @Test
    void circuitSendmeWithAWrongDigestIsDestroyed() throws Exception {
        // One hop straight to the exit over its TLS ORPort; 64 KiB from the local web server makes the exit
        // send well over 100 DATA cells, so it expects a SENDME carrying the digest after the 100th.
        Op op = Op.overTls(exitRelay.orPort(), exitInfo);
        // Control: with the right digest the whole file comes through (one SENDME after 100 cells).
        Circ honest = op.create(exitInfo);
        byte[] page = op.httpGet(honest, 0, "/file");
        assertArrayEquals(file, java.util.Arrays.copyOfRange(page, page.length - file.length, page.length));
        assertTrue(honest.sendmesSent >= 1, "SENDMEs sent: " + honest.sendmesSent);

        Circ c = op.create(exitInfo);
        c.autoSendme = false;
        op.relay(c, 0, 1, new org.onionpeer.cell.Begin("127.0.0.1", http.getAddress().getPort()), false);
        assertEquals(RelayCommand.CONNECTED, op.receiveRelay(c).command());
        op.relay(c, 0, 1, new Data(("GET /file HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII)),
                false);
        int data = 0;
        while (data < Window.CIRCUIT_INCREMENT) {
            RelayCell rc = op.receiveRelay(c);
            assertEquals(RelayCommand.DATA, rc.command(), "got " + RelayCommand.name(rc.command()));
            data++;
        }
        byte[] wrong = onLoop(() -> {
            byte[] d = new byte[20];
            c.crypto.backwardDigest(0, d, 0);
            d[0] ^= 1; // the right digest, one bit off
            return d;
        });
        op.relay(c, 0, 0, Sendme.authenticated(wrong), false);
        // DATA may still be in flight before the exit reads our SENDME; then DESTROY(PROTOCOL), and nothing
        // beyond the stream window (500 cells) ever came.
        Cell cell;
        int more = 0;
        while ((cell = op.take()).command() == CellCommand.RELAY) {
            more++;
        }
        assertTrue(data + more <= Window.STREAM_START, (data + more) + " DATA cells");
        assertDestroy(cell, c.id, DestroyReason.PROTOCOL);
        assertFalse(op.closed.isDone());
        op.close();
        assertBridgeServesEveryone();
    }

    @Test
    void streamSendmeFloodIsDestroyed() throws Exception {
        Op op = Op.overWebSocket();
        Circ c = op.create(bridgeInfo);
        op.relay(c, 0, 7, new BeginDir(), false);
        assertEquals(RelayCommand.CONNECTED, op.receiveRelay(c).command());
        // The stream has sent us nothing; a flood of stream SENDMEs would open its window without bound.
        for (int i = 0; i < 50; i++) {
            op.relay(c, 0, 7, Sendme.unauthenticated(), false);
        }
        op.expectDestroy(c.id, DestroyReason.PROTOCOL);
        assertFalse(op.closed.isDone());
        op.close();
        assertBridgeServesEveryone();
    }

    // ==== 7. RELAY_EARLY overuse ============================================================================

    @Test
    void ninthRelayEarlyIsDestroyed() throws Exception {
        Op op = Op.overWebSocket();
        Circ c = op.create(bridgeInfo);
        for (int i = 0; i < 9; i++) {
            op.relay(c, 0, 0, new Drop(), true);
        }
        // The first eight are within tor-spec §5.6's budget and answered with nothing; the ninth kills it.
        op.expectDestroy(c.id, DestroyReason.PROTOCOL);
        // Eight on another circuit are fine.
        Circ c2 = op.create(bridgeInfo);
        for (int i = 0; i < 8; i++) {
            op.relay(c2, 0, 0, new Drop(), true);
        }
        assertDirectory(op.fetchDirectory(c2, 0));
        op.close();
        assertBridgeServesEveryone();
    }

    // ==== 8. Resource limits ===============================================================================

    @Test
    void circuitsBeyondTheLinkLimitGetResourceLimit() throws Exception {
        Op op = Op.overWebSocket();
        List<Circ> circs = new ArrayList<>();
        for (int i = 0; i < MAX_CIRCUITS; i++) {
            circs.add(op.create(bridgeInfo));
        }
        for (int i = 0; i < 3; i++) {
            long id = op.newCircId();
            op.send(new Create2(Ntor.HTYPE, Ntor.client(bridgeInfo.identity().rsaIdentity(), bridgeInfo.ntorKey(),
                    random(32)).onionskin()).toCell(id));
            op.expectDestroy(id, DestroyReason.RESOURCELIMIT);
            onLoop(() -> {
                op.ch.releaseCircId(id);
                return null;
            });
        }
        // Closing one frees its slot.
        Circ gone = circs.remove(0);
        op.send(new Cell(gone.id, CellCommand.DESTROY, new byte[] {DestroyReason.REQUESTED}));
        onLoop(() -> {
            op.ch.releaseCircId(gone.id);
            return null;
        });
        Circ again = op.create(bridgeInfo);
        assertDirectory(op.fetchDirectory(again, 0));
        assertDirectory(op.fetchDirectory(circs.get(MAX_CIRCUITS - 2), 0));
        op.close();
        assertBridgeServesEveryone();
    }

    @Test
    void oneClientCannotFillTheBridgesLinkToAnotherRelay() throws Exception {
        // A client may open up to maxCircuits circuits on its own link and extend every one of them to the
        // same relay. They all ride the bridge's one link to that relay, which other clients share.
        RelayInfo target = bridge.relays().get(0).info();
        Op hog = Op.overWebSocket();
        for (int i = 0; i < MAX_CIRCUITS; i++) {
            Circ c = hog.create(bridgeInfo);
            hog.extend(c, target);
        }
        Op honest = Op.overWebSocket();
        Circ c = honest.create(bridgeInfo);
        honest.extend(c, target);
        assertDirectory(honest.fetchDirectory(c, 1));
        honest.close();
        hog.close();
        assertBridgeServesEveryone();
    }

    @Test
    void silentOrStalledHandshakesAreDroppedAfterTheTimeout() throws Exception {
        // WebSocket: upgrade, then say nothing.
        RawWs silent = RawWs.connect();
        long t0 = silent.connectedAt;
        String reason = silent.closed.get(T, TimeUnit.SECONDS);
        long wsMillis = (System.nanoTime() - t0) / 1_000_000;
        observed("silent WebSocket link", reason + " after " + wsMillis + " ms");
        assertTrue(reason.contains("link handshake timed out"), reason);
        assertTrue(wsMillis >= HANDSHAKE_TIMEOUT_MILLIS - 100 && wsMillis < HANDSHAKE_TIMEOUT_MILLIS + 3_000,
                "WebSocket link dropped after " + wsMillis + " ms");

        // TLS: a VERSIONS cell header claiming a 65535-byte body that never comes.
        try (SSLSocket s = TlsContexts.connect(TlsContexts.client(), "127.0.0.1", bridge.relays().get(1).orPort(),
                10_000)) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(T));
            long t1 = System.nanoTime();
            s.getOutputStream().write(new byte[] {0, 0, CellCommand.VERSIONS, (byte) 0xff, (byte) 0xff, 0, 4});
            s.getOutputStream().flush();
            long tlsMillis = readUntilClosed(s.getInputStream(), t1);
            observed("stalled VERSIONS over TLS", "closed after " + tlsMillis + " ms");
            assertTrue(tlsMillis >= HANDSHAKE_TIMEOUT_MILLIS - 100 && tlsMillis < HANDSHAKE_TIMEOUT_MILLIS + 3_000,
                    "TLS link dropped after " + tlsMillis + " ms");
        }
        assertBridgeServesEveryone();
    }

    @Test
    void tcpClientsThatNeverFinishTlsAreDroppedAfterTheTimeout() throws Exception {
        int port = bridge.relays().get(2).orPort();
        // Silent: connects, never sends a ClientHello.
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(T));
            long ms = readUntilClosed(s.getInputStream(), System.nanoTime());
            observed("silent TCP client on the ORPort", "closed after " + ms + " ms");
            assertTrue(ms >= HANDSHAKE_TIMEOUT_MILLIS - 100 && ms < HANDSHAKE_TIMEOUT_MILLIS + 3_000,
                    "silent TCP client dropped after " + ms + " ms");
        }
        // Dribbling: a TLS record header announcing a 512-byte ClientHello, then one byte per 200 ms read
        // timeout, each well within any per-read timeout. Only a deadline on the whole handshake stops it.
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            long t0 = System.nanoTime();
            s.setSoTimeout(200);
            s.getOutputStream().write(new byte[] {0x16, 3, 1, 0x02, 0x00});
            long ms = dribbleUntilClosed(s, t0);
            observed("dribbling ClientHello", "closed after " + ms + " ms");
            assertTrue(ms >= HANDSHAKE_TIMEOUT_MILLIS - 100 && ms < HANDSHAKE_TIMEOUT_MILLIS + 3_000,
                    "dribbling TCP client dropped after " + ms + " ms");
        }
        assertBridgeServesEveryone();
    }

    @Test
    void aFloodOfUnfinishedTlsHandshakesIsCapped() throws Exception {
        JvmRelay relay = bridge.relays().get(0);
        InetSocketAddress orPort = new InetSocketAddress("127.0.0.1", relay.orPort());
        List<Socket> flood = new ArrayList<>();
        try {
            // Unfinished handshakes hold no thread any more, but each holds a slot of the per-address cap (shared
            // with every other TLS link from 127.0.0.1, so the cap may bite even before the 64th).
            for (int i = 0; i < JvmRelay.DEFAULT_MAX_TLS_LINKS_PER_ADDRESS; i++) {
                Socket s = new Socket();
                flood.add(s);
                s.connect(orPort, 5_000);
            }
            Socket extra = new Socket();
            flood.add(extra);
            extra.connect(orPort, 5_000);
            extra.setSoTimeout((int) TimeUnit.SECONDS.toMillis(T));
            long ms = readUntilClosed(extra.getInputStream(), System.nanoTime());
            observed("TLS connection over the per-address cap", "closed after " + ms + " ms");
            assertTrue(ms < HANDSHAKE_TIMEOUT_MILLIS / 2, "a connection over the cap lasted " + ms + " ms");
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        // The flood gone (the relay sees each socket close at once), honest TLS links are taken again.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        Op op = null;
        while (op == null) {
            try {
                op = Op.overTls(relay.orPort(), relay.info());
            } catch (IOException e) {
                assertTrue(System.nanoTime() < deadline, "no TLS link after the flood: " + e);
            }
        }
        Circ c = op.create(relay.info());
        assertDirectory(op.fetchDirectory(c, 0));
        op.close();
        assertBridgeServesEveryone();
    }

    // ==== the well-behaved clients ==========================================================================

    /** The abused link itself still makes a working circuit; then everyone else is checked too. */
    private static void assertLinkStillWorks(Op op) throws Exception {
        Circ c = op.create(bridgeInfo);
        assertDirectory(op.fetchDirectory(c, 0));
        assertFalse(op.closed.isDone());
        op.close();
        assertBridgeServesEveryone();
    }

    /** The bystander's circuit still works, a fresh honest link works, and SOCKS through the proxy works. */
    private static void assertBridgeServesEveryone() throws Exception {
        assertFalse(bystander.closed.isDone(), () -> "bystander link closed: " + bystander.closed.getNow(""));
        assertDirectory(bystander.fetchDirectory(bystanderCirc, 0));

        Op fresh = Op.overWebSocket();
        Circ c = fresh.create(bridgeInfo);
        assertDirectory(fresh.fetchDirectory(c, 0));
        fresh.close();

        assertArrayEquals(file, socksFetch("/file"));
    }

    private static void assertDirectory(String httpResponse) {
        assertTrue(httpResponse.startsWith("HTTP/1.0 200 OK\r\n"), httpResponse);
        assertTrue(httpResponse.endsWith("\r\n\r\n" + bridge.directory().text()), "directory body differs");
    }

    /** SOCKS5 CONNECT to the local web server through the bridge's onion proxy, HTTP/1.0 GET. */
    private static byte[] socksFetch(String path) throws IOException {
        int port = http.getAddress().getPort();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", bridge.socksPort()), 5_000);
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(30));
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(new byte[] {5, 1, 0});
            assertArrayEquals(new byte[] {5, 0}, in.readNBytes(2));
            out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port});
            byte[] head = in.readNBytes(4);
            assertEquals(4, head.length);
            assertEquals(0, head[1], "SOCKS reply " + head[1]);
            int addrLen = head[3] == 1 ? 4 : head[3] == 4 ? 16 : in.read();
            in.readNBytes(addrLen + 2);
            out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] all = in.readAllBytes();
            int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(split > 0, "no HTTP header");
            String header = new String(all, 0, split, StandardCharsets.US_ASCII);
            assertTrue(header.startsWith("HTTP/1.1 200"), header);
            return java.util.Arrays.copyOfRange(all, split + 4, all.length);
        }
    }

    // ==== raw clients =======================================================================================

    /** One hand-driven circuit of an {@link Op}. */
    static final class Circ {
        long id;
        final ClientCircuitCrypto crypto = new ClientCircuitCrypto(new BcRelayPrimitives());
        /** Honest clients acknowledge every 100 DATA cells with an authenticated SENDME (prop289). */
        boolean autoSendme = true;
        int sendmesSent;
        final Window window = Window.circuit();
        int nextStream = 100;
    }

    /** A scripted onion proxy on one real link: cells by hand, recorded as they arrive. */
    static final class Op implements Channel.Handler {
        final java.util.concurrent.LinkedBlockingDeque<Cell> cells = new java.util.concurrent.LinkedBlockingDeque<>();
        final CompletableFuture<Channel> opened = new CompletableFuture<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        /** For circuits driven by a real {@link ClientCircuit}; other cells go to {@link #cells}. */
        final CircuitMap map = new CircuitMap();
        volatile Channel ch;

        static Op overWebSocket() throws Exception {
            return overWebSocket(bridge.server().linkUri(), bridgeInfo.identity());
        }

        static Op overWebSocket(java.net.URI uri, org.onionpeer.cert.RelayIdentity expected) throws Exception {
            CompletableFuture<WebSocketTransport> f = new CompletableFuture<>();
            ws.connect(uri, loop, new WebSocketConnector.Callback() {
                @Override
                public void connected(WebSocketTransport transport) {
                    f.complete(transport);
                }

                @Override
                public void failed(String message, int httpStatus) {
                    f.completeExceptionally(new IOException(message + " (HTTP " + httpStatus + ")"));
                }
            });
            WebSocketTransport t = f.get(T, TimeUnit.SECONDS);
            Op op = new Op();
            // No binding: a CERTS cell over WebSocket proves nothing; the identity is still checked.
            onLoop(() -> op.ch = Channel.initiate(t, loop, RND::nextBytes, op, null, null, expected, null));
            op.opened.get(T, TimeUnit.SECONDS);
            return op;
        }

        static Op overTls(int port, RelayInfo expected) throws Exception {
            CompletableFuture<Object[]> dialed = new CompletableFuture<>();
            new org.onionpeer.jvm.JvmDialer(loop, null).dial(org.onionpeer.link.LinkTarget.tls("127.0.0.1", port),
                    new org.onionpeer.link.Dialer.DialCallback() {
                        @Override
                        public void connected(org.onionpeer.transport.Transport t, LinkBinding b, IpAddress peer) {
                            dialed.complete(new Object[] {t, b, peer});
                        }

                        @Override
                        public void failed(String message) {
                            dialed.completeExceptionally(new IOException(message));
                        }
                    });
            Object[] d = dialed.get(T, TimeUnit.SECONDS);
            Op op = new Op();
            onLoop(() -> op.ch = Channel.initiate((org.onionpeer.transport.Transport) d[0], loop, RND::nextBytes, op,
                    null, (LinkBinding) d[1], expected.identity(), (IpAddress) d[2]));
            op.opened.get(T, TimeUnit.SECONDS);
            assertTrue(onLoop(() -> op.ch.isAuthenticated()));
            return op;
        }

        @Override
        public void opened(Channel channel) {
            opened.complete(channel);
        }

        @Override
        public void cell(Channel channel, Cell cell) {
            CircuitMap.Endpoint e = map.get(channel, cell.circId());
            if (e != null) {
                e.onCell(channel, cell);
            } else {
                cells.add(cell);
            }
        }

        @Override
        public void closed(Channel channel, String reason) {
            map.channelClosed(channel);
            closed.complete(reason);
            opened.completeExceptionally(new IOException("link closed: " + reason));
        }

        void close() throws Exception {
            onLoop(() -> {
                ch.close("done");
                return null;
            });
        }

        long newCircId() throws Exception {
            long id = onLoop(() -> ch.allocateCircId());
            assertNotEquals(0L, id);
            return id;
        }

        void send(Cell c) throws Exception {
            onLoop(() -> {
                ch.send(c);
                return null;
            });
        }

        Cell take() throws InterruptedException {
            Cell c = cells.poll(T, TimeUnit.SECONDS);
            assertNotNull(c, () -> "no cell within " + T + " s; link " + (closed.isDone() ? "closed: "
                    + closed.getNow("") : "open"));
            return c;
        }

        void expectDestroy(long circId, int reason) throws Exception {
            assertDestroy(take(), circId, reason);
        }

        Circ create(RelayInfo r) throws Exception {
            Circ c = new Circ();
            c.id = newCircId();
            Ntor.Client nc = Ntor.client(r.identity().rsaIdentity(), r.ntorKey(), random(32));
            send(new Create2(Ntor.HTYPE, nc.onionskin()).toCell(c.id));
            Cell reply = take();
            assertEquals(CellCommand.CREATED2, reply.command(), () -> describe(reply));
            assertEquals(c.id, reply.circId());
            onLoop(() -> c.crypto.addHop(nc.finish(Created2.decode(reply.payload()).handshakeData())));
            return c;
        }

        void relay(Circ c, int hop, int streamId, RelayMessage m, boolean early) throws Exception {
            onLoop(() -> {
                byte[] body = RelayCell.of(streamId, m).encode(PaddingSource.ZEROS);
                c.crypto.encrypt(body, 0, hop);
                ch.send(new Cell(c.id, early ? CellCommand.RELAY_EARLY : CellCommand.RELAY, body));
                return null;
            });
        }

        /** The next cell, which must be a RELAY cell of {@code c} we can decrypt. */
        RelayCell receiveRelay(Circ c) throws Exception {
            Cell cell = take();
            assertEquals(CellCommand.RELAY, cell.command(), () -> describe(cell));
            assertEquals(c.id, cell.circId());
            return onLoop(() -> {
                byte[] body = cell.payload();
                int hop = c.crypto.decrypt(body, 0);
                assertNotEquals(ClientCircuitCrypto.NOT_RECOGNIZED, hop, "unrecognized relay cell");
                RelayCell rc = RelayCell.decode(body);
                if (rc.command() == RelayCommand.DATA && c.autoSendme) {
                    c.window.delivered();
                    if (c.window.sendmeDue()) {
                        byte[] d = new byte[Window.DIGEST_LEN];
                        c.crypto.backwardDigest(hop, d, 0);
                        c.window.sendmeSent();
                        c.sendmesSent++;
                        byte[] sendme = RelayCell.of(0, Sendme.authenticated(d)).encode(PaddingSource.ZEROS);
                        c.crypto.encrypt(sendme, 0, hop);
                        ch.send(new Cell(c.id, CellCommand.RELAY, sendme));
                    }
                }
                return rc;
            });
        }

        /** RELAY_EARLY EXTEND2 from the last hop to {@code r}; expects EXTENDED2. */
        void extend(Circ c, RelayInfo r) throws Exception {
            Ntor.Client nc = Ntor.client(r.identity().rsaIdentity(), r.ntorKey(), random(32));
            int last = onLoop(() -> c.crypto.hopCount()) - 1;
            relay(c, last, 0, new org.onionpeer.cell.Extend2(ClientCircuit.linkSpecifiers(r), Ntor.HTYPE,
                    nc.onionskin()), true);
            Cell cell = take();
            assertEquals(CellCommand.RELAY, cell.command(), () -> "extending to " + r.nickname() + ": "
                    + describe(cell));
            cells.addFirst(cell);
            RelayCell rc = receiveRelay(c);
            assertEquals(RelayCommand.EXTENDED2, rc.command(), "got " + RelayCommand.name(rc.command()));
            byte[] hdata = ((org.onionpeer.cell.Extended2) rc.message()).handshakeData();
            onLoop(() -> c.crypto.addHop(nc.finish(hdata)));
        }

        /** BEGIN_DIR to hop {@code hop}, GET /tor/directory, the whole HTTP answer up to END(DONE). */
        String fetchDirectory(Circ c, int hop) throws Exception {
            int stream = c.nextStream++;
            relay(c, hop, stream, new BeginDir(), false);
            return new String(request(c, hop, stream, "/tor/directory"), StandardCharsets.US_ASCII);
        }

        /** BEGIN to the local web server from hop {@code hop} (an exit), GET {@code path}, the whole answer. */
        byte[] httpGet(Circ c, int hop, String path) throws Exception {
            int stream = c.nextStream++;
            relay(c, hop, stream, new org.onionpeer.cell.Begin("127.0.0.1", http.getAddress().getPort()), false);
            return request(c, hop, stream, path);
        }

        private byte[] request(Circ c, int hop, int stream, String path) throws Exception {
            RelayCell connected = receiveRelay(c);
            assertEquals(RelayCommand.CONNECTED, connected.command(), "got " + RelayCommand.name(connected.command()));
            relay(c, hop, stream, new Data(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)), false);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (true) {
                RelayCell rc = receiveRelay(c);
                assertEquals(stream, rc.streamId());
                if (rc.command() == RelayCommand.END) {
                    assertEquals(EndReason.DONE, ((End) rc.message()).reason());
                    return got.toByteArray();
                }
                assertEquals(RelayCommand.DATA, rc.command(), "got " + RelayCommand.name(rc.command()));
                got.write(rc.data(), 0, rc.data().length);
            }
        }
    }

    /** A bare WebSocket link transport from our connector, its close reason recorded. */
    static final class RawWs implements Transport.Listener {
        final CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocketTransport t;
        long connectedAt;

        static RawWs connect() throws Exception {
            RawWs r = new RawWs();
            CompletableFuture<WebSocketTransport> f = new CompletableFuture<>();
            ws.connect(bridge.server().linkUri(), loop, new WebSocketConnector.Callback() {
                @Override
                public void connected(WebSocketTransport transport) {
                    r.connectedAt = System.nanoTime();
                    transport.setListener(r);
                    f.complete(transport);
                }

                @Override
                public void failed(String message, int httpStatus) {
                    f.completeExceptionally(new IOException(message + " (HTTP " + httpStatus + ")"));
                }
            });
            r.t = f.get(T, TimeUnit.SECONDS);
            return r;
        }

        @Override
        public void onData(byte[] data) {
            // The bridge may answer VERSIONS etc. before it closes; only the close matters here.
        }

        @Override
        public void onClosed(String reason) {
            closed.complete(reason);
        }
    }

    /** A plain Jetty client endpoint (public: Jetty binds endpoint methods through a public lookup). */
    public static final class RawPeer extends Session.Listener.AbstractAutoDemanding {
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        volatile String closeReason = "";

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closeReason = String.valueOf(reason);
            closeCode.complete(statusCode);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // Expected when the bridge closes us; the close code is what the test looks at.
        }
    }

    /**
     * A fake relay on its own TLS ORPort and loop: a link responder with fresh keys that presents whatever
     * CERTS cell {@link #certs} makes for the link digest (null: its own honest, correctly bound certs) and
     * hands circuit cells to {@link #onCell}.
     */
    static final class FakeRelay implements AutoCloseable, Channel.Handler {
        interface CellHandler {
            void cell(Channel ch, Cell cell);
        }

        final EventLoop fakeLoop = new EventLoop("fake-relay");
        final RelayCredentials creds;
        final TlsIdentity tls;
        final org.onionpeer.jvm.net.TcpServer server;
        final CompletableFuture<String> linkClosed = new CompletableFuture<>();
        volatile Function<byte[], CertsCell> certs;
        volatile CellHandler onCell = (ch, cell) -> { };
        private BridgeServer wsServer;

        FakeRelay(Function<byte[], CertsCell> certs) throws Exception {
            this.certs = certs;
            long now = System.currentTimeMillis() / 1000;
            creds = RelayCredentials.create(RelayKeys.generate(RND), now);
            tls = TlsIdentity.create(creds, RND, now);
            org.onionpeer.jvm.net.TcpServer.Options o = new org.onionpeer.jvm.net.TcpServer.Options();
            o.tls = tls.sslContext();
            server = new org.onionpeer.jvm.net.TcpServer(o, ch -> {
                TcpTransport t = TcpTransport.attach(ch, fakeLoop);
                IpAddress peer = IpAddress.of(ch.remoteAddress().getAddress().getAddress());
                fakeLoop.execute(() -> Channel.accept(t, fakeLoop, RND::nextBytes, this, null,
                        certsFor(tls.linkDigest(), true), peer, null));
            });
        }

        int port() {
            return server.port();
        }

        /** Also accept links over WebSocket (a bridge endpoint of its own); its link URI. */
        java.net.URI webSocket() throws Exception {
            if (wsServer == null) {
                wsServer = new BridgeServer(new BridgeServer.Options().port(0), fakeLoop, null,
                        t -> Channel.accept(t, fakeLoop, RND::nextBytes, this, null, certsFor(random(32), false),
                                null, null));
                wsServer.start();
            }
            return wsServer.linkUri();
        }

        private CertsCell certsFor(byte[] digest, boolean tlsLink) {
            Function<byte[], CertsCell> f = certs;
            CertsCell c = f == null ? null : f.apply(digest);
            return c != null ? c
                    : creds.certsCell(digest, tlsLink ? tls.certificate() : null, fakeLoop.epochSeconds());
        }

        String identityFingerprint() {
            return creds.identity().fingerprint();
        }

        @Override
        public void opened(Channel channel) {
        }

        @Override
        public void cell(Channel channel, Cell cell) {
            onCell.cell(channel, cell);
        }

        @Override
        public void closed(Channel channel, String reason) {
            linkClosed.complete(reason);
        }

        @Override
        public void close() throws IOException {
            server.close();
            if (wsServer != null) {
                wsServer.close();
            }
            fakeLoop.close();
        }
    }

    /** Makes the bridge's own relay dial {@code target} through its real link manager; the failure reason. */
    private static String bridgeDials(RelayInfo target) throws Exception {
        JvmRelay b = bridge.bridgeRelay();
        CompletableFuture<String> outcome = new CompletableFuture<>();
        b.loop().execute(() -> b.node().links().connect(target, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                outcome.completeExceptionally(new AssertionError("linked to a fake: " + channel));
            }

            @Override
            public void failed(String reason) {
                outcome.complete(reason);
            }
        }));
        return outcome.get(T, TimeUnit.SECONDS);
    }

    /** A relay's CERTS cell payload, as any client that opens a link to it receives it. */
    private static byte[] captureCerts(int orPort) throws Exception {
        try (SSLSocket s = TlsContexts.connect(TlsContexts.client(), "127.0.0.1", orPort, 10_000)) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(T));
            s.getOutputStream().write(LinkVersions.ours().toCell(0).encode(LinkFormat.INITIAL));
            s.getOutputStream().flush();
            CellReader r = new CellReader();
            byte[] buf = new byte[4096];
            InputStream in = s.getInputStream();
            while (true) {
                Cell c;
                while ((c = r.next()) != null) {
                    if (c.command() == CellCommand.VERSIONS) {
                        r.setLinkVersion(LinkVersions.negotiate(Versions.decode(c.payload())));
                    } else if (c.command() == CellCommand.CERTS) {
                        return c.payload();
                    }
                }
                int n = in.read(buf);
                if (n < 0) {
                    fail("relay closed before its CERTS cell");
                }
                r.push(buf, 0, n);
            }
        }
    }

    // ==== small helpers =====================================================================================

    /** Reads until the peer closes (EOF or reset); returns milliseconds since {@code t0}. */
    private static long readUntilClosed(InputStream in, long t0) {
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // the relay's VERSIONS/CERTS/... before it closes, if any
            }
        } catch (java.net.SocketTimeoutException e) {
            fail("the relay kept the connection open for " + T + " s");
        } catch (IOException e) {
            // reset by the peer: closed as well
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Sends one byte per read timeout until the peer closes; returns milliseconds since {@code t0}. */
    private static long dribbleUntilClosed(Socket s, long t0) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(T)) {
            try {
                if (in.read() < 0) {
                    break;
                }
            } catch (java.net.SocketTimeoutException e) {
                try {
                    out.write(1);
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
            } catch (IOException reset) {
                break;
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < TimeUnit.SECONDS.toMillis(T), "the relay kept a dribbling handshake for " + T + " s");
        return ms;
    }

    /** Prints what a hostile case observed (for the log) and returns it. */
    private static String observed(String what, String reason) {
        System.out.println("[hostile] " + what + ": " + reason);
        return reason;
    }

    private static void assertDestroy(Cell cell, long circId, int reason) {
        observed("DESTROY", describe(cell));
        assertEquals(CellCommand.DESTROY, cell.command(), () -> describe(cell));
        assertEquals(circId, cell.circId(), () -> describe(cell));
        assertEquals(DestroyReason.name(reason), DestroyReason.name(Destroy.decode(cell.payload()).reason()));
    }

    private static String describe(Cell c) {
        String s = CellCommand.name(c.command()) + " on CircID " + Long.toHexString(c.circId());
        if (c.command() == CellCommand.DESTROY && c.payloadLength() > 0) {
            s += " (" + DestroyReason.name(Destroy.decode(c.payload()).reason()) + ")";
        }
        return s;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RND.nextBytes(b);
        return b;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static <V> V onLoop(Callable<V> c) throws Exception {
        return onLoop(loop, c);
    }

    /** Runs {@code c} on {@code l}'s thread and waits (bounded) for its result. */
    static <V> V onLoop(EventLoop l, Callable<V> c) throws Exception {
        return l.call(c, T);
    }

    static void onLoop(Runnable r) throws Exception {
        onLoop(loop, () -> {
            r.run();
            return null;
        });
    }
}
