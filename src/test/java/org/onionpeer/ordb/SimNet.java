package org.onionpeer.ordb;

import org.onionpeer.testing.ManualScheduler;

/**
 * An in-memory network of ORDB circuits on a {@link ManualScheduler}: each direction of a link has a
 * latency and a rate limit (bytes per millisecond = kB/s), messages are encoded and decoded as on a real
 * circuit (plus {@link #CELL_OVERHEAD} per message), queue behind each other, and arrive in order. An end
 * can be made to tamper with what it sends, or to vanish (everything to and from it is lost, silently).
 */
final class SimNet {
    /** Relay header and framing bytes counted per message against the rate. */
    static final int CELL_OVERHEAD = 16;

    final ManualScheduler scheduler;

    SimNet(ManualScheduler scheduler) {
        this.scheduler = scheduler;
    }

    final class End implements OrdbLink {
        final String name;
        final long latency;
        final double rate;
        End peer;
        OrdbLink.Handler handler;
        double freeAt;
        boolean closed;
        boolean dead;
        /** Rewrites the body of each message this end sends; null = honest. */
        Tamper tamper;
        long sentBytes;

        End(String name, long latency, double rate) {
            this.name = name;
            this.latency = latency;
            this.rate = rate;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void send(int stream, OrdbMessage m) {
            if (closed || dead || peer.dead) {
                return;
            }
            int command = m.command();
            byte[] body = m.encode();
            if (tamper != null) {
                body = tamper.apply(command, body);
            }
            long now = scheduler.nowMillis();
            freeAt = Math.max(freeAt, now) + (body.length + CELL_OVERHEAD) / rate;
            sentBytes += body.length;
            long at = (long) Math.ceil(freeAt) + latency;
            final byte[] b = body;
            scheduler.schedule(at - now, () -> {
                if (!peer.closed && !peer.dead && !dead && peer.handler != null) {
                    peer.handler.onMessage(stream, command, b);
                }
            });
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (dead || peer.dead) {
                return;
            }
            long at = Math.max((long) Math.ceil(freeAt), scheduler.nowMillis()) + latency;
            scheduler.schedule(at - scheduler.nowMillis(), () -> {
                if (!peer.closed && !peer.dead && peer.handler != null) {
                    peer.closed = true;
                    peer.handler.onClosed();
                }
            });
        }
    }

    interface Tamper {
        byte[] apply(int command, byte[] body);
    }

    /** A link: [0] is a's end (sends at {@code rateAB}), [1] b's end (sends at {@code rateBA}). */
    End[] pair(String a, String b, long latency, double rateAB, double rateBA) {
        End ea = new End(b, latency, rateAB); // an end is named after the node it leads to
        End eb = new End(a, latency, rateBA);
        ea.peer = eb;
        eb.peer = ea;
        return new End[] {ea, eb};
    }
}
