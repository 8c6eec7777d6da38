package org.onionpeer.jvm.torrent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.libtorrent4j.AddTorrentParams;
import org.libtorrent4j.AlertListener;
import org.libtorrent4j.Priority;
import org.libtorrent4j.SessionHandle;
import org.libtorrent4j.SessionManager;
import org.libtorrent4j.SessionParams;
import org.libtorrent4j.TorrentFlags;
import org.libtorrent4j.TorrentHandle;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.TorrentStatus;
import org.libtorrent4j.alerts.Alert;
import org.libtorrent4j.alerts.HashFailedAlert;
import org.libtorrent4j.alerts.MetadataReceivedAlert;
import org.libtorrent4j.alerts.PieceFinishedAlert;
import org.libtorrent4j.alerts.TorrentAlert;
import org.libtorrent4j.alerts.TorrentDeleteFailedAlert;
import org.libtorrent4j.alerts.TorrentDeletedAlert;
import org.libtorrent4j.alerts.TorrentErrorAlert;
import org.libtorrent4j.alerts.TrackerErrorAlert;
import org.libtorrent4j.swig.error_code;
import org.onionpeer.torrent.TorrentSink;

/**
 * Fetches a byte range of a torrent from its swarm as a free rider, through libtorrent (libtorrent4j):
 * pieces are downloaded sequentially into a private temp dir, read back, checked against the info dict's
 * SHA-1 once more and handed to a {@link TorrentSink} in order, each exactly once, on the caller's
 * executor (which must run tasks in submission order, as an event loop does). Nothing is uploaded: the
 * session never unchokes a peer and offers no allowed-fast pieces (see {@link FreeRider}); the temp dir
 * is deleted as soon as the range is delivered, on an error and on close.
 *
 * <p>Threads: libtorrent's own, libtorrent4j's alert thread (which only copies plain values out of alerts),
 * and one worker thread of ours that owns every fetch's state.
 */
public final class TorrentFetcher implements AutoCloseable {
    /** How a fetcher runs; the defaults suit a facilitator. */
    public static final class Options {
        /** Where each fetch's temp dir goes (a tmpfs such as /dev/shm keeps the bytes off disks). */
        public Path tempParent = Path.of(System.getProperty("java.io.tmpdir"));
        /** libtorrent's listen_interfaces: where peers may connect to us (we still upload nothing). */
        public String listenInterfaces = "0.0.0.0:0";
        /** How long to wait for metadata, then for each next piece, before giving up. */
        public long peerWaitMillis = 60_000;
        /** Pieces handed to the executor and not yet consumed: the memory bound of a fetch. */
        public int maxUndelivered = 4;
    }

    private static final int READ_BACK_ATTEMPTS = 40;
    /** end()'s reason when the caller closed the fetch: the sink is not told. */
    private static final String CLOSED = new String("closed");

    private final Options options;
    private final SessionManager session;
    private final ScheduledExecutorService worker;
    /** Every torrent in the session, by its v1 info hash in hex: a range {@link Fetch} or an {@link OpenTorrent}. */
    private final Map<String, Job> fetches = new ConcurrentHashMap<>();

    /** What the alert thread hands a torrent's state (always by a task on the worker, or a volatile write). */
    interface Job {
        void onMetadata();

        void onPieceFinished(int piece);

        void onRemoved();

        void fail(String message);

        void hashFailed();

        void trackerError(String message);

        /** Ends the torrent and waits, bounded, until its temp dir is gone. */
        void close();
    }

