package org.onionpeer.ordb;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
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
 * when what it still has to send would take less than its first-byte latency;</li>
 * <li>a circuit much slower than the best ({@link Config#slowFactor}) is replaced when another ORDB is
 * available; one silent for {@link Config#stallMillis} with work pending, closed, or ending a request, is
 * replaced; what it had not delivered goes back to the queue from the first missing chunk (an unfinished
 * request is resumed where it stopped, elsewhere);</li>
 * <li>every chunk is checked against the manifest's Merkle root before it is accepted; a circuit that sends
 * a chunk that fails, or anything malformed or unasked for, is banned for this download (its ORDB is
 * never asked again) and its block is fetched elsewhere;</li>
 * <li>chunks are handed to the sink in order, verified, with their proofs (so the holder can serve them).</li>
 * </ul>
 * Single-threaded on its scheduler; links must deliver in later tasks.
 */
public final class Download {
    /** Tuning; the defaults are the seed's (500 kB window in 5 blocks, 5 circuits) for 16 KiB chunks. */
    public static final class Config {
        public int sources = 5;
        public int blockChunks = 6;
        public int windowBlocks = 5;
        public long stallMillis = 4000;
        public double slowFactor = 4;
        public int maxInitialCounter = 2;
    }

    /** What the download reports. */
    public interface Listener {
        /** Chunk {@code index}, verified, in order from 0. */
        void onData(long index, byte[] data, byte[][] proof);

        void onDone(String error);

        default void onManifest(Manifest m) {
        }

        default void onProgress(long bytes, long total) {
        }

        default void onSource(SourceStats source, String event) {
        }
    }

    /** One circuit's account, kept after it is gone (the report). */
    public static final class SourceStats {
        public final String name;
        public long bytes;
        public long chunks;
        public long requests;
        /** Bytes per millisecond (= kB/s), measured per request. */
        public double rate;
        /** "active", "finished", or "dropped: why", "banned: why". */
        public String fate = "active";

        SourceStats(String name) {
            this.name = name;
        }

        public boolean banned() {
            return fate.startsWith("banned");
        }
    }

    private static final class Request {
        final boolean info;
        final long from;
        long next;
        final long end;
        final long sentAt;
        long startAt = -1;

        Request(boolean info, long from, long end, long now) {
            this.info = info;
            this.from = from;
            this.next = from;
            this.end = end;
            this.sentAt = now;
        }
    }

    private final class Source implements OrdbLink.Handler {
        OrdbLink link;
        SourceStats stats;
        final ArrayDeque<Request> queue = new ArrayDeque<>();
        boolean ready;
        boolean gone;
        long rtt = -1;
        long lastProgress;
        int completed;

        @Override
        public void onMessage(int command, byte[] body) {
            if (!gone && !done) {
                receive(this, command, body);
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
    private final OrdbLink.Connector connector;
    private final Config config;
    private final Listener listener;
    private final List<Source> active = new ArrayList<>();
    private final List<SourceStats> all = new ArrayList<>();
    private final Set<String> avoid = new HashSet<>();
    private final HashMap<Long, Object[]> buffer = new HashMap<>();
    /** Ranges [from, to) handed back by failed requests, lowest first; all below nextNew. */
    private final List<long[]> pending = new ArrayList<>();
    private Manifest manifest;
    private long chunks;
    private long nextNew;
    private long delivered;
    private long deliveredBytes;
    private boolean done;
    private Scheduler.Cancellable ticker;

    public Download(Scheduler scheduler, Entropy entropy, HashName hashName, OrdbLink.Connector connector,
            Config config, Listener listener) {
        this.scheduler = scheduler;
        this.entropy = entropy;
        this.hashName = hashName;
        this.connector = connector;
        this.config = config;
        this.listener = listener;
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
                s.link.send(DbEnd.of(DbEnd.FINISHED));
            }
            finish("cancelled");
        }
    }

    public List<SourceStats> sources() {
        return new ArrayList<>(all);
    }

    public Manifest manifest() {
        return manifest;
    }

    public boolean isDone() {
        return done;
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
        s.stats = new SourceStats(link.name());
        all.add(s.stats);
        active.add(s);
        s.lastProgress = scheduler.nowMillis();
        s.queue.add(new Request(true, 0, 0, scheduler.nowMillis()));
        s.stats.requests++;
        link.send(DbQuery.info(hashName, counter()));
        listener.onSource(s.stats, "opened");
        return s;
    }

    private void tick() {
        if (done) {
            return;
        }
        long now = scheduler.nowMillis();
        for (Source s : new ArrayList<>(active)) {
            if (!s.queue.isEmpty() && now - s.lastProgress > config.stallMillis) {
                drop(s, "stalled: nothing for " + (now - s.lastProgress) + " ms", false);
            }
        }
        if (!done) {
            ticker = scheduler.schedule(Math.max(1, config.stallMillis / 4), this::tick);
        }
    }

    private void receive(Source s, int command, byte[] body) {
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
        Request r = s.queue.peekFirst();
        if (r == null) {
            drop(s, "unsolicited " + m, true);
            return;
        }
        if (m instanceof DbEnd) {
            s.queue.pollFirst();
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
        s.queue.pollFirst();
        s.ready = true;
        s.rtt = scheduler.nowMillis() - r.sentAt;
        s.lastProgress = scheduler.nowMillis();
        if (manifest == null) {
            if (m.isLive()) {
                finish("a live stream, not a file");
                return;
            }
            manifest = m;
            chunks = m.chunkCount();
            listener.onManifest(m);
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
            manifest.verifyChunk(d.chunk(), d.data(), proof);
        } catch (ProtocolException e) {
            drop(s, "chunk " + d.chunk() + ": " + e.getMessage(), true);
            return;
        }
        long now = scheduler.nowMillis();
        if (r.next == r.from && r.startAt == r.sentAt) {
            s.rtt = now - r.sentAt; // first-byte latency, measured on requests sent to an idle circuit
        }
        buffer.put(d.chunk(), new Object[] {d.data(), proof});
        s.stats.bytes += d.data().length;
        s.stats.chunks++;
        s.lastProgress = now;
        r.next++;
        if (r.next == r.end) {
            s.queue.pollFirst();
            completed(s, r, now);
        }
        deliver();
        if (!done && !s.gone && r.next == r.end) {
            replaceIfSlow(s);
        }
        pump();
    }

    private void completed(Source s, Request r, long now) {
        long bytes = 0;
        for (long i = r.from; i < r.end; i++) {
            bytes += manifest.chunkLength(i);
        }
        double sample = (double) bytes / Math.max(1, now - r.startAt);
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
        while (!done && manifest != null) {
            long[] range = nextRange();
            if (range == null) {
                return;
            }
            Source s = pickSource();
            if (s == null) {
                return;
            }
            if (!pending.isEmpty() && pending.get(0) == range) {
                pending.remove(0);
            } else {
                nextNew = range[1];
            }
            long now = scheduler.nowMillis();
            Request r = new Request(false, range[0], range[1], now);
            if (s.queue.isEmpty()) {
                r.startAt = now;
                s.lastProgress = now;
            }
            s.queue.addLast(r);
            s.stats.requests++;
            s.link.send(DbQuery.chunks(hashName, range[0], (int) (range[1] - range[0]), counter()));
        }
    }

    private long[] nextRange() {
        if (!pending.isEmpty()) {
            return pending.get(0);
        }
        long limit = delivered + 2L * config.windowBlocks * config.blockChunks;
        if (nextNew >= chunks || nextNew >= limit) {
            return null;
        }
        return new long[] {nextNew, Math.min(chunks, nextNew + config.blockChunks)};
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
            if (s.ready && s.queue.size() == 1 && dueAhead(s) && (best == null || s.stats.rate > best.stats.rate)) {
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

    /** The circuit will have sent its current block within about one first-byte latency. */
    private boolean dueAhead(Source s) {
        if (s.stats.rate <= 0 || s.rtt < 0) {
            return false;
        }
        Request r = s.queue.peekFirst();
        double remaining = (double) (r.end - r.next) * manifest.chunkSize();
        return remaining <= s.stats.rate * (1.5 * s.rtt + 1);
    }

    private void requeue(Request r) {
        if (r.info || r.next >= r.end) {
            return;
        }
        long[] range = {r.next, r.end};
        int i = 0;
        while (i < pending.size() && pending.get(i)[0] < range[0]) {
            i++;
        }
        pending.add(i, range);
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
            finish("no ORDB left to ask (last: " + s.stats.fate + ")");
            return;
        }
        pump();
    }

    private void deliver() {
        long before = delivered;
        Object[] c;
        while ((c = buffer.remove(delivered)) != null) {
            byte[] data = (byte[]) c[0];
            listener.onData(delivered, data, (byte[][]) c[1]);
            deliveredBytes += data.length;
            delivered++;
        }
        if (delivered != before && (delivered / config.blockChunks != before / config.blockChunks
                || delivered == chunks)) {
            listener.onProgress(deliveredBytes, manifest.length());
        }
        if (delivered == chunks) {
            finish(null);
        }
    }

    private void finish(String error) {
        if (done) {
            return;
        }
        done = true;
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
