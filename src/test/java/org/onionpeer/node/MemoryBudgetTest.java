package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.Begin;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Create2;
import org.onionpeer.cell.Data;
import org.onionpeer.cell.Destroy;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.End;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.link.Channel;
import org.onionpeer.transport.Connector;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

/** The node's memory budget (shed oldest queued data first, down to 90 %) and its global caps. */
class MemoryBudgetTest {
    private static final int CELL = 514;
    private TestNet net;
    private final List<String> log = new ArrayList<>();

    /** A transport whose peer stops reading when told: what is sent then only piles up. */
    static final class Stall implements Transport {
        final Transport inner;
        boolean stalled;
        long stuck;

        Stall(Transport inner) {
            this.inner = inner;
        }

        @Override
        public void send(byte[] data) {
            if (stalled) {
                stuck += data.length;
            } else {
                inner.send(data);
            }
        }

        @Override
        public void close(String reason) {
            inner.close(reason);
        }

        @Override
        public long bufferedAmount() {
            return stuck + inner.bufferedAmount();
        }

        @Override
        public void setListener(Listener listener) {
            inner.setListener(listener);
        }
    }

    /** One inbound link to the relay under test: the relay's end, its transport, and the peer's end. */
    final class Link {
        final Stall transport;
        final Channel relaySide;
        final ChannelRecorder peer = new ChannelRecorder();

        Link(TestNet.Relay r) {
            Pipe p = new Pipe(net.sched, net.sched);
            transport = new Stall(p.b());
            relaySide = r.node.links().accept(transport, null, null);
            Channel.initiate(p.a(), net.sched, TestNet.ENTROPY, peer, null, null, r.info.identity(), null);
            net.sched.runUntilIdle();
            assertTrue(relaySide.isOpen());
        }

        void fill(int cells) {
            for (int i = 0; i < cells; i++) {
                relaySide.send(new Cell(0, CellCommand.PADDING, new byte[0]));
            }
        }
    }

    static final class ChannelRecorder implements Channel.Handler {
        final List<String> closed = new ArrayList<>();

        @Override
        public void opened(Channel channel) {
        }

        @Override
        public void cell(Channel channel, Cell cell) {
        }

        @Override
        public void closed(Channel channel, String reason) {
            closed.add(reason);
        }
    }

    @BeforeEach
    void setUp() {
        net = new TestNet();
    }

    private TestNet.Relay relay(Connector exit) {
        TestNet.Relay r = net.addRelay("r" + net.relays.size(), exit, (a, p) -> true, null);
        r.node.limits().maxQueuedBytes = 100_000;
        r.node.setLog(log::add);
        return r;
    }

    @Test
    void oldestQueuedDataIsShedFirstUntilUnderNinetyPercent() {
        TestNet.Relay r = relay(null);
        Link x = new Link(r);
        Link y = new Link(r);
        Link z = new Link(r);
        Link reader = new Link(r);
        x.transport.stalled = true;
        y.transport.stalled = true;
        z.transport.stalled = true;
        x.fill(20); // 10,280 bytes, the oldest
        for (int t = 0; t < 30; t++) {
            reader.fill(10); // 5,140 bytes a round, all read before the stalled links get more
            net.sched.runUntilIdle();
            if (t == 10) {
                y.fill(78); // 40,092 bytes
            }
            if (t == 20) {
                z.fill(78); // 40,092 bytes, total 90,464: under the budget
            }
            net.sched.advance(100);
        }
        assertTrue(log.isEmpty(), log.toString());
        assertEquals(176 * CELL, r.node.queuedBytes(), "the stalled queues, sampled");
        z.fill(30); // 105,884: over; X (10 KiB) alone leaves 95,604 > 90,000, so Y goes too, Z stays
        net.sched.runUntilIdle();
        assertEquals(Channel.State.CLOSED, x.relaySide.state());
        assertEquals("memory budget: the peer does not read", x.relaySide.closeReason());
        assertEquals(Channel.State.CLOSED, y.relaySide.state());
        assertTrue(z.relaySide.isOpen(), "the newest (and largest) queue is kept");
        assertTrue(reader.relaySide.isOpen());
        assertEquals(2, r.node.shedCount());
        assertEquals(2, log.size(), log.toString());
        assertTrue(log.get(0).startsWith("memory budget: 103 KiB queued of 97 KiB; closed a link whose peer does"
                + " not read (10 KiB queued for "), log.get(0));
        assertEquals(108 * CELL, r.node.queuedBytes());
        net.sched.advance(1000);
        assertTrue(z.relaySide.isOpen() && reader.relaySide.isOpen());
        assertEquals(List.of("peer closed: memory budget: the peer does not read"), x.peer.closed);
    }

