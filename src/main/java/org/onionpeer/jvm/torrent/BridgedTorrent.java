package org.onionpeer.jvm.torrent;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.DbConnected;
import org.onionpeer.ordb.DbData;
import org.onionpeer.ordb.DbQuery;
import org.onionpeer.ordb.Manifest;
import org.onionpeer.ordb.QueryAnswer;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.torrent.Magnet;

/**
 * One torrent a {@link TorrentBridge} serves: its {@link OpenTorrent}, its manifest once the metadata came, and
 * the queries waiting on it, each sent its chunks in order as the pieces arrive (from libtorrent or the
 * bridge's cache). Used on the bridge's loop only; the bridge keeps the limits and the torrent's life.
 */
final class BridgedTorrent implements OpenTorrent.Listener {
    private static final int CHUNK = Content.CHUNK_SIZE;

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

    private final TorrentBridge bridge;
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

    BridgedTorrent(TorrentBridge bridge, Magnet m) {
        this.bridge = bridge;
        key = m.infoHashHex();
        infoHash = m.infoHash();
    }

    @Override
    public void onMetadata(byte[] infoDict, long len, int pl, int pieces) {
        if (!closed) {
            metadata(infoDict, len, pl);
        }
    }

    @Override
    public void onPiece(int index, byte[] bytes) {
        if (!closed) {
            piece(index, bytes);
        }
    }

    @Override
    public void onError(String message) {
        if (!closed) {
            bridge.fail(this, message);
        }
    }

    /** A query the bridge let in: answered now if it can be, else when the metadata or its pieces come. */
    void add(DbQuery q, QueryAnswer a) {
        lastQuery = bridge.loop.nowMillis();
        Waiter w = new Waiter(q, a);
        if (manifest == null) {
            waiters.add(w); // answered when the metadata comes
        } else {
            admit(w);
            pump();
        }
    }

    /** Drops the waiters whose asker gave up or left: they must hold nothing. */
    void sweep() {
        waiters.removeIf(w -> w.a.gone());
    }

    /** The askers still there (the torrent failed: the bridge ends them). */
    List<QueryAnswer> askers() {
        List<QueryAnswer> l = new ArrayList<>();
        for (Waiter w : waiters) {
            if (!w.a.gone()) {
                l.add(w.a);
            }
        }
        return l;
    }

    /** With the metadata known: an info query is answered, a chunk query checked and queued. */
    private void admit(Waiter w) {
        DbQuery q = w.q;
        if (w.a.gone()) {
            return;
        }
        if (q.isInfo()) {
            w.a.send(DbConnected.of(manifest));
            w.a.done();
            return;
        }
        if (q.chunk() + q.count() > chunkCount) {
            bridge.refuse(w.a, "chunks " + q.chunk() + "+" + q.count() + " beyond " + chunkCount);
            return;
        }
        waiters.add(w);
        long from = q.chunk() * CHUNK;
        long to = Math.min(length, (q.chunk() + q.count()) * CHUNK);
        for (int p = (int) (from / pieceLength); p <= (int) ((to - 1) / pieceLength); p++) {
            if (bridge.cache.has(key, p)) {
                bridge.stats.cacheHits++;
            } else {
                ask(p); // every piece of the query at once: libtorrent fetches them from several peers
            }
        }
    }

    private void ask(int piece) {
        if (!bridge.cache.has(key, piece) && asked.add(piece)) {
            open.want(piece);
            readAhead(piece + 1, (int) Math.max(2, Math.min(64, bridge.options.readAheadBytes / pieceLength)));
        }
    }

    private void readAhead(int from, int pieces) {
        for (int p = from; p < from + pieces; p++) {
            open.prefetch(p); // ignored past the end, or if already wanted or held
        }
    }

    private void metadata(byte[] infoDict, long len, int pl) {
        try {
            if (!MessageDigest.isEqual(MessageDigest.getInstance("SHA-1").digest(infoDict), infoHash)) {
                bridge.fail(this, "the swarm's metadata does not hash to the infohash");
                return;
            }
            manifest = Manifest.torrent(infoHash, infoDict);
        } catch (ProtocolException e) {
            bridge.fail(this, "the torrent's metadata is refused: " + e.getMessage());
            return;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        length = len;
        pieceLength = pl;
        chunkCount = manifest.chunkCount(); // the requester's count, from the same info dict
        List<Waiter> early = new ArrayList<>(waiters);
        waiters.clear();
        if (early.stream().allMatch(w -> w.q.isInfo())) {
            readAhead(0, bridge.options.readAheadFirstPieces); // a requester asks the manifest, then mostly these
        }
        for (Waiter w : early) {
            admit(w);
        }
        pump();
    }

    private void piece(int index, byte[] bytes) {
        bridge.stats.piecesIn++;
        asked.remove(index);
        bridge.cache.put(key, index, bytes);
        pump();
        bridge.cache.trim(); // after the waiters took what they could, so a piece bigger than the room still serves
    }

    /** Sends each waiter the chunks it can have now, in order; asks the pieces it waits for. */
    private void pump() {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
            Waiter w = it.next();
            long end = w.q.chunk() + w.q.count();
            while (!w.a.gone() && w.next < end) {
                byte[] chunk = chunk(w.next);
                if (chunk == null) {
                    break;
                }
                w.a.send(DbData.of(w.next, chunk, new byte[0][]));
                bridge.stats.chunksSent++;
                w.next++;
            }
            if (w.a.gone()) {
                it.remove();
            } else if (w.next == end) {
                it.remove();
                w.a.done();
                lastQuery = bridge.loop.nowMillis();
            }
        }
    }

    /** Chunk i from cached pieces (a chunk may span pieces shorter than it), or null after asking what is missing. */
    private byte[] chunk(long i) {
        long from = i * CHUNK;
        long to = Math.min(length, from + CHUNK);
        byte[] out = new byte[(int) (to - from)];
        boolean missing = false;
        for (int p = (int) (from / pieceLength); p <= (int) ((to - 1) / pieceLength); p++) {
            byte[] piece = bridge.cache.get(key, p);
            if (piece == null) {
                ask(p);
                missing = true;
                continue;
            }
            long ps = (long) p * pieceLength;
            long a = Math.max(from, ps);
            long b = Math.min(to, ps + piece.length);
            System.arraycopy(piece, (int) (a - ps), out, (int) (a - from), (int) (b - a));
        }
        return missing ? null : out;
    }
}
