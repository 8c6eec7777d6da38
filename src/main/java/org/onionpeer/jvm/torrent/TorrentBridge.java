package org.onionpeer.jvm.torrent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.onionpeer.ordb.DbEnd;
import org.onionpeer.ordb.DbQuery;
import org.onionpeer.ordb.QueryAnswer;
import org.onionpeer.ordb.TorrentProvider;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.torrent.Magnet;

/**
 * A facilitator's bridge to BitTorrent: answers the torrent queries its ORDB cannot answer from its store
 * (see {@link TorrentProvider}) from the torrent's swarm, through one {@link OpenTorrent} per infohash shared
 * by every query for it. Count 0 gets the TORRENT manifest (the exact info dict); chunks (16 KiB of the
 * files concatenated) come as DB_DATA without proofs, in order, as their pieces arrive.
 *
 * <p>Pieces go to the queries waiting for them and into a bounded in-memory cache ({@link Options#cacheBytes},
 * least recently used out first), so nearby queries (a Download asks a piece per query, several ahead) do not
 * refetch; a piece evicted from it is read back from libtorrent's temp dir, not asked of the swarm again.
 * A torrent with no query for {@link Options#idleMillis} is removed and its temp dir deleted: nothing of the
 * content stays on the facilitator's disk.
 *
 * <p>Threads: {@link #serve}, every answer call and all of this state belong to the node's loop (the
 * OrdbServer's); libtorrent work runs on the fetcher's worker and comes back as loop tasks.
 */
public final class TorrentBridge implements TorrentProvider, AutoCloseable {
    /** Limits and timings; the defaults suit a facilitator. */
    public static final class Options {
        /** Where each torrent's temp dir goes (a tmpfs such as /dev/shm keeps the bytes off disks). */
        public Path tempParent = Path.of(System.getProperty("java.io.tmpdir"));
        public String listenInterfaces = "0.0.0.0:0";
        /** How long to wait for metadata, then for a wanted piece with no progress, before UNAVAILABLE. */
        public long peerWaitMillis = 20_000;
        /** A torrent with no query this long is removed (its temp dir deleted). */
        public long idleMillis = 60_000;
        /** Torrents open at once; a query for one more, when none is idle, is REFUSED. */
        public int maxTorrents = 8;
        /** Queries waiting on one torrent at once (several requesters, a few queries each); more are REFUSED. */
        public int maxWaitingPerTorrent = 64;
        /**
         * Bytes after each piece asked that libtorrent fetches at low priority (2 to 64 pieces): requesters
         * read on, and wanting something keeps us interested in the peers. A seeder chokes a peer that is not
         * interested and may unchoke it again only at its next round (aria2c: 10 s), so this must cover what a
         * requester reads in 10 s (8 MiB: 800 kB/s) for the swarm's pace not to stall it. At most this much
         * is fetched that nobody asked for.
         */
        public long readAheadBytes = 8L << 20;
        /** Pieces fetched at low priority from the metadata on (a requester asks the manifest, then mostly these). */
        public int readAheadFirstPieces = 2;
        /** Pieces kept in memory, in bytes, over all torrents. */
        public long cacheBytes = 32L << 20;
        /**
         * Whether trackers at private, loopback or link-local addresses may be contacted ({@link TrackerFilter}):
         * off, as an exit's policy is, since the trackers come from anonymous queries; on for a swarm on one
         * machine (the tests).
         */
        public boolean allowPrivateTrackers;
    }

    /** Counters, read on the loop. */
    public static final class Stats {
        public int torrentsOpen;
        /** Queries waiting for metadata or pieces, over all torrents. */
        public int waiting;
        public long torrentsOpened;
        /** Pieces libtorrent downloaded from swarms (each piece at most once per open torrent). */
        public long piecesFromSwarm;
        /** Pieces handed over by libtorrent (from the swarm or read back from its temp dir). */
        public long piecesIn;
        /** Pieces a query spans that were in the cache when it came (the others were asked of libtorrent). */
        public long cacheHits;
        public long cachedBytes;
        public long chunksSent;
        public long unavailable;
        public long refused;
        public long uploadedPayloadBytes;
        public long downloadedPayloadBytes;
        /** Why the last query was not served, in words without the torrent's name or infohash. */
        public String lastError;
    }

