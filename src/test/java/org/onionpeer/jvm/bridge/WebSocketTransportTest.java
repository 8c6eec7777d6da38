package org.onionpeer.jvm.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.transport.Transport;

class WebSocketTransportTest {
    private static final long T = 20; // seconds: generous timeouts, never sleeps

    private final EventLoop loop = new EventLoop("ws-test-loop");
    private final LinkedBlockingQueue<WebSocketTransport> accepted = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private BridgeServer server;
    private WebSocketConnector connector;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (connector != null) {
            connector.close();
        }
        if (server != null) {
            server.stop();
        }
        loop.close();
    }

    private void startServer(BridgeServer.Options o) throws Exception {
        server = new BridgeServer(o.port(0), loop, () -> "dir", accepted::add);
        server.start();
        connector = new WebSocketConnector();
    }

    private WebSocketTransport acceptedNext() throws InterruptedException {
        WebSocketTransport t = accepted.poll(T, TimeUnit.SECONDS);
        assertNotNull(t, "no session accepted");
        return t;
    }

    /** Thrown by {@link #connect} when the server refuses. */
    static final class Refused extends Exception {
        final int status;

        Refused(String message, int status) {
            super(message);
            this.status = status;
        }
    }

    private WebSocketTransport connect(WebSocketConnector c, URI uri) throws Exception {
        return connect(c, uri, loop);
    }

    private WebSocketTransport connect(WebSocketConnector c, URI uri, EventLoop on) throws Exception {
        CompletableFuture<WebSocketTransport> f = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        c.connect(uri, on, new WebSocketConnector.Callback() {
            @Override
            public void connected(WebSocketTransport transport) {
                calls.incrementAndGet();
                f.complete(transport);
            }

            @Override
            public void failed(String message, int httpStatus) {
                calls.incrementAndGet();
                f.completeExceptionally(new Refused(message, httpStatus));
            }
        });
        try {
            return f.get(T, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        } finally {
            assertEquals(1, calls.get());
        }
    }

    private WebSocketTransport connect() throws Exception {
        return connect(connector, server.linkUri());
    }

    /**
     * A client on {@code on} whose messages are at most {@code max} bytes (sends are gathered per loop turn
     * into messages of up to that size): for tests that count what one message may carry.
     */
    private WebSocketTransport connectSmallMessages(int max, EventLoop on) throws Exception {
        WebSocketConnector c = new WebSocketConnector(WebSocketLimits.DEFAULT.withMaxMessageBytes(max), 10_000);
        toClose.add(c);
        return connect(c, server.linkUri(), on);
    }

    /** Listens like a link: digests every byte, checks it runs on the loop, records onClosed. */
    final class Recorder implements Transport.Listener {
        final MessageDigest sha;
        final long expect;
        long bytes;
        long bytesAtClose = -1;
        volatile boolean offLoop;
        final AtomicInteger closedCount = new AtomicInteger();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final CompletableFuture<byte[]> all = new CompletableFuture<>();

        Recorder(long expect) throws Exception {
            this.sha = MessageDigest.getInstance("SHA-256");
            this.expect = expect;
        }

        @Override
        public void onData(byte[] data) {
            offLoop |= !loop.inLoop();
            sha.update(data);
            bytes += data.length;
            if (bytes == expect) {
                all.complete(sha.digest());
            } else if (bytes > expect) {
                all.completeExceptionally(new AssertionError("more bytes than sent: " + bytes));
            }
        }

        @Override
        public void onClosed(String reason) {
            offLoop |= !loop.inLoop();
            bytesAtClose = bytes;
            closedCount.incrementAndGet();
            closed.complete(reason);
        }

        String closedReason() throws Exception {
            return closed.get(T, TimeUnit.SECONDS);
        }
    }

    private Recorder listen(WebSocketTransport t, long expect) throws Exception {
        Recorder r = new Recorder(expect);
        t.setListener(r);
        return r;
    }

    /** Random-sized chunks from a fixed seed. */
    private static byte[][] chunks(long seed, int n, int maxSize) {
        Random rnd = new Random(seed);
        byte[][] c = new byte[n][];
        for (int i = 0; i < n; i++) {
            c[i] = new byte[1 + rnd.nextInt(maxSize)];
            rnd.nextBytes(c[i]);
        }
        return c;
    }

    private static byte[] sha256(byte[][] chunks) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        for (byte[] c : chunks) {
            d.update(c);
        }
        return d.digest();
    }

    private static long total(byte[][] chunks) {
        long n = 0;
        for (byte[] c : chunks) {
            n += c.length;
        }
        return n;
    }

    /** Sends all chunks from the loop, as a link would: keeps bufferedAmount under 256 KiB. */
    private void pump(Transport t, byte[][] chunks) {
        int[] next = {0};
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            while (next[0] < chunks.length && t.bufferedAmount() < 256 * 1024) {
                t.send(chunks[next[0]++]);
            }
            if (next[0] < chunks.length) {
                loop.schedule(1, step[0]);
            }
        };
        loop.execute(step[0]);
    }

    /** Waits until every task queued on the loop so far has run. */
    private void drainLoop() throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(null));
        f.get(T, TimeUnit.SECONDS);
    }

    @Test
    void bytesFlowBothWaysInOrder() throws Exception {
        startServer(new BridgeServer.Options());
        byte[][] up = chunks(1, 10_000, 2048);
        byte[][] down = chunks(2, 10_000, 2048);
        WebSocketTransport client = connect();
        Recorder atClient = listen(client, total(down));
        WebSocketTransport srv = acceptedNext();
        Recorder atServer = listen(srv, total(up));
        pump(client, up);
        pump(srv, down);
        assertArrayEquals(sha256(up), atServer.all.get(60, TimeUnit.SECONDS));
        assertArrayEquals(sha256(down), atClient.all.get(60, TimeUnit.SECONDS));
        assertFalse(atServer.offLoop || atClient.offLoop, "a callback ran off the loop");
        assertEquals(1, server.sessionCount());
        assertTrue(client.isOpen() && srv.isOpen());
    }

    @Test
    void bytesWaitForTheListener() throws Exception {
        startServer(new BridgeServer.Options());
        server.stop();
        accepted.clear();
        server = new BridgeServer(new BridgeServer.Options().port(0), loop, null, t -> {
            t.send(new byte[] {1, 2, 3}); // before anyone listens on either side
            t.send(new byte[] {4});
            accepted.add(t);
        });
        server.start();
        WebSocketTransport client = connect();
        acceptedNext();
        drainLoop();
        Recorder r = listen(client, 4);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3, 4}),
                r.all.get(T, TimeUnit.SECONDS));
    }

    @Test
    void dataSentBeforeACloseArrivesBeforeOnClosed() throws Exception {
        startServer(new BridgeServer.Options());
        byte[][] up = chunks(3, 200, 1000);
        WebSocketTransport client = connect();
        Recorder atClient = listen(client, 0);
        WebSocketTransport srv = acceptedNext();
        Recorder atServer = listen(srv, total(up));
        loop.execute(() -> {
            for (byte[] c : up) {
                client.send(c);
            }
            client.close("done");
        });
        assertTrue(atServer.closedReason().contains("done"));
        assertEquals(total(up), atServer.bytesAtClose);
        assertArrayEquals(sha256(up), atServer.all.get(T, TimeUnit.SECONDS));
        assertEquals("done", atClient.closedReason());
    }

    @Test
    void textFrameClosesTheSession() throws Exception {
        startServer(new BridgeServer.Options());
        WebSocketClient raw = new WebSocketClient();
        raw.start();
        toClose.add(raw::stop);
        RawPeer peer = new RawPeer();
        Session s = raw.connect(peer, server.linkUri()).get(T, TimeUnit.SECONDS);
        Recorder atServer = listen(acceptedNext(), 0);
        s.sendText("hello", Callback.NOOP);
        assertEquals(StatusCode.POLICY_VIOLATION, peer.closeCode.get(T, TimeUnit.SECONDS));
        assertTrue(atServer.closedReason().contains("text"), atServer.closedReason());
    }

    @Test
    void oversizedMessageClosesTheSession() throws Exception {
        startServer(new BridgeServer.Options().limits(WebSocketLimits.DEFAULT.withMaxMessageBytes(1024)));
        WebSocketTransport client = connect();
        Recorder atClient = listen(client, 0);
        Recorder atServer = listen(acceptedNext(), 1024);
        loop.execute(() -> client.send(new byte[1024])); // exactly the limit is fine
        assertNotNull(atServer.all.get(T, TimeUnit.SECONDS));
        loop.execute(() -> client.send(new byte[1025]));
        assertTrue(atClient.closedReason().contains("1009"), atClient.closedReason());
        atServer.closedReason();
        assertEquals(1024, atServer.bytes);
    }

    @Test
    void sessionLimitRefusesTheNextUpgrade() throws Exception {
        startServer(new BridgeServer.Options().maxSessions(2));
        WebSocketTransport a = connect();
        listen(a, 0);
        connect();
        Recorder atServerA = listen(acceptedNext(), 0);
        acceptedNext();
        Refused r = org.junit.jupiter.api.Assertions.assertThrows(Refused.class, this::connect);
        assertEquals(503, r.status, r.getMessage());
        assertEquals(2, server.sessionCount());
        // A slot frees when a session ends.
        loop.execute(() -> a.close("make room"));
        atServerA.closedReason();
        assertEquals(1, server.sessionCount());
        assertNotNull(connect());
    }

    @Test
    void closingEitherSideFiresOnClosedOnceOnBoth() throws Exception {
        startServer(new BridgeServer.Options());
        WebSocketTransport c1 = connect();
        Recorder c1r = listen(c1, 0);
        WebSocketTransport s1 = acceptedNext();
        Recorder s1r = listen(s1, 0);
        loop.execute(() -> c1.close("client says bye"));
        assertEquals("client says bye", c1r.closedReason());
        assertTrue(s1r.closedReason().contains("1000") && s1r.closedReason().contains("client says bye"),
                s1r.closedReason());

        WebSocketTransport c2 = connect();
        Recorder c2r = listen(c2, 0);
        WebSocketTransport s2 = acceptedNext();
        Recorder s2r = listen(s2, 0);
        loop.execute(() -> s2.close("server says bye"));
        assertEquals("server says bye", s2r.closedReason());
        assertTrue(c2r.closedReason().contains("server says bye"), c2r.closedReason());

        // Closing again, and sending after the close, change nothing.
        loop.execute(() -> {
            c1.close("again");
            s2.close("again");
            c1.send(new byte[10]);
            s2.send(new byte[10]);
        });
        connector.close();
        server.stop();
        drainLoop();
        for (Recorder r : new Recorder[] {c1r, s1r, c2r, s2r}) {
            assertEquals(1, r.closedCount.get());
            assertFalse(r.offLoop);
        }
        assertEquals(0, c1.bufferedAmount());
        assertFalse(c1.isOpen() || s1.isOpen() || c2.isOpen() || s2.isOpen());
    }

    @Test
    void stopClosesAllSessions() throws Exception {
        startServer(new BridgeServer.Options());
        List<Recorder> clients = new ArrayList<>();
        List<Recorder> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(listen(connect(), 0));
            servers.add(listen(acceptedNext(), 0));
        }
        assertEquals(3, server.sessionCount());
        server.stop();
        for (Recorder r : servers) {
            assertEquals("bridge stopping", r.closedReason());
        }
        for (Recorder r : clients) {
            assertNotNull(r.closedReason());
        }
        assertEquals(0, server.sessionCount());
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class, this::connect);
    }

    @Test
    void pausedReadingHoldsDataBack() throws Exception {
        startServer(new BridgeServer.Options());
        byte[][] up = chunks(4, 100, 1000);
        WebSocketTransport client = connectSmallMessages(1000, loop);
        listen(client, 0);
        WebSocketTransport srv = acceptedNext();
        Recorder atServer = listen(srv, total(up));
        // Pause before anything is sent; the one demand already outstanding may still let a message in.
        srv.pauseReading(true);
        loop.execute(() -> {
            for (byte[] c : up) {
                client.send(c);
            }
        });
        // Everything is written to the socket...
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        Runnable[] check = new Runnable[1];
        check[0] = () -> {
            if (client.bufferedAmount() == 0) {
                flushed.complete(null);
            } else {
                loop.schedule(1, check[0]);
            }
        };
        loop.execute(check[0]);
        flushed.get(T, TimeUnit.SECONDS);
        drainLoop();
        // ...but at most the one message demanded before the pause got through.
        CompletableFuture<Long> seen = new CompletableFuture<>();
        loop.execute(() -> seen.complete(atServer.bytes));
        assertTrue(seen.get(T, TimeUnit.SECONDS) <= 1000, "read while paused");
        srv.pauseReading(false);
        assertArrayEquals(sha256(up), atServer.all.get(T, TimeUnit.SECONDS));
    }

    @Test
    void receiveWindowStopsDemandWhileTheLoopIsBusy() throws Exception {
        int window = 4096;
        startServer(new BridgeServer.Options().limits(WebSocketLimits.DEFAULT.withReceiveWindowBytes(window)));
        byte[][] up = chunks(5, 150, 1000);
        // The client on a loop of its own (the bridge's loop is blocked below), in messages of at most 1000 bytes.
        EventLoop sender = new EventLoop("sender");
        toClose.add(sender);
        WebSocketTransport client = connectSmallMessages(1000, sender);
        listen(client, 0);
        WebSocketTransport srv = acceptedNext();
        Recorder atServer = listen(srv, total(up));
        drainLoop();
        // Block the loop: nothing can be delivered, so the bridge may take at most about a window from Jetty.
        CompletableFuture<Void> release = new CompletableFuture<>();
        loop.execute(release::join);
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        Runnable[] check = new Runnable[1];
        check[0] = () -> {
            // Wait until the client wrote everything and the bridge filled its window (it demands until then).
            if (client.bufferedAmount() == 0 && srv.undeliveredBytes() >= window) {
                flushed.complete(null);
            } else {
                sender.schedule(1, check[0]);
            }
        };
        sender.execute(() -> {
            for (byte[] c : up) {
                client.send(c);
            }
            check[0].run();
        });
        flushed.get(T, TimeUnit.SECONDS);
        long taken = srv.undeliveredBytes();
        assertTrue(taken < window + 1000, "took " + taken + " bytes past a window of " + window);
        release.complete(null);
        assertArrayEquals(sha256(up), atServer.all.get(T, TimeUnit.SECONDS));
        assertEquals(0, srv.undeliveredBytes());
    }

    @Test
    void sendQueueOverflowCloses() throws Exception {
        startServer(new BridgeServer.Options());
        WebSocketConnector small = new WebSocketConnector(WebSocketLimits.DEFAULT.withMaxSendQueueBytes(4096),
                10_000);
        toClose.add(small);
        WebSocketTransport client = connect(small, server.linkUri());
        Recorder atClient = listen(client, 0);
        Recorder atServer = listen(acceptedNext(), 0);
        loop.execute(() -> client.send(new byte[5000]));
        assertEquals("send queue overflow", atClient.closedReason());
        assertTrue(atServer.closedReason().contains("1008"), atServer.closedReason());
        assertEquals(0, atServer.bytes);
    }

    @Test
    void idleSessionsAreClosed() throws Exception {
        startServer(new BridgeServer.Options().limits(WebSocketLimits.DEFAULT.withIdleTimeoutMillis(300)));
        WebSocketTransport client = connect();
        Recorder atClient = listen(client, 0);
        Recorder atServer = listen(acceptedNext(), 0);
        assertTrue(atServer.closedReason().toLowerCase(java.util.Locale.ROOT).contains("idle"),
                atServer.closedReason());
        assertNotNull(atClient.closedReason());
        assertEquals(0, server.sessionCount());
    }

    @Test
    void wrongPathIsRefused() throws Exception {
        startServer(new BridgeServer.Options());
        Refused r = org.junit.jupiter.api.Assertions.assertThrows(Refused.class,
                () -> connect(connector, URI.create("ws://127.0.0.1:" + server.port() + "/nolink")));
        assertEquals(404, r.status, r.getMessage());
    }

    @Test
    void pingsAreAnsweredAndReadingGoesOn() throws Exception {
        startServer(new BridgeServer.Options());
        WebSocketClient raw = new WebSocketClient();
        raw.start();
        toClose.add(raw::stop);
        RawPeer peer = new RawPeer();
        Session s = raw.connect(peer, server.linkUri()).get(T, TimeUnit.SECONDS);
        Recorder atServer = listen(acceptedNext(), 3);
        s.sendPing(ByteBuffer.wrap(new byte[] {9, 9}), Callback.NOOP);
        assertEquals(ByteBuffer.wrap(new byte[] {9, 9}), peer.pong.get(T, TimeUnit.SECONDS));
        s.sendBinary(ByteBuffer.wrap(new byte[] {7, 8, 9}), Callback.NOOP);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(new byte[] {7, 8, 9}),
                atServer.all.get(T, TimeUnit.SECONDS));
    }
}
