package org.onionpeer.jvm.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Transport;

/**
 * A {@link Transport} over a connected Netty channel (plain TCP, or TLS when the pipeline holds an
 * {@code SslHandler} ahead of us): no thread of its own, nothing that blocks on either side.
 *
 * <ul>
 * <li>Reading starts when the first listener is set. Each read is delivered as a task on the node's scheduler,
 * in order. Less than {@link #MAX_UNDELIVERED} bytes plus one read are ever read and not yet delivered: above
 * that, and while {@link #pauseReading} holds, the channel stops reading (auto-read off), so a busy or paused
 * core slows the peer down through TCP instead of piling up tasks.
 * <li>{@link #send} copies the bytes straight into a buffer of up to 64 KiB from the channel's allocator, and
 * the channel's I/O thread writes the filled buffers in one flush: one copy of each send, one hand-off to the
 * I/O thread per batch, however many cells a loop turn sends; {@link #bufferedAmount} counts what is queued
 * here or in Netty and not yet handed to the kernel.
 * It is bounded: a send that would take it past {@code maxQueued} aborts the transport ("send buffer
 * overflow"). An abort never waits for anything: the socket is closed on its I/O thread, the queue dropped.
 * <li>{@link #close} is idempotent and graceful: nothing more is delivered, queued bytes are still written
 * (for at most {@link #LINGER_MILLIS}), then the connection closes (TLS: after close_notify). End of stream from
 * the peer closes the same way; an I/O error aborts. {@code onClosed} is called exactly once, on the
 * scheduler, after every {@code onData}, with the first reason.
 * </ul>
 */
public final class TcpTransport implements Transport {
    /** Default bound on queued outgoing bytes. */
    public static final long DEFAULT_MAX_QUEUED = 16L << 20;
    /** How long a graceful close may spend writing out the queue before the socket is closed regardless. */
    public static final long LINGER_MILLIS = 10_000;
    /** Bytes read but not yet delivered on the scheduler before the channel stops reading. */
    public static final int MAX_UNDELIVERED = 256 * 1024;
    /**
     * Reading resumes once the scheduler has taken the backlog down to this: the gap between the two marks keeps
     * a busy link from stopping and starting the socket on every read (each costs two thread hand-offs).
     */
    public static final int RESUME_UNDELIVERED = 64 * 1024;
    private static final int WRITE_BATCH = 64 * 1024;
    /** A fresh buffer's first size: it grows (up to {@link #WRITE_BATCH}) only on a busy connection. */
    private static final int FIRST_BUFFER = 4096;

    private final Channel ch;
    private final Scheduler scheduler;
    private final long maxQueued;
    private final String label;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicInteger undelivered = new AtomicInteger();

    private final Object lock = new Object();
    // Guarded by lock: full buffers waiting for the I/O thread, and the one being filled.
    private ArrayDeque<ByteBuf> out = new ArrayDeque<>();
    private ByteBuf filling;
    private boolean flushScheduled;
    private boolean closing;
    private boolean closeAfterFlush;
    private boolean closeStarted;
    private String closeReason;

    private volatile boolean aborted;
    private volatile boolean listening;
    private volatile boolean paused;
    private volatile boolean userClosed;
    private volatile boolean inputDone;

    // Scheduler-confined.
    private Listener listener;
    private final ArrayDeque<byte[]> early = new ArrayDeque<>();
    private String pendingClose;
    private boolean closedNotified;

    private TcpTransport(Channel ch, Scheduler scheduler, long maxQueued) {
        this.ch = ch;
        this.scheduler = scheduler;
        this.maxQueued = maxQueued;
        this.label = String.valueOf(ch.remoteAddress());
    }

    /**
     * Makes a transport of an active channel: appends its handler to the pipeline (after any TLS handler) and
     * stops reading until a listener is set. Call it on the channel's I/O thread.
     */
    public static TcpTransport attach(Channel ch, Scheduler scheduler, long maxQueued) {
        TcpTransport t = new TcpTransport(ch, scheduler, maxQueued);
        ch.pipeline().addLast("transport", t.new Handler());
        t.updateRead();
        if (!ch.isActive()) {
            t.finish("closed before use");
        }
        return t;
    }

