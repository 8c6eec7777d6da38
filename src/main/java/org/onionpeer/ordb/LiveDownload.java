package org.onionpeer.ordb;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.platform.Entropy;
import org.onionpeer.platform.Scheduler;

/**
 * Plays a live stream from several ORDBs (the requester side of {@link LivePublisher} and {@link LiveServing}).
 *
 * <ul>
 * <li>Each circuit first asks the manifest (count 0): it must hash to the hash_name, be LIVE, and come with
 * the latest signed window, which must verify (signature by the manifest's key, this stream, timestamp
 * fresh and in order with the windows seen). The first one fixes the join point: that latest window.</li>
 * <li>Window 0 (the init segment) is fetched first and handed on whole ({@link Listener#onInit}), then media
 * chunks in order from the join window on ({@link Listener#onData}). One query per window (or the rest of
 * one), {@link Config#windowsAhead} windows asked at once: those not published yet are held by the
 * publisher and come as they close.</li>
 * <li>At most {@link LivePublisher#KEEP} windows are held: when the live edge (the newest signed window
 * seen) is {@link LivePublisher#KEEP} or more windows past the next one to play, those are gone at the
 * publisher too, so it skips to the edge and says so ({@link Listener#onSkip}).</li>
 * <li>A circuit that closes, stalls, or ends a query is replaced through the connector (the same ORDB may
 * be asked again); one that sends a chunk that fails its proof, a window whose signature or timestamp
 * fails, or anything malformed or unasked for is banned.</li>
 * </ul>
 * Single-threaded on its scheduler; links deliver in later tasks.
 */
public final class LiveDownload {
    public static final class Config {
        public int sources = 3;
        /** Media windows asked at once (the next to play, and those after it, held until published). */
        public int windowsAhead = 2;
        /** Longer than a publisher holds a query (a held query is silence, not a stall). */
        public long stallMillis = 12_000;
        /** How old a window may be when it arrives. */
        public long maxAgeSeconds = 60;
        public int maxInitialCounter = 2;
        public int maxRequestsPerSource = 4;
        /** With no circuit at all, retry the connector this long before giving up. */
        public long giveUpMillis = 60_000;
    }

    /** What a live download reports, on its scheduler. */
    public interface Listener {
        /** The init segment (window 0), whole, before any media. */
        void onInit(byte[] init);

        /** Media chunk {@code index}, verified, in order (with a gap only after {@link #onSkip}). */
        void onData(long index, byte[] data);

        void onDone(String error);

        default void onManifest(Manifest m, LiveWindow latest) {
        }

        /** Chunks {@code from} .. {@code to - 1} will never be played: {@code why}. */
        default void onSkip(long from, long to, String why) {
        }

        default void onSource(DownloadSource source, String event) {
        }
    }

    private static final class Win {
        final long number;
        final long first;
        LiveWindow signed;
        final List<byte[]> chunks = new ArrayList<>();
        boolean asked;
        boolean skipped;

        Win(long number, long first) {
            this.number = number;
            this.first = first;
        }

        boolean complete() {
            return signed != null && chunks.size() == signed.count();
        }
    }

    private static final class Req {
        final Win win;
        long next;

        Req(Win win, long next) {
            this.win = win;
            this.next = next;
        }
    }

    private final class Source implements OrdbLink.Handler {
        OrdbLink link;
        DownloadSource stats;
        final Map<Integer, Req> reqs = new LinkedHashMap<>();
        int nextStream = 1;
        boolean ready;
        boolean gone;
        long lastProgress;
        int unavailable;
        /** Streams we ended (skipped windows): what still comes on them is ignored, not unsolicited. */
        final Set<Integer> cancelled = new java.util.LinkedHashSet<>();

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
    private final OrdbLink.Connector connector;
    private final Config config;
    private final Listener listener;
    private final List<Source> active = new ArrayList<>();
    private final List<DownloadSource> all = new ArrayList<>();
    private final Set<String> banned = new HashSet<>();
    private final TreeMap<Long, Win> wins = new TreeMap<>();
    private Manifest manifest;
    private boolean initDone;
    private long next = -1;
    private long edge = -1;
    private long edgeTimestamp;
    private long skippedChunks;
    private long lonelySince = -1;
    private boolean done;
    private Scheduler.Cancellable ticker;

