package org.onionpeer.circuit;

import static org.junit.jupiter.api.Assertions.assertNull;

import org.onionpeer.crypto.NtorV3;

import org.onionpeer.crypto.Ntor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.PaddingSource;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.Sendme;
import org.onionpeer.cell.Xoff;
import org.onionpeer.cell.Xon;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.node.Node;
import org.onionpeer.testing.ManualScheduler;

/**
 * Client side of a circuit whose exit negotiated congestion control (proposal 324): SENDME pacing by the
 * negotiated sendme_inc, XON/XOFF instead of stream SENDMEs, bounded buffering, against the scripted relay.
 */
class CongestionControlTest {
    private static final int CELL = RelayCell.MAX_DATA_LEN;
    private final ManualScheduler sched = new ManualScheduler();
    private ScriptedRelay relay;
    private Node node;

    private Channel link() {
        relay = new ScriptedRelay(sched, 2);
        node = new Node(sched, ScriptedRelay.ENTROPY, relay.dialer(false), null);
        return ClientCircuitTest.openLink(sched, node, relay.hops.get(0).info);
    }

    private ClientCircuit circuit(Channel ch, List<RelayInfo> path, CircuitOptions o,
            ClientCircuitTest.CircuitEvents ev) {
        ClientCircuit c = new ClientCircuit(ch, node.circuits(), sched, ScriptedRelay.ENTROPY, new BcRelayPrimitives(),
                path, o, ev);
        c.start();
        sched.runUntilIdle();
        assertTrue(c.isOpen(), "built: " + c.closeReason());
        return c;
    }

    /**
     * A built 3-hop circuit whose exit negotiated CC with {@code inc} (exit congestion window {@code cwnd}): what
     * the ntor v3 handshake will report, set on both ends before any stream, as the handshake would.
     */
    private ClientCircuit ccCircuit(CircuitOptions o, ClientCircuitTest.CircuitEvents ev, int inc, int cwnd) {
        ClientCircuit c = circuit(link(), relay.relayInfos(), o, ev);
        c.enableCongestionControl(2, inc);
        relay.circuit(c.circId()).enableCongestionControl(inc, cwnd);
        assertTrue(c.usesCongestionControl());
        return c;
    }