    public static TcpTransport attach(Channel ch, Scheduler scheduler) {
        return attach(ch, scheduler, DEFAULT_MAX_QUEUED);
    }

    /** The channel underneath (addresses, the TLS session); do not read or write it directly. */
    public Channel channel() {
        return ch;
    }

    /** The peer's address, or null once the channel is gone. */
    public InetSocketAddress remoteAddress() {
        SocketAddress a = ch.remoteAddress();
        return a instanceof InetSocketAddress ? (InetSocketAddress) a : null;
    }

    /** RFC 5705 export from the TLS session under this channel (Java 25+), else null. */
    @Override
    public byte[] exportKeyingMaterial(String label, byte[] context, int length) {
        io.netty.handler.ssl.SslHandler tls = ch.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        return tls == null ? null : org.onionpeer.jvm.tls.TlsExporter.export(tls.engine().getSession(), label,
                context, length);
    }

    @Override
    public void setListener(Listener l) {
        scheduler.execute(() -> {
            listener = l;
            if (l == null) {
                return;
            }
            while (!early.isEmpty()) {
                byte[] b = early.poll();
                if (!userClosed) {
                    l.onData(b);
                }
                undelivered.addAndGet(-b.length);
            }
            if (pendingClose != null && !closedNotified) {
                closedNotified = true;
                l.onClosed(pendingClose);
                return;
            }
            listening = true;
            ch.eventLoop().execute(this::updateRead);
        });
    }

    @Override
    public void pauseReading(boolean p) {
        if (paused != p) {
            paused = p;
            ch.eventLoop().execute(this::updateRead);
        }
    }

    @Override
    public void send(byte[] data) {
        send(data, 0, data.length);
    }

    @Override
    public void send(byte[] data, int off, int len) {
        if (len == 0) {
            return;
        }
        boolean overflow = false;
        boolean schedule = false;
        synchronized (lock) {
            if (closing) {
                return;
            }
            if (queued.get() + len > maxQueued) {
                overflow = true;
            } else {
                append(data, off, len);
                queued.addAndGet(len);
                if (!flushScheduled) {
                    flushScheduled = true;
                    schedule = true;
                }
            }
        }
        if (overflow) {
            abort("send buffer overflow (" + maxQueued + " bytes queued)");
        } else if (schedule) {
            ch.eventLoop().execute(this::flushOut);
        }
    }

    /** Under lock: copies {@code data[from..from+len)} into the buffer being filled, a new one when it is full. */
    private void append(byte[] data, int from, int len) {
        int off = from;
        int endAt = from + len;
        while (off < endAt) {
            if (filling == null || filling.maxWritableBytes() == 0) {
                if (filling != null) {
                    out.add(filling);
                }
                int left = endAt - off;
                filling = ch.alloc().buffer(Math.min(WRITE_BATCH, Math.max(left, FIRST_BUFFER)), WRITE_BATCH);
            }
            int n = Math.min(endAt - off, filling.maxWritableBytes());
            filling.writeBytes(data, off, n);
            off += n;
        }
    }

    /** Under lock: drops what is queued, giving the buffers back to the allocator. */
    private void dropQueue() {
        for (ByteBuf b : out) {
            b.release();
        }
        out.clear();
        if (filling != null) {
            filling.release();
            filling = null;
        }
    }

    @Override
    public long bufferedAmount() {
        return aborted ? 0 : Math.max(0, queued.get());
    }

    @Override
    public void close(String reason) {
        userClosed = true;
        beginGracefulClose(reason);
    }

    /** True once closing has begun (by either side). */
    public boolean isClosed() {
        synchronized (lock) {
            return closing;
        }
    }

    @Override
    public String toString() {
        return "TcpTransport(" + label + ")";
    }