    public TorrentFetcher(Options options) {
        this.options = options;
        Libtorrent4jNative.load();
        ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "onionpeer-torrent");
            t.setDaemon(true);
            return t;
        });
        w.setRemoveOnCancelPolicy(true);
        worker = w;
        session = new SessionManager(false);
        session.addListener(new AlertListener() {
            @Override
            public int[] types() {
                return null;
            }

            @Override
            public void alert(Alert<?> alert) {
                onAlert(alert);
            }
        });
        SessionParams params = new SessionParams(FreeRider.settings(options.listenInterfaces));
        // Not the default mmap disk I/O: it installs SIGSEGV/SIGBUS handlers around its memcpys to the mapped
        // files, which take the JVM's own (implicit null checks) from it and kill the process.
        params.setPosixDiskIO();
        session.start(params);
        session.swig().set_peer_class_filter(FreeRider.everyoneGlobal());
    }

    /** A magnet link for a v1 info hash (40 hex digits) announced on one tracker. */
    public static String magnet(String infoHashHex, String trackerUrl) {
        return "magnet:?xt=urn:btih:" + infoHashHex.toLowerCase(Locale.ROOT) + "&tr="
            + java.net.URLEncoder.encode(trackerUrl, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Starts fetching bytes {@code [from, to)} of the torrent a magnet link names ({@code to} is clamped to
     * its length; Long.MAX_VALUE means to the end). The sink hears of it on {@code executor}.
     */
    public Fetch fetch(String magnetUri, long from, long to, TorrentSink sink, Executor executor) throws IOException {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("empty or negative range [" + from + ", " + to + ")");
        }
        AddTorrentParams p = AddTorrentParams.parseMagnetUri(magnetUri);
        String key = p.getInfoHashes().getBest().toHex();
        Path dir = Files.createTempDirectory(options.tempParent, "onionpeer-bt-");
        Fetch f = new Fetch(key, dir, from, to, sink, executor);
        if (fetches.putIfAbsent(key, f) != null) {
            deleteTree(dir);
            throw new IllegalStateException("this torrent is already being fetched");
        }
        p.setSavePath(dir.toString());
        // Known waste: until onMetadata sets the range's priorities, libtorrent starts on pieces 0, 1, … (0.75
        // to 6.5 pieces of 256 KiB measured on loopback). Upload mode until then avoided it but lost seeders.
        p.setFlags(TorrentFlags.SEQUENTIAL_DOWNLOAD);
        worker.execute(() -> {
            error_code ec = new error_code();
            f.handle = new TorrentHandle(session.swig().add_torrent(p.swig(), ec));
            if (ec.value() != 0) {
                f.fail("the magnet link was refused: " + ec.message());
                return;
            }
            f.armWatchdog();
        });
        return f;
    }

    private void onAlert(Alert<?> alert) {
        // Runs on libtorrent4j's alert thread: an alert dies at the next pop, so copy plain values out now.
        if (alert instanceof TorrentDeletedAlert || alert instanceof TorrentDeleteFailedAlert) {
            String key = alert instanceof TorrentDeletedAlert
                ? ((TorrentDeletedAlert) alert).getInfoHashes().getBest().toHex()
                : ((TorrentDeleteFailedAlert) alert).getInfoHashes().getBest().toHex();
            Job f = fetches.get(key);
            if (f != null) {
                worker.execute(f::onRemoved);
            }
            return;
        }
        if (!(alert instanceof TorrentAlert)) {
            return;
        }
        Job f = fetches.get(((TorrentAlert<?>) alert).handle().infoHash().toHex());
        if (f == null) {
            return;
        }
        if (alert instanceof MetadataReceivedAlert) {
            worker.execute(f::onMetadata);
        } else if (alert instanceof PieceFinishedAlert) {
            int piece = ((PieceFinishedAlert) alert).pieceIndex();
            worker.execute(() -> f.onPieceFinished(piece));
        } else if (alert instanceof HashFailedAlert) {
            f.hashFailed();
        } else if (alert instanceof TrackerErrorAlert) {
            f.trackerError(((TrackerErrorAlert) alert).errorMessage());
        } else if (alert instanceof TorrentErrorAlert) {
            String m = alert.message();
            worker.execute(() -> f.fail("the torrent failed: " + m));
        }
    }

    /** One range being fetched. Its fields belong to the worker thread unless volatile. */
    public final class Fetch implements AutoCloseable, Job {
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

        private Fetch(String key, Path dir, long from, long to, TorrentSink sink, Executor executor) {
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

        private void armWatchdog() {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            watchdog = worker.schedule(this::onWatchdog, options.peerWaitMillis, TimeUnit.MILLISECONDS);
        }

        private void onWatchdog() {
            if (pieces != null && next <= last && finished[next - first]) {
                armWatchdog(); // the swarm did its part; we wait for the caller to take pieces
                return;
            }
            String secs = (options.peerWaitMillis / 1000) + " s";
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
            while (!ended && next <= last && finished[next - first] && undelivered < options.maxUndelivered) {
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
                        worker.schedule(this::pump, 50, TimeUnit.MILLISECONDS);
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
                        worker.execute(this::delivered);
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
                session.swig().remove_torrent(handle.swig(), SessionHandle.DELETE_FILES);
                // onRemoved follows on libtorrent's torrent_deleted alert; this bound covers a lost alert.
                worker.schedule(this::onRemoved, 5, TimeUnit.SECONDS);
            } else {
                onRemoved();
            }
        }

        @Override
        public void onRemoved() {
            if (removed) {
                return;
            }
            fetches.remove(key, this);
            deleteTree(dir);
            removed = true; // last: close() returns on it and promises the dir is gone
        }

        /** Ends the fetch (the sink hears nothing more) and waits, bounded, until the temp dir is gone. */
        @Override
        public void close() {
            worker.execute(() -> {
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

    /** Ends every fetch, then stops libtorrent. */
    @Override
    public void close() {
        for (Job f : fetches.values()) {
            f.close();
        }
        session.stop();
        worker.shutdownNow();
    }

    /**
     * Opens the torrent a magnet link names for pieces wanted one by one ({@link OpenTorrent#want}); the
     * listener hears of it on {@code executor}. Throws IllegalStateException if it is open already here
     * (or still being removed).
     */
    public OpenTorrent open(String magnetUri, OpenTorrent.Listener listener, Executor executor) throws IOException {
        AddTorrentParams p = AddTorrentParams.parseMagnetUri(magnetUri);
        String key = p.getInfoHashes().getBest().toHex();
        Path dir = Files.createTempDirectory(options.tempParent, "onionpeer-bt-");
        OpenTorrent t = new OpenTorrent(this, key, dir, listener, executor);
        if (fetches.putIfAbsent(key, t) != null) {
            deleteTree(dir);
            throw new IllegalStateException("this torrent is already open here");
        }
        p.setSavePath(dir.toString());
        // No piece is wanted until asked: libtorrent applies these file priorities when the metadata comes,
        // so it does not start on pieces 0, 1, … before OpenTorrent sets piece priorities (extra entries are
        // dropped; a torrent of more files downloads the others' first pieces until then).
        p.filePriorities(Priority.array(Priority.IGNORE, OpenTorrent.MAX_FILES_IGNORED));
        worker.execute(() -> {
            error_code ec = new error_code();
            TorrentHandle h = new TorrentHandle(session.swig().add_torrent(p.swig(), ec));
            if (ec.value() != 0) {
                t.fail("the magnet link was refused: " + ec.message());
                return;
            }
            t.added(h);
        });
        return t;
    }

    Options options() {
        return options;
    }

    ScheduledExecutorService worker() {
        return worker;
    }

    SessionManager session() {
        return session;
    }

    void forget(String key, Job j) {
        fetches.remove(key, j);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Best effort: the caller's check (and the next run's temp cleaner) will see what is left.
        }
    }
}
