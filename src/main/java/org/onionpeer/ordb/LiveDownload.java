package org.onionpeer.ordb;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <li>Window 0 (the init segment) is fetched first and handed on whole ({@link LiveListener#onInit}), then media
 * chunks in order from the join window on ({@link LiveListener#onData}). One query per window (or the rest of
 * one), {@link Config#windowsAhead} windows asked at once: those not published yet are held by the
 * publisher and come as they close.</li>
 * <li>At most {@link LivePublisher#KEEP} windows are held: when the live edge (the newest signed window
 * seen) is {@link LivePublisher#KEEP} or more windows past the next one to play, those are gone at the
 * publisher too, so it skips to the edge and says so ({@link LiveListener#onSkip}).</li>
 * <li>A circuit that closes, stalls, or ends a query is replaced through the connector (the same ORDB may
 * be asked again); one that sends a chunk that fails its proof, a window whose signature or timestamp
 * fails, or anything malformed or unasked for is banned.</li>
 * <li>With no circuit left and none the connector can open (the ORDBs it knows are gone, as when the bridge
 * restarted or the pages that relayed the stream closed), the sources are looked up again through the
 * {@link SourceFinder} ({@link #setFinder}), 1, 2, 4 then every 8 s, until one answers or
 * {@link Config#giveUpMillis} has passed; playing resumes from the live edge (a skip, said).</li>
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

    private static final class Req {
        final LiveBuffer.Win win;
        long next;

        Req(LiveBuffer.Win win, long next) {
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
    private OrdbLink.Connector connector;
    private final Config config;
    private final LiveListener listener;
    private final List<Source> active = new ArrayList<>();
    private final List<DownloadSource> all = new ArrayList<>();
    private final Set<String> banned = new HashSet<>();
    private Manifest manifest;
    private LiveBuffer buffer;
    private long lonelySince = -1;
    private boolean done;
    private Scheduler.Cancellable ticker;
    private SourceFinder finder;
    /** Lookups asked since the last source that answered; one at a time. */
    private int looks;
    private boolean finding;
    private long nextLookAt;

    public LiveDownload(Scheduler scheduler, Entropy entropy, HashName hashName, OrdbLink.Connector connector,
            Config config, LiveListener listener) {
        this.scheduler = scheduler;
        this.entropy = entropy;
        this.hashName = hashName;
        this.connector = connector;
        this.config = config;
        this.listener = listener;
    }

    /** How to look for sources again when every one is gone (else only the first connector is asked again). */
    public void setFinder(SourceFinder finder) {
        this.finder = finder;
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
        return buffer == null ? -1 : buffer.next();
    }

    /** Windows held (asked or received, not yet played). */
    public int heldWindows() {
        return buffer == null ? 0 : buffer.held();
    }

    public long skippedChunks() {
        return buffer == null ? 0 : buffer.skippedChunks();
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
        if (active.isEmpty() && !done && finder != null && !finding && scheduler.nowMillis() >= nextLookAt) {
            lookAgain();
        }
    }

    private void lookAgain() {
        finding = true;
        nextLookAt = scheduler.nowMillis() + Math.min(8_000, 1_000L << Math.min(looks, 3));
        looks++;
        finder.find(found -> scheduler.execute(() -> { // answered at once or later: never re-entrant
            finding = false;
            if (done) {
                return;
            }
            if (found != null) {
                connector = found;
            }
            replenish();
            if (active.isEmpty() && !done) { // the next look, on time rather than at the next stall check
                scheduler.schedule(Math.max(1, nextLookAt - scheduler.nowMillis()), this::replenish);
            }
        }));
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

    private void ask(Source s, LiveBuffer.Win w, long from, int count) {
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
                finish(finder == null ? "no ORDB left to ask" : "no ORDB left to ask: every source dropped, and"
                        + " looking for sources " + looks + " times over " + (now - lonelySince) / 1000
                        + " s found none that answered");
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
        if (buffer != null) {
            buffer.deliver();
            cancelStale();
        }
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
            if (r.win.number != 0 && r.win.number < buffer.edge()) {
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
        looks = 0; // a source answered: the next loss starts looking again at 1 s
        nextLookAt = 0;
        if (buffer == null) {
            manifest = m;
            buffer = new LiveBuffer(m, listener, config.maxAgeSeconds);
        }
        try {
            buffer.check(c.window(), scheduler.epochSeconds());
        } catch (ProtocolException e) {
            throw new ProtocolException("window " + c.window().window() + ": " + e.getMessage());
        }
        if (buffer.next() < 0) { // the first window that verifies (a bad one bans its source before this)
            buffer.join(c.window()); // play from the latest window
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
        LiveBuffer.Win w = r.win;
        buffer.accept(w, d, scheduler.epochSeconds());
        r.next++;
        s.unavailable = 0;
        s.stats.bytes += d.data().length;
        s.stats.chunks++;
        if (r.next == w.first + manifest.windowChunks()) {
            s.reqs.remove(stream); // a full window: no DB_END follows
            w.asked = false;
        }
    }

    /** Ends the queries for windows no longer wanted (skipped over); what still comes on them is ignored. */
    private void cancelStale() {
        for (Source s : active) {
            for (Map.Entry<Integer, Req> e : new ArrayList<>(s.reqs.entrySet())) {
                if (e.getValue().win != null && buffer.stale(e.getValue().win)) {
                    s.reqs.remove(e.getKey());
                    s.link.send(e.getKey(), DbEnd.of(DbEnd.FINISHED));
                    s.cancelled.add(e.getKey());
                    if (s.cancelled.size() > 64) {
                        s.cancelled.remove(s.cancelled.iterator().next());
                    }
                }
            }
        }
    }

    /** Asks each wanted window not complete nor asked, from the source with the fewest queries. */
    private void pump() {
        if (done || buffer == null) {
            return;
        }
        int per = manifest.windowChunks();
        for (LiveBuffer.Win w : buffer.wanted(config.windowsAhead)) {
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
