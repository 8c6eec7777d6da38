package org.onionpeer.ordb;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.platform.Entropy;
import org.onionpeer.platform.Scheduler;

/**
 * Fetches one file from several ORDBs at once (the seed's "Requests" and "Pieces and sliding window").
 *
 * <ul>
 * <li>{@link Config#sources} circuits (5), opened through a {@link OrdbLink.Connector}; each first asks the
 * manifest (DB_QUERY count 0) and must answer one that hashes to the hash_name;</li>
 * <li>the file is fetched in blocks of {@link Config#blockChunks} chunks (one DB_QUERY each), lowest first,
 * within a sliding window: nothing more than 2 x {@link Config#windowBlocks} blocks past the first chunk not
 * yet handed to the sink (the first window goes out at once, one block per circuit; requests sent ahead
 * add the second);</li>
 * <li>the rate of each circuit is measured per request (bytes over the time the request had the circuit);
 * an idle circuit gets the next block, best rate first, and a busy one gets its next block ahead of time
 * when what it still has to send would take less than its first-byte latency (so the requests in flight
 * cover the circuit's rate x latency, up to {@link Config#maxRequestsPerSource});</li>
 * <li>a circuit much slower than the best ({@link Config#slowFactor}) is replaced when another ORDB is
 * available; one silent with work pending for {@link Config#stallMillis}, or for three times what its
 * block should take (first-byte latency + block at its rate) if longer, one closed, or one ending a request, is
 * replaced; what it had not delivered goes back to the queue from the first missing chunk (an unfinished
 * request is resumed where it stopped, elsewhere);</li>
 * <li>every chunk is checked against the manifest's Merkle root before it is accepted; a circuit that sends
 * a chunk that fails, or anything malformed or unasked for, is banned for this download (its ORDB is
 * never asked again) and its block is fetched elsewhere;</li>
 * <li>chunks are handed to the sink in order, verified, with their proofs (so the holder can serve them);</li>
 * <li>with no source left, it looks for sources again ({@link Recovery}, {@link #setFinder}), keeping what
 * it verified and its bans, before it gives up.</li>
 * </ul>
 * Single-threaded on its scheduler; links must deliver in later tasks.
 */
public final class Download {
    /** Tuning; the defaults are the seed's (500 kB window in 5 blocks, 5 circuits) for 16 KiB chunks. */
    public static final class Config {
        public int sources = 5;
        public int blockChunks = 6;
        public int windowBlocks = 5;
        public long stallMillis = 1500;
        /**
         * How long a new circuit may take to answer the manifest query: it is still being built (3 hops, each
         * a handshake; over pages, WebRTC links too), which the stall limit must not count.
         */
        public long connectMillis = 10_000;
        public double slowFactor = 4;
        public int maxInitialCounter = 2;
        /** Requests in flight on one circuit, at most (the first, and those sent ahead). */
        public int maxRequestsPerSource = 4;
        /**
         * The first byte wanted: a download resumed after a reload starts where what is stored ends (a Range
         * request, for a player). Chunks before the one holding it are never asked; the sink gets chunks in
         * order from that one, whole (the caller skips the bytes before {@code fromByte} in it).
         */
        public long fromByte;
        /**
         * Set for a torrent (issue 11): queries name it by infohash and trackers ({@link DbQuery#torrent}), the
         * answer must be its TORRENT manifest, and chunks are checked a whole piece at a time: a block is one
         * piece, held until all its chunks are in and its SHA-1 matches the info dict, then handed on.
         */
        public org.onionpeer.torrent.Magnet magnet;
        /** With no source left: rounds of looking again without progress before giving up ({@link Recovery}). */
        public int lookAgainRounds = 4;
        /** ... the wait before the first round, doubling up to the max. */
        public long retryMillis = 1_000;
        public long maxRetryMillis = 8_000;
    }

    private static final byte[][] NO_PROOF = new byte[0][];

    private static final class Request {
        final boolean info;
        final int stream;
        final long from;
        long next;
        final long end;
        final long sentAt;
        long startAt = -1;
        /** A torrent piece's chunks so far: nothing is accepted before the whole piece checks. */
        java.util.List<byte[]> parts;