    public LiveDownload(Scheduler scheduler, Entropy entropy, HashName hashName, OrdbLink.Connector connector,
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

    public void cancel() {
        if (!done) {
            for (Source s : active) {
                for (int stream : s.reqs.keySet()) {
                    s.link.send(stream, DbEnd.of(DbEnd.FINISHED));
                }
            }
            finish("cancelled");
        }
    }

    public List<DownloadSource> sources() {
        return new ArrayList<>(all);
    }

    public Manifest manifest() {
        return manifest;
    }

    public boolean isDone() {
        return done;
    }

    /** The next media window to play; -1 before the manifest. */
    public long nextWindow() {
        return next;
    }

    /** Windows held (asked or received, not yet played). */
    public int heldWindows() {
        return wins.size();
    }

    public long skippedChunks() {
        return skippedChunks;
    }

    private int counter() {
        byte[] b = new byte[1];
        entropy.nextBytes(b);
        return (b[0] & 0xff) % (config.maxInitialCounter + 1);
    }

    private void replenish() {
        while (!done && active.size() < config.sources && open()) {
            // opened one
        }
        lonelySince = active.isEmpty() ? (lonelySince < 0 ? scheduler.nowMillis() : lonelySince) : -1;
    }

    private boolean open() {
        Set<String> exclude = new HashSet<>(banned);
        for (Source s : active) {
            exclude.add(s.link.name());
        }
        Source s = new Source();
        OrdbLink link = connector.open(exclude, s);
        if (link == null) {
            return false;
        }
        s.link = link;
        s.stats = new DownloadSource(link.name());
        all.add(s.stats);
        active.add(s);
        s.lastProgress = scheduler.nowMillis();
        ask(s, null, 0, 0);
        listener.onSource(s.stats, "opened");
        return true;
    }

    private void ask(Source s, Win w, long from, int count) {
        int stream = s.nextStream;
        s.nextStream = s.nextStream == 0xffff ? 1 : s.nextStream + 1;
        if (s.reqs.isEmpty()) {
            s.lastProgress = scheduler.nowMillis();
        }
        s.reqs.put(stream, new Req(w, from));
        s.stats.requests++;
        s.link.send(stream, w == null ? DbQuery.info(hashName, counter()) : DbQuery.chunks(hashName, from, count, counter()));
    }

    private void tick() {
        if (done) {
            return;
        }
        long now = scheduler.nowMillis();
        for (Source s : new ArrayList<>(active)) {
            if (!s.reqs.isEmpty() && now - s.lastProgress > config.stallMillis) {
                drop(s, "stalled: nothing for " + (now - s.lastProgress) + " ms", false);
            }
        }
        if (active.isEmpty()) {
            replenish();
            if (active.isEmpty() && now - lonelySince > config.giveUpMillis) {
                finish("no ORDB left to ask");
                return;
            }
        }
        ticker = scheduler.schedule(Math.max(1, config.stallMillis / 4), this::tick);
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
        Req r = s.reqs.get(stream);
        if (r == null && s.cancelled.contains(stream)) {
            if (m instanceof DbEnd) {
                s.cancelled.remove(stream);
            }
            return;
        }
        if (r == null) {
            drop(s, "unsolicited " + m + " on stream " + stream, true);
            return;
        }
        s.lastProgress = scheduler.nowMillis();
        try {
            if (m instanceof DbEnd) {
                s.reqs.remove(stream);
                ended(s, r, ((DbEnd) m).reason());
            } else if (m instanceof DbConnected) {
                connected(s, stream, r, (DbConnected) m);
            } else {
                data(s, stream, r, (DbData) m);
            }
        } catch (ProtocolException e) {
            drop(s, e.getMessage(), true);
            return;
        }
        deliver();
        pump();
    }

    private void ended(Source s, Req r, int reason) {
        if (r.win != null) {
            r.win.asked = false;
        }
        if (reason == DbEnd.UNAVAILABLE && r.win != null && r.win.complete()) {
            return; // a window closed short: all its chunks came, the rest never will
        }
        if (reason == DbEnd.UNAVAILABLE && r.win != null && ++s.unavailable < 3) {
            if (r.win.number != 0 && r.win.number < edge) {
                r.win.skipped = true; // a newer window is signed: this one is gone (dropped, or never signed)
            } else {
                ask(s, null, 0, 0); // learn where the edge is now
            }
            return;
        }
        drop(s, DbEnd.of(reason).toString(), false);
    }

    private void connected(Source s, int stream, Req r, DbConnected c) {
        if (r.win != null) {
            throw new ProtocolException("DB_CONNECTED answering a chunk query");
        }
        Manifest m = c.checkFor(hashName);
        if (!m.isLive()) {
            finish("a file, not a live stream");
            return;
        }
        if (c.window() == null) {
            throw new ProtocolException("DB_CONNECTED for a live stream without its latest window");
        }
        s.reqs.remove(stream);
        s.ready = true;
        manifest = m;
        check(c.window());
        if (next < 0) {
            next = Math.max(1, c.window().window()); // join at the latest window
            listener.onManifest(m, c.window());
        }
    }

    private void data(Source s, int stream, Req r, DbData d) {
        if (r.win == null) {
            throw new ProtocolException("DB_DATA answering an info query");
        }
        if (d.chunk() != r.next) {
            throw new ProtocolException("DB_DATA for chunk " + d.chunk() + ", expected " + r.next);
        }
        Win w = r.win;
        if (d.window() != null) {
            LiveWindow lw = d.window();
            if (lw.window() != w.number) {
                throw new ProtocolException("chunk " + d.chunk() + " comes with live window " + lw.window());
            }
            try {
                check(lw);
            } catch (ProtocolException e) {
                throw new ProtocolException("window " + lw.window() + ": " + e.getMessage());
            }
            if (w.signed == null) {
                w.signed = lw;
            } else if (!java.util.Arrays.equals(w.signed.encode(), lw.encode())) {
                throw new ProtocolException("live window " + w.number + " differs from the one verified");
            }
        }
        if (w.signed == null) {
            throw new ProtocolException("chunk " + d.chunk() + " without its live window");
        }
        try {
            w.signed.verifyChunk(manifest, d.chunk(), d.data(), d.proof());
        } catch (ProtocolException e) {
            throw new ProtocolException("chunk " + d.chunk() + ": " + e.getMessage());
        }
        if (d.chunk() == w.first + w.chunks.size()) {
            w.chunks.add(d.data());
        }
        r.next++;
        s.unavailable = 0;
        s.stats.bytes += d.data().length;
        s.stats.chunks++;
        if (r.next == w.first + manifest.windowChunks()) {
            s.reqs.remove(stream); // a full window: no DB_END follows
            w.asked = false;
        }
    }

    /** Verifies a window and keeps the edge: fresh (window 0 is signed once, so any age), times in order. */
    private void check(LiveWindow w) {
        long now = scheduler.epochSeconds();
        w.verify(manifest, now, w.window() == 0 ? Long.MAX_VALUE / 2 : config.maxAgeSeconds);
        if (w.window() == 0) {
            return;
        }
        if (edge >= 0 && (w.window() > edge && w.timestamp() < edgeTimestamp
                || w.window() < edge && w.timestamp() > edgeTimestamp)) {
            throw new ProtocolException("live window " + w.window() + " dated out of order with window " + edge);
        }
        if (w.window() > edge) {
            edge = w.window();
            edgeTimestamp = w.timestamp();
            if (next >= 0 && next + LivePublisher.KEEP <= edge) {
                skipTo(edge, "fell behind: window " + next + " is older than the " + LivePublisher.KEEP
                        + " kept, live edge at window " + edge);
            }
        }
    }

    private void skipTo(long to, String why) {
        long per = manifest.windowChunks();
        listener.onSkip(next * per, to * per, why);
        skippedChunks += (to - next) * per;
        for (Source s : active) {
            for (Map.Entry<Integer, Req> e : new ArrayList<>(s.reqs.entrySet())) {
                Req r = e.getValue();
                if (r.win != null && r.win.number != 0 && r.win.number < to) {
                    s.reqs.remove(e.getKey());
                    s.link.send(e.getKey(), DbEnd.of(DbEnd.FINISHED));
                    s.cancelled.add(e.getKey());
                    if (s.cancelled.size() > 64) {
                        s.cancelled.remove(s.cancelled.iterator().next());
                    }
                }
            }
        }
        wins.headMap(to).entrySet().removeIf(e -> e.getKey() != 0);
        next = to;
    }

    /** Asks each wanted window not complete nor asked, from the source with the fewest queries. */
    private void pump() {
        if (done || manifest == null) {
            return;
        }
        int per = manifest.windowChunks();
        if (!initDone) {
            wins.computeIfAbsent(0L, k -> new Win(0, 0));
        }
        for (long w = next; w < next + config.windowsAhead; w++) {
            wins.computeIfAbsent(w, k -> new Win(k, k * per));
        }
        for (Win w : wins.values()) {
            if (w.asked || w.skipped || w.complete()) {
                continue;
            }
            Source best = null;
            for (Source s : active) {
                if (s.ready && s.reqs.size() < config.maxRequestsPerSource
                        && (best == null || s.reqs.size() < best.reqs.size())) {
                    best = s;
                }
            }
            if (best == null) {
                return;
            }
            w.asked = true;
            ask(best, w, w.first + w.chunks.size(), per - w.chunks.size());
        }
    }

    /** Hands on the init segment, then complete windows in order (a skipped one is reported). */
    private void deliver() {
        if (!initDone) {
            Win w0 = wins.get(0L);
            if (w0 == null || !w0.complete()) {
                return;
            }
            int len = 0;
            for (byte[] c : w0.chunks) {
                len += c.length;
            }
            ByteWriter b = new ByteWriter(len);
            for (byte[] c : w0.chunks) {
                b.bytes(c);
            }
            wins.remove(0L);
            initDone = true;
            listener.onInit(b.toByteArray());
        }
        Win w;
        while (!done && (w = wins.get(next)) != null && (w.complete() || w.skipped)) {
            wins.remove(next);
            if (w.skipped) {
                skippedChunks += manifest.windowChunks();
                listener.onSkip(w.first, w.first + manifest.windowChunks(), "window " + w.number + " is unavailable");
            } else {
                for (int i = 0; i < w.chunks.size(); i++) {
                    listener.onData(w.first + i, w.chunks.get(i));
                }
            }
            next++;
        }
    }

    private void drop(Source s, String why, boolean ban) {
        if (s.gone) {
            return;
        }
        s.gone = true;
        active.remove(s);
        for (Req r : s.reqs.values()) {
            if (r.win != null) {
                r.win.asked = false;
            }
        }
        s.reqs.clear();
        if (ban) {
            banned.add(s.link.name());
        }
        s.stats.fate = (ban ? "banned: " : "dropped: ") + why;
        s.link.close();
        listener.onSource(s.stats, s.stats.fate);
        replenish();
        pump();
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
