package org.onionpeer.jvm.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Transport;

/**
 * A {@link Transport} over a connected plain {@link Socket}, with one reader and one writer thread so that
 * nothing the core calls ever blocks.
 *
 * <ul>
 * <li>Reading starts when the first listener is set; each read is delivered as
 * {@code scheduler.execute(() -> listener.onData(chunk))}, in order, and {@link #pauseReading} stops further
 * reads (the core's back-pressure). Less than {@link #MAX_UNDELIVERED} bytes plus one read (32 KiB) are ever
 * read and not yet delivered, so a paused or busy core stops the socket within that much.
 * <li>{@link #send} copies the bytes onto a queue that the writer drains; {@link #bufferedAmount} is what is
 * queued and not yet written. The queue is bounded: a send that would take it past {@code maxQueued} closes
 * the transport ("send buffer overflow") rather than grow without limit — callers are meant to watch
 * {@link #bufferedAmount}.
 * <li>{@link #close} is idempotent and graceful: no more data is delivered, queued bytes are still written
 * (for at most {@link #LINGER_MILLIS}), then the socket closes. End of stream from the peer closes the same
 * way; an I/O error closes at once and drops the queue. {@code onClosed} is called exactly once, on the
 * scheduler, after every {@code onData}, with the first reason.
 * </ul>
 */
public final class TcpTransport implements Transport {
    /** Default bound on queued outgoing bytes. */
    public static final long DEFAULT_MAX_QUEUED = 16L << 20;
    /** How long a graceful close may spend writing out the queue before the socket is closed regardless. */
    public static final long LINGER_MILLIS = 10_000;
    private static final int READ_CHUNK = 32 * 1024;
    private static final int WRITE_BATCH = 64 * 1024;
    /**
     * Bytes read but not yet delivered on the scheduler. The reader waits above this, so a busy loop slows the
     * socket down instead of piling up tasks, and a pause takes effect within this many bytes.
     */
    public static final int MAX_UNDELIVERED = 64 * 1024;

    private final Socket socket;
    private final Scheduler scheduler;
    private final long maxQueued;
    private final String label;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Object lock = new Object();

    // Guarded by lock.
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private Listener listener;
    private boolean readPaused;
    private boolean closing;
    private String closeReason;
    private boolean finished;
    private boolean closedNotified;
    private int undelivered;

    /** Set by the owner's close(): from then on nothing is delivered. */
    private volatile boolean userClosed;

    public TcpTransport(Socket socket, Scheduler scheduler) {
        this(socket, scheduler, DEFAULT_MAX_QUEUED);
    }

    public TcpTransport(Socket socket, Scheduler scheduler, long maxQueued) {
        this.socket = socket;
        this.scheduler = scheduler;
        this.maxQueued = maxQueued;
        this.label = String.valueOf(socket.getRemoteSocketAddress());
        Thread r = new Thread(this::readLoop, "tcp-read " + label);
        Thread w = new Thread(this::writeLoop, "tcp-write " + label);
        r.setDaemon(true);
        w.setDaemon(true);
        r.start();
        w.start();
    }

    /** The socket underneath (addresses, options); do not read or write it directly. */
    public Socket socket() {
        return socket;
    }

    @Override
    public void setListener(Listener l) {
        boolean notifyNow;
        synchronized (lock) {
            listener = l;
            notifyNow = finished && !closedNotified && l != null;
            if (notifyNow) {
                closedNotified = true;
            }
            lock.notifyAll();
        }
        if (notifyNow) {
            String reason = closeReason;
            scheduler.execute(() -> l.onClosed(reason));
        }
    }

    /** Stops ({@code true}) or resumes reading from the socket: back-pressure from the core. */
    public void pauseReading(boolean paused) {
        synchronized (lock) {
            readPaused = paused;
            lock.notifyAll();
        }
    }

