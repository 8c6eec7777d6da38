package org.onionpeer.circuit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.ConfluxLink;
import org.onionpeer.cell.ConfluxSwitch;
import org.onionpeer.cell.Data;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.link.Channel;
import org.onionpeer.node.Node;
import org.onionpeer.testing.ManualScheduler;

/**
 * The client side of a conflux set (proposal 329) against the scripted relay playing an exit that links sets:
 * the three-way link on each leg, data sent by the exit on both legs with CONFLUX_SWITCH delivered to the stream
 * in sequence order whatever the arrival order, SENDMEs per leg, and the exact errors of a bad exit.
 */
class ConfluxTest {
    private static final int CELL = RelayCell.MAX_DATA_LEN;
    private final ManualScheduler sched = new ManualScheduler();
    private ScriptedRelay relay;
    private ClientCircuit a;
    private ClientCircuit b;
    private final ClientCircuitTest.CircuitEvents eventsA = new ClientCircuitTest.CircuitEvents();
    private final ClientCircuitTest.CircuitEvents eventsB = new ClientCircuitTest.CircuitEvents();
    private final List<String> setEvents = new ArrayList<>();

    /** Two built congestion-controlled circuits to the same (scripted) exit, over one link. */
    private void legs(boolean answerLinks) {
        relay = new ScriptedRelay(sched, 2);
        relay.answerConfluxLink = answerLinks;
        Node node = new Node(sched, ScriptedRelay.ENTROPY, relay.dialer(false), null);
        Channel ch = ClientCircuitTest.openLink(sched, node, relay.hops.get(0).info);
        a = new ClientCircuit(ch, node.circuits(), sched, ScriptedRelay.ENTROPY, new BcRelayPrimitives(),
                relay.relayInfos(), null, eventsA);
        b = new ClientCircuit(ch, node.circuits(), sched, ScriptedRelay.ENTROPY, new BcRelayPrimitives(),
                relay.relayInfos(), null, eventsB);
        a.start();
        b.start();
        sched.runUntilIdle();
        assertTrue(a.isOpen() && b.isOpen());
        for (ClientCircuit c : List.of(a, b)) {
            c.enableCongestionControl(2, 31);
            relay.circuit(c.circId()).enableCongestionControl(31, 1_000_000);
        }
    }

    private ConfluxSet set(long timeoutMillis) {
        ConfluxSet.Limits l = new ConfluxSet.Limits();
        l.timeoutMillis = timeoutMillis;
        l.maxOutOfOrderCells = 64;
        ConfluxSet s = new ConfluxSet(List.of(a, b), sched, ScriptedRelay.ENTROPY, l, new ConfluxSet.Listener() {
            @Override
            public void linked(ConfluxSet set) {
                setEvents.add("linked");
            }

            @Override
            public void failed(ConfluxSet set, String reason) {
                setEvents.add("failed: " + reason);
            }
        });
        s.start();
        sched.runUntilIdle();
        return s;
    }

    private ScriptedRelay.RCirc ra() {
        return relay.circuit(a.circId());
    }

    private ScriptedRelay.RCirc rb() {
        return relay.circuit(b.circId());
    }

    private static byte[] pattern(int n, int seed) {
        byte[] out = new byte[n];
        new java.util.SplittableRandom(seed).nextBytes(out);
        return out;
    }

    private ClientCircuitTest.StreamEvents linkedStream(ConfluxSet s) {
        assertTrue(s.isLinked());
        ClientCircuitTest.StreamEvents se = new ClientCircuitTest.StreamEvents();
        se.stream = a.begin("cfx.example", 443, se);
        sched.runUntilIdle(); // the exit answers CONNECTED on leg A: sequence number 1
        assertNotNull(se.connected);
        return se;
    }