    /** A query for a torrent still being removed (idle a moment ago) is tried again this often, this many times. */
    private static final long REOPEN_RETRY_MILLIS = 200;
    private static final int REOPEN_RETRIES = 30;

    final Scheduler loop;
    final Options options;
    private final Consumer<String> log;
    private final TorrentFetcher fetcher;
    private final Map<String, BridgedTorrent> torrents = new HashMap<>();
    final PieceCache cache;
    final Stats stats = new Stats();
    /** Totals of torrents already removed. */
    private long closedFromSwarm;
    private long closedUploaded;
    private long closedDownloaded;
    private volatile boolean closed;

    /** Starts libtorrent (a free-riding session); {@code log} gets failures in words, on the loop. */
    public TorrentBridge(Scheduler loop, Options options, Consumer<String> log) {
        this.loop = loop;
        this.options = options;
        this.log = log;
        cache = new PieceCache(options.cacheBytes);
        TorrentFetcher.Options o = new TorrentFetcher.Options();
        o.tempParent = options.tempParent;
        o.listenInterfaces = options.listenInterfaces;
        o.peerWaitMillis = options.peerWaitMillis;
        fetcher = new TorrentFetcher(o);
    }

    /** A snapshot of the counters (on the loop: it asks libtorrent for the payload totals). */
    public Stats stats() {
        Stats s = new Stats();
        s.torrentsOpen = torrents.size();
        s.torrentsOpened = stats.torrentsOpened;
        s.piecesIn = stats.piecesIn;
        s.cacheHits = stats.cacheHits;
        s.cachedBytes = cache.bytes();
        s.chunksSent = stats.chunksSent;
        s.unavailable = stats.unavailable;
        s.refused = stats.refused;
        s.lastError = stats.lastError;
        s.piecesFromSwarm = closedFromSwarm;
        s.uploadedPayloadBytes = closedUploaded;
        s.downloadedPayloadBytes = closedDownloaded;
        for (BridgedTorrent t : torrents.values()) {
            s.waiting += t.waiters.size();
            s.piecesFromSwarm += t.open.piecesFromSwarm();
            s.uploadedPayloadBytes += t.open.uploadedPayloadBytes();
            s.downloadedPayloadBytes += t.open.downloadedPayloadBytes();
        }
        return s;
    }

    /** The last reason a query was not served (see {@link Stats#lastError}). */
    public String lastError() {
        return stats.lastError;
    }

    @Override
    public void serve(DbQuery q, QueryAnswer a) {
        serve(q, a, 0);
    }

    private void serve(DbQuery q, QueryAnswer a, int retries) {
        Magnet m = q.torrent();
        if (closed || m == null) {
            unavailable(a, "the torrent bridge is closed");
            return;
        }
        BridgedTorrent t = torrents.get(m.infoHashHex());
        if (t == null) {
            if (torrents.size() >= options.maxTorrents && !closeAnIdleTorrent()) {
                refuse(a, "over " + options.maxTorrents + " torrents at once");
                return;
            }
            t = open(q, a, retries);
            if (t == null) {
                return;
            }
        }
        t.sweep();
        if (t.waiters.size() >= options.maxWaitingPerTorrent) {
            refuse(a, "over " + options.maxWaitingPerTorrent + " queries waiting for one torrent");
            return;
        }
        t.add(q, a);
    }

