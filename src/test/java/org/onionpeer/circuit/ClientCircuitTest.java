package org.onionpeer.circuit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.Begin;
import org.onionpeer.cell.Connected;
import org.onionpeer.cell.End;
import org.onionpeer.cell.Data;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.LinkSpecifier;
import org.onionpeer.cell.PaddingSource;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.RelayMessage;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.node.Node;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Transport;

/** The onion proxy's circuits and streams against a scripted relay that plays all hops. */
class ClientCircuitTest {
    private final ManualScheduler sched = new ManualScheduler();
    private ScriptedRelay relay;
    private Node node;

    /** Records a circuit's events. */
    static final class CircuitEvents implements ClientCircuit.Listener {
        int built;
        final List<String> closed = new ArrayList<>();

        @Override
        public void built(ClientCircuit circuit) {
            built++;
        }

        @Override
        public void closed(ClientCircuit circuit, String reason) {
            closed.add(reason);
        }
    }

    /** Records a stream's events and data. */
    static final class StreamEvents implements ClientStream.ConnectListener, Transport.Listener {
        ClientStream connected;
        ClientStream stream;
        int failedReason = -1;
        String failedMessage;
        boolean retryable;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<String> closed = new ArrayList<>();

        @Override
        public void connected(ClientStream s) {
            connected = s;
            s.setListener(this);
        }

        @Override
        public void failed(ClientStream s, int endReason, String message, boolean retryable) {
            failedReason = endReason;
            failedMessage = message;
            this.retryable = retryable;
        }

        @Override
        public void onData(byte[] d) {
            data.write(d, 0, d.length);
        }

        @Override
        public void onClosed(String reason) {
            closed.add(reason);
        }
    }

    private void setUp(boolean authenticated) {
        relay = new ScriptedRelay(sched, 2);
        node = new Node(sched, ScriptedRelay.ENTROPY, relay.dialer(authenticated), null);
    }

    private Channel link() {
        return openLink(sched, node, relay.hops.get(0).info);
    }

