package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.BeginDir;
import org.onionpeer.cell.Begin;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Create2;
import org.onionpeer.cell.Data;
import org.onionpeer.cell.Destroy;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.End;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.Extend2;
import org.onionpeer.cell.LinkSpecifier;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.Sendme;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.transport.Connector;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

/**
 * The relay side against a scripted onion proxy that speaks cells by hand, so hostile and out-of-order
 * behaviour can be sent on purpose.
 */
class OnionRouterTest {
    private TestNet net;
    private TestNet.Relay a;
    private TestNet.Relay b;
    private final List<String> connectsSeen = new ArrayList<>();

    /** A destination that echoes, reached only if the exit policy allows 127.0.0.1. */
    private Connector echo() {
        return (host, port, filter, cb) -> {
            connectsSeen.add(host + ":" + port);
            byte[] addr = {127, 0, 0, 1};
            if (!filter.allows(addr, port)) {
                net.sched.execute(() -> cb.failed(EndReason.EXITPOLICY, "policy"));
                return;
            }
            Pipe p = new Pipe(net.sched, net.sched);
            p.b().setListener(new Transport.Listener() {
                @Override
                public void onData(byte[] data) {
                    p.b().send(data);
                }

                @Override
                public void onClosed(String reason) {
                }
            });
            net.sched.execute(() -> cb.connected(p.a(), addr));
        };
    }

    @BeforeEach
    void setUp() {
        net = new TestNet();
        a = net.addRelay("alpha", null, null, path -> path.equals("/tor/directory") ? "the directory\n" : null);
        b = net.addRelay("bravo", echo(), (addr, port) -> port == 7, null);
    }

