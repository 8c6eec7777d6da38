package org.onionpeer.jvm.torrent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.stream.Stream;
import org.libtorrent4j.AddTorrentParams;
import org.libtorrent4j.AlertListener;
import org.libtorrent4j.Priority;
import org.libtorrent4j.SessionManager;
import org.libtorrent4j.SessionParams;
import org.libtorrent4j.TorrentFlags;
import org.libtorrent4j.TorrentHandle;
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
 * is deleted as soon as the range is delivered, on an error and on close ({@link RangeFetch}). Or keeps a
 * torrent open for pieces wanted one by one as requesters ask them ({@link #open}, {@link OpenTorrent}: a
 * facilitator's {@link TorrentBridge}), in the same session and with the same guarantees.
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

    private final Options options;
    private final SessionManager session;
    private final ScheduledExecutorService worker;
    /** Every torrent in the session, by its v1 info hash in hex: a {@link RangeFetch} or an {@link OpenTorrent}. */
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
    public RangeFetch fetch(String magnetUri, long from, long to, TorrentSink sink, Executor executor) throws IOException {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("empty or negative range [" + from + ", " + to + ")");
        }
        AddTorrentParams p = AddTorrentParams.parseMagnetUri(magnetUri);
        String key = p.getInfoHashes().getBest().toHex();
        Path dir = Files.createTempDirectory(options.tempParent, "onionpeer-bt-");
        RangeFetch f = new RangeFetch(this, key, dir, from, to, sink, executor);
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
            TorrentHandle h = new TorrentHandle(session.swig().add_torrent(p.swig(), ec));
            if (ec.value() != 0) {
                f.fail("the magnet link was refused: " + ec.message());
                return;
            }
            f.added(h);
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
            // The error alone: alert.message() starts with the torrent's name, which a facilitator must not log.
            String m = ((TorrentErrorAlert) alert).error().getMessage();
            worker.execute(() -> f.fail("the torrent failed: " + m));
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
