package org.onionpeer.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.ordb.DbInfo;
import org.onionpeer.ordb.HashName;
import org.onionpeer.platform.Scheduler;

/**
 * How pages find facilitators (issue 11): each facilitator announces a source record, F = 1, under one
 * well-known DHT key, {@link #KEY}, as a node holding content announces under the content's (the record
 * is signed by its key and carries its router entry, so a page can build a circuit to it and the DHT checks
 * it as any {@code OrdbSource}). A page with a magnet link asks the DHT for that key, and for the torrent's
 * own hash_name (pages that fetched it before and now serve it), and fetches through those. A DHT node keeps
 * 8 values per key: with more facilitators a lookup sees the 8 newest, which is enough to spread the load;
 * a facilitator re-announces every 45 minutes as any source does.
 */
public final class Facilitators {
    /** The key facilitators announce under: a hash_name no content can have (no manifest hashes to it). */
    public static final HashName KEY = HashName.ofManifest(Bytes.ascii("onionpeer facilitators v1\0"));
    /** First retry when no DHT node stored the record yet (the facilitator is still joining). */
    static final long RETRY_MILLIS = 2_000;
    static final long MAX_RETRY_MILLIS = 60_000;

    private final OrdbDiscovery discovery;
    private final Scheduler scheduler;
    private Scheduler.Cancellable retry;
    private boolean closed;
    private int stored = -1;

    private Facilitators(OrdbDiscovery discovery, Scheduler scheduler) {
        this.discovery = discovery;
        this.scheduler = scheduler;
    }

    /** Starts announcing this node as a facilitator, again with backoff until at least one DHT node stores it. */
    static Facilitators announce(OrdbDiscovery discovery, Scheduler scheduler) {
        Facilitators f = new Facilitators(discovery, scheduler);
        f.tryAnnounce(RETRY_MILLIS);
        return f;
    }

    private void tryAnnounce(long backoff) {
        if (closed) {
            return;
        }
        discovery.announce(KEY, DbInfo.P100, true, n -> {
            stored = n;
            if (n == 0 && !closed) {
                retry = scheduler.schedule(backoff, () -> tryAnnounce(Math.min(MAX_RETRY_MILLIS, backoff * 2)));
            }
        });
    }

    /** How many DHT nodes stored the last announcement (-1 before the first answer). */
    public int stored() {
        return stored;
    }

    void close() {
        closed = true;
        if (retry != null) {
            retry.cancel();
        }
        discovery.withdraw(KEY);
    }

    /**
     * The ORDBs to ask for a torrent: the sources of its hash_name first (pages holding it serve at once),
     * then the facilitators, each once.
     */
    static void find(OrdbDiscovery discovery, HashName torrent, Consumer<List<RelayInfo>> found) {
        discovery.find(torrent, holders -> discovery.findAll(KEY, facilitators -> {
            List<RelayInfo> all = new ArrayList<>(holders);
            for (RelayInfo f : facilitators) {
                boolean dup = false;
                for (RelayInfo h : all) {
                    dup |= h.identity().equals(f.identity());
                }
                if (!dup) {
                    all.add(f);
                }
            }
            found.accept(all);
        }));
    }
}
