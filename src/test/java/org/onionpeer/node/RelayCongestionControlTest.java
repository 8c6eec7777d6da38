package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.circuit.CircuitOptions;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ClientStream;
import org.onionpeer.circuit.NtorV3ExitHandshake;
import org.onionpeer.circuit.Vegas;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.transport.Connector;
import org.onionpeer.transport.Transport;

/**
 * Congestion control on an all-Onionpeer circuit: our onion proxy asks our exit for it over ntor v3, the exit
 * answers with its sendme_inc, and then both ends send under Vegas (circuit SENDMEs every 31 cells, no stream
 * windows) and use XON/XOFF on the stream. Every link delays 1 ms each way, so SENDMEs carry RTT samples (4 ms
 * from the client to the exit and back) and both Vegas states grow out of their initial window in slow start.
 */
class RelayCongestionControlTest {
    private TestNet net;
    private TestNet.Relay middle;
    private TestNet.Relay exit;
    /** The destination's side of the exit's connection; its backlog is what the test says it is. */
    private Destination destination;

    /** An echoing destination that can stop taking data (its bufferedAmount then grows). */
    final class Destination implements Transport {
        Listener listener;
        boolean stalled;
        long backlog;
        final ByteArrayOutputStream held = new ByteArrayOutputStream();

        @Override
        public void send(byte[] data) {
            if (stalled) {
                backlog += data.length;
                held.write(data, 0, data.length);
                return;
            }
            net.sched.execute(() -> listener.onData(data.clone()));
        }

        void resume() {
            stalled = false;
            backlog = 0;
            byte[] all = held.toByteArray();
            held.reset();
            net.sched.execute(() -> listener.onData(all));
        }

        @Override
        public void close(String reason) {
        }

        @Override
        public long bufferedAmount() {
            return backlog;
        }

        @Override
        public void setListener(Listener l) {
            listener = l;
        }
    }

    @BeforeEach
    void setUp() {
        net = new TestNet();
        net.congestionControl = true;
        net.latencyMillis = 1;
        middle = net.addRelay("middle", null, null, null);
        Connector echo = (host, port, filter, cb) -> {
            destination = new Destination();
            net.sched.execute(() -> cb.connected(destination, new byte[] {127, 0, 0, 1}));
        };
        exit = net.addRelay("exit", echo, (addr, port) -> true, null);
    }