        Request(boolean info, int stream, long from, long end, long now) {
            this.info = info;
            this.stream = stream;
            this.from = from;
            this.next = from;
            this.end = end;
            this.sentAt = now;
        }
    }

    private final class Source implements OrdbLink.Handler {
        OrdbLink link;
        DownloadSource stats;
        /** Outstanding requests, oldest first; each on its own stream. */
        final ArrayDeque<Request> queue = new ArrayDeque<>();
        int nextStream = 1;
        boolean ready;
        boolean gone;
        long rtt = -1;
        long lastProgress;
        int completed;

        @Override
        public void onMessage(int stream, int command, byte[] body) {
            if (!gone && !done) {
                receive(this, stream, command, body);
            }
        }

        @Override
        public void onClosed() {
            if (!gone && !done) {
                drop(this, "circuit closed", false);
            }
        }
    }

    private final Scheduler scheduler;
    private final Entropy entropy;
    private final HashName hashName;
    private OrdbLink.Connector connector;
    private final Config config;
    private final DownloadListener listener;
    private final List<Source> active = new ArrayList<>();
    private final List<DownloadSource> all = new ArrayList<>();
    private final Set<String> avoid = new HashSet<>();
    private final Recovery recovery;
    private Manifest manifest;
    private ChunkWindow window;
    private long deliveredBytes;
    /** Chunks per block: config.blockChunks, or a torrent's piece. */
    private int blockChunks;
    private boolean done;
    private boolean paused;
    private Scheduler.Cancellable ticker;

    public Download(Scheduler scheduler, Entropy entropy, HashName hashName, OrdbLink.Connector connector,
            Config config, DownloadListener listener) {
        this.scheduler = scheduler;
        this.entropy = entropy;
        this.hashName = hashName;
        this.connector = connector;
        this.config = config;
        this.listener = listener;
        this.recovery = new Recovery(scheduler, config, this::reopen, this::finish);
    }

    /** How to look for sources again when none is left (else the connector is asked again). */
    public void setFinder(SourceFinder finder) {
        recovery.setFinder(finder);
    }

    public void start() {
        replenish();
        if (active.isEmpty()) {
            finish("no ORDB to ask");
            return;
        }
        tick();
    }

    /** Stops: tells every circuit FINISHED and closes it. */
    public void cancel() {
        if (!done) {
            for (Source s : active) {
                for (Request r : s.queue) {
                    s.link.send(r.stream, DbEnd.of(DbEnd.FINISHED));
                }
            }
            finish("cancelled");
        }
    }

    /**
     * While paused (the sink is behind, e.g. storage lags), no new block is asked; requests in flight finish,
     * so a pause costs at most one window in memory.
     */
    public void setPaused(boolean on) {
        paused = on;
        if (!on) {
            pump();
        }
    }

    public List<DownloadSource> sources() {
        return new ArrayList<>(all);
    }

    public Manifest manifest() {
        return manifest;
    }

    public Config config() {
        return config;
    }

    public boolean isDone() {
        return done;
    }

    private DbQuery query(long chunk, int count) {
        if (config.magnet != null) {
            return DbQuery.torrent(config.magnet, chunk, count, counter());
        }
        return count == 0 ? DbQuery.info(hashName, counter()) : DbQuery.chunks(hashName, chunk, count, counter());
    }

    private int counter() {
        byte[] b = new byte[1];
        entropy.nextBytes(b);
        return (b[0] & 0xff) % (config.maxInitialCounter + 1);
    }

    private void replenish() {
        while (!done && active.size() < config.sources && open() != null) {
            // opened one
        }
    }