    private ClientCircuitTest.StreamEvents stream(ClientCircuit c) {
        ClientCircuitTest.StreamEvents se = new ClientCircuitTest.StreamEvents();
        se.stream = c.begin("cc.example", 443, se);
        sched.runUntilIdle();
        assertNotNull(se.connected);
        return se;
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private void downloadWithoutWaiting(int inc) {
        ClientCircuit c = ccCircuit(null, new ClientCircuitTest.CircuitEvents(), inc, 1_000_000);
        ClientCircuitTest.StreamEvents se = stream(c);
        assertTrue(se.connected.usesFlowControl());
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        ScriptedRelay.RStream rs = rc.streams.get(se.connected.streamId());
        byte[] payload = pattern(3000 * CELL, inc);
        // The exit's congestion window is far above 1000 cells: all 3000 leave before any SENDME comes back.
        relay.exitSends(rc, rs.id, payload);
        assertTrue(rs.out.isEmpty(), "all 3000 cells sent at once");
        sched.runUntilIdle();
        assertArrayEquals(payload, se.data.toByteArray(), "every byte, in order");
        // One authenticated SENDME per sendme_inc DATA cells; the relay checked each digest against the one it
        // recorded for that cell (a wrong digest or boundary is a violation).
        assertEquals(3000 / inc, rc.circuitSendmesReceived);
        assertEquals(0, rs.sendmesReceived, "no stream SENDMEs under congestion control");
        assertEquals(0, rs.xoffsReceived);
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
        assertEquals(1000 - 3000 % inc, c.deliverWindow(), "acknowledged as soon as due");
        assertTrue(c.isOpen());
    }

    @Test
    void threeThousandCellsWithoutWaitingGetOneAuthenticatedSendmePer31() {
        downloadWithoutWaiting(ClientCircuit.DEFAULT_SENDME_INC);
    }

    @Test
    void theNegotiatedIncrementIsTheOneUsed() {
        downloadWithoutWaiting(17);
    }

    @Test
    void slowConsumerSendsXoffPastTheLimitAndXonOnceDrained() {
        ClientCircuit c = ccCircuit(null, new ClientCircuitTest.CircuitEvents(), 31, 1_000_000);
        ClientCircuitTest.StreamEvents se = stream(c);
        ClientStream s = se.connected;
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        ScriptedRelay.RStream rs = rc.streams.get(s.streamId());
        s.pauseReading(true);
        byte[] payload = pattern(3000 * CELL, 7);
        // Exactly cc_xoff_client (500 cells of 498 bytes) held: not yet over the limit.
        relay.exitSends(rc, rs.id, Arrays.copyOfRange(payload, 0, 500 * CELL));
        sched.runUntilIdle();
        assertEquals(500L * CELL, s.queuedInbound());
        assertEquals(0, rs.xoffsReceived);
        assertFalse(s.xoffSent());
        // One more byte over it: XOFF.
        relay.exitSends(rc, rs.id, Arrays.copyOfRange(payload, 500 * CELL, 501 * CELL));
        sched.runUntilIdle();
        assertTrue(s.xoffSent());
        assertEquals(1, rs.xoffsReceived);
        assertEquals(1, s.xoffsSent());
        // The exit stops this stream: nothing more arrives however much it has.
        relay.exitSends(rc, rs.id, Arrays.copyOfRange(payload, 501 * CELL, payload.length));
        sched.runUntilIdle();
        assertFalse(rs.out.isEmpty());
        assertEquals(501L * CELL, s.queuedInbound());
        assertEquals(501L * CELL, c.heldInbound());
        assertEquals(0, se.data.size());
        assertEquals(0, rs.xonsReceived, "no XON while paused");
        // Resume: the held data drains, XON (rate 0 = unlimited) goes out, the exit sends the rest.
        s.pauseReading(false);
        sched.runUntilIdle();
        assertArrayEquals(payload, se.data.toByteArray());
        assertEquals(1, rs.xonsReceived);
        assertEquals(Xon.UNLIMITED, rs.lastXonKbps);
        assertEquals(1, s.xonsSent());
        assertEquals(1, rs.xoffsReceived, "the rest flowed straight to the consumer: no second XOFF");
        assertFalse(s.xoffSent());
        assertEquals(0, c.heldInbound());
        assertEquals(3000 / 31, rc.circuitSendmesReceived);
        assertEquals(0, rs.sendmesReceived);
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void anExitIgnoringXoffPastTheHardCapLosesTheCircuit() {
        CircuitOptions o = new CircuitOptions();
        o.maxStreamReceiveBuffer = 1_000_000;
        ClientCircuitTest.CircuitEvents ev = new ClientCircuitTest.CircuitEvents();
        ClientCircuit c = ccCircuit(o, ev, 31, 1_000_000);
        ClientCircuitTest.StreamEvents se = stream(c);
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        relay.ignoreXoff = true;
        se.connected.pauseReading(true);
        relay.exitSends(rc, se.connected.streamId(), pattern(3000 * CELL, 3));
        sched.runUntilIdle();
        assertTrue(c.isClosed());
        assertEquals(1, ev.closed.size());
        assertTrue(ev.closed.get(0).startsWith("protocol error: the exit kept sending on stream"), ev.closed.get(0));
        assertTrue(ev.closed.get(0).contains("over the limit of 1000000"), ev.closed.get(0));
        assertEquals(1, rc.streams.get(se.connected.streamId()).xoffsReceived, "it was told");
        assertEquals(DestroyReason.NONE, rc.destroyReasonReceived);
        assertEquals(EndReason.DESTROY, se.connected.endReason());
        // The held data still reaches the consumer, then the close.
        se.connected.pauseReading(false);
        sched.runUntilIdle();
        assertEquals(1, se.closed.size());
        assertTrue(se.data.size() > 1_000_000 - CELL && se.data.size() <= 1_000_000 + CELL, "" + se.data.size());
    }

    @Test
    void theCircuitWideCapBoundsManyPausedStreams() {
        CircuitOptions o = new CircuitOptions();
        o.maxCircuitReceiveBuffer = 600_000;
        ClientCircuitTest.CircuitEvents ev = new ClientCircuitTest.CircuitEvents();
        ClientCircuit c = ccCircuit(o, ev, 31, 1_000_000);
        ClientCircuitTest.StreamEvents a = stream(c);
        ClientCircuitTest.StreamEvents b = stream(c);
        a.connected.pauseReading(true);
        b.connected.pauseReading(true);
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        relay.exitSends(rc, a.connected.streamId(), pattern(400_000, 1));
        sched.runUntilIdle();
        assertTrue(c.isOpen());
        assertEquals(400_000, c.heldInbound());
        relay.exitSends(rc, b.connected.streamId(), pattern(400_000, 2));
        sched.runUntilIdle();
        assertTrue(c.isClosed());
        assertTrue(ev.closed.get(0).contains("wait for applications on this circuit"), ev.closed.get(0));
    }

    @Test
    void xoffFromTheExitHoldsOurUploadUntilXon() {
        ClientCircuit c = ccCircuit(null, new ClientCircuitTest.CircuitEvents(), 31, 1_000_000);
        relay.echo = false;
        ClientCircuitTest.StreamEvents se = stream(c);
        ClientStream s = se.connected;
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        ScriptedRelay.RStream rs = rc.streams.get(s.streamId());
        relay.send(rc, 2, s.streamId(), new Xoff());
        sched.runUntilIdle();
        assertTrue(s.xoffReceived());
        assertEquals(1, s.implausibleFlowControl(), "an XOFF before we sent anything is a dropmark sign");
        s.send(pattern(100_000, 4));
        sched.runUntilIdle();
        assertEquals(100_000, s.bufferedAmount(), "held by the XOFF");
        assertEquals(0, rs.bytesReceived);
        relay.send(rc, 2, s.streamId(), new Xon(1234));
        sched.runUntilIdle();
        assertFalse(s.xoffReceived());
        assertEquals(1234, s.advisedKbps());
        assertEquals(0, s.bufferedAmount());
        assertEquals(100_000, rs.bytesReceived);
        assertEquals(2, s.implausibleFlowControl(), "an XON before min(xoff_exit, xon_rate) x 498 bytes: early too");
        // Over a window's worth more: the exit's SENDMEs (one per 31 cells, digests checked by us) reopen ours.
        s.send(pattern(700_000, 5));
        sched.runUntilIdle();
        assertEquals(0, s.bufferedAmount());
        assertEquals(800_000, rs.bytesReceived);
        int cells = (100_000 + CELL - 1) / CELL + (700_000 + CELL - 1) / CELL;
        assertTrue(cells > 1000);
        assertEquals(cells / 31, rc.circuitSendmesSent);
        assertTrue(c.isOpen(), "every SENDME digest matched");
        // A second XOFF, now after more than 2 x 500 cells' worth: plausible.
        relay.send(rc, 2, s.streamId(), new Xoff());
        relay.send(rc, 2, s.streamId(), new Xoff()); // a repeat is ignored
        sched.runUntilIdle();
        s.send(new byte[10]);
        assertEquals(10, s.bufferedAmount());
        assertEquals(2, s.implausibleFlowControl(), "nothing new");
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void xonAndXoffAreIgnoredWithoutCongestionControl() {
        ClientCircuit c = circuit(link(), relay.relayInfos(), null, new ClientCircuitTest.CircuitEvents());
        assertFalse(c.usesCongestionControl());
        relay.echo = false;
        ClientCircuitTest.StreamEvents se = stream(c);
        assertFalse(se.connected.usesFlowControl());
        ScriptedRelay.RCirc rc = relay.circuit(c.circId());
        relay.send(rc, 2, se.connected.streamId(), new Xoff());
        sched.runUntilIdle();
        se.connected.send(pattern(10_000, 6));
        sched.runUntilIdle();
        assertEquals(0, se.connected.bufferedAmount());
        assertFalse(se.connected.xoffReceived());
        assertEquals(500 - (10_000 + CELL - 1) / CELL, se.connected.packageWindow(), "the classic stream window");
        assertTrue(c.isOpen());
    }

    @Test
    void protocolViolationsUnderCongestionControlCloseTheCircuit() {
        String[] expect = {"stream SENDME on a congestion-controlled circuit", "unknown XOFF version",
            "unknown XON version", "ByteReader"};
        for (int i = 0; i < expect.length; i++) {
            ClientCircuitTest.CircuitEvents ev = new ClientCircuitTest.CircuitEvents();
            ClientCircuit c = ccCircuit(null, ev, 31, 1_000_000);
            ClientCircuitTest.StreamEvents se = stream(c);
            ScriptedRelay.RCirc rc = relay.circuit(c.circId());
            int sid = se.connected.streamId();
            byte[] body;
            switch (i) {
                case 0:
                    body = RelayCell.of(sid, Sendme.unauthenticated()).encode(PaddingSource.ZEROS);
                    break;
                case 1:
                    body = new RelayCell(RelayCommand.XOFF, sid, new byte[] {1}).encode(PaddingSource.ZEROS);
                    break;
                case 2:
                    body = new RelayCell(RelayCommand.XON, sid, new byte[] {2, 0, 0, 0, 0}).encode(PaddingSource.ZEROS);
                    break;
                default:
                    body = new RelayCell(RelayCommand.XON, sid, new byte[] {0, 0}).encode(PaddingSource.ZEROS);
                    break;
            }
            relay.sendRaw(rc, 2, body);
            sched.runUntilIdle();
            assertTrue(c.isClosed(), expect[i]);
            assertTrue(ev.closed.get(0).startsWith("protocol error"), ev.closed.get(0));
            if (i < 3) {
                assertTrue(ev.closed.get(0).contains(expect[i]), ev.closed.get(0) + " / " + expect[i]);
            }
        }
    }

    @Test
    void theSwitchValidatesLikeTor() {
        Channel ch = link();
        ClientCircuit c = circuit(ch, relay.relayInfos(), wantCc(), new ClientCircuitTest.CircuitEvents());
        // prop324 §10.5 / congestion_control_validate_sendme_increment: within a factor 2 of the consensus 31.
        for (int bad : new int[] {0, -1, 14, 63, 256}) {
            assertThrows(ProtocolException.class, () -> c.enableCongestionControl(2, bad), "" + bad);
        }
        assertFalse(c.usesCongestionControl());
        c.enableCongestionControl(2, 15);
        assertEquals(15, c.sendmeInc(2));
        c.enableCongestionControl(2, 62);
        assertEquals(62, c.sendmeInc(2));
        assertEquals(0, c.sendmeInc(1));
        assertThrows(IllegalArgumentException.class, () -> c.enableCongestionControl(3, 31));
        // prop324 §10.1: ask the exit of a multi-hop circuit only, and only when the options say so.
        assertTrue(c.shouldRequestCongestionControl(2));
        assertFalse(c.shouldRequestCongestionControl(1));
        ClientCircuit one = circuit(ch, Collections.singletonList(relay.hops.get(0).info), null,
                new ClientCircuitTest.CircuitEvents());
        assertFalse(one.shouldRequestCongestionControl(0), "not on one-hop circuits");
        CircuitOptions off = new CircuitOptions();
        off.congestionControl = null;
        assertFalse(circuit(ch, relay.relayInfos(), off, new ClientCircuitTest.CircuitEvents())
                .shouldRequestCongestionControl(2));
        assertNull(new CircuitOptions().congestionControl, "off by default (see Options.congestionControl)");
        // A different consensus value moves the accepted range.
        CircuitOptions cons = new CircuitOptions();
        cons.consensusSendmeInc = 100;
        ClientCircuit d = circuit(ch, relay.relayInfos(), cons.copy(), new ClientCircuitTest.CircuitEvents());
        assertThrows(ProtocolException.class, () -> d.enableCongestionControl(2, 31));
        d.enableCongestionControl(2, 200);
        // Too late once streams exist: the windows in use cannot change under them.
        ClientCircuitTest.StreamEvents se = new ClientCircuitTest.StreamEvents();
        c.begin("x.example", 80, se);
        assertThrows(IllegalStateException.class, () -> c.enableCongestionControl(2, 31));
    }

    @Test
    void windowPacingFollowsTheIncrement() {
        Window w = Window.congestionControl(31);
        assertEquals(31, w.increment());
        for (int i = 0; i < 30; i++) {
            w.delivered();
            assertFalse(w.sendmeDue());
        }
        w.delivered();
        assertTrue(w.sendmeDue(), "the 31st DATA cell");
        w.sendmeSent();
        assertEquals(1000, w.deliverWindow());
        byte[] d = new byte[20];
        for (int i = 1; i <= 62; i++) {
            assertEquals(i % 31 == 0, w.nextSendNeedsDigest(), "cell " + i);
            d[0] = (byte) i;
            w.sent(d);
        }
        assertEquals(938, w.packageWindow());
        byte[] first = new byte[20];
        first[0] = 31;
        w.sendmeReceived(first);
        assertEquals(969, w.packageWindow());
        assertThrows(ProtocolException.class, () -> w.sendmeReceived(first), "the next one expects cell 62's digest");
    }

    private static CircuitOptions wantCc() {
        CircuitOptions o = new CircuitOptions();
        o.congestionControl = NtorV3ExitHandshake.FACTORY;
        return o;
    }

    /** The path of the scripted relay with the exit's directory entry saying {@code proto}. */
    private List<RelayInfo> pathWithExitProto(String proto) {
        List<RelayInfo> path = new java.util.ArrayList<>(relay.relayInfos());
        RelayInfo e = path.get(path.size() - 1);
        path.set(path.size() - 1, new RelayInfo(e.nickname(), e.identity(), e.ntorKey(), e.addresses(), e.flags(),
                e.exitPolicy(), org.onionpeer.dir.Protover.parse(proto)));
        return path;
    }

    @Test
    void anExitSpeakingNtorV3AndFlowCtrl2NegotiatesCongestionControlInItsHandshake() {
        Channel ch = link();
        ClientCircuit c = circuit(ch, pathWithExitProto("FlowCtrl=1-2 Relay=2-4"), wantCc(),
                new ClientCircuitTest.CircuitEvents());
        assertEquals(List.of(Ntor.HTYPE, NtorV3.HTYPE), relay.handshakeTypes, "ntor to the middle, ntor v3 to the exit");
        assertTrue(c.usesCongestionControl(), "the exit's CC response switched the circuit");
        assertEquals(31, c.sendmeInc(2));
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void withoutTheExitsResponseOrItsProtocolsTheCircuitStaysClassic() {
        Channel ch = link();
        relay.ntorV3SendmeInc = 0; // an exit whose network runs without CC answers no extension
        ClientCircuit quiet = circuit(ch, pathWithExitProto("FlowCtrl=1-2 Relay=2-4"), wantCc(),
                new ClientCircuitTest.CircuitEvents());
        assertEquals(List.of(Ntor.HTYPE, NtorV3.HTYPE), relay.handshakeTypes);
        assertFalse(quiet.usesCongestionControl());

        relay.handshakeTypes.clear();
        ClientCircuit old = circuit(ch, pathWithExitProto("FlowCtrl=1 Relay=2"), wantCc(),
                new ClientCircuitTest.CircuitEvents());
        assertEquals(List.of(Ntor.HTYPE, Ntor.HTYPE), relay.handshakeTypes, "no Relay=4: ntor v1 all the way");
        assertFalse(old.usesCongestionControl());

        relay.handshakeTypes.clear();
        CircuitOptions off = new CircuitOptions();
        off.congestionControl = null;
        circuit(ch, pathWithExitProto("FlowCtrl=1-2 Relay=2-4"), off, new ClientCircuitTest.CircuitEvents());
        assertEquals(List.of(Ntor.HTYPE, Ntor.HTYPE), relay.handshakeTypes, "CC not wanted: plain ntor");
    }

    @Test
    void aConsensusWithCcAlgZeroTurnsTheRequestOff() {
        // tor's congestion_control_enabled(): cc_alg=0 in the consensus means no CC request, whatever we want.
        Channel ch = link();
        CircuitOptions o = wantCc();
        o.ccParams = CcParams.fromConsensus(java.util.Map.of("cc_alg", 0));
        ClientCircuit c = circuit(ch, pathWithExitProto("FlowCtrl=1-2 Relay=2-4"), o,
                new ClientCircuitTest.CircuitEvents());
        assertEquals(List.of(Ntor.HTYPE, Ntor.HTYPE), relay.handshakeTypes, "cc_alg 0: plain ntor to the exit");
        assertFalse(c.usesCongestionControl());

        relay.handshakeTypes.clear();
        o.ccParams = CcParams.fromConsensus(java.util.Map.of("cc_alg", 2, "cc_sendme_inc", 31));
        ClientCircuit vegas = circuit(ch, pathWithExitProto("FlowCtrl=1-2 Relay=2-4"), o,
                new ClientCircuitTest.CircuitEvents());
        assertEquals(List.of(Ntor.HTYPE, NtorV3.HTYPE), relay.handshakeTypes, "cc_alg 2: ntor v3 with the request");
        assertTrue(vegas.usesCongestionControl());
    }

    @Test
    void theConsensusGivesEveryClientParameterAndTorsDefaultsFillTheRest() {
        CircuitOptions o = new CircuitOptions();
        o.useConsensus(CcParams.fromConsensus(java.util.Map.of("cc_sendme_inc", 40, "cc_xoff_client", 300,
                "cc_xon_rate", 700, "cc_vegas_beta_exit", 300, "cc_xoff_exit", 0)));
        assertEquals(40, o.consensusSendmeInc);
        assertEquals(40, o.ccParams.sendmeInc);
        assertEquals(300, o.xoffClientCells);
        assertEquals(700, o.xonRateCells);
        assertEquals(300, o.ccParams.vegasBeta);
        assertEquals(500, o.xoffExitCells, "0 is out of cc_xoff_exit's range: tor's default");
        assertEquals(186, o.ccParams.vegasAlpha, "absent: tor's default");
        assertTrue(o.ccParams.enabled());

        CircuitOptions none = new CircuitOptions();
        none.useConsensus(CcParams.defaults());
        assertEquals(31, none.consensusSendmeInc);
        assertEquals(500, none.xoffClientCells);
        assertEquals(500, none.xonRateCells);
    }
}