    @Test
    void twoHopCircuitReachesTheExitAndEchoesWithFlowControl() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        op.extend(b);
        op.relay(1, 5, new Begin("localhost", 7), false);
        RelayCell connected = op.receiveRelay();
        assertEquals(RelayCommand.CONNECTED, connected.command());
        // 1200 DATA cells each way: more than both windows, so SENDMEs must flow in both directions.
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int sent = 0;
        int circuitSendmes = 0;
        int streamSendmes = 0;
        byte[] chunk = new byte[498];
        int received = 0;
        org.onionpeer.circuit.Window opCirc = org.onionpeer.circuit.Window.circuit();
        org.onionpeer.circuit.Window opStream = org.onionpeer.circuit.Window.stream();
        byte[] digest = new byte[20];
        while (received < 1200) {
            while (sent < 1200 && opCirc.canSend() && opStream.canSend()) {
                chunk[0] = (byte) sent;
                boolean rec = opCirc.nextSendNeedsDigest();
                op.relay(1, 5, new Data(chunk.clone()), false);
                if (rec) {
                    op.crypto.forwardDigest(1, digest, 0);
                }
                opCirc.sent(rec ? digest.clone() : null);
                opStream.sent(null);
                sent++;
            }
            net.sched.runUntilIdle();
            while (!op.cells.isEmpty()) {
                RelayCell rc = op.receiveRelay();
                if (rc.command() == RelayCommand.DATA) {
                    got.write(rc.data(), 0, rc.data().length);
                    received += rc.data().length / 498;
                    opCirc.delivered();
                    if (opCirc.sendmeDue()) {
                        op.crypto.backwardDigest(1, digest, 0);
                        opCirc.sendmeSent();
                        op.relay(1, 0, Sendme.authenticated(digest.clone()), false);
                    }
                    opStream.delivered();
                    if (opStream.sendmeDue()) {
                        opStream.sendmeSent();
                        op.relay(1, 5, Sendme.unauthenticated(), false);
                    }
                } else if (rc.command() == RelayCommand.SENDME) {
                    Sendme s = (Sendme) rc.message();
                    if (rc.streamId() == 0) {
                        opCirc.sendmeReceived(s.digest());
                        circuitSendmes++;
                    } else {
                        opStream.sendmeReceived(null);
                        streamSendmes++;
                    }
                }
            }
        }
        assertEquals(1200, sent);
        assertTrue(circuitSendmes >= 11 && streamSendmes >= 23, circuitSendmes + " / " + streamSendmes);
        byte[] all = got.toByteArray();
        assertEquals(1200 * 498, all.length);
        for (int i = 0; i < 1200; i++) {
            assertEquals((byte) i, all[i * 498], "cell " + i + " in order");
        }
        assertFalse(op.closed);
    }

    @Test
    void beginDirServesTheDirectory() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        op.relay(0, 9, new BeginDir(), false);
        assertEquals(RelayCommand.CONNECTED, op.receiveRelay().command());
        op.relay(0, 9, new Data("GET /tor/directory HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), false);
        RelayCell d = op.receiveRelay();
        assertEquals(RelayCommand.DATA, d.command());
        String http = new String(d.data(), StandardCharsets.US_ASCII);
        assertTrue(http.startsWith("HTTP/1.0 200 OK") && http.endsWith("the directory\n"), http);
        RelayCell end = op.receiveRelay();
        assertEquals(RelayCommand.END, end.command());
        assertEquals(EndReason.DONE, ((End) end.message()).reason());
    }

    @Test
    void exitPolicyRefusesBeforeConnecting() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        op.extend(b);
        op.relay(1, 3, new Begin("localhost", 22), false);
        RelayCell rc = op.receiveRelay();
        assertEquals(RelayCommand.END, rc.command());
        assertEquals(EndReason.EXITPOLICY, ((End) rc.message()).reason());
    }

    @Test
    void nonExitRefusesBegin() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        op.relay(0, 3, new Begin("localhost", 7), false);
        RelayCell rc = op.receiveRelay();
        assertEquals(EndReason.EXITPOLICY, ((End) rc.message()).reason());
        assertTrue(connectsSeen.isEmpty());
    }

    @Test
    void extend2OutsideRelayEarlyDestroysTheCircuitOnly() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        long first = op.circId;
        List<LinkSpecifier> specs = List.of(LinkSpecifier.rsaId(b.info.identity().rsaIdentity()));
        op.relay(0, 0, new Extend2(specs, Ntor.HTYPE, new byte[84]), false);
        Cell c = op.take();
        assertEquals(CellCommand.DESTROY, c.command());
        assertEquals(DestroyReason.PROTOCOL, Destroy.decode(c.payload()).reason());
        assertEquals(first, c.circId());
        // The link still works: a new circuit can be made.
        op.create(a);
        assertFalse(op.closed);
        assertEquals(1, a.router.circuitCount());
    }

    @Test
    void tooManyRelayEarlyCellsDestroyTheCircuit() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        for (int i = 0; i < 9; i++) {
            op.relay(0, 0, new org.onionpeer.cell.Drop(new byte[0]), true);
        }
        Cell c = op.take();
        assertEquals(CellCommand.DESTROY, c.command());
        assertEquals(DestroyReason.PROTOCOL, Destroy.decode(c.payload()).reason());
    }

    @Test
    void forgedSendmeDestroysTheCircuit() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        op.relay(0, 0, Sendme.authenticated(new byte[20]), false);
        Cell c = op.take();
        assertEquals(CellCommand.DESTROY, c.command());
    }

    @Test
    void garbageRelayCellAtLastHopDestroysAndBadCreateIsRefused() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        byte[] junk = new byte[509];
        TestNet.RND.nextBytes(junk);
        op.ch.send(new Cell(op.circId, CellCommand.RELAY, junk));
        assertEquals(CellCommand.DESTROY, op.take().command());
        // A CREATE2 with a wrong node id is refused with DESTROY, the link stays.
        long id = op.ch.allocateCircId();
        op.ch.send(new Create2(Ntor.HTYPE, new byte[84]).toCell(id));
        Cell c = op.take();
        assertEquals(CellCommand.DESTROY, c.command());
        assertEquals(id, c.circId());
        assertFalse(op.closed);
        assertEquals(0, a.router.circuitCount());
    }

    @Test
    void createFastIsRefusedOnALinkWithoutTls() {
        ScriptedOp op = new ScriptedOp(net, a);
        long id = op.ch.allocateCircId();
        op.ch.send(new Cell(id, CellCommand.CREATE_FAST, new byte[20]));
        Cell c = op.take();
        assertEquals(CellCommand.DESTROY, c.command());
    }

    @Test
    void nextHopDestroyIsReportedAsTruncatedAndLinkLossTearsDownTheCircuit() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        op.extend(b);
        assertEquals(1, b.router.circuitCount());
        // Kill b's side: close all of b's links. a must tell the OP with TRUNCATED.
        b.node.links().closeAll("killed");
        RelayCell t = op.receiveRelay();
        assertEquals(RelayCommand.TRUNCATED, t.command());
        assertEquals(0, b.router.circuitCount());
        // Now the OP's own link drops: a forgets the circuit.
        op.ch.close("bye");
        net.sched.runUntilIdle();
        assertEquals(0, a.router.circuitCount());
    }

    @Test
    void extendToAnUnknownRelayFails() {
        ScriptedOp op = new ScriptedOp(net, a);
        op.create(a);
        byte[] unknown = new byte[20];
        TestNet.RND.nextBytes(unknown);
        op.relay(0, 0, new Extend2(List.of(LinkSpecifier.rsaId(unknown)), Ntor.HTYPE, new byte[84]), true);
        Cell c = op.take();
        assertEquals(CellCommand.DESTROY, c.command());
        assertEquals(DestroyReason.CONNECTFAILED, Destroy.decode(c.payload()).reason());
    }

    static RelayInfo unused;
}