    @Test
    void bothLegsLinkWithOneNonceAndAskForThroughput() {
        legs(true);
        ConfluxSet s = set(10_000);
        assertEquals(List.of("linked"), setEvents);
        byte[] nonce = null;
        for (ScriptedRelay.RCirc rc : List.of(ra(), rb())) {
            assertEquals(2, rc.confluxReceived.size(), "LINK then LINKED_ACK");
            RelayCell link = rc.confluxReceived.get(0);
            assertEquals(RelayCommand.CONFLUX_LINK, link.command());
            assertEquals(0, link.streamId());
            ConfluxLink m = ConfluxLink.decode(link.command(), link.data());
            assertEquals(0, m.lastSeqSent());
            assertEquals(0, m.lastSeqRecv());
            assertEquals(ConfluxLink.UX_HIGH_THROUGHPUT, m.desiredUx());
            if (nonce == null) {
                nonce = m.nonce();
            } else {
                assertArrayEquals(nonce, m.nonce(), "one nonce for the set");
            }
            assertEquals(RelayCommand.CONFLUX_LINKED_ACK, rc.confluxReceived.get(1).command());
        }
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void cellsFromBothLegsReachTheStreamInSequenceOrderWhateverTheirArrival() {
        legs(true);
        ConfluxSet s = set(10_000);
        ClientCircuitTest.StreamEvents se = linkedStream(s);
        int sid = se.connected.streamId();
        byte[] body = pattern(8 * CELL, 5);
        byte[][] cells = new byte[8][];
        for (int i = 0; i < 8; i++) {
            cells[i] = Arrays.copyOfRange(body, i * CELL, (i + 1) * CELL);
        }
        // The exit sent CONNECTED (1) and cells 0..2 (2..4) on A, then switched to B (relative 4: B had sent
        // nothing) for cells 3..5 (5..7), then back to A (relative 3) for cells 6..7 (8..9). B's cells arrive
        // first, then A's, then the last two: the stream must still see 0..7 in order.
        relay.send(rb(), 2, 0, new ConfluxSwitch(4));
        for (int i = 3; i <= 5; i++) {
            relay.sendCounted(rb(), sid, new Data(cells[i]));
        }
        sched.runUntilIdle();
        assertEquals(0, se.data.size(), "nothing before sequence number 2");
        assertEquals(3, s.outOfOrderCells());
        for (int i = 0; i <= 2; i++) {
            relay.sendCounted(ra(), sid, new Data(cells[i]));
        }
        sched.runUntilIdle();
        assertEquals(0, s.outOfOrderCells());
        assertEquals(7, s.lastSeqDelivered());
        relay.send(ra(), 2, 0, new ConfluxSwitch(3));
        for (int i = 6; i <= 7; i++) {
            relay.sendCounted(ra(), sid, new Data(cells[i]));
        }
        sched.runUntilIdle();
        assertArrayEquals(body, se.data.toByteArray(), "every byte, in order");
        assertEquals(9, s.lastSeqDelivered());
        assertEquals(6, s.cellsOn(0), "CONNECTED and 5 DATA on A");
        assertEquals(3, s.cellsOn(1));
        assertTrue(a.isOpen() && b.isOpen());
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void eachLegAcknowledgesTheCellsThatArrivedOnIt() {
        legs(true);
        ConfluxSet s = set(10_000);
        ClientCircuitTest.StreamEvents se = linkedStream(s);
        int sid = se.connected.streamId();
        byte[] body = pattern(200 * CELL, 9);
        ByteArrayOutputStream expect = new ByteArrayOutputStream();
        // 62 cells on A (seq 2..63), then 124 on B (seq 64..187), then 14 on A: SENDMEs at 31 per leg.
        int at = 0;
        for (int i = 0; i < 62; i++, at += CELL) {
            relay.sendCounted(ra(), sid, new Data(Arrays.copyOfRange(body, at, at + CELL)));
        }
        relay.send(rb(), 2, 0, new ConfluxSwitch(63));
        for (int i = 0; i < 124; i++, at += CELL) {
            relay.sendCounted(rb(), sid, new Data(Arrays.copyOfRange(body, at, at + CELL)));
        }
        relay.send(ra(), 2, 0, new ConfluxSwitch(124));
        for (int i = 0; i < 14; i++, at += CELL) {
            relay.sendCounted(ra(), sid, new Data(Arrays.copyOfRange(body, at, at + CELL)));
        }
        expect.write(body, 0, at);
        sched.runUntilIdle();
        assertArrayEquals(expect.toByteArray(), se.data.toByteArray());
        // The relay checked every SENDME's digest against the cell it acknowledges, per circuit.
        assertEquals(76 / 31, ra().circuitSendmesReceived);
        assertEquals(124 / 31, rb().circuitSendmesReceived);
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void aLinkedWithAnotherNonceClosesTheSet() {
        legs(false);
        set(10_000);
        relay.send(ra(), 2, 0, ConfluxLink.linked(new byte[32], 0, 0, ConfluxLink.UX_HIGH_THROUGHPUT));
        sched.runUntilIdle();
        assertEquals(List.of("protocol error: CONFLUX_LINKED with another set's nonce"), eventsA.closed);
        assertFalse(b.isOpen());
        assertEquals(List.of("failed: a leg closed before the set was linked: protocol error: CONFLUX_LINKED with"
                + " another set's nonce"), setEvents);
    }

    @Test
    void noLinkedInTimeClosesBothLegs() {
        legs(false);
        ConfluxSet s = set(1_000);
        ScriptedRelay.RCirc rc = ra();
        ConfluxLink link = ConfluxLink.decode(RelayCommand.CONFLUX_LINK, rc.confluxReceived.get(0).data());
        relay.send(rc, 2, 0, ConfluxLink.linked(link.nonce(), 0, 0, ConfluxLink.UX_HIGH_THROUGHPUT));
        sched.advance(999);
        assertTrue(a.isOpen() && b.isOpen());
        sched.advance(1);
        String reason = "conflux set not linked within 1000 ms (1 of 2 legs answered)";
        assertEquals(List.of("failed: " + reason), setEvents);
        assertEquals(List.of(reason), eventsA.closed);
        assertEquals(List.of(reason), eventsB.closed);
        assertTrue(s.isClosed());
    }

    @Test
    void aBadExitGetsTheExactError() {
        // DATA before the set is linked.
        check(false, (s, sid) -> relay.sendCounted(ra(), 1, new Data(new byte[1])),
                "protocol error: DATA on a conflux leg before the set was linked");
        // A SWITCH that sends a leg back to a number already delivered: CONNECTED was 1, so 0+1 is stale.
        check(true, (s, sid) -> {
            relay.sendCounted(rb(), sid, new Data(new byte[1]));
        }, "protocol error: conflux sequence number 1 was already delivered (last 1)");
        // More cells ahead of a gap than the bound (64 here).
        check(true, (s, sid) -> {
            relay.send(rb(), 2, 0, new ConfluxSwitch(10));
            for (int i = 0; i < 65; i++) {
                relay.sendCounted(rb(), sid, new Data(new byte[1]));
            }
        }, "protocol error: conflux out-of-order queue over 64 cells");
        // The client's own commands coming back.
        check(true, (s, sid) -> relay.send(rb(), 2, 0, new org.onionpeer.cell.ConfluxLinkedAck()),
                "protocol error: CONFLUX_LINKED_ACK sent to a client");
    }

    private interface Script {
        void run(ConfluxSet s, int sid);
    }

    /** A fresh set (linked or not), the script, then the leg B closes with {@code error}, and A with it. */
    private void check(boolean linked, Script script, String error) {
        eventsA.closed.clear();
        eventsB.closed.clear();
        setEvents.clear();
        legs(linked);
        ConfluxSet s = set(10_000);
        int sid = linked ? linkedStream(s).connected.streamId() : 0;
        script.run(s, sid);
        sched.runUntilIdle();
        List<String> closed = new ArrayList<>(eventsA.closed);
        closed.addAll(eventsB.closed);
        assertTrue(closed.contains(error), closed.toString());
        assertFalse(a.isOpen() || b.isOpen(), "the other leg goes with it");
        assertTrue(s.isClosed());
    }

    @Test
    void aLegThatClosesEndsTheStreamsOfTheSet() {
        legs(true);
        ConfluxSet s = set(10_000);
        ClientCircuitTest.StreamEvents se = linkedStream(s);
        relay.destroy(rb(), org.onionpeer.cell.DestroyReason.FINISHED);
        sched.runUntilIdle();
        assertEquals(List.of("destroyed by the network: FINISHED"), eventsB.closed);
        assertFalse(a.isOpen());
        assertEquals(List.of("conflux leg 2 of 2 closed: destroyed by the network: FINISHED"), eventsA.closed);
        assertEquals(List.of("circuit closed: conflux leg 2 of 2 closed: destroyed by the network: FINISHED"),
                se.closed);
    }
}
