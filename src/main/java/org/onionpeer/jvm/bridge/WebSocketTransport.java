package org.onionpeer.jvm.bridge;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Transport;

/**
 * A link {@link Transport} over one WebSocket session (Jetty 12), the same class on both ends: sessions a
 * {@link BridgeServer} accepts on its link path and sessions a {@link WebSocketConnector} opens to another
 * bridge. Binary messages carry the link's byte stream (any chunking; the link frames cells itself). A text
 * frame is a protocol error: the session is closed with 1008 (policy violation).
 *
 * <p>Threads: Jetty calls in on its own threads; everything the listener hears ({@code onData} in order,
 * then {@code onClosed} exactly once) runs as tasks on the node's {@link Scheduler}. Bytes that arrive before
 * a listener is set wait for it.
 *
 * <p>Sending never blocks: sends made in one turn of the node's loop are gathered ({@link SendBatch}) into
 * binary messages handed to Jetty's asynchronous {@code sendBinary} in call order (call it from the node's
 * loop); {@link #bufferedAmount} counts bytes not yet written, and going over
 * {@link WebSocketLimits#maxSendQueueBytes} closes the session with "send queue overflow".
 *
 * <p>Receiving uses explicit demand: we ask Jetty for one message at a time, and stop asking while reading is
 * paused ({@link #pauseReading}) or while {@link WebSocketLimits#receiveWindowBytes} bytes sit undelivered on
 * the scheduler. Jetty then stops reading the socket and TCP pushes back on the peer.
 */
public final class WebSocketTransport implements Transport {
    /** RFC 6455 §5.5: control frame payloads are at most 125 bytes, 2 of them the status code. */
    private static final int MAX_CLOSE_REASON_BYTES = 123;
    /**
     * Largest message made of gathered sends (see {@link SendBatch}), capped by the limits' message size. Every
     * message costs a receiving page a browser event and native work besides its bytes (profiled, issue 13: with
     * 16 KiB messages a page downloading through 3 hops spent a third of its thread between message events).
     */
    static final int BATCH_BYTES = 64 * 1024;
    /**
     * Jetty's read buffer (its default is 4 KiB): a page's gathered message (at most 16 KiB) and its frame
     * header in one read, so it is not parsed in four pieces and then copied together. Jetty gives it back to
     * its pool when a read leaves it empty: an idle session holds none.
     */
    static final int INPUT_BUFFER_BYTES = 64 * 1024;

    private final Scheduler scheduler;
    private final WebSocketLimits limits;
    private final Consumer<WebSocketTransport> onOpen;
    private final Runnable onTerminated;
    private final JettyEndpoint endpoint = new JettyEndpoint(this);

    private final Object lock = new Object();
    // Guarded by lock. Never call into Jetty while holding it (Jetty may call back on another thread).
    private Session session;
    private boolean closing;
    private boolean paused;
    private boolean demandPending;
    private boolean terminated;
    private long undelivered;

    private final AtomicLong buffered = new AtomicLong();
    private final SendBatch batch;
    private volatile boolean overflowed;
    private final AtomicBoolean closeNotified = new AtomicBoolean();
    private final AtomicBoolean terminationReported = new AtomicBoolean();
    private volatile Listener listener;
    private volatile boolean userClosed;
    private volatile String peer = "?";
    private volatile java.net.InetAddress peerAddress;

    // Confined to the scheduler.
    private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
    private String closedReason;
    private boolean closedDelivered;

    /**
     * @param onOpen called on a Jetty thread when the session opens, before any data is delivered
     * @param onTerminated called once when Jetty reports the session gone (for the owner's bookkeeping)
     */
    WebSocketTransport(Scheduler scheduler, WebSocketLimits limits, Consumer<WebSocketTransport> onOpen,
            Runnable onTerminated) {
        this.scheduler = scheduler;
        this.limits = limits;
        this.onOpen = onOpen;
        this.onTerminated = onTerminated;
        this.batch = new SendBatch(scheduler, Math.min(BATCH_BYTES, limits.maxMessageBytes()), this::sendMessage);
    }