    @Test
    void aNonReadingPeerIsShedWhileABusyReadingPeerSurvives() {
        TestNet.Relay r = relay(null);
        Link slow = new Link(r);
        Link busy = new Link(r);
        slow.transport.stalled = true;
        int rounds = 0;
        while (slow.relaySide.isOpen() && rounds++ < 1000) {
            busy.fill(150); // 77,100 bytes queued at once, more than the stalled link ever holds
            slow.fill(10);
            net.sched.advance(50);
        }
        assertEquals(Channel.State.CLOSED, slow.relaySide.state(), "shed after " + rounds + " rounds");
        assertTrue(busy.relaySide.isOpen());
        assertEquals(1, log.size(), log.toString());
        // Only from the fifth round can the stalled link's 5 x 5,140 bytes plus the burst in flight pass 100,000.
        assertEquals(5, rounds, "shed as soon as the total passed the budget");
    }

    /** A destination that never reads: what the exit writes to it only piles up. */
    private Connector stalledDestination() {
        return (host, port, filter, cb) -> {
            Stall s = new Stall(new Pipe(net.sched, net.sched).a());
            s.stalled = true;
            net.sched.execute(() -> cb.connected(s, new byte[] {93, (byte) 184, (byte) 216, 34}));
        };
    }

    @Test
    void anExitStreamWhoseDestinationDoesNotReadLosesItsCircuit() {
        TestNet.Relay exit = relay(stalledDestination());
        ScriptedOp op = new ScriptedOp(net, exit);
        op.create(exit);
        op.relay(0, 1, new Begin("example.com", 80), false);
        assertEquals(RelayCommand.CONNECTED, op.receiveRelay().command());
        assertEquals(1, exit.router.edgeStreams());
        for (int i = 0; i < 300; i++) { // 149,400 bytes, within the stream window of 500 cells
            op.relay(0, 1, new Data(new byte[498]), false);
        }
        net.sched.runUntilIdle();
        Cell destroy = null;
        for (Cell c : op.cells) {
            if (c.command() == CellCommand.DESTROY) {
                destroy = c;
            }
        }
        assertTrue(destroy != null, "DESTROY expected, got " + op.cells);
        assertEquals(DestroyReason.RESOURCELIMIT, Destroy.decode(destroy.payload()).reason());
        assertFalse(op.closed, "the client's link stays");
        assertEquals(0, exit.router.circuitCount());
        assertEquals(0, exit.router.edgeStreams());
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).contains("destroyed a circuit whose exit stream holds data no one takes"), log.get(0));
        assertFalse(log.get(0).contains("example") || log.get(0).contains("93.184"), "nothing identifying");
    }

    @Test
    void createBeyondTheNodeWideCircuitCapIsDestroyedWithResourceLimit() {
        TestNet.Relay r = relay(null);
        r.node.limits().maxRelayCircuits = 2;
        ScriptedOp one = new ScriptedOp(net, r);
        one.create(r);
        ScriptedOp two = new ScriptedOp(net, r);
        two.create(r);
        ScriptedOp three = new ScriptedOp(net, r);
        long id = three.ch.allocateCircId();
        three.ch.send(new Create2(Ntor.HTYPE, new byte[84]).toCell(id));
        Cell c = three.take();
        assertEquals(CellCommand.DESTROY, c.command());
        assertEquals(id, c.circId());
        assertEquals(DestroyReason.RESOURCELIMIT, Destroy.decode(c.payload()).reason());
        assertFalse(three.closed);
        assertEquals(2, r.router.circuitCount());
        // One circuit goes, and a new CREATE is taken again.
        one.ch.send(new Cell(one.circId, CellCommand.DESTROY, new byte[] {(byte) DestroyReason.REQUESTED}));
        net.sched.runUntilIdle();
        assertEquals(1, r.router.circuitCount());
        three.create(r);
        assertEquals(2, r.router.circuitCount());
    }

    @Test
    void oneAddressGetsNoMoreThanItsShareOfCircuitsOverAllItsLinks() {
        TestNet.Relay r = relay(null);
        r.node.limits().maxCircuitsPerAddress = 2;
        org.onionpeer.cell.IpAddress a = org.onionpeer.cell.IpAddress.ipv4(198, 51, 100, 1);
        org.onionpeer.cell.IpAddress b = org.onionpeer.cell.IpAddress.ipv4(198, 51, 100, 2);
        ScriptedOp a1 = new ScriptedOp(net, r, a);
        a1.create(r);
        ScriptedOp a2 = new ScriptedOp(net, r, a); // a second link from the same host
        a2.create(r);
        long id = a2.ch.allocateCircId();
        a2.ch.send(new Create2(Ntor.HTYPE, new byte[84]).toCell(id));
        Cell c = a2.take();
        assertEquals(CellCommand.DESTROY, c.command());
        assertEquals(id, c.circId());
        assertEquals(DestroyReason.RESOURCELIMIT, Destroy.decode(c.payload()).reason());
        assertEquals(2, r.router.circuitsFrom(a));
        // Another host, and a peer whose address the platform did not give, are not held back by it.
        new ScriptedOp(net, r, b).create(r);
        new ScriptedOp(net, r).create(r);
        assertEquals(1, r.router.circuitsFrom(b));
        // One of a's circuits goes: a gets that slot back.
        a1.ch.send(new Cell(a1.circId, CellCommand.DESTROY, new byte[] {(byte) DestroyReason.REQUESTED}));
        net.sched.runUntilIdle();
        assertEquals(1, r.router.circuitsFrom(a));
        a2.create(r);
        assertEquals(2, r.router.circuitsFrom(a));
    }

    /** A destination that accepts and holds the connection. */
    private Connector openDestination() {
        return (host, port, filter, cb) -> {
            Pipe p = new Pipe(net.sched, net.sched);
            net.sched.execute(() -> cb.connected(p.a(), new byte[] {93, (byte) 184, (byte) 216, 34}));
        };
    }

    @Test
    void beginBeyondTheNodeWideStreamCapEndsWithResourceLimit() {
        TestNet.Relay exit = relay(openDestination());
        exit.node.limits().maxExitStreams = 1;
        ScriptedOp first = new ScriptedOp(net, exit);
        first.create(exit);
        ScriptedOp second = new ScriptedOp(net, exit);
        second.create(exit);
        first.relay(0, 1, new Begin("example.com", 80), false);
        assertEquals(RelayCommand.CONNECTED, first.receiveRelay().command());
        second.relay(0, 1, new Begin("example.com", 80), false);
        var end = second.receiveRelay();
        assertEquals(RelayCommand.END, end.command());
        assertEquals(EndReason.RESOURCELIMIT, ((End) end.message()).reason());
        first.relay(0, 1, End.of(EndReason.DONE), false);
        net.sched.runUntilIdle();
        assertEquals(0, exit.router.edgeStreams());
        second.relay(0, 2, new Begin("example.com", 80), false);
        assertEquals(RelayCommand.CONNECTED, second.receiveRelay().command());
    }
}
