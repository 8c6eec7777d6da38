package org.onionpeer.jvm.torrent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.libtorrent4j.Priority;
import org.libtorrent4j.SessionHandle;
import org.libtorrent4j.TorrentHandle;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.TorrentStatus;
import org.onionpeer.torrent.TorrentSink;

/**
 * One byte range of a torrent being fetched by a {@link TorrentFetcher} ({@link TorrentFetcher#fetch}): its
 * pieces, downloaded sequentially into a private temp dir, read back, SHA-1 checked again and handed to the
 * sink in order, each once. Its fields belong to the fetcher's worker thread unless volatile.
 */
public final class RangeFetch implements AutoCloseable, TorrentFetcher.Job {
    private static final int READ_BACK_ATTEMPTS = 40;
    /** end()'s reason when the caller closed the fetch: the sink is not told. */
    private static final String CLOSED = new String("closed");

    private final TorrentFetcher fetcher;
    private final String key;
    private final Path dir;
    private final long from;
    private final long to;
    private final TorrentSink sink;
    private final Executor executor;
    private volatile TorrentHandle handle;
    private PieceFiles pieces; // null until the metadata came
    private int first;
    private int last;
    private int next;
    private boolean[] finished;
    private int undelivered;
    private int readBackFailures;
    private boolean ended;
    private ScheduledFuture<?> watchdog;
    private volatile boolean removed;
    private volatile int hashFailures;
    private volatile String trackerError;
    private volatile long uploadedPayload;
    private volatile long downloadedPayload;
    private volatile int piecesOnDisk;