    /**
     * Accepts no WebSocket extension on a link session: browsers offer permessage-deflate, which Jetty accepts by
     * default, and a link carries encrypted cells, which do not compress. Deflating them cost the bridge's relay
     * loop (the thread that sends) about 30 CPU ms per MB sent to a page, and the page's side inflated them (issue 13).
     */
    static void refuseExtensions(org.eclipse.jetty.server.Response upgrade) {
        if (upgrade instanceof org.eclipse.jetty.websocket.server.ServerUpgradeResponse) {
            ((org.eclipse.jetty.websocket.server.ServerUpgradeResponse) upgrade).setExtensions(java.util.List.of());
        }
    }

    /** The object to register with Jetty (server creator or client connect). */
    JettyEndpoint endpoint() {
        return endpoint;
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public void send(byte[] data) {
        send(data, 0, data.length);
    }

    @Override
    public void send(byte[] data, int off, int len) {
        if (len == 0) {
            return;
        }
        synchronized (lock) {
            if (closing || session == null) {
                return;
            }
        }
        batch.add(data, off, len);
    }

    /**
     * One binary message to Jetty (called under the batch's lock, which keeps the order of calls). The array
     * goes back to the batch once Jetty has written it (its callback), not before: Jetty reads it until then.
     */
    private void sendMessage(byte[] bytes, int n) {
        Session s;
        synchronized (lock) {
            if (closing || session == null || overflowed) {
                return;
            }
            s = session;
        }
        if (buffered.addAndGet(n) > limits.maxSendQueueBytes()) {
            buffered.addAndGet(-n);
            // Nothing more goes out (a hole in the byte stream is fatal); closed outside the batch's lock.
            overflowed = true;
            scheduler.execute(() -> closeWith(StatusCode.POLICY_VIOLATION, "send queue overflow"));
            return;
        }
        s.sendBinary(ByteBuffer.wrap(bytes, 0, n), Callback.from(() -> {
            buffered.addAndGet(-n);
            batch.recycle(bytes);
        }, failure -> {
            buffered.addAndGet(-n);
            finish("send failed: " + failure);
        }));
    }

    @Override
    public void close(String reason) {
        userClosed = true;
        closeWith(StatusCode.NORMAL, reason);
    }

    @Override
    public long bufferedAmount() {
        return buffered.get() + batch.pending();
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
        scheduler.execute(this::drain);
    }

    // ---------------------------------------------------------------- extras

    /**
     * Stops (true) or resumes (false) reading from the peer. While paused no new messages are requested from
     * Jetty; one already requested may still arrive. Safe from any thread.
     */
    public void pauseReading(boolean pause) {
        synchronized (lock) {
            paused = pause;
        }
        if (!pause) {
            maybeDemand();
        }
    }

    public WebSocketLimits limits() {
        return limits;
    }

    /** True until the session is closed by either side or fails. */
    public boolean isOpen() {
        synchronized (lock) {
            return session != null && !closing && !terminated;
        }
    }

    /** Bytes received and queued on the scheduler but not yet handed to the listener. */
    long undeliveredBytes() {
        synchronized (lock) {
            return undelivered;
        }
    }

    /**
     * The peer's address for the core (per-address caps, NETINFO) once the session is open; null before, or when
     * Jetty did not say.
     */
    public org.onionpeer.cell.IpAddress peerIp() {
        java.net.InetAddress a = peerAddress;
        return a == null ? null : org.onionpeer.cell.IpAddress.of(a.getAddress());
    }

    public String peer() {
        return peer;
    }

    @Override
    public String toString() {
        return "WebSocketTransport[" + peer + "]";
    }

    /** Closes with a given RFC 6455 status code; onClosed gets {@code reason}. Idempotent. */
    void closeWith(int code, String reason) {
        batch.flush(); // what was sent last (a DESTROY, say) goes before the close
        Session s;
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            s = session;
        }
        finish(reason);
        if (s != null) {
            try {
                s.close(code, truncate(reason), Callback.NOOP);
            } catch (RuntimeException e) {
                s.disconnect();
            }
        }
        maybeDemand(); // keep reading so the peer's answering CLOSE frame is seen
    }

    // ---------------------------------------------------------------- receive side

