package org.onionpeer.ordb;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.platform.Scheduler;

/**
 * How an {@link OrdbServer} answers queries for a live stream it publishes ({@link LivePublisher}); an ORDB
 * that only knows a source forwards them as file queries.
 *
 * <ul>
 * <li>count 0: DB_CONNECTED with the manifest and the latest signed window (window 0 until media come).</li>
 * <li>A chunk query stays inside one window (else REFUSED). It is answered from the window's chunks, the
 * first DB_DATA carrying the signed window (flag bit 0), so whoever forwards it needs no state. A window
 * closed short (flushed at a fragment boundary) has fewer chunks than asked: the answer then ends with
 * DB_END UNAVAILABLE after the last one (the requester knows the count from the signed window). Chunk {@link DbQuery#LIVE_EDGE} asks the latest media window.</li>
 * <li>A query for a window not published yet (up to {@link LivePublisher#KEEP} windows ahead) is
 * <b>held</b> until it is, at most {@code holdMillis} (then UNAVAILABLE) and at most {@code maxHeld} at
 * once (more are REFUSED): a downloader asks the next windows ahead and gets them as they close, without
 * polling.</li>
 * <li>A media window older than those kept: UNAVAILABLE (the downloader learns the edge again and skips).</li>
 * </ul>
 */
final class LiveServing {
    /** The query's stream, as the server sees it. */
    interface Answer extends QueryAnswer {
    }

    private static final class Held {
        final DbQuery q;
        final Answer a;
        Scheduler.Cancellable timer;

        Held(DbQuery q, Answer a) {
            this.q = q;
            this.a = a;
        }
    }

    private final LivePublisher publisher;
    private final Scheduler scheduler;
    private final OrdbServer.Stats stats;
    private final long holdMillis;
    private final int maxHeld;
    private final List<Held> held = new ArrayList<>();

    LiveServing(LivePublisher publisher, Scheduler scheduler, OrdbServer.Stats stats, long holdMillis, int maxHeld) {
        this.publisher = publisher;
        this.scheduler = scheduler;
        this.stats = stats;
        this.holdMillis = holdMillis;
        this.maxHeld = maxHeld;
        publisher.addListener(p -> published());
    }

    int heldCount() {
        return held.size();
    }

    void query(DbQuery q, Answer a) {
        if (tryAnswer(q, a)) {
            return;
        }
        held.removeIf(h -> h.a.gone());
        if (held.size() >= maxHeld) {
            refuse("over " + maxHeld + " live queries held", a);
            return;
        }
        Held h = new Held(q, a);
        held.add(h);
        h.timer = scheduler.schedule(holdMillis, () -> {
            if (held.remove(h) && !h.a.gone()) {
                stats.unavailable++;
                h.a.end(DbEnd.UNAVAILABLE); // not published in time: the publisher is stalled
            }
        });
    }

    private void published() {
        for (Held h : new ArrayList<>(held)) {
            if (h.a.gone()) {
                held.remove(h);
                h.timer.cancel();
            } else if (tryAnswer(h.q, h.a)) {
                held.remove(h);
                h.timer.cancel();
            }
        }
    }

    private void refuse(String why, Answer a) {
        stats.refused++;
        stats.lastRefusal = why;
        a.end(DbEnd.REFUSED);
    }

    /** Answers (or ends) the query if it can be now; false if it must wait for a window to be published. */
    private boolean tryAnswer(DbQuery q, Answer a) {
        int per = publisher.manifest().windowChunks();
        if (q.isInfo()) {
            LivePublisher.Published l = publisher.latest();
            if (l == null) {
                return false;
            }
            a.send(DbConnected.live(publisher.manifest(), l.window));
            a.done();
            return true;
        }
        if (q.chunk() == DbQuery.LIVE_EDGE) {
            LivePublisher.Published l = publisher.latest();
            if (l == null || l.window.window() == 0) {
                return false;
            }
            serve(l, l.first(per), q.count(), a);
            return true;
        }
        long w = q.chunk() / per;
        if (q.chunk() % per + q.count() > per) {
            refuse("live query " + q.chunk() + "+" + q.count() + " crosses a window of " + per, a);
            return true;
        }
        LivePublisher.Published p = publisher.window(w);
        if (p != null) {
            serve(p, q.chunk(), q.count(), a);
            return true;
        }
        if (w == 0) {
            return false; // the init segment is being signed
        }
        if (w < publisher.nextToPublish()) {
            stats.unavailable++;
            a.end(DbEnd.UNAVAILABLE); // dropped: older than the kept windows
            return true;
        }
        if (w >= publisher.nextToPublish() + LivePublisher.KEEP) {
            refuse("live window " + w + " is too far ahead of " + publisher.nextToPublish(), a);
            return true;
        }
        return false;
    }

    private void serve(LivePublisher.Published p, long from, int count, Answer a) {
        long first = p.first(publisher.manifest().windowChunks());
        int sent = 0;
        for (long i = from; i < from + count && i - first < p.window.count(); i++) {
            int k = (int) (i - first);
            a.send(sent == 0 ? DbData.live(i, p.chunks[k], p.proof(k), p.window) : DbData.of(i, p.chunks[k], p.proof(k)));
            stats.servedChunks++;
            sent++;
        }
        if (sent < count) {
            // the window closed short: the chunks past its count will never exist. Not FINISHED, which only
            // a requester sends (a forwarding ORDB takes FINISHED from upstream for nothing to relay).
            a.end(DbEnd.UNAVAILABLE);
        } else {
            a.done();
        }
    }
}