    private Source open() {
        Set<String> exclude = new HashSet<>(avoid);
        for (Source s : active) {
            exclude.add(s.link.name());
        }
        Source s = new Source();
        OrdbLink link = connector.open(exclude, s);
        if (link == null) {
            return null;
        }
        s.link = link;
        s.stats = new DownloadSource(link.name());
        all.add(s.stats);
        active.add(s);
        s.lastProgress = scheduler.nowMillis();
        Request r = new Request(true, s.nextStream++, 0, 0, scheduler.nowMillis());
        s.queue.add(r);
        s.stats.requests++;
        link.send(r.stream, query(0, 0));
        listener.onSource(s.stats, "opened");
        return s;
    }

    private void tick() {
        if (done) {
            return;
        }
        long now = scheduler.nowMillis();
        for (Source s : new ArrayList<>(active)) {
            if (!s.queue.isEmpty() && now - s.lastProgress > stallLimit(s)) {
                drop(s, "stalled: nothing for " + (now - s.lastProgress) + " ms", false);
            }
        }
        if (!done) {
            ticker = scheduler.schedule(Math.max(1, config.stallMillis / 4), this::tick);
        }
    }

    /** How long a circuit with work pending may stay silent. */
    private long stallLimit(Source s) {
        if (!s.ready) {
            return Math.max(config.connectMillis, config.stallMillis);
        }
        if (s.rtt < 0 || s.stats.rate <= 0 || manifest == null) {
            return Math.max(config.stallMillis, 3 * s.rtt);
        }
        double block = (double) blockChunks * manifest.chunkSize() / s.stats.rate;
        return Math.max(config.stallMillis, (long) (3 * (s.rtt + block)));
    }

    private void receive(Source s, int stream, int command, byte[] body) {
        OrdbMessage m;
        try {
            m = OrdbMessage.decode(command, body);
        } catch (ProtocolException e) {
            drop(s, OrdbMessage.name(command) + ": " + e.getMessage(), true);
            return;
        }
        if (command == OrdbMessage.DB_INFO || command == OrdbMessage.DB_QUERY) {
            return; // not ours to serve on a download circuit
        }
        Request r = null;
        for (Request x : s.queue) {
            if (x.stream == stream) {
                r = x;
            }
        }
        if (r == null) {
            drop(s, "unsolicited " + m + " on stream " + stream, true);
            return;
        }
        if (m instanceof DbEnd) {
            s.queue.remove(r);
            requeue(r);
            drop(s, m.toString(), false);
        } else if (m instanceof DbConnected) {
            onManifest(s, r, (DbConnected) m);
        } else {
            onData(s, r, (DbData) m);
        }
    }

    private void onManifest(Source s, Request r, DbConnected c) {
        if (!r.info) {
            drop(s, "DB_CONNECTED answering a chunk query", true);
            return;
        }
        Manifest m;
        try {
            m = c.checkFor(hashName);
        } catch (ProtocolException e) {
            drop(s, e.getMessage(), true);
            return;
        }
        s.queue.remove(r);
        s.ready = true;
        s.rtt = scheduler.nowMillis() - r.sentAt;
        s.lastProgress = scheduler.nowMillis();
        if (manifest == null) {
            recovery.progress();
            if (m.isLive()) {
                finish("a live stream, not a file");
                return;
            }
            if (config.fromByte < 0 || config.fromByte > m.length()) {
                finish("cannot start at byte " + config.fromByte + " of a file of " + m.length() + " bytes");
                return;
            }
            blockChunks = config.blockChunks;
            long first = config.fromByte / m.chunkSize();
            if (m.isTorrent()) {
                // Blocks are pieces, so each is checked whole and comes from one circuit (a bad one is
                // banned exactly); the first block starts at its piece.
                blockChunks = m.torrentInfo().chunksPerPiece();
                first -= first % blockChunks;
            }
            manifest = m;
            window = new ChunkWindow(m.chunkCount(), blockChunks, config.windowBlocks, first);
            deliveredBytes = first * m.chunkSize();
            listener.onManifest(m);
            if (window.complete()) {
                finish(null); // resumed with everything already stored
                return;
            }
        }
        pump();
    }

