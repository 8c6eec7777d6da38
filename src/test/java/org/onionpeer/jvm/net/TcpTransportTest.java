package org.onionpeer.jvm.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.transport.Transport;

class TcpTransportTest {
    private final EventLoop loop = new EventLoop("tcp-test");

    @AfterEach
    void stop() {
        loop.close();
    }

    /** A connected pair: our TcpTransport (accepted by a Netty server) on one end, a plain socket on the other. */
    private static final class Pair implements AutoCloseable {
        final TcpServer server;
        final Socket peer;
        final TcpTransport t;

        Pair(EventLoop loop, long maxQueued) throws Exception {
            CompletableFuture<TcpTransport> accepted = new CompletableFuture<>();
            server = new TcpServer(new TcpServer.Options(), ch -> accepted.complete(TcpTransport.attach(ch, loop,
                    maxQueued)));
            peer = new Socket(InetAddress.getLoopbackAddress(), server.port());
            peer.setSoTimeout(10_000);
            t = accepted.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            peer.close();
            server.close();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readAll(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** Collects what a transport delivers, checking that every callback runs on the loop. */
    private final class Collector implements Transport.Listener {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger offLoop = new AtomicInteger();
        volatile CountDownLatch bytesWanted = new CountDownLatch(0);
        volatile int want = Integer.MAX_VALUE;

        @Override
        public void onData(byte[] d) {
            if (!loop.inLoop()) {
                offLoop.incrementAndGet();
            }
            if (closes.get() > 0) {
                offLoop.incrementAndGet(); // data after onClosed counts as a failure too
            }
            data.write(d, 0, d.length);
            if (data.size() >= want) {
                bytesWanted.countDown();
            }
        }

        @Override
        public void onClosed(String reason) {
            if (!loop.inLoop()) {
                offLoop.incrementAndGet();
            }
            closes.incrementAndGet();
            closed.complete(reason);
        }

        /** Waits until one more task has run on the loop: any callback already queued has been delivered. */
        void drainLoop() throws Exception {
            CompletableFuture<Void> f = new CompletableFuture<>();
            loop.execute(() -> f.complete(null));
            f.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void bytesFlowBothWaysAndPeerCloseEndsOnceAfterTheData() throws Exception {
        try (Pair p = new Pair(loop, TcpTransport.DEFAULT_MAX_QUEUED)) {
            Collector c = new Collector();
            p.t.setListener(c);
            byte[] up = random(3 << 20, 1);
            byte[] down = random(2 << 20, 2);
            CompletableFuture<byte[]> peerGot = CompletableFuture.supplyAsync(() -> {
                try {
                    InputStream in = p.peer.getInputStream();
                    return in.readNBytes(up.length);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            for (int i = 0; i < up.length; i += 1000) {
                p.t.send(java.util.Arrays.copyOfRange(up, i, Math.min(up.length, i + 1000)));
            }
            p.peer.getOutputStream().write(down);
            p.peer.shutdownOutput();
            assertArrayEquals(up, peerGot.get(20, TimeUnit.SECONDS));
            assertEquals("closed by peer", c.closed.get(20, TimeUnit.SECONDS));
            c.drainLoop();
            assertArrayEquals(down, c.data.toByteArray());
            assertEquals(1, c.closes.get());
            assertEquals(0, c.offLoop.get());
            assertEquals(0, p.t.bufferedAmount());
        }
    }

    @Test
    void closeIsGracefulIdempotentAndReportsOnce() throws Exception {
        try (Pair p = new Pair(loop, TcpTransport.DEFAULT_MAX_QUEUED)) {
            Collector c = new Collector();
            p.t.setListener(c);
            byte[] big = random(6 << 20, 3);
            p.t.send(big);
            assertTrue(p.t.bufferedAmount() > 0);
            p.t.close("done here");
            p.t.close("again");
            p.t.send(new byte[] {1, 2, 3}); // ignored after close
            // The peer still receives every queued byte, then end of stream.
            assertArrayEquals(big, readAll(p.peer.getInputStream()));
            assertEquals("done here", c.closed.get(10, TimeUnit.SECONDS));
            c.drainLoop();
            assertEquals(1, c.closes.get());
            assertEquals(0, c.offLoop.get());
            assertTrue(p.t.isClosed());
        }
    }

    @Test
    void pauseReadingStopsDeliveryUntilResumed() throws Exception {
        try (Pair p = new Pair(loop, TcpTransport.DEFAULT_MAX_QUEUED)) {
            Collector c = new Collector();
            p.t.pauseReading(true);
            p.t.setListener(c);
            byte[] msg = random(1000, 4);
            p.peer.getOutputStream().write(msg);
            // Negative check: nothing may arrive while paused (bounded wait, not a synchronisation sleep).
            c.want = 1;
            c.bytesWanted = new CountDownLatch(1);
            assertFalse(c.bytesWanted.await(300, TimeUnit.MILLISECONDS));
            assertEquals(0, c.data.size());
            c.want = msg.length;
            p.t.pauseReading(false);
            assertTrue(c.bytesWanted.await(10, TimeUnit.SECONDS));
            c.drainLoop();
            assertArrayEquals(msg, c.data.toByteArray());
            p.t.close("bye");
            assertEquals("bye", c.closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void overflowingTheSendQueueClosesInsteadOfGrowing() throws Exception {
        try (Pair p = new Pair(loop, 64 * 1024)) {
            Collector c = new Collector();
            p.t.setListener(c);
            // The peer never reads: sooner or later the socket buffers are full and the queue hits its bound.
            byte[] chunk = new byte[16 * 1024];
            for (int i = 0; i < 100_000 && !p.t.isClosed(); i++) {
                p.t.send(chunk);
                assertTrue(p.t.bufferedAmount() <= 64 * 1024);
            }
            assertTrue(c.closed.get(10, TimeUnit.SECONDS).startsWith("send buffer overflow"));
            assertEquals(0, p.t.bufferedAmount());
        }
    }

    @Test
    void listenerHandsAcceptedConnectionsToTheLoop() throws Exception {
        CompletableFuture<TcpTransport> got = new CompletableFuture<>();
        try (TcpListener l = new TcpListener(loop, InetAddress.getLoopbackAddress(), 0, t -> {
            if (loop.inLoop()) {
                got.complete(t);
            } else {
                got.completeExceptionally(new AssertionError("accept delivered off the loop"));
            }
        });
             Socket s = new Socket(InetAddress.getLoopbackAddress(), l.port())) {
            TcpTransport t = got.get(10, TimeUnit.SECONDS);
            Collector c = new Collector();
            c.want = 5;
            c.bytesWanted = new CountDownLatch(1);
            t.setListener(c);
            s.getOutputStream().write("hello".getBytes());
            assertTrue(c.bytesWanted.await(10, TimeUnit.SECONDS));
            t.send("world".getBytes());
            s.setSoTimeout(10_000);
            assertArrayEquals("world".getBytes(), s.getInputStream().readNBytes(5));
            s.close();
            assertEquals("closed by peer", c.closed.get(10, TimeUnit.SECONDS));
        }
    }
}
