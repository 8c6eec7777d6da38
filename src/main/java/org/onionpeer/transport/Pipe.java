package org.onionpeer.transport;

import org.onionpeer.platform.Scheduler;

/**
 * Two connected in-process transports: bytes sent on one end arrive at the other, in order, as a later
 * task on the receiving end's scheduler (never re-entrantly). The embedded network and the tests link
 * in-process nodes with it. Closing either end closes both.
 */
public final class Pipe {
    private final End a;
    private final End b;

    public Pipe(Scheduler schedulerA, Scheduler schedulerB) {
        a = new End(schedulerA);
        b = new End(schedulerB);
        a.peer = b;
        b.peer = a;
    }

    public Transport a() {
        return a;
    }

    public Transport b() {
        return b;
    }

    private static final class End implements Transport {
        private final Scheduler scheduler;
        private End peer;
        private Listener listener;
        private boolean closed;
        private boolean notified;
        private long inFlight;

        End(Scheduler scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public void send(byte[] data) {
            send(data, 0, data.length);
        }

        @Override
        public void send(byte[] data, int off, int len) {
            if (closed || len == 0) {
                return;
            }
            byte[] copy = java.util.Arrays.copyOfRange(data, off, off + len);
            inFlight += copy.length;
            End to = peer;
            to.scheduler.execute(() -> {
                to.deliver(copy);
                scheduler.execute(() -> inFlight -= copy.length);
            });
        }

        private void deliver(byte[] data) {
            if (!closed && listener != null) {
                listener.onData(data);
            }
        }

        @Override
        public void close(String reason) {
            if (closed) {
                return;
            }
            closed = true;
            End to = peer;
            // Data already sent is still delivered first: the close task queues behind it.
            to.scheduler.execute(() -> to.remoteClosed(reason));
            scheduler.execute(() -> notifyClosed(reason));
        }

        private void remoteClosed(String reason) {
            closed = true;
            notifyClosed("peer closed: " + reason);
        }

        private void notifyClosed(String reason) {
            if (!notified) {
                notified = true;
                if (listener != null) {
                    listener.onClosed(reason);
                }
            }
        }

        @Override
        public long bufferedAmount() {
            return inFlight;
        }

        @Override
        public void setListener(Listener listener) {
            this.listener = listener;
        }
    }
}
