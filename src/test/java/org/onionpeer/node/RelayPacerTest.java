package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.Begin;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Data;
import org.onionpeer.cell.Destroy;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.transport.Connector;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

/**
 * A node relaying for others at a set byte rate (a page's relaying limit): what passes through its circuits
 * takes the time the rate says, arrives whole and in order, and a sender that ignores the circuit window
 * overflows its bounded queue and loses the circuit (RESOURCELIMIT), not the node's memory.
 */
class RelayPacerTest {
    static final long RATE = 100_000;

    private TestNet net;
    private TestNet.Relay middle;

    private void network(long middleRate) {
        net = new TestNet();
        net.relayBytesPerSecond = middleRate;
        middle = net.addRelay("middle", null, null, null);
        net.relayBytesPerSecond = 0;
        Connector echo = (host, port, filter, cb) -> {
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
            net.sched.execute(() -> cb.connected(p.a(), new byte[] {127, 0, 0, 1}));
        };
        TestNet.Relay exit = net.addRelay("exit", echo, (addr, port) -> true, null);
        op = new ScriptedOp(net, middle);
        op.create(middle);
        op.extend(exit);
        op.relay(1, 5, new Begin("localhost", 7), false);
        assertEquals(RelayCommand.CONNECTED, op.receiveRelay().command());
    }

    private ScriptedOp op;

    /** Sends {@code cells} DATA cells (within both windows) and times their echo; returns the echo. */
    private byte[] echo(int cells, long[] elapsedMillis) {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        long t0 = net.sched.nowMillis();
        for (int i = 0; i < cells; i++) {
            byte[] chunk = new byte[498];
            for (int j = 0; j < chunk.length; j++) {
                chunk[j] = (byte) (i * 7 + j);
            }
            sent.write(chunk, 0, chunk.length);
            op.relay(1, 5, new Data(chunk), false);
        }
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < sent.size() && net.sched.nowMillis() - t0 < 60_000) {
            net.sched.advance(5);
            net.sched.runUntilIdle();
            while (!op.cells.isEmpty()) {
                RelayCell rc = op.receiveRelay();
                if (rc.command() == RelayCommand.DATA) {
                    got.write(rc.data(), 0, rc.data().length);
                }
            }
        }
        elapsedMillis[0] = net.sched.nowMillis() - t0;
        assertArrayEquals(sent.toByteArray(), got.toByteArray(), "the echo, whole and in order");
        return got.toByteArray();
    }

    @Test
    void whatARelayPassesOnTakesTheTimeItsRateSays() {
        network(RATE);
        long[] paced = new long[1];
        int cells = 400; // within the stream window (500): no SENDME needed to finish
        echo(cells, paced);
        // 400 cells forward and 400 back through the middle, less the bucket it starts with (64 cells).
        double expected = (2.0 * cells - 64) * RelayPacer.CELL_BYTES * 1000 / RATE;
        assertTrue(paced[0] >= expected * 0.95 && paced[0] <= expected * 1.15,
                "paced echo took " + paced[0] + " ms, the rate says about " + (long) expected);
        assertTrue(middle.router.pacer().delayedCells() > 600, "cells waited: " + middle.router.pacer().delayedCells());

        network(0);
        long[] free = new long[1];
        echo(cells, free);
        assertTrue(free[0] < expected / 10, "unpaced: " + free[0] + " ms");
        assertEquals(null, middle.router.pacer(), "JVM relays are not paced");
    }

    @Test
    void aSenderIgnoringTheWindowOverflowsItsQueueAndLosesTheCircuit() {
        network(RATE);
        for (int i = 0; i < RelayPacer.MAX_QUEUED_CELLS + 100; i++) {
            op.relay(1, 5, new Data(new byte[498]), false);
        }
        net.sched.runUntilIdle();
        Cell destroy = null;
        for (Cell c : op.cells) {
            if (c.command() == CellCommand.DESTROY) {
                destroy = c;
            }
        }
        assertTrue(destroy != null, "the middle destroyed the circuit");
        assertEquals(DestroyReason.RESOURCELIMIT, Destroy.decode(destroy.payload()).reason());
        assertEquals(1, middle.router.pacer().overflowedCircuits());
        // Its queued cells are forgotten with it: a new circuit gets the whole rate.
        long[] t = new long[1];
        net.sched.advance(1000); // the bucket refills (what the overflowing circuit sent before used it up)
        op = new ScriptedOp(net, middle);
        op.create(middle);
        op.extend(net.relays.get("exit"));
        op.relay(1, 5, new Begin("localhost", 7), false);
        net.sched.advance(100);
        assertEquals(RelayCommand.CONNECTED, op.receiveRelay().command());
        echo(50, t);
    }
}
