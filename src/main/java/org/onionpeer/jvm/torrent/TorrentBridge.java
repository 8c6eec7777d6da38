package org.onionpeer.jvm.torrent;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.DbConnected;
import org.onionpeer.ordb.DbData;
import org.onionpeer.ordb.DbEnd;
import org.onionpeer.ordb.DbQuery;
import org.onionpeer.ordb.Manifest;
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
         * Pieces after each one asked that libtorrent fetches at low priority (requesters read on), and from
         * the metadata on, the first ones: this keeps peers from choking us as uninterested between queries.
         */
        public int readAheadPieces = 2;
        /** Pieces kept in memory, in bytes, over all torrents. */
        public long cacheBytes = 32L << 20;
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

    private static final int CHUNK = Content.CHUNK_SIZE;

    private final class Torrent implements OpenTorrent.Listener {
        final String key;
        final byte[] infoHash;
        OpenTorrent open;
        Manifest manifest; // null until the metadata came
        long length;
        int pieceLength;
        long chunkCount;
        final List<Waiter> waiters = new ArrayList<>();
        /** Pieces wanted from the OpenTorrent and not yet handed over. */
        final Set<Integer> asked = new HashSet<>();
        long lastQuery;
        Scheduler.Cancellable idleCheck;
        boolean closed;

        Torrent(Magnet m) {
            key = m.infoHashHex();
            infoHash = m.infoHash();
        }

        @Override
        public void onMetadata(byte[] infoDict, long len, int pl, int pieces) {
            if (!closed) {
                metadata(this, infoDict, len, pl);
            }
        }

        @Override
        public void onPiece(int index, byte[] bytes) {
            if (!closed) {
                piece(this, index, bytes);
            }
        }

        @Override
        public void onError(String message) {
            if (!closed) {
                fail(this, message);
            }
        }
    }

    private static final class Waiter {
        final DbQuery q;
        final QueryAnswer a;
        long next;

        Waiter(DbQuery q, QueryAnswer a) {
            this.q = q;
            this.a = a;
            next = q.chunk();
        }
    }

    private final Scheduler loop;
    private final Options options;
    private final Consumer<String> log;
    private final TorrentFetcher fetcher;
    private final Map<String, Torrent> torrents = new HashMap<>();
    private final PieceCache cache;
    private final Stats stats = new Stats();
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
        for (Torrent t : torrents.values()) {
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
        Magnet m = q.torrent();
        if (closed || m == null) {
            unavailable(a, "the torrent bridge is closed");
            return;
        }
        Torrent t = torrents.get(m.infoHashHex());
        if (t == null) {
            if (torrents.size() >= options.maxTorrents && !closeAnIdleTorrent()) {
                refuse(a, "over " + options.maxTorrents + " torrents at once");
                return;
            }
            t = open(m, a);
            if (t == null) {
                return;
            }
        }
        sweep(t);
        if (t.waiters.size() >= options.maxWaitingPerTorrent) {
            refuse(a, "over " + options.maxWaitingPerTorrent + " queries waiting for one torrent");
            return;
        }
        t.lastQuery = loop.nowMillis();
        Waiter w = new Waiter(q, a);
        if (t.manifest == null) {
            t.waiters.add(w); // answered when the metadata comes
        } else {
            admit(t, w);
            pump(t);
        }
    }

    private Torrent open(Magnet m, QueryAnswer a) {
        Torrent t = new Torrent(m);
        try {
            t.open = fetcher.open(m.uri(), t, loop::execute);
        } catch (IllegalStateException e) {
            unavailable(a, "the torrent is still being closed here"); // removed a moment ago: ask again
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

    /** With the metadata known: an info query is answered, a chunk query checked and queued. */
    private void admit(Torrent t, Waiter w) {
        DbQuery q = w.q;
        if (w.a.gone()) {
            return;
        }
        if (q.isInfo()) {
            w.a.send(DbConnected.of(t.manifest));
            w.a.done();
            return;
        }
        if (q.chunk() + q.count() > t.chunkCount) {
            refuse(w.a, "chunks " + q.chunk() + "+" + q.count() + " beyond " + t.chunkCount);
            return;
        }
        t.waiters.add(w);
        long from = q.chunk() * CHUNK;
        long to = Math.min(t.length, (q.chunk() + q.count()) * CHUNK);
        for (int p = (int) (from / t.pieceLength); p <= (int) ((to - 1) / t.pieceLength); p++) {
            if (cache.has(t.key, p)) {
                stats.cacheHits++;
            } else {
                ask(t, p); // every piece of the query at once: libtorrent fetches them from several peers
            }
        }
    }

    private void ask(Torrent t, int piece) {
        if (!cache.has(t.key, piece) && t.asked.add(piece)) {
            t.open.want(piece);
            readAhead(t, piece + 1);
        }
    }

    private void readAhead(Torrent t, int from) {
        for (int p = from; p < from + options.readAheadPieces; p++) {
            t.open.prefetch(p); // ignored past the end, or if already wanted or held
        }
    }

    private void metadata(Torrent t, byte[] infoDict, long length, int pieceLength) {
        try {
            if (!MessageDigest.isEqual(MessageDigest.getInstance("SHA-1").digest(infoDict), t.infoHash)) {
                fail(t, "the swarm's metadata does not hash to the infohash");
                return;
            }
            t.manifest = Manifest.torrent(t.infoHash, infoDict);
        } catch (ProtocolException e) {
            fail(t, "the torrent's metadata is refused: " + e.getMessage());
            return;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        t.length = length;
        t.pieceLength = pieceLength;
        t.chunkCount = t.manifest.chunkCount(); // the requester's count, from the same info dict
        List<Waiter> early = new ArrayList<>(t.waiters);
        t.waiters.clear();
        if (early.stream().allMatch(w -> w.q.isInfo())) {
            readAhead(t, 0); // a requester asks the manifest, then (mostly) the first pieces
        }
        for (Waiter w : early) {
            admit(t, w);
        }
        pump(t);
    }

    private void piece(Torrent t, int index, byte[] bytes) {
        stats.piecesIn++;
        t.asked.remove(index);
        cache.put(t.key, index, bytes);
        pump(t);
        cache.trim(); // after the waiters took what they could, so a piece bigger than the room still serves
    }

    /** Sends each waiter the chunks it can have now, in order; asks the pieces it waits for. */
    private void pump(Torrent t) {
        for (Iterator<Waiter> it = t.waiters.iterator(); it.hasNext();) {
            Waiter w = it.next();
            long end = w.q.chunk() + w.q.count();
            while (!w.a.gone() && w.next < end) {
                byte[] chunk = chunk(t, w.next);
                if (chunk == null) {
                    break;
                }
                w.a.send(DbData.of(w.next, chunk, new byte[0][]));
                stats.chunksSent++;
                w.next++;
            }
            if (w.a.gone()) {
                it.remove();
            } else if (w.next == end) {
                it.remove();
                w.a.done();
                t.lastQuery = loop.nowMillis();
            }
        }
    }

    /** Chunk i from cached pieces (a chunk may span pieces shorter than it), or null after asking what is missing. */
    private byte[] chunk(Torrent t, long i) {
        long from = i * CHUNK;
        long to = Math.min(t.length, from + CHUNK);
        byte[] out = new byte[(int) (to - from)];
        boolean missing = false;
        for (int p = (int) (from / t.pieceLength); p <= (int) ((to - 1) / t.pieceLength); p++) {
            byte[] piece = cache.get(t.key, p);
            if (piece == null) {
                ask(t, p);
                missing = true;
                continue;
            }
            long ps = (long) p * t.pieceLength;
            long a = Math.max(from, ps);
            long b = Math.min(to, ps + piece.length);
            System.arraycopy(piece, (int) (a - ps), out, (int) (a - from), (int) (b - a));
        }
        return missing ? null : out;
    }

    /** Drops the waiters whose asker gave up or left: they must hold nothing. */
    private void sweep(Torrent t) {
        t.waiters.removeIf(w -> w.a.gone());
    }

    private void scheduleIdleCheck(Torrent t, long delay) {
        t.idleCheck = loop.schedule(Math.max(1, delay), () -> {
            t.idleCheck = null;
            if (t.closed) {
                return;
            }
            sweep(t);
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
        Torrent oldest = null;
        for (Torrent t : torrents.values()) {
            sweep(t);
            if (t.waiters.isEmpty() && (oldest == null || t.lastQuery < oldest.lastQuery)) {
                oldest = t;
            }
        }
        if (oldest != null) {
            remove(oldest);
        }
        return oldest != null;
    }

    private void fail(Torrent t, String why) {
        stats.lastError = why;
        log.accept("torrent bridge: " + why);
        List<Waiter> ws = new ArrayList<>(t.waiters);
        remove(t);
        for (Waiter w : ws) {
            if (!w.a.gone()) {
                stats.unavailable++;
                w.a.end(DbEnd.UNAVAILABLE);
            }
        }
    }

    /** Takes the torrent out of libtorrent (its temp dir goes) and its pieces out of the cache. */
    private void remove(Torrent t) {
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

    private void refuse(QueryAnswer a, String why) {
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
