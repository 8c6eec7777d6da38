package org.onionpeer.jvm.bridge;

import org.onionpeer.platform.Scheduler;

/**
 * Gathers the small sends of one turn of the node's loop into one WebSocket message. A link sends one
 * 514-byte cell at a time, and a message per cell costs the receiving page a browser event each (measured
 * with PeerBench: a page relaying from an exit spent about half its time in receiving 40,000 one-cell
 * messages for 20 MB). The batch goes out in a task queued behind the ones already waiting, so cells
 * packaged in the same task (an exit reading a socket, a relay passing on a received frame) share a
 * message; an idle link pays one loop turn. Sends of {@code max} bytes or more go out as they are, after
 * the batch, so the order of bytes is kept.
 *
 * <p>The gathering array itself is handed to the sink (no copy of the message), and comes back through
 * {@link #recycle} once the message is written: a relay passing bulk data then reuses the same few arrays
 * instead of allocating and copying 16 KiB per message (docs/jvm-throughput.md).
 */
final class SendBatch {
    /** Sends one message, {@code bytes[0..len)}, taking the array until it gives it back through recycle. */
    interface Sink {
        void message(byte[] bytes, int len);
    }

    /**
     * Spare arrays kept for reuse. One: a busy link fills one array while Jetty writes the other. Only a link
     * whose last message was at least half full (bulk data) keeps it: an idle link keeps none, which is what a
     * bridge holding thousands of page links pays (a message array is {@code max}, 64 KiB, bytes).
     */
    private static final int SPARES = 1;

    private final Scheduler scheduler;
    private final int max;
    private final Sink sink;
    private final Object lock = new Object();
    // Guarded by lock.
    private byte[] buf;
    private int len;
    private boolean scheduled;
    private final byte[][] spares = new byte[SPARES][];
    private int spareCount;
    /** The last message handed over was at least half full: the link is moving bulk data. */
    private boolean busy;

    SendBatch(Scheduler scheduler, int max, Sink sink) {
        this.scheduler = scheduler;
        this.max = max;
        this.sink = sink;
    }

    /** Adds a copy of {@code data} (the caller may reuse its array). */
    void add(byte[] data) {
        add(data, 0, data.length);
    }

    /** Adds a copy of {@code data[off..off+n)} (the caller may reuse its array). */
    void add(byte[] data, int off, int n) {
        synchronized (lock) {
            if (n >= max) {
                flush();
                sink.message(java.util.Arrays.copyOfRange(data, off, off + n), n);
                return;
            }
            if (len + n > max) {
                flush();
            }
            if (buf == null) {
                buf = spareCount > 0 ? spares[--spareCount] : new byte[max];
                spares[spareCount] = null;
            }
            System.arraycopy(data, off, buf, len, n);
            len += n;
            if (!scheduled) {
                scheduled = true;
                scheduler.execute(() -> {
                    synchronized (lock) {
                        scheduled = false;
                        flush();
                    }
                });
            }
        }
    }

    /** Hands what is gathered to the sink now (before a close, say). */
    void flush() {
        synchronized (lock) {
            if (len > 0) {
                byte[] m = buf;
                int n = len;
                buf = null;
                len = 0;
                busy = n >= max / 2;
                if (!busy) {
                    java.util.Arrays.fill(spares, null); // gone idle: hold no array between messages
                    spareCount = 0;
                }
                sink.message(m, n);
            }
        }
    }

    /** A message array the sink is done with (written, or dropped); kept for reuse if it is one of ours. */
    void recycle(byte[] b) {
        if (b.length != max) {
            return;
        }
        synchronized (lock) {
            if (busy && spareCount < SPARES) {
                spares[spareCount++] = b;
            }
        }
    }

    /** Bytes gathered and not yet handed to the sink. */
    long pending() {
        synchronized (lock) {
            return len;
        }
    }
}