    /** Requests the next message from Jetty when allowed and none is outstanding. */
    private void maybeDemand() {
        Session s;
        synchronized (lock) {
            if (session == null || demandPending || terminated) {
                return;
            }
            if (!closing && (paused || undelivered >= limits.receiveWindowBytes())) {
                return;
            }
            demandPending = true;
            s = session;
        }
        try {
            s.demand();
        } catch (RuntimeException e) {
            // The session ended meanwhile; its close event follows.
        }
    }

    /** One message event from Jetty consumed our outstanding demand. */
    private void demandUsed() {
        synchronized (lock) {
            demandPending = false;
        }
    }

    private void onOpened(Session s) {
        s.setMaxBinaryMessageSize(limits.maxMessageBytes());
        s.setMaxFrameSize(limits.maxMessageBytes());
        s.setInputBufferSize(INPUT_BUFFER_BYTES);
        s.setMaxTextMessageSize(WebSocketLimits.MAX_TEXT_MESSAGE_BYTES);
        s.setIdleTimeout(Duration.ofMillis(limits.idleTimeoutMillis()));
        SocketAddress remote = s.getRemoteSocketAddress();
        peer = String.valueOf(remote);
        if (remote instanceof java.net.InetSocketAddress) {
            peerAddress = ((java.net.InetSocketAddress) remote).getAddress();
        }
        synchronized (lock) {
            session = s;
        }
        if (onOpen != null) {
            onOpen.accept(this);
        }
        maybeDemand();
    }

    private void onBinary(ByteBuffer payload, Callback callback) {
        byte[] b = new byte[payload.remaining()];
        payload.get(b);
        callback.succeed();
        boolean drop;
        synchronized (lock) {
            demandPending = false;
            drop = closing;
            if (!drop) {
                undelivered += b.length;
            }
        }
        if (!drop) {
            scheduler.execute(() -> {
                inbox.add(b);
                drain();
            });
        }
        maybeDemand();
    }

    /** Delivers queued bytes, then a pending close, to the listener. Runs on the scheduler. */
    private void drain() {
        Listener l = listener;
        if (l == null) {
            return;
        }
        while (!inbox.isEmpty()) {
            byte[] b = inbox.poll();
            synchronized (lock) {
                undelivered -= b.length;
            }
            // Bytes still queued when the session ended are delivered before onClosed, unless our own
            // user closed the transport (they asked for no more).
            if (!closedDelivered && !userClosed) {
                l.onData(b);
            }
        }
        maybeDemand();
        if (closedReason != null && !closedDelivered) {
            closedDelivered = true;
            l.onClosed(closedReason);
        }
    }

    /** Reports the end once: onClosed follows on the scheduler after data already queued. */
    private void finish(String reason) {
        if (!closeNotified.compareAndSet(false, true)) {
            return;
        }
        synchronized (lock) {
            closing = true;
        }
        scheduler.execute(() -> {
            closedReason = reason;
            drain();
        });
    }

    private void terminated(String reason) {
        synchronized (lock) {
            terminated = true;
            closing = true;
        }
        // Owner bookkeeping first, so that whoever hears onClosed already sees the session gone.
        if (terminationReported.compareAndSet(false, true) && onTerminated != null) {
            onTerminated.run();
        }
        finish(reason);
    }

    private static String truncate(String reason) {
        if (reason == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < reason.length(); ) {
            int cp = reason.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > MAX_CLOSE_REASON_BYTES) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    /**
     * The Jetty endpoint. Public only because Jetty binds its methods through a public lookup; not for use
     * outside this package. Not auto-demanding: the transport demands each message itself.
     */
    public static final class JettyEndpoint implements Session.Listener {
        private final WebSocketTransport t;

        JettyEndpoint(WebSocketTransport t) {
            this.t = t;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            t.onOpened(session);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            t.onBinary(payload, callback);
        }

        @Override
        public void onWebSocketPartialText(String payload, boolean last) {
            t.demandUsed();
            t.closeWith(StatusCode.POLICY_VIOLATION, "text frames are not allowed on a link");
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            Session s;
            synchronized (t.lock) {
                s = t.session;
            }
            if (s != null) {
                s.sendPong(payload, Callback.NOOP); // Jetty answers pings only for auto-demanding endpoints
            }
            t.demandUsed();
            t.maybeDemand();
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            t.demandUsed();
            t.maybeDemand();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            t.terminated("error: " + cause.getMessage());
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            t.terminated("closed (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
        }
    }
}