    /** A link from {@code node} to {@code first}, opened by running the scheduler until idle. */
    static Channel openLink(ManualScheduler sched, Node node, RelayInfo first) {
        Channel[] got = new Channel[1];
        node.links().connect(first, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                got[0] = channel;
            }

            @Override
            public void failed(String reason) {
                throw new AssertionError(reason);
            }
        });
        sched.runUntilIdle();
        assertNotNull(got[0]);
        return got[0];
    }

    private ClientCircuit circuit(Channel ch, List<RelayInfo> path, CircuitOptions o, CircuitEvents ev) {
        ClientCircuit c = new ClientCircuit(ch, node.circuits(), sched, ScriptedRelay.ENTROPY, new BcRelayPrimitives(),
                path, o, ev);
        c.start();
        sched.runUntilIdle();
        return c;
    }

    private ClientCircuit built(CircuitEvents ev) {
        ClientCircuit c = circuit(link(), relay.relayInfos(), null, ev);
        assertTrue(c.isOpen(), "built: " + c.closeReason());
        return c;
    }

    private StreamEvents stream(ClientCircuit c, String host) {
        StreamEvents se = new StreamEvents();
        se.stream = c.begin(host, 80, se);
        sched.runUntilIdle();
        return se;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        ScriptedRelay.RND.nextBytes(b);
        return b;
    }

    @Test
    void threeHopCircuitIsBuiltWithNtorAndAgreeingKeys() {
        setUp(false);
        CircuitEvents ev = new CircuitEvents();
        Channel ch = link();
        int linkTimers = sched.pendingTimers(); // the links' keepalive timers stay
        ClientCircuit c = circuit(ch, relay.relayInfos(), null, ev);
        assertTrue(c.isOpen(), "built: " + c.closeReason());
        assertEquals(1, ev.built);
        assertEquals(3, c.hopCount());
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        for (int i = 0; i < 3; i++) {
            assertTrue(c.hopKeys(i).sameAs(rc.keys.get(i)), "hop " + i + " keys agree");
        }
        assertFalse(rc.usedCreateFast);
        assertFalse(c.usedCreateFast());
        assertEquals(2, rc.relayEarly, "one RELAY_EARLY per EXTEND2");
        assertEquals(2, c.relayEarlySent());
        // tor-spec §5.1.2 order: 00 (the tls:// IPv4 address), 02, 03.
        List<LinkSpecifier> specs = rc.extendSpecifiers.get(0);
        assertEquals(3, specs.size());
        assertEquals(LinkSpecifier.TYPE_IPV4, specs.get(0).type());
        assertEquals("10.0.0.2", specs.get(0).address().toString());
        assertEquals(9001, specs.get(0).port());
        assertEquals(LinkSpecifier.TYPE_RSA_ID, specs.get(1).type());
        assertArrayEquals(relay.hops.get(1).identity.rsaIdentity(), specs.get(1).identity());
        assertEquals(LinkSpecifier.TYPE_ED25519_ID, specs.get(2).type());
        assertArrayEquals(relay.hops.get(1).identity.ed25519Identity(), specs.get(2).identity());
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
        assertEquals(linkTimers, sched.pendingTimers(), "build timer cancelled");
    }

    @Test
    void linkSpecifiersSkipAddressesThatAreNotTlsIpv4() {
        assertNull(ClientCircuit.tlsIpv4("ws://10.0.0.1:80/tor"));
        assertNull(ClientCircuit.tlsIpv4("tls://relay.example:443"));
        assertNull(ClientCircuit.tlsIpv4("tls://10.0.0.256:443"));
        assertNull(ClientCircuit.tlsIpv4("tls://10.0.0.1:0"));
        assertNull(ClientCircuit.tlsIpv4("tls://10.0.0.1"));
        assertNull(ClientCircuit.tlsIpv4("inproc:x"));
        LinkSpecifier s = ClientCircuit.tlsIpv4("tls://192.0.2.1:65535");
        assertEquals("192.0.2.1", s.address().toString());
        assertEquals(65535, s.port());
    }

    @Test
    void createFastIsRefusedOnAnUnauthenticatedLink() {
        setUp(false);
        CircuitOptions o = new CircuitOptions();
        o.allowCreateFast = true;
        Channel ch = link();
        assertFalse(ch.isAuthenticated());
        ClientCircuit c = circuit(ch, relay.relayInfos(), o, new CircuitEvents());
        assertTrue(c.isOpen());
        assertFalse(c.usedCreateFast());
        assertFalse(relay.circuit(c.circId()).usedCreateFast, "the relay saw CREATE2, not CREATE_FAST");
    }

    @Test
    void createFastOnAnAuthenticatedLinkOnlyWhenAllowed() {
        setUp(true);
        Channel ch = link();
        assertTrue(ch.isAuthenticated());
        CircuitOptions o = new CircuitOptions();
        o.allowCreateFast = true;
        ClientCircuit fast = circuit(ch, relay.relayInfos(), o, new CircuitEvents());
        assertTrue(fast.isOpen());
        assertTrue(fast.usedCreateFast());
        ScriptedRelay.RCirc rc = relay.circuit(fast.circId());
        assertTrue(rc.usedCreateFast);
        for (int i = 0; i < 3; i++) {
            assertTrue(fast.hopKeys(i).sameAs(rc.keys.get(i)));
        }
        ClientCircuit ntor = circuit(ch, relay.relayInfos(), new CircuitOptions(), new CircuitEvents());
        assertTrue(ntor.isOpen());
        assertFalse(relay.circuit(ntor.circId()).usedCreateFast, "not allowed: ntor even on TLS");
    }

    /** Hop 0 as a DirAuthority line describes it: RSA fingerprint and address, no Ed25519 identity, no ntor key. */
    private RelayInfo firstHopByFingerprint() {
        RelayInfo full = relay.hops.get(0).info;
        return new RelayInfo(full.nickname(), org.onionpeer.cert.RelayIdentity.rsaOnly(full.identity().rsaIdentity()),
                null, full.addresses(), full.flags(), null);
    }

    private Channel linkTo(RelayInfo r) {
        Channel[] got = new Channel[1];
        String[] failed = new String[1];
        node.links().connect(r, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                got[0] = channel;
            }

            @Override
            public void failed(String reason) {
                failed[0] = reason;
            }
        });
        sched.runUntilIdle();
        assertNotNull(got[0], "link: " + failed[0]);
        return got[0];
    }

    @Test
    void relayKnownOnlyByFingerprintTakesACreateFastHopOnAnAuthenticatedLink() {
        setUp(true);
        RelayInfo auth = firstHopByFingerprint();
        Channel ch = linkTo(auth);
        assertEquals(relay.hops.get(0).info.identity(), ch.peerIdentity(), "CERTS supplied the Ed25519 identity");
        assertSame(ch, linkTo(relay.hops.get(0).info), "the full identity reuses the link");
        CircuitOptions o = new CircuitOptions();
        o.allowCreateFast = true;
        ClientCircuit c = circuit(ch, List.of(auth), o, new CircuitEvents());
        assertTrue(c.isOpen(), "built: " + c.closeReason());
        assertTrue(c.usedCreateFast());
        assertTrue(c.hopKeys(0).sameAs(relay.circuit(c.circId()).keys.get(0)));
    }

    @Test
    void relayWithoutNtorKeyNeedsCreateFast() {
        setUp(false);
        RelayInfo auth = firstHopByFingerprint();
        Channel ch = linkTo(auth);
        CircuitOptions o = new CircuitOptions();
        o.allowCreateFast = true;
        CircuitEvents ev = new CircuitEvents();
        ClientCircuit c = circuit(ch, List.of(auth), o, ev);
        assertTrue(c.isClosed());
        assertTrue(c.closeReason().contains("no ntor key"), c.closeReason());
        assertEquals(0, c.circId(), "nothing was sent");
        assertEquals(0, ch.circuitCount());
    }

    /** An answer that does not fit the handshake in flight (or comes when none is) closes the circuit, saying so. */
    @Test
    void handshakeAnswersThatDoNotFitThePendingHopCloseTheCircuit() {
        setUp(true);
        relay.silent = true;
        Channel ch = link();
        // CREATE2 (ntor) in flight, CREATED_FAST comes.
        CircuitEvents ev = new CircuitEvents();
        ClientCircuit c = circuit(ch, relay.relayInfos(), null, ev);
        assertEquals(ClientCircuit.State.BUILDING, c.state());
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        rc.channel.send(new Cell(rc.circId, CellCommand.CREATED_FAST, new byte[40]));
        sched.runUntilIdle();
        assertEquals(List.of("protocol error: CREATED_FAST answers a CREATE2"), ev.closed);
        // CREATE_FAST in flight, CREATED2 comes.
        CircuitOptions o = new CircuitOptions();
        o.allowCreateFast = true;
        CircuitEvents evFast = new CircuitEvents();
        ClientCircuit fast = circuit(ch, relay.relayInfos(), o, evFast);
        assertTrue(fast.usedCreateFast());
        rc = relay.circuit(fast.circId());
        rc.channel.send(new Cell(rc.circId, CellCommand.CREATED2, new byte[2]));
        sched.runUntilIdle();
        assertEquals(List.of("protocol error: CREATED2 answers a CREATE_FAST"), evFast.closed);
        relay.silent = false;
        // Built: no handshake in flight, CREATED2 or EXTENDED2 come.
        CircuitEvents evBuilt = new CircuitEvents();
        ClientCircuit b = built(evBuilt);
        rc = relay.circuit(b.circId());
        rc.channel.send(new Cell(rc.circId, CellCommand.CREATED2, new byte[2]));
        sched.runUntilIdle();
        assertEquals(List.of("protocol error: CREATED2 after the first hop was made"), evBuilt.closed);
        CircuitEvents evExt = new CircuitEvents();
        ClientCircuit e = built(evExt);
        rc = relay.circuit(e.circId());
        relay.sendRaw(rc, 2, new RelayCell(RelayCommand.EXTENDED2, 0, new byte[2]).encode(PaddingSource.ZEROS));
        sched.runUntilIdle();
        assertEquals(List.of("protocol error: unexpected EXTENDED2"), evExt.closed);
        assertTrue(ch.isOpen(), "only those circuits went");
    }

    @Test
    void buildTimesOutAndDestroysTheCircuit() {
        setUp(false);
        relay.silent = true;
        CircuitEvents ev = new CircuitEvents();
        ClientCircuit c = circuit(link(), relay.relayInfos(), null, ev);
        assertEquals(ClientCircuit.State.BUILDING, c.state());
        sched.advance(59_999);
        assertEquals(ClientCircuit.State.BUILDING, c.state());
        sched.advance(2);
        assertTrue(c.isClosed());
        assertEquals(1, ev.closed.size());
        assertTrue(ev.closed.get(0).contains("timed out"), ev.closed.get(0));
        assertTrue(ev.closed.get(0).contains("0 of 3 hops"), ev.closed.get(0));
        assertEquals(DestroyReason.NONE, relay.circuits.get(0).destroyReasonReceived, "an OP sends DESTROY NONE");
        assertNull(node.circuits().get(c.channel(), c.circId()));
        assertFalse(c.channel().hasCircuit(c.circId()), "CircID released");
        assertEquals(0, ev.built);
    }

    @Test
    void streamEchoesTwoMegabytesWithSendmesBothWays() throws Exception {
        setUp(false);
        ClientCircuit c = built(new CircuitEvents());
        StreamEvents se = stream(c, "echo.example");
        assertNotNull(se.connected);
        assertEquals("192.0.2.7", se.connected.connectedMessage().address().toString());
        byte[] payload = random(2 << 20);
        se.connected.send(payload);
        assertTrue(se.connected.bufferedAmount() > 0, "windows hold the rest back");
        sched.runUntilIdle();
        assertEquals(0, se.connected.bufferedAmount());
        assertEquals(payload.length, se.data.size());
        assertArrayEquals(sha256(payload), sha256(se.data.toByteArray()));
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        int cells = (payload.length + 497) / 498;
        assertTrue(cells > 4000);
        // Both directions carried more DATA than one window, so authenticated SENDMEs had to flow both ways.
        assertEquals(cells / 100, rc.circuitSendmesReceived, "OP -> relay circuit SENDMEs (v1, checked)");
        assertEquals(cells / 100, rc.circuitSendmesSent, "relay -> OP circuit SENDMEs (v1, checked)");
        ScriptedRelay.RStream rs = rc.streams.values().iterator().next();
        assertEquals(cells / 50, rs.sendmesReceived, "OP -> exit stream SENDMEs");
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
        assertTrue(c.isOpen());
        se.connected.close("done");
        sched.runUntilIdle();
        assertEquals(Collections.singletonList(EndReason.DONE), relay.endsReceived);
        assertEquals(Collections.singletonList("done"), se.closed);
        assertEquals(0, c.streamCount());
    }

    @Test
    void wrongSendmeDigestFromTheRelayKillsTheCircuit() {
        setUp(false);
        relay.badSendmeDigest = true;
        CircuitEvents ev = new CircuitEvents();
        ClientCircuit c = built(ev);
        StreamEvents se = stream(c, "echo.example");
        se.connected.send(random(150 * 498));
        sched.runUntilIdle();
        assertTrue(c.isClosed());
        assertTrue(ev.closed.get(0).contains("SENDME digest"), ev.closed.get(0));
        assertEquals(1, se.closed.size());
        assertEquals(EndReason.DESTROY, se.connected.endReason());
        assertEquals(DestroyReason.NONE, relay.circuits.get(0).destroyReasonReceived);
    }

    @Test
    void pauseReadingStopsTheExitAndResumingDeliversEverything() throws Exception {
        setUp(false);
        ClientCircuit c = built(new CircuitEvents());
        StreamEvents se = stream(c, "echo.example");
        ClientStream s = se.connected;
        ScriptedRelay.RStream rs = relay.circuit(c.circId()).streams.get(s.streamId());
        s.pauseReading(true);
        byte[] payload = random(1200 * 498);
        s.send(payload);
        sched.runUntilIdle();
        assertEquals(0, rs.window.packageWindow(), "the exit's stream package window ran empty");
        assertEquals(0, rs.minPackageWindow);
        assertEquals(0, rs.sendmesReceived, "no stream SENDME while paused");
        assertEquals(0, se.data.size(), "nothing delivered while paused");
        assertEquals(500L * 498, s.queuedInbound(), "held data is bounded by one stream window");
        assertEquals(0, s.deliverWindow());
        sched.advance(60_000);
        assertEquals(0, rs.sendmesReceived, "still nothing acknowledged");
        s.pauseReading(false);
        sched.runUntilIdle();
        assertEquals(payload.length, se.data.size());
        assertArrayEquals(sha256(payload), sha256(se.data.toByteArray()));
        assertTrue(rs.sendmesReceived > 0);
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void destroyFromTheNetworkEndsStreamsOnce() {
        setUp(false);
        CircuitEvents ev = new CircuitEvents();
        ClientCircuit c = built(ev);
        StreamEvents a = stream(c, "a.example");
        StreamEvents b = stream(c, "b.example");
        relay.destroy(relay.circuit(c.circId()), DestroyReason.FINISHED);
        sched.runUntilIdle();
        assertTrue(c.isClosed());
        assertEquals(Collections.singletonList("destroyed by the network: FINISHED"), ev.closed);
        assertEquals(1, a.closed.size());
        assertEquals(1, b.closed.size());
        assertEquals(EndReason.DESTROY, a.connected.endReason());
        assertTrue(a.closed.get(0).contains("FINISHED"), a.closed.get(0));
        a.connected.send(new byte[10]); // sending on a dead stream is a no-op
        a.connected.close("x");
        sched.runUntilIdle();
        assertEquals(1, a.closed.size());
        assertNull(node.circuits().get(c.channel(), c.circId()));
    }

    @Test
    void truncatedKillsTheCircuit() {
        setUp(false);
        CircuitEvents ev = new CircuitEvents();
        ClientCircuit c = built(ev);
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        relay.send(rc, 1, 0, new org.onionpeer.cell.Truncated(DestroyReason.CHANNEL_CLOSED));
        sched.runUntilIdle();
        assertTrue(c.isClosed());
        assertTrue(ev.closed.get(0).startsWith("truncated after hop 2: CHANNEL_CLOSED"), ev.closed.get(0));
        assertEquals(DestroyReason.NONE, rc.destroyReasonReceived, "the rest of the circuit is torn down");
    }

    @Test
    void garbageRelayCellsCloseOnlyThatCircuit() throws Exception {
        setUp(false);
        CircuitEvents ea = new CircuitEvents();
        CircuitEvents eb = new CircuitEvents();
        ClientCircuit a = built(ea);
        ClientCircuit b = circuit(a.channel(), relay.relayInfos(), null, eb);
        assertTrue(b.isOpen());
        StreamEvents sa = stream(a, "a.example");
        relay.sendGarbage(relay.circuit(a.circId()));
        sched.runUntilIdle();
        assertTrue(a.isClosed());
        assertEquals("protocol error: relay cell recognized by no hop", ea.closed.get(0));
        assertEquals(1, sa.closed.size());
        assertTrue(b.isOpen());
        assertTrue(a.channel().isOpen(), "the link survives");
        StreamEvents sb = stream(b, "b.example");
        byte[] p = random(5000);
        sb.connected.send(p);
        sched.runUntilIdle();
        assertArrayEquals(p, sb.data.toByteArray());
    }

    @Test
    void badMessagesFromARecognizingHopCloseTheCircuitWithAReason() {
        setUp(false);
        String[] expect = {"exceeds 498", "CONNECTED too short", "without a stream", "inbound RELAY_EARLY",
            "from hop 1 of 3", "unknown SENDME version", "unexpected SENDME"};
        for (int i = 0; i < expect.length; i++) {
            CircuitEvents ev = new CircuitEvents();
            ClientCircuit c = built(ev);
            ScriptedRelay.RCirc rc = relay.circuit(c.circId());
            StreamEvents se = stream(c, "x.example");
            int sid = se.connected.streamId();
            switch (i) {
                case 0: {
                    byte[] body = new RelayCell(RelayCommand.DATA, sid, new byte[10]).encode(PaddingSource.ZEROS);
                    body[RelayCell.LENGTH_OFFSET] = 0x02; // Length 522+
                    relay.sendRaw(rc, 2, body);
                    break;
                }
                case 1: {
                    relay.ignoreBegins.put("quiet.example", 1);
                    StreamEvents q = stream(c, "quiet.example");
                    relay.sendRaw(rc, 2, new RelayCell(RelayCommand.CONNECTED, q.stream.streamId(), new byte[2])
                            .encode(PaddingSource.ZEROS));
                    break;
                }
                case 2:
                    relay.send(rc, 2, 0, new org.onionpeer.cell.Data(new byte[3]));
                    break;
                case 3:
                    rc.channel.send(new Cell(rc.circId, CellCommand.RELAY_EARLY, new byte[509]));
                    break;
                case 4:
                    relay.send(rc, 0, sid, new org.onionpeer.cell.Data(new byte[3]));
                    break;
                case 5:
                    relay.sendRaw(rc, 2, new RelayCell(RelayCommand.SENDME, 0, new byte[] {7, 0, 0})
                            .encode(PaddingSource.ZEROS));
                    break;
                default:
                    relay.send(rc, 2, 0, org.onionpeer.cell.Sendme.authenticated(new byte[20]));
                    break;
            }
            sched.runUntilIdle();
            assertTrue(c.isClosed(), expect[i]);
            assertTrue(ev.closed.get(0).startsWith("protocol error: "), ev.closed.get(0));
            assertTrue(ev.closed.get(0).contains(expect[i]), ev.closed.get(0) + " / " + expect[i]);
            assertEquals(1, se.closed.size());
            assertTrue(c.channel().isOpen());
        }
    }

    @Test
    void randomRecognizedMessagesNeverEscapeTheCircuit() {
        setUp(false);
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        Channel ch = link();
        ClientCircuit c = null;
        int closedCircuits = 0;
        for (int i = 0; i < 3000; i++) {
            if (c == null || c.isClosed()) {
                if (c != null) {
                    closedCircuits++;
                }
                c = circuit(ch, relay.relayInfos(), null, new CircuitEvents());
                stream(c, "f.example");
            }
            ScriptedRelay.RCirc rc = relay.circuit(c.circId());
            byte[] body = new byte[509];
            int len = r.nextInt(40);
            for (int k = 11; k < 11 + len; k++) {
                body[k] = (byte) r.nextInt(256);
            }
            int[] cmds = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 43, 44, r.nextInt(256)};
            body[0] = (byte) cmds[r.nextInt(cmds.length)];
            int sid = r.nextInt(4) == 0 ? 0 : (r.nextBoolean() ? c.streamCount() > 0 ? 1 : 0 : r.nextInt(65536));
            org.onionpeer.bytes.Bytes.putU16(body, RelayCell.STREAM_ID_OFFSET, sid);
            org.onionpeer.bytes.Bytes.putU16(body, RelayCell.LENGTH_OFFSET, r.nextInt(8) == 0 ? r.nextInt(65536) : len);
            relay.sendRaw(rc, r.nextInt(3), body);
            sched.runUntilIdle(); // an exception escaping a circuit would fail the test here
            assertTrue(ch.isOpen(), "the link never suffers");
        }
        assertTrue(closedCircuits > 100, "many inputs were refused: " + closedCircuits);
    }

    @Test
    void endReasonsAtBeginAreReported() {
        setUp(false);
        relay.refuse.put("refused.example", EndReason.CONNECTREFUSED);
        relay.refuse.put("busy.example", EndReason.RESOURCELIMIT);
        ClientCircuit c = built(new CircuitEvents());
        StreamEvents r = stream(c, "refused.example");
        assertNull(r.connected);
        assertEquals(EndReason.CONNECTREFUSED, r.failedReason);
        assertFalse(r.retryable);
        StreamEvents b = stream(c, "busy.example");
        assertEquals(EndReason.RESOURCELIMIT, b.failedReason);
        assertTrue(b.retryable, "an overloaded exit says nothing about the destination");
        assertEquals(0, c.streamCount());
        assertTrue(c.isOpen());
    }

    @Test
    void beginTimesOutWithEndTimeout() {
        setUp(false);
        relay.ignoreBegins.put("slow.example", 1);
        ClientCircuit c = built(new CircuitEvents());
        StreamEvents s = stream(c, "slow.example");
        sched.advance(14_999);
        assertEquals(-1, s.failedReason);
        sched.advance(2);
        assertEquals(EndReason.TIMEOUT, s.failedReason);
        assertTrue(s.retryable);
        assertEquals(Collections.singletonList(EndReason.TIMEOUT), relay.endsReceived);
    }

    @Test
    void endFromTheExitDeliversHeldDataFirst() {
        setUp(false);
        ClientCircuit c = built(new CircuitEvents());
        StreamEvents se = stream(c, "e.example");
        ClientStream s = se.connected;
        s.pauseReading(true);
        s.send(new byte[] {1, 2, 3});
        sched.runUntilIdle();
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        relay.send(rc, 2, s.streamId(), org.onionpeer.cell.End.of(EndReason.DONE));
        sched.runUntilIdle();
        assertEquals(0, se.closed.size(), "held until the consumer reads");
        s.pauseReading(false);
        sched.runUntilIdle();
        assertArrayEquals(new byte[] {1, 2, 3}, se.data.toByteArray());
        assertEquals(1, se.closed.size());
        assertEquals(EndReason.DONE, s.endReason());
        assertTrue(relay.endsReceived.isEmpty(), "no END goes back for an END");
    }

    @Test
    void sendBufferIsBounded() {
        setUp(false);
        CircuitOptions o = new CircuitOptions();
        o.maxStreamSendBuffer = 600_000;
        ClientCircuit c = circuit(link(), relay.relayInfos(), o, new CircuitEvents());
        StreamEvents se = stream(c, "x.example");
        se.connected.send(random(500_000));
        long queued = se.connected.bufferedAmount();
        assertEquals(500_000 - 500 * 498, queued, "the stream window let 500 cells out at once");
        se.connected.send(random(400_000));
        assertEquals(1, se.closed.size());
        assertTrue(se.closed.get(0).contains("send buffer"), se.closed.get(0));
        sched.runUntilIdle();
        assertEquals(Collections.singletonList(EndReason.MISC), relay.endsReceived);
    }

    @Test
    void beginDirOnAOneHopCircuit() {
        setUp(false);
        ClientCircuit c = circuit(link(), Collections.singletonList(relay.hops.get(0).info), null, new CircuitEvents());
        assertTrue(c.isOpen());
        assertEquals(0, c.relayEarlySent());
        StreamEvents se = new StreamEvents();
        c.beginDir(se);
        sched.runUntilIdle();
        assertNotNull(se.connected);
        assertNull(se.connected.connectedMessage().address(), "empty CONNECTED");
        se.connected.send(org.onionpeer.node.HttpResponse.request("/tor/x"));
        sched.runUntilIdle();
        String got = new String(se.data.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(got.startsWith("HTTP/1.0 200 OK\r\n"), got);
        assertEquals(EndReason.DONE, se.connected.endReason());
        assertEquals(1, se.closed.size());
    }

    // ---- half-closed streams ---------------------------------------------------------------------------------

    /** A circuit with one stream to {@code host} that we have just ended (END sent), seen from the exit too. */
    private final class HalfClosed {
        final CircuitEvents ev = new CircuitEvents();
        final ClientCircuit c;
        final StreamEvents se;
        final int sid;
        final int window;
        final ScriptedRelay.RCirc rc;

        HalfClosed(String host) {
            c = built(ev);
            se = stream(c, host);
            sid = se.stream.streamId();
            window = se.stream.deliverWindow();
            se.stream.close("done");
            sched.runUntilIdle();
            rc = relay.circuit(c.circId());
        }

        /** The exit sends {@code m} on the stream, outside the circuit window (not DATA). */
        void exitSends(RelayMessage m) {
            relay.send(rc, relay.relayInfos().size() - 1, sid, m);
            sched.runUntilIdle();
        }

        /** The exit sends {@code n} DATA cells on the stream, counted in the circuit window. */
        void exitSendsData(int n, int bytes) {
            for (int i = 0; i < n; i++) {
                relay.sendCounted(rc, sid, new Data(new byte[bytes]));
            }
            sched.runUntilIdle();
        }
    }

    /** A stream we ended: the exit's late DATA (within the window) and its END are taken, then forgotten. */
    @Test
    void lateCellsOfAStreamWeEndedAreCheckedUntilTheExitsEnd() {
        setUp(false);
        HalfClosed h = new HalfClosed("echo.example");
        assertEquals(1, h.c.halfClosedStreams());
        h.exitSendsData(3, 100);
        h.exitSends(End.of(EndReason.DONE));
        assertTrue(h.c.isOpen(), "late cells within the window are fine: " + h.ev.closed);
        assertEquals(0, h.se.data.size(), "and not delivered: the stream is closed");
        assertEquals(0, h.c.halfClosedStreams(), "the exit's END forgets it");
        h.exitSendsData(1, 100);
        assertTrue(h.c.isOpen());
        assertEquals(1, h.c.unknownStreamCells(), "then its cells are an unknown stream's: dropped");
    }

    @Test
    void dataPastTheWindowOnAHalfClosedStreamClosesTheCircuit() {
        setUp(false);
        HalfClosed h = new HalfClosed("echo.example");
        h.exitSendsData(h.window, 10);
        assertTrue(h.c.isOpen(), "a whole window is allowed: " + h.ev.closed);
        h.exitSendsData(1, 10);
        assertEquals(List.of("protocol error: DATA past the window on half-closed stream " + h.sid), h.ev.closed);
    }

    @Test
    void aStreamEndedBeforeItsConnectedMayGetOneConnectedAndNothingElseUnasked() {
        setUp(false);
        relay.ignoreBegins.put("slow.example", 1);
        HalfClosed h = new HalfClosed("slow.example");
        h.exitSends(Connected.empty());
        assertTrue(h.c.isOpen(), "the CONNECTED that crossed our END: " + h.ev.closed);
        h.exitSends(Connected.empty());
        assertEquals(List.of("protocol error: CONNECTED twice on half-closed stream " + h.sid), h.ev.closed);
    }

    @Test
    void aCommandTheExitMayNotSendOnAHalfClosedStreamClosesTheCircuit() {
        setUp(false);
        HalfClosed h = new HalfClosed("echo.example");
        h.exitSends(new Begin("example.org", 80, 0));
        assertEquals(List.of("protocol error: BEGIN on half-closed stream " + h.sid), h.ev.closed);
    }
}