    private void onData(Source s, Request r, DbData d) {
        if (r.info) {
            drop(s, "DB_DATA answering an info query", true);
            return;
        }
        if (d.chunk() != r.next) {
            drop(s, "DB_DATA for chunk " + d.chunk() + ", expected " + r.next, true);
            return;
        }
        byte[][] proof = d.proof();
        try {
            if (manifest.isTorrent()) {
                if (!pieceChunk(s, r, d)) {
                    return; // more of the piece to come
                }
            } else {
                manifest.verifyChunk(d.chunk(), d.data(), proof);
            }
        } catch (ProtocolException e) {
            drop(s, (manifest.isTorrent() ? "" : "chunk " + d.chunk() + ": ") + e.getMessage(), true);
            return;
        }
        long now = scheduler.nowMillis();
        recovery.progress();
        if (r.next == r.from && r.startAt == r.sentAt && r.parts == null) {
            s.rtt = now - r.sentAt; // first-byte latency, measured on requests sent to an idle circuit
        }
        if (r.parts != null) {
            for (int k = 0; k < r.parts.size(); k++) {
                window.put(r.from + k, r.parts.get(k), NO_PROOF);
                s.stats.bytes += r.parts.get(k).length;
                s.stats.chunks++;
            }
        } else {
            window.put(d.chunk(), d.data(), proof);
            s.stats.bytes += d.data().length;
            s.stats.chunks++;
            r.next++;
        }
        s.lastProgress = now;
        if (r.next == r.end) {
            s.queue.remove(r);
            completed(s, r, now);
        }
        deliver();
        if (!done && !s.gone && r.next == r.end) {
            replaceIfSlow(s);
        }
        pump();
    }

    /**
     * Holds a torrent chunk (exact length checked) until its piece is whole; then checks the piece's SHA-1
     * and returns true. The request is exactly one piece (blocks are pieces).
     */
    private boolean pieceChunk(Source s, Request r, DbData d) {
        int want = manifest.chunkLength(d.chunk());
        if (d.data().length != want) {
            throw new ProtocolException("chunk " + d.chunk() + " is " + d.data().length + " bytes, not " + want);
        }
        if (r.parts == null) {
            r.parts = new ArrayList<>();
        }
        r.parts.add(d.data());
        r.next++;
        long now = scheduler.nowMillis();
        if (r.parts.size() == 1 && r.startAt == r.sentAt) {
            s.rtt = now - r.sentAt; // first-byte latency, as for files
        }
        s.lastProgress = now;
        if (r.next < r.end) {
            return false;
        }
        int total = 0;
        for (byte[] p : r.parts) {
            total += p.length;
        }
        byte[] piece = new byte[total];
        int off = 0;
        for (byte[] p : r.parts) {
            System.arraycopy(p, 0, piece, off, p.length);
            off += p.length;
        }
        manifest.torrentInfo().verifyPiece((int) (r.from / blockChunks), piece);
        return true;
    }

    private void completed(Source s, Request r, long now) {
        long bytes = 0;
        for (long i = r.from; i < r.end; i++) {
            bytes += manifest.chunkLength(i);
        }
        long start = r.startAt >= 0 ? r.startAt : r.sentAt; // a later request may finish first
        double sample = (double) bytes / Math.max(1, now - start);
        s.stats.rate = s.stats.rate == 0 ? sample : 0.6 * s.stats.rate + 0.4 * sample;
        s.completed++;
        Request next = s.queue.peekFirst();
        if (next != null && next.startAt < 0) {
            next.startAt = now;
        }
    }

    /** Replaces {@code s} if it is much slower than the best measured circuit and another ORDB is there. */
    private void replaceIfSlow(Source s) {
        if (s.completed < 2) {
            return;
        }
        double best = 0;
        for (Source o : active) {
            if (o.completed >= 2) {
                best = Math.max(best, o.stats.rate);
            }
        }
        if (s.stats.rate * config.slowFactor < best) {
            String why = "slow: " + (long) s.stats.rate + " kB/s against " + (long) best;
            if (open() != null) {
                drop(s, why, false);
            }
        }
    }

