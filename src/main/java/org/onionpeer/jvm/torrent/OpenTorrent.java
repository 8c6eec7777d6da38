package org.onionpeer.jvm.torrent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.libtorrent4j.Priority;
import org.libtorrent4j.SessionHandle;
import org.libtorrent4j.TorrentHandle;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.TorrentStatus;
import org.libtorrent4j.swig.byte_span;

/**
 * A torrent kept open in a {@link TorrentFetcher}'s session for pieces wanted as they are asked (a
 * facilitator's bridge, whose queries come piece by piece from several requesters). {@link #want} gives a
 * piece top priority and a deadline; each wanted piece comes to the listener once, when it is on disk, read
 * back and SHA-1 checked again, on the caller's executor. A piece libtorrent already has is read back from
 * the temp dir without asking the swarm again (so libtorrent's temp dir is the second level of a caller's
 * cache). Free rider like every fetch of the session (see {@link FreeRider}); {@link #release} removes the
 * torrent and deletes its temp dir.
 *
 * <p>Its fields belong to the fetcher's worker thread unless volatile.
 */
public final class OpenTorrent implements TorrentFetcher.Job {
    /** Files whose priority starts at "ignore" (libtorrent drops the entries a torrent has no file for). */
    static final int MAX_FILES_IGNORED = 4096;
    private static final int READ_BACK_ATTEMPTS = 40;

    /** What the caller hears, on its executor, one call at a time; nothing after {@link #onError}. */
    public interface Listener {
        /** The exact bencoded info dict (its SHA-1 is the info hash), and the layout it gives. */
        void onMetadata(byte[] infoDict, long length, int pieceLength, int pieces);

        /** A wanted piece, SHA-1 checked against the info dict. */
        void onPiece(int index, byte[] bytes);

        /** The torrent failed for good (no metadata or no piece in time, a file error); the text says why. */
        void onError(String message);
    }

    private final TorrentFetcher fetcher;
    private final String key;
    private final Path dir;
    private final Listener listener;
    private final Executor executor;
    private volatile TorrentHandle handle;
    private PieceFiles pieces; // null until the metadata came
    private int pieceCount;
    /** Asked before the metadata came, in order. */
    private final Set<Integer> early = new LinkedHashSet<>();
    /** Wanted and not yet handed over. */
    private final BitSet wanted = new BitSet();
    private final Map<Integer, Integer> readBackFailures = new HashMap<>();
    private boolean ended;
    private boolean released;
    private ScheduledFuture<?> watchdog;
    private volatile boolean removed;
    private volatile int hashFailures;
    private volatile String trackerError;
    private volatile int piecesFromSwarm;
    private volatile long uploadedPayload;
    private volatile long downloadedPayload;

    OpenTorrent(TorrentFetcher fetcher, String key, Path dir, Listener listener, Executor executor) {
        this.fetcher = fetcher;
        this.key = key;
        this.dir = dir;
        this.listener = listener;
        this.executor = executor;
    }

    /** On the worker, once libtorrent took the magnet link (before any task posted after open() returned). */
    void added(TorrentHandle h) {
        handle = h;
        armWatchdog();
    }

    /** Wants a piece (any thread); it comes to {@link Listener#onPiece} once. Out of range: ignored. */
    public void want(int piece) {
        fetcher.worker().execute(() -> {
            if (ended) {
                return;
            }
            if (pieces == null) {
                early.add(piece);
                return;
            }
            if (piece < 0 || piece >= pieceCount || wanted.get(piece)) {
                return;
            }
            wanted.set(piece);
            if (handle.havePiece(piece)) {
                deliver(piece);
                return;
            }
            handle.piecePriority(piece, Priority.TOP_PRIORITY);
            handle.setPieceDeadline(piece, 0);
            if (watchdog == null || watchdog.isDone()) {
                armWatchdog();
            }
        });
    }

    /**
     * Lets libtorrent fetch a piece at low priority without handing it over (read-ahead of a sequential
     * reader; a later {@link #want} finds it on disk). It also keeps us interested in the peers between
     * queries: a peer that chokes an uninterested leecher unchokes it again only at its next round (10 s).
     */
    public void prefetch(int piece) {
        fetcher.worker().execute(() -> {
            if (ended || pieces == null || piece < 0 || piece >= pieceCount || wanted.get(piece)
                || handle.havePiece(piece) || handle.piecePriority(piece) != Priority.IGNORE) {
                return;
            }
            handle.piecePriority(piece, Priority.LOW);
        });
    }

    /** Pieces libtorrent downloaded and hash-checked (each counts once: it never fetches a piece it has). */
    public int piecesFromSwarm() {
        return piecesFromSwarm;
    }

    /** Pieces whose hash failed in libtorrent (bad data from some peer, which libtorrent then bans). */
    public int hashFailures() {
        return hashFailures;
    }

    /** Payload bytes this torrent uploaded to the swarm, as libtorrent counts them (expected 0). */
    public long uploadedPayloadBytes() {
        count();
        return uploadedPayload;
    }

    /** Payload bytes downloaded, bad pieces included. */
    public long downloadedPayloadBytes() {
        count();
        return downloadedPayload;
    }

    private void count() {
        TorrentHandle h = handle;
        try {
            if (!removed && h != null && h.isValid()) {
                TorrentStatus st = h.status();
                uploadedPayload = Math.max(uploadedPayload, st.totalPayloadUpload());
                downloadedPayload = Math.max(downloadedPayload, st.totalPayloadDownload());
            }
        } catch (RuntimeException e) {
            // removed meanwhile (on the worker): the totals taken before removal stand
        }
    }

