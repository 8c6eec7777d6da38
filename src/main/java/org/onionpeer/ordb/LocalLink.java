package org.onionpeer.ordb;

import org.onionpeer.platform.Scheduler;

/**
 * Two ends of an ORDB link inside one node: a node's own download asking its own {@link OrdbServer} (an
 * ORDB that already serves the hash_name, or holds a publisher's circuit for it, needs no circuit to
 * itself). Messages are encoded and decoded as on a circuit, so the server sees exactly what a remote
 * requester would send, and are delivered in later tasks on the node's scheduler, as {@link OrdbLink}
 * requires.
 */
public final class LocalLink implements OrdbLink {
    private final Scheduler scheduler;
    private final String name;
    private LocalLink other;
    private Handler handler;
    private boolean closed;

    private LocalLink(Scheduler scheduler, String name) {
        this.scheduler = scheduler;
        this.name = name;
    }

    /** Two joined ends; {@code [0]} is named {@code name0}, {@code [1]} {@code name1}. */
    public static LocalLink[] pair(Scheduler scheduler, String name0, String name1) {
        LocalLink a = new LocalLink(scheduler, name0);
        LocalLink b = new LocalLink(scheduler, name1);
        a.other = b;
        b.other = a;
        return new LocalLink[] {a, b};
    }

    public void setHandler(Handler h) {
        this.handler = h;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(int stream, OrdbMessage m) {
        if (closed) {
            return;
        }
        int command = m.command();
        byte[] body = m.encode();
        LocalLink to = other;
        scheduler.execute(() -> {
            if (!to.closed && to.handler != null) {
                to.handler.onMessage(stream, command, body);
            }
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LocalLink to = other;
        scheduler.execute(() -> {
            if (!to.closed) {
                to.closed = true;
                if (to.handler != null) {
                    to.handler.onClosed();
                }
            }
        });
    }
}
