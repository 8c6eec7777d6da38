package org.onionpeer.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.platform.Entropy;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

/** Keepalive PADDING on a quiet link, and the idle timeout for a peer that sends nothing at all. */
class ChannelKeepaliveTest {
    private static final SecureRandom RND = new SecureRandom();
    private static final Entropy ENTROPY = RND::nextBytes;
    private static RelayKeys keys;

    private final ManualScheduler sched = new ManualScheduler();

    @BeforeAll
    static void makeKeys() {
        keys = RelayKeys.generate(RND);
    }

    /** A transport that records the command of every fixed-size (link v4+: 514-byte) cell sent through it. */
    static final class Tap implements Transport {
        final Transport inner;
        final List<Integer> commands = new ArrayList<>();

        Tap(Transport inner) {
            this.inner = inner;
        }

        @Override
        public void send(byte[] data) {
            if (data.length == 514) {
                commands.add(data[4] & 0xff);
            }
            inner.send(data);
        }

        @Override
        public void close(String reason) {
            inner.close(reason);
        }

        @Override
        public long bufferedAmount() {
            return inner.bufferedAmount();
        }

        @Override
        public void setListener(Listener listener) {
            inner.setListener(listener);
        }

        int padding() {
            int n = 0;
            for (int c : commands) {
                if (c == CellCommand.PADDING) {
                    n++;
                }
            }
            return n;
        }
    }

    private Tap initTap;
    private Tap respTap;

    private Channel[] link(ChannelTest.Recorder ir, ChannelTest.Recorder rr, Channel.Limits il, Channel.Limits rl) {
        Pipe p = new Pipe(sched, sched);
        byte[] digest = new byte[32];
        CertsCell certs = RelayCredentials.create(keys, sched.epochSeconds()).certsCell(digest, null,
                sched.epochSeconds());
        respTap = new Tap(p.b());
        initTap = new Tap(p.a());
        Channel resp = Channel.accept(respTap, sched, ENTROPY, rr, rl, certs, null, null);
        Channel init = Channel.initiate(initTap, sched, ENTROPY, ir, il, null, keys.identity(), null);
        sched.runUntilIdle();
        assertTrue(init.isOpen() && resp.isOpen());
        initTap.commands.clear();
        respTap.commands.clear();
        return new Channel[] {init, resp};
    }

    @Test
    void paddingGoesOutAfterTwoQuietMinutesAndAPaddingOnlyPeerIsKept() {
        ChannelTest.Recorder ir = new ChannelTest.Recorder();
        ChannelTest.Recorder rr = new ChannelTest.Recorder();
        Channel[] c = link(ir, rr, null, null);
        sched.advance(120_000 - 1);
        assertEquals(0, initTap.padding());
        sched.advance(1);
        assertEquals(1, initTap.padding(), "keepalive after exactly 2 minutes of sending nothing");
        assertEquals(1, respTap.padding());
        // Traffic postpones the keepalive: a cell at +60 s moves the next one to +180 s.
        sched.advance(60_000);
        c[0].send(new Cell(0x80000001L, CellCommand.RELAY, new byte[0]));
        sched.advance(120_000 - 1);
        assertEquals(1, initTap.padding());
        sched.advance(1);
        assertEquals(2, initTap.padding());
        // Both ends only exchange PADDING for an hour: neither is idle, both stay open.
        sched.advance(3_600_000);
        assertTrue(c[0].isOpen() && c[1].isOpen());
        assertTrue(ir.closed.isEmpty() && rr.closed.isEmpty());
        assertEquals(2 + 30, initTap.padding());
        assertEquals(1, initTap.commands.size() - initTap.padding(), "the one RELAY cell");
    }

    @Test
    void aPeerThatSendsNothingIsClosedAfterTenMinutes() {
        ChannelTest.Recorder ir = new ChannelTest.Recorder();
        ChannelTest.Recorder rr = new ChannelTest.Recorder();
        Channel.Limits silent = new Channel.Limits();
        silent.keepaliveMillis = 0;
        silent.idleTimeoutMillis = 0;
        Channel[] c = link(ir, rr, null, silent);
        sched.advance(600_000 - 1);
        assertTrue(c[0].isOpen());
        assertEquals(4, initTap.padding(), "our keepalives went out meanwhile");
        assertEquals(0, respTap.padding(), "the silent end sends nothing");
        sched.advance(1);
        assertEquals(Channel.State.CLOSED, c[0].state());
        assertEquals(List.of("idle timeout: nothing received for 600 s"), ir.closed);
        assertEquals("idle timeout: nothing received for 600 s", c[0].closeReason());
        sched.runUntilIdle();
        assertEquals(Channel.State.CLOSED, c[1].state(), "the peer sees the close");
        assertEquals(0, sched.pendingTimers(), "no timer left behind");
    }
}