    private BridgedTorrent open(DbQuery q, QueryAnswer a, int retries) {
        Magnet asked = q.torrent();
        List<String> trackers = TrackerFilter.allowed(asked.trackers(), options.allowPrivateTrackers);
        if (trackers.isEmpty()) {
            unavailable(a, asked.trackers().isEmpty() ? "the magnet link names no tracker (this facilitator uses no DHT)"
                    : "no tracker this facilitator may contact (private and loopback addresses are refused)");
            return null;
        }
        Magnet m = Magnet.of(asked.infoHash(), trackers);
        BridgedTorrent t = new BridgedTorrent(this, m);
        try {
            t.open = fetcher.open(m.uri(), t, loop::execute);
        } catch (IllegalStateException e) {
            // Removed a moment ago and libtorrent is still deleting its files (the fetcher waits at most 5 s).
            if (retries < REOPEN_RETRIES) {
                loop.schedule(REOPEN_RETRY_MILLIS, () -> {
                    if (!a.gone() && !closed) {
                        serve(q, a, retries + 1);
                    }
                });
            } else {
                unavailable(a, "the torrent is still being removed here");
            }
            return null;
        } catch (IOException | IllegalArgumentException e) {
            // Not the exception's text: it may quote the magnet link.
            unavailable(a, "cannot open the torrent (" + e.getClass().getSimpleName() + ")");
            return null;
        }
        torrents.put(t.key, t);
        stats.torrentsOpened++;
        t.lastQuery = loop.nowMillis();
        scheduleIdleCheck(t, options.idleMillis);
        return t;
    }

    private void scheduleIdleCheck(BridgedTorrent t, long delay) {
        t.idleCheck = loop.schedule(Math.max(1, delay), () -> {
            t.idleCheck = null;
            if (t.closed) {
                return;
            }
            t.sweep();
            long idle = loop.nowMillis() - t.lastQuery;
            if (t.waiters.isEmpty() && idle >= options.idleMillis) {
                remove(t);
            } else {
                scheduleIdleCheck(t, t.waiters.isEmpty() ? options.idleMillis - idle : options.idleMillis);
            }
        });
    }

    /** Room for one more torrent: the one idle longest goes, if any is idle. */
    private boolean closeAnIdleTorrent() {
        BridgedTorrent oldest = null;
        for (BridgedTorrent t : torrents.values()) {
            t.sweep();
            if (t.waiters.isEmpty() && (oldest == null || t.lastQuery < oldest.lastQuery)) {
                oldest = t;
            }
        }
        if (oldest != null) {
            remove(oldest);
        }
        return oldest != null;
    }

    /** The torrent failed for good: its queries end UNAVAILABLE and it is removed; the reason is kept and logged. */
    void fail(BridgedTorrent t, String why) {
        stats.lastError = why;
        log.accept("torrent bridge: " + why);
        List<QueryAnswer> askers = t.askers();
        remove(t);
        for (QueryAnswer a : askers) {
            stats.unavailable++;
            a.end(DbEnd.UNAVAILABLE);
        }
    }

    /** Takes the torrent out of libtorrent (its temp dir goes) and its pieces out of the cache. */
    private void remove(BridgedTorrent t) {
        t.closed = true;
        torrents.remove(t.key, t);
        t.waiters.clear();
        if (t.idleCheck != null) {
            t.idleCheck.cancel();
        }
        closedFromSwarm += t.open.piecesFromSwarm();
        closedUploaded += t.open.uploadedPayloadBytes();
        closedDownloaded += t.open.downloadedPayloadBytes();
        t.open.release();
        cache.remove(t.key);
    }

    private void unavailable(QueryAnswer a, String why) {
        stats.lastError = why;
        stats.unavailable++;
        log.accept("torrent bridge: " + why);
        if (!a.gone()) {
            a.end(DbEnd.UNAVAILABLE);
        }
    }

    void refuse(QueryAnswer a, String why) {
        stats.lastError = why;
        stats.refused++;
        if (!a.gone()) {
            a.end(DbEnd.REFUSED);
        }
    }

    /**
     * Stops libtorrent and deletes every temp dir, waiting for it (bounded): call it off the loop, after the
     * node stopped serving (waiting queries are not answered: their circuits are closing).
     */
    @Override
    public void close() {
        closed = true;
        fetcher.close();
    }
}