    private ClientCircuit circuit() {
        Node client = new Node(net.sched, TestNet.ENTROPY, net.dialer(), null);
        Channel[] ch = new Channel[1];
        client.links().connect(middle.info, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                ch[0] = channel;
            }

            @Override
            public void failed(String reason) {
                throw new AssertionError(reason);
            }
        });
        net.sched.advance(50);
        CircuitOptions o = new CircuitOptions();
        o.congestionControl = NtorV3ExitHandshake.FACTORY;
        ClientCircuit c = new ClientCircuit(ch[0], client.circuits(), net.sched, TestNet.ENTROPY,
                new BcRelayPrimitives(), List.of(middle.info, exit.info), o, new ClientCircuit.Listener() {
                    @Override
                    public void built(ClientCircuit circuit) {
                    }

                    @Override
                    public void closed(ClientCircuit circuit, String reason) {
                    }
                });
        c.start();
        net.sched.advance(50);
        assertTrue(c.isOpen(), "built: " + c.closeReason());
        return c;
    }

    private ClientStream stream(ClientCircuit c, ByteArrayOutputStream got) {
        ClientStream[] s = new ClientStream[1];
        c.begin("127.0.0.1", 7, new ClientStream.ConnectListener() {
            @Override
            public void connected(ClientStream stream) {
                s[0] = stream;
                stream.setListener(new Transport.Listener() {
                    @Override
                    public void onData(byte[] data) {
                        got.write(data, 0, data.length);
                    }

                    @Override
                    public void onClosed(String reason) {
                    }
                });
            }

            @Override
            public void failed(ClientStream stream, int endReason, String message, boolean retryable) {
                throw new AssertionError(message);
            }
        });
        net.sched.advance(50);
        assertNotNull(s[0], "connected");
        return s[0];
    }

    @Test
    void bothEndsRunVegasAndTheEchoComesBackWhole() {
        ClientCircuit c = circuit();
        assertTrue(c.usesCongestionControl(), "our exit answered the ntor v3 congestion control request");
        assertEquals(31, c.sendmeInc(1));
        assertEquals(1, exit.router.congestionControlledCount());
        assertEquals(0, middle.router.congestionControlledCount(), "only the last hop is asked");
        RelayCircuit atExit = exit.router.lastCreated();
        assertTrue(atExit.usesCongestionControl());

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ClientStream s = stream(c, got);
        assertTrue(s.usesFlowControl(), "XON/XOFF, not stream windows");
        int cells = 3000;
        byte[] sent = new byte[cells * 498];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + i / 498);
        }
        s.send(sent);
        for (int round = 0; round < 10_000 && got.size() < sent.length; round++) {
            net.sched.advance(2);
            net.sched.runUntilIdle();
        }
        net.sched.advance(50); // the last SENDMEs are still on their way
        assertEquals(sent.length, got.size());
        assertTrue(java.util.Arrays.equals(sent, got.toByteArray()), "the echo, byte for byte");
        Vegas ours = c.vegas();
        Vegas theirs = atExit.vegas();
        assertTrue(ours.cwnd() > 124 && ours.minRttMicros() > 0, "our Vegas sampled RTTs and grew: " + ours);
        assertTrue(theirs.cwnd() > 124 && theirs.minRttMicros() > 0, "the exit's Vegas grew: " + theirs);
        assertEquals(cells % 31, ours.inflight(), "all acknowledged but the last, partial batch of 31");
        assertEquals(cells % 31, theirs.inflight(), "the same at the exit");
    }

    @Test
    void aStalledDestinationMakesTheExitSendXoffThenXon() {
        ClientCircuit c = circuit();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ClientStream s = stream(c, got);
        destination.stalled = true;
        s.send(new byte[600 * 498]);
        for (int i = 0; i < 200; i++) {
            net.sched.advance(2);
            net.sched.runUntilIdle();
        }
        ExitStream atExit = exit.router.lastCreated().stream(s.streamId());
        assertTrue(atExit.xoffSent(), "more than cc_xoff_exit (500) cells wait for the destination");
        assertTrue(s.xoffReceived(), "our stream heard the exit's XOFF and holds its data");
        destination.resume();
        for (int i = 0; i < 200 && got.size() < 600 * 498; i++) {
            net.sched.advance(25);
            net.sched.runUntilIdle();
        }
        assertFalse(atExit.xoffSent(), "drained: the exit sent XON");
        assertFalse(s.xoffReceived());
        assertEquals(600 * 498, got.size(), "all of it came back once the destination took it");
    }

    @Test
    void ourXoffStopsTheExitUntilOurXon() {
        ClientCircuit c = circuit();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ClientStream s = stream(c, got);
        s.pauseReading(true);
        s.send(new byte[1200 * 498]);
        for (int i = 0; i < 300; i++) {
            net.sched.advance(2);
            net.sched.runUntilIdle();
        }
        ExitStream atExit = exit.router.lastCreated().stream(s.streamId());
        assertTrue(s.xoffSent(), "past cc_xoff_client (500 cells) held for a paused reader: XOFF");
        assertTrue(atExit.xoffReceived(), "the exit stopped sending on the stream");
        long held = s.queuedInbound();
        assertTrue(held < 1200L * 498, "the exit stopped before sending everything: " + held);
        s.pauseReading(false);
        for (int i = 0; i < 300 && got.size() < 1200 * 498; i++) {
            net.sched.advance(2);
            net.sched.runUntilIdle();
        }
        assertFalse(atExit.xoffReceived(), "our XON resumed it");
        assertEquals(1200 * 498, got.size());
    }

    /**
     * A queue building up on the path, seen by the exit's Vegas (the download side): the links go from 1 ms to
     * 6 ms each way mid-transfer, so the RTT samples rise well above the minimum. Vegas reads that as cells
     * queued (cwnd - BDP) and, whatever phase it was in, ends with its window bounded by BDP + delta (tor's
     * steady-state cut) and out of slow start; the transfer still completes, byte for byte.
     */
    @Test
    void aSlowerPathIsAQueueToTheExitsVegasWhichCutsItsWindowToTheBdp() {
        ClientCircuit c = circuit();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ClientStream s = stream(c, got);
        RelayCircuit atExit = exit.router.lastCreated();
        int cells = 6000;
        byte[] sent = new byte[cells * 498];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 7 + i / 498);
        }
        s.send(sent);
        Vegas v = atExit.vegas();
        for (int round = 0; round < 10_000 && got.size() < sent.length / 3; round++) {
            net.sched.advance(1);
            net.sched.runUntilIdle();
        }
        long minBefore = v.minRttMicros();
        long cwndBefore = v.cwnd();
        assertTrue(minBefore > 0 && minBefore < 12_000, "RTT min over 1 ms links: " + v);
        net.latencyMillis = 6;
        long maxQueue = 0;
        for (int round = 0; round < 20_000 && got.size() < sent.length; round++) {
            net.sched.advance(1);
            net.sched.runUntilIdle();
            maxQueue = Math.max(maxQueue, v.cwnd() - v.bdp());
        }
        net.sched.advance(100);
        assertEquals(sent.length, got.size());
        assertTrue(java.util.Arrays.equals(sent, got.toByteArray()), "the echo, byte for byte");
        assertFalse(v.inSlowStart(), "a queue ends slow start: " + v);
        assertEquals(minBefore, v.minRttMicros(), "the minimum stays the fast path's");
        assertTrue(v.ewmaRttMicros() > 3 * minBefore, "the EWMA follows the slower path: " + v);
        assertTrue(maxQueue > 0, "Vegas saw cells queued (cwnd above BDP)");
        assertTrue(v.cwnd() <= Math.max(v.params().cwndMin, v.bdp() + v.params().vegasDelta),
                "cwnd bounded by BDP + delta (tor's defaults: no consensus): " + v + " (was " + cwndBefore + ")");
    }
}