    /** The private temp dir libtorrent writes into; gone once removed. */
    public Path tempDir() {
        return dir;
    }

    /** True once the torrent left the session and its temp dir was deleted. */
    public boolean isRemoved() {
        return removed;
    }

    /** Stops it without waiting (the listener hears nothing more); the temp dir goes soon after. */
    public void release() {
        fetcher.worker().execute(() -> {
            released = true;
            if (!ended) {
                end(null);
            }
        });
    }

    /** Releases it and waits, bounded, until the temp dir is gone. */
    @Override
    public void close() {
        release();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!removed && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // libtorrent deletes on its disk thread
        }
    }

    @Override
    public void hashFailed() {
        hashFailures++;
    }

    @Override
    public void trackerError(String message) {
        trackerError = message;
    }

    private void armWatchdog() {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        long ms = fetcher.options().peerWaitMillis;
        watchdog = fetcher.worker().schedule(this::onWatchdog, ms, TimeUnit.MILLISECONDS);
    }

    /** No metadata, or a wanted piece not on disk, after the wait with no progress: the swarm fails us. */
    private void onWatchdog() {
        if (ended) {
            return;
        }
        String secs = (fetcher.options().peerWaitMillis / 1000) + " s";
        String why = null;
        if (pieces == null) {
            why = "no peer in the swarm has this torrent after " + secs;
        } else {
            for (int i = wanted.nextSetBit(0); i >= 0 && why == null; i = wanted.nextSetBit(i + 1)) {
                if (!handle.havePiece(i)) {
                    why = "no peer in the swarm sent piece " + i + " within " + secs;
                }
            }
        }
        if (why != null) {
            String t = trackerError;
            fail(t == null || t.isEmpty() ? why : why + " (tracker: " + t + ")");
        }
    }

    @Override
    public void onMetadata() {
        if (ended || pieces != null || handle == null) {
            return;
        }
        TorrentInfo info = handle.torrentFile();
        if (!info.hasV1()) {
            fail("v2-only torrents (BEP 52) are not supported yet");
            return;
        }
        pieceCount = info.numPieces();
        byte[][] h = new byte[pieceCount][];
        for (int i = 0; i < pieceCount; i++) {
            h[i] = HexFormat.of().parseHex(info.hashForPiece(i).toHex());
        }
        // The info dict exactly as the swarm sent it (its SHA-1 is the info hash), not re-encoded.
        byte_span span = info.swig().get_info_section();
        byte[] dict = new byte[(int) span.size()];
        for (int i = 0; i < dict.length; i++) {
            dict[i] = span.at(i);
        }
        try {
            pieces = new PieceFiles(dir, info.files(), h);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        handle.prioritizePieces(Priority.array(Priority.IGNORE, pieceCount));
        long length = info.totalSize();
        int pieceLength = info.pieceLength();
        executor.execute(() -> listener.onMetadata(dict, length, pieceLength, h.length));
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        for (int p : early) {
            want(p);
        }
        early.clear();
    }

    @Override
    public void onPieceFinished(int piece) {
        if (ended || pieces == null) {
            return;
        }
        piecesFromSwarm++;
        armWatchdog(); // progress: the wait starts again
        if (wanted.get(piece)) {
            deliver(piece);
        }
    }

    private void deliver(int piece) {
        if (ended || !wanted.get(piece)) {
            return;
        }
        byte[] bytes;
        try {
            bytes = pieces.read(piece);
        } catch (IOException e) {
            fail("could not read piece " + piece + " back from the temp dir: " + e.getMessage());
            return;
        }
        if (bytes == null) {
            // libtorrent reports a piece once its hash passed, maybe before its write reached the file.
            int n = readBackFailures.merge(piece, 1, Integer::sum);
            if (n > READ_BACK_ATTEMPTS) {
                fail("piece " + piece + " read back from the temp dir does not match its hash");
            } else {
                handle.flushCache();
                fetcher.worker().schedule(() -> deliver(piece), 50, TimeUnit.MILLISECONDS);
            }
            return;
        }
        readBackFailures.remove(piece);
        wanted.clear(piece);
        executor.execute(() -> listener.onPiece(piece, bytes));
    }

    @Override
    public void fail(String message) {
        if (!ended) {
            end(message);
        }
    }

    /** Stops downloading at once, tells the listener of an error, deletes what libtorrent wrote. */
    private void end(String error) {
        ended = true;
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        if (error != null && !released) {
            executor.execute(() -> listener.onError(error));
        }
        TorrentHandle h = handle;
        if (h != null && h.isValid()) {
            count();
            fetcher.session().swig().remove_torrent(h.swig(), SessionHandle.DELETE_FILES);
            // onRemoved follows on libtorrent's torrent_deleted alert; this bound covers a lost alert.
            fetcher.worker().schedule(this::onRemoved, 5, TimeUnit.SECONDS);
        } else {
            onRemoved(); // libtorrent refused the magnet link: nothing of it in the session
        }
    }

    @Override
    public void onRemoved() {
        if (removed) {
            return;
        }
        fetcher.forget(key, this);
        TorrentFetcher.deleteTree(dir);
        removed = true; // last: close() returns on it and promises the dir is gone
    }
}