    // ---- internals ----

    private void beginGracefulClose(String reason) {
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            closeReason = reason;
            closeAfterFlush = true;
            flushScheduled = true;
        }
        ch.eventLoop().execute(this::flushOut);
        // A peer that stops reading must not hold the socket open for ever.
        ch.eventLoop().schedule(() -> abort(reason), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Closes at once, dropping the queue; safe from any thread, never waits. */
    private void abort(String reason) {
        synchronized (lock) {
            if (closeReason == null) {
                closeReason = reason;
            }
            closing = true;
            dropQueue();
            aborted = true;
        }
        // The unsafe close skips the TLS close_notify dance: a peer that does not read gets no say in it.
        ch.eventLoop().execute(() -> ch.unsafe().close(ch.unsafe().voidPromise()));
    }

    /** On the I/O thread: writes what is queued, in batches, then closes if a graceful close is pending. */
    private void flushOut() {
        ArrayDeque<ByteBuf> batch;
        boolean thenClose;
        synchronized (lock) {
            batch = out;
            if (filling != null) {
                batch.add(filling);
                filling = null;
            }
            out = new ArrayDeque<>();
            flushScheduled = false;
            thenClose = closeAfterFlush && !closeStarted;
            if (thenClose) {
                closeStarted = true;
            }
        }
        if (aborted || !ch.isActive()) {
            for (ByteBuf b : batch) {
                b.release();
            }
            return;
        }
        for (ByteBuf b : batch) {
            write(b);
        }
        if (thenClose) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ch.close());
        } else {
            ch.flush();
        }
    }

    private void write(ByteBuf buf) {
        int n = buf.readableBytes();
        ch.write(buf).addListener(f -> queued.addAndGet(-n));
    }

    /**
     * On the I/O thread: reads while someone listens and is not paused, stopping when {@link #MAX_UNDELIVERED}
     * bytes wait for the scheduler and starting again below {@link #RESUME_UNDELIVERED}.
     */
    private void updateRead() {
        boolean reading = ch.config().isAutoRead();
        int backlog = undelivered.get();
        boolean want = listening && !paused && !userClosed && !inputDone
                && (reading ? backlog < MAX_UNDELIVERED : backlog < RESUME_UNDELIVERED);
        if (reading != want) {
            ch.config().setAutoRead(want);
        }
    }

    private void deliver(byte[] chunk) {
        if (userClosed) {
            undelivered.addAndGet(-chunk.length);
            return;
        }
        if (listener == null) {
            early.add(chunk); // counted as undelivered until a listener takes it
            return;
        }
        listener.onData(chunk);
        int before = undelivered.getAndAdd(-chunk.length);
        if (before >= RESUME_UNDELIVERED && before - chunk.length < RESUME_UNDELIVERED) {
            ch.eventLoop().execute(this::updateRead);
        }
    }

    private void finish(String reason) {
        String r;
        synchronized (lock) {
            closing = true;
            dropQueue();
            if (closeReason == null) {
                closeReason = reason;
            }
            r = closeReason;
        }
        queued.set(0);
        scheduler.execute(() -> {
            if (closedNotified) {
                return;
            }
            if (listener == null) {
                pendingClose = r;
                return;
            }
            closedNotified = true;
            listener.onClosed(r);
        });
    }

    private static String describe(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c && !(c instanceof IOException)) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m;
    }

    /** The last handler of the pipeline: bytes in, end of stream, errors, the end of the channel. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf)) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf buf = (ByteBuf) msg;
            try {
                int n = buf.readableBytes();
                if (n == 0 || userClosed) {
                    return;
                }
                byte[] chunk = new byte[n];
                buf.readBytes(chunk);
                undelivered.addAndGet(n);
                scheduler.execute(() -> deliver(chunk));
            } finally {
                buf.release();
            }
            updateRead();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputDone = true;
                beginGracefulClose("closed by peer");
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            abort(describe(cause));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish("closed by peer");
        }
    }
}