    RangeFetch(TorrentFetcher fetcher, String key, Path dir, long from, long to, TorrentSink sink, Executor executor) {
        this.fetcher = fetcher;
        this.key = key;
        this.dir = dir;
        this.from = from;
        this.to = to;
        this.sink = sink;
        this.executor = executor;
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

    /** Payload bytes downloaded, bad pieces included: what the fetch cost the facilitator. */
    public long downloadedPayloadBytes() {
        count();
        return downloadedPayload;
    }

    private void count() {
        TorrentHandle h = handle;
        if (!removed && h != null && h.isValid()) {
            TorrentStatus st = h.status();
            uploadedPayload = Math.max(uploadedPayload, st.totalPayloadUpload());
            downloadedPayload = Math.max(downloadedPayload, st.totalPayloadDownload());
        }
    }

    /** Pieces of the range that passed their hash check, delivered or not. */
    public int piecesOnDisk() {
        return piecesOnDisk;
    }

    /** The private temp dir libtorrent writes into; gone once the fetch ends. */
    public Path tempDir() {
        return dir;
    }

    /** On the worker, once libtorrent took the magnet link. */
    void added(TorrentHandle h) {
        handle = h;
        armWatchdog();
    }

    private void armWatchdog() {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        watchdog = fetcher.worker().schedule(this::onWatchdog, fetcher.options().peerWaitMillis, TimeUnit.MILLISECONDS);
    }

    private void onWatchdog() {
        if (pieces != null && next <= last && finished[next - first]) {
            armWatchdog(); // the swarm did its part; we wait for the caller to take pieces
            return;
        }
        String secs = (fetcher.options().peerWaitMillis / 1000) + " s";
        String why = pieces == null
            ? "no peer in the swarm has this torrent after " + secs
            : "no peer in the swarm sent piece " + next + " within " + secs;
        String t = trackerError;
        fail(t == null || t.isEmpty() ? why : why + " (tracker: " + t + ")");
    }

    @Override
    public void hashFailed() {
        hashFailures++;
    }

    @Override
    public void trackerError(String message) {
        trackerError = message;
    }

    @Override
    public void onMetadata() {
        if (ended || pieces != null) {
            return;
        }
        TorrentInfo info = handle.torrentFile();
        if (!info.hasV1()) {
            // Our read-back check and TorrentSink's proofs are v1 SHA-1 piece hashes; see the README.
            fail("v2-only torrents (BEP 52) are not supported yet");
            return;
        }
        long length = info.totalSize();
        int pieceLength = info.pieceLength();
        byte[][] h = new byte[info.numPieces()][];
        for (int i = 0; i < h.length; i++) {
            h[i] = HexFormat.of().parseHex(info.hashForPiece(i).toHex());
        }
        try {
            pieces = new PieceFiles(dir, info.files(), h);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        if (from >= length) {
            fail("the range starts at byte " + from + " but the torrent has " + length + " bytes");
            return;
        }
        first = (int) (from / pieceLength);
        last = (int) ((Math.min(to, length) - 1) / pieceLength);
        next = first;
        finished = new boolean[last - first + 1];
        Priority[] prio = Priority.array(Priority.IGNORE, info.numPieces());
        Arrays.fill(prio, first, last + 1, Priority.DEFAULT);
        handle.prioritizePieces(prio);
        String name = info.name();
        int firstPiece = first;
        int lastPiece = last;
        executor.execute(() -> sink.onMetadata(name, length, pieceLength, h.clone(), firstPiece, lastPiece));
        for (int i = first; i <= last; i++) {
            finished[i - first] = handle.havePiece(i);
            piecesOnDisk += finished[i - first] ? 1 : 0;
        }
        armWatchdog();
        pump();
    }

    @Override
    public void onPieceFinished(int piece) {
        if (ended || pieces == null || piece < first || piece > last || finished[piece - first]) {
            return;
        }
        finished[piece - first] = true;
        piecesOnDisk++;
        armWatchdog();
        pump();
    }

    /** Hands over the next pieces in order while they are on disk and the executor keeps up. */
    private void pump() {
        while (!ended && next <= last && finished[next - first] && undelivered < fetcher.options().maxUndelivered) {
            byte[] bytes;
            try {
                bytes = pieces.read(next);
            } catch (IOException e) {
                fail("could not read piece " + next + " back from the temp dir: " + e.getMessage());
                return;
            }
            if (bytes == null) {
                // libtorrent reports a piece once its hash passed, maybe before its write reached the file.
                if (++readBackFailures > READ_BACK_ATTEMPTS) {
                    fail("piece " + next + " read back from the temp dir does not match its hash");
                } else {
                    handle.flushCache();
                    fetcher.worker().schedule(this::pump, 50, TimeUnit.MILLISECONDS);
                }
                return;
            }
            readBackFailures = 0;
            int index = next++;
            undelivered++;
            executor.execute(() -> {
                try {
                    sink.onPiece(index, bytes);
                } finally {
                    fetcher.worker().execute(this::delivered);
                }
            });
        }
        if (!ended && next > last) {
            end(null);
        }
    }

    private void delivered() {
        undelivered--;
        pump();
    }

    @Override
    public void fail(String message) {
        if (!ended) {
            end(message);
        }
    }

    /** Stops downloading at once (no seeding window), tells the sink unless closed, deletes what libtorrent wrote. */
    private void end(String error) {
        ended = true;
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        if (error != CLOSED) {
            executor.execute(error == null ? sink::onDone : () -> sink.onError(error));
        }
        if (handle != null && handle.isValid()) {
            count();
            fetcher.session().swig().remove_torrent(handle.swig(), SessionHandle.DELETE_FILES);
            // onRemoved follows on libtorrent's torrent_deleted alert; this bound covers a lost alert.
            fetcher.worker().schedule(this::onRemoved, 5, TimeUnit.SECONDS);
        } else {
            onRemoved();
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

    /** Ends the fetch (the sink hears nothing more) and waits, bounded, until the temp dir is gone. */
    @Override
    public void close() {
        fetcher.worker().execute(() -> {
            if (!ended) {
                end(CLOSED);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!removed && System.nanoTime() < deadline) {
            // libtorrent deletes the files on its disk thread and says so by an alert.
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
