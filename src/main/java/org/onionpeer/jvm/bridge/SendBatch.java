package org.onionpeer.jvm.bridge;

import java.util.Arrays;
import org.onionpeer.platform.Scheduler;

/**
 * Gathers the small sends of one turn of the node's loop into one WebSocket message. A link sends one
 * 514-byte cell at a time, and a message per cell costs the receiving page a browser event each (measured
 * with PeerBench: a page relaying from an exit spent about half its time in receiving 40,000 one-cell
 * messages for 20 MB). The batch goes out in a task queued behind the ones already waiting, so cells
 * packaged in the same task (an exit reading a socket, a relay passing on a received frame) share a
 * message; an idle link pays one loop turn. Sends of {@code max} bytes or more go out as they are, after
 * the batch, so the order of bytes is kept.
 */
final class SendBatch {
    /** Sends one message, taking ownership of the array; called with the batch's lock held. */
    interface Sink {
        void message(byte[] bytes);
    }

    private final Scheduler scheduler;
    private final int max;
    private final Sink sink;
    private final Object lock = new Object();
    // Guarded by lock.
    private byte[] buf;
    private int len;
    private boolean scheduled;

    SendBatch(Scheduler scheduler, int max, Sink sink) {
        this.scheduler = scheduler;
        this.max = max;
        this.sink = sink;
    }

    /** Adds a copy of {@code data} (the caller may reuse its array). */
    void add(byte[] data) {
        synchronized (lock) {
            if (data.length >= max) {
                flush();
                sink.message(data.clone());
                return;
            }
            if (len + data.length > max) {
                flush();
            }
            if (buf == null) {
                buf = new byte[max];
            }
            System.arraycopy(data, 0, buf, len, data.length);
            len += data.length;
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
                byte[] m = Arrays.copyOf(buf, len);
                len = 0;
                sink.message(m);
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