    /** Sends blocks while there are blocks in the window and circuits to take them. */
    private void pump() {
        while (!done && !paused && manifest != null) {
            long[] range = window.peek();
            if (range == null) {
                return;
            }
            Source s = pickSource();
            if (s == null) {
                return;
            }
            window.take(range);
            long now = scheduler.nowMillis();
            Request r = new Request(false, s.nextStream, range[0], range[1], now);
            s.nextStream = s.nextStream == 0xffff ? 1 : s.nextStream + 1;
            if (s.queue.isEmpty()) {
                r.startAt = now;
                s.lastProgress = now;
            }
            s.queue.addLast(r);
            s.stats.requests++;
            s.link.send(r.stream, query(range[0], (int) (range[1] - range[0])));
        }
    }

    /** An idle circuit (unmeasured first, then best rate), else a busy one due for its next request. */
    private Source pickSource() {
        Source best = null;
        for (Source s : active) {
            if (s.ready && s.queue.isEmpty() && (best == null || better(s, best))) {
                best = s;
            }
        }
        if (best != null) {
            return best;
        }
        for (Source s : active) {
            if (s.ready && s.queue.size() < config.maxRequestsPerSource && dueAhead(s)
                    && (best == null || s.stats.rate > best.stats.rate)) {
                best = s;
            }
        }
        return best;
    }

    private static boolean better(Source a, Source b) {
        if (a.stats.rate == 0 || b.stats.rate == 0) {
            return a.stats.rate == 0 && b.stats.rate != 0;
        }
        return a.stats.rate > b.stats.rate;
    }

    /**
     * The circuit will have sent all it was asked within about one first-byte latency: the next request must
     * go now to arrive as the last one ends (so a circuit whose rate x latency exceeds a block keeps more
     * than two requests in flight).
     */
    private boolean dueAhead(Source s) {
        if (s.stats.rate <= 0 || s.rtt < 0) {
            return false;
        }
        double remaining = 0;
        for (Request r : s.queue) {
            remaining += (double) (r.end - r.next) * manifest.chunkSize();
        }
        return remaining <= s.stats.rate * (1.5 * s.rtt + 1);
    }

    private void requeue(Request r) {
        if (!r.info) {
            // A torrent piece's held chunks were never accepted: the whole piece goes back.
            window.giveBack(r.parts != null ? r.from : r.next, r.end);
        }
    }

    private void drop(Source s, String why, boolean ban) {
        if (s.gone) {
            return;
        }
        s.gone = true;
        active.remove(s);
        for (Request r : s.queue) {
            requeue(r);
        }
        s.queue.clear();
        avoid.add(s.link.name());
        s.stats.fate = (ban ? "banned: " : "dropped: ") + why;
        s.link.close();
        listener.onSource(s.stats, s.stats.fate);
        replenish();
        if (active.isEmpty() && !done) {
            recovery.lost(all, manifest != null, s.stats.fate); // looks again later, or ends the download
            return;
        }
        pump();
    }

    /** A round of looking again: every ORDB may be asked again but those banned, whatever a lookup found. */
    private boolean reopen(OrdbLink.Connector found) {
        connector = found != null ? found : connector;
        avoid.clear();
        for (DownloadSource x : all) {
            if (x.banned()) {
                avoid.add(x.name);
            }
        }
        replenish();
        return !active.isEmpty();
    }

    private void deliver() {
        long before = window.delivered();
        Object[] c;
        while ((c = window.poll()) != null) {
            byte[] data = (byte[]) c[0];
            listener.onData(window.delivered() - 1, data, (byte[][]) c[1]);
            deliveredBytes += data.length;
        }
        long now = window.delivered();
        if (now != before && (now / blockChunks != before / blockChunks || window.complete())) {
            listener.onProgress(deliveredBytes, manifest.length());
        }
        if (window.complete()) {
            finish(null);
        }
    }

    private void finish(String error) {
        if (done) {
            return;
        }
        done = true;
        recovery.stop();
        if (ticker != null) {
            ticker.cancel();
        }
        for (Source s : active) {
            s.gone = true;
            s.stats.fate = error == null ? "finished" : "stopped: " + error;
            s.link.close();
        }
        active.clear();
        listener.onDone(error);
    }
}