    @Override
    public void send(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] copy = data.clone();
        boolean overflow = false;
        synchronized (lock) {
            if (closing) {
                return;
            }
            if (queuedBytes.get() + copy.length > maxQueued) {
                overflow = true;
            } else {
                queue.add(copy);
                queuedBytes.addAndGet(copy.length);
                lock.notifyAll();
            }
        }
        if (overflow) {
            abort("send buffer overflow (" + maxQueued + " bytes queued)");
        }
    }

    @Override
    public long bufferedAmount() {
        return queuedBytes.get();
    }

    @Override
    public void close(String reason) {
        userClosed = true;
        if (beginClose(reason, false)) {
            // A peer that stops reading must not hold the socket open for ever.
            scheduler.schedule(LINGER_MILLIS, this::closeSocket);
        }
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

    /** Marks the transport closing; {@code abort} drops the queue. Returns false if it was already closing. */
    private boolean beginClose(String reason, boolean abort) {
        synchronized (lock) {
            if (abort && !queue.isEmpty()) {
                queue.clear();
                queuedBytes.set(0);
            }
            if (closing) {
                return false;
            }
            closing = true;
            closeReason = reason;
            lock.notifyAll();
            return true;
        }
    }

    private void abort(String reason) {
        beginClose(reason, true);
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort; the writer reports the reason already recorded.
        }
    }

    private void readLoop() {
        byte[] buf = new byte[READ_CHUNK];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                synchronized (lock) {
                    while (!closing && (listener == null || readPaused || undelivered >= MAX_UNDELIVERED)) {
                        lock.wait();
                    }
                    if (closing) {
                        return;
                    }
                }
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    continue; // a socket handed over with SO_TIMEOUT set: keep waiting
                }
                if (n < 0) {
                    beginClose("closed by peer", false);
                    return;
                }
                byte[] chunk = Arrays.copyOf(buf, n);
                synchronized (lock) {
                    undelivered += n;
                }
                scheduler.execute(() -> deliver(chunk));
            }
        } catch (IOException e) {
            abort(describe(e));
        } catch (InterruptedException e) {
            abort("interrupted");
        }
    }

    private void deliver(byte[] chunk) {
        Listener l;
        synchronized (lock) {
            l = listener;
            undelivered -= chunk.length;
            lock.notifyAll();
        }
        if (!userClosed && l != null) {
            l.onData(chunk);
        }
    }

    private void writeLoop() {
        try {
            OutputStream out = socket.getOutputStream();
            while (true) {
                byte[] batch;
                synchronized (lock) {
                    while (queue.isEmpty() && !closing) {
                        lock.wait();
                    }
                    if (queue.isEmpty()) {
                        break; // closing and drained
                    }
                    batch = takeBatch();
                }
                out.write(batch);
                queuedBytes.addAndGet(-batch.length);
            }
            try {
                socket.shutdownOutput(); // FIN after the last byte
            } catch (IOException ignored) {
                // the peer may be gone already
            }
        } catch (IOException e) {
            abort(describe(e));
        } catch (InterruptedException e) {
            abort("interrupted");
        } finally {
            closeSocket();
            finish();
        }
    }

    /** Coalesces queued chunks (lock held) so that many small sends become one write. */
    private byte[] takeBatch() {
        byte[] first = queue.poll();
        if (queue.isEmpty() || first.length >= WRITE_BATCH) {
            return first;
        }
        int total = first.length;
        for (byte[] b : queue) {
            if (total + b.length > WRITE_BATCH) {
                break;
            }
            total += b.length;
        }
        byte[] out = Arrays.copyOf(first, total);
        int at = first.length;
        while (at < total) {
            byte[] b = queue.poll();
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    private void finish() {
        Listener l;
        String reason;
        synchronized (lock) {
            closing = true;
            finished = true;
            queue.clear();
            queuedBytes.set(0);
            lock.notifyAll(); // a reader still waiting for a listener exits
            l = listener;
            reason = closeReason == null ? "closed" : closeReason;
            closeReason = reason;
            if (l == null || closedNotified) {
                return;
            }
            closedNotified = true;
        }
        Listener fl = l;
        scheduler.execute(() -> fl.onClosed(reason));
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
