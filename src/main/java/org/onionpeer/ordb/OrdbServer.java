package org.onionpeer.ordb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.bytes.ProtocolException;

/**
 * The serving side of a node (every node is an ORDB): answers DB_QUERY from its verified chunks, keeps the
 * lists of sources per hash_name (the seed's OR_files_P), forwards what it cannot answer, and passes DB_INFO
 * on to its ORDB peers only when the hash_name is new to it (the seed's "Handling the lists").
 *
 * <ul>
 * <li>Each query has its own stream on the circuit, and its answers come back on that stream ("sends it to
 * the stream that requested it"); queries on one circuit are independent (answering them in order would
 * deadlock a loop of ORDBs: each would wait for the others' answers). At most {@link #MAX_QUERIES} in
 * flight on a requester's circuit ({@link #MAX_PEER_QUERIES} on an ORDB's); more, or a stream already in
 * use, are ended REFUSED.</li>
 * <li>A query whose counter is already {@link DbQuery#MAX_COUNTER} is ended LOOP. One it cannot answer
 * from its store goes, counter + 1, on a new stream to the first source on the hash_name's list that is not
 * the asker, which then moves to the end of the list; answers are relayed back as they come, and the query
 * ends when the count is reached or the source ends it (a source's circuit closing ends it DESTROYED).
 * The asker's DB_END FINISHED on the stream cancels it, upstream too.</li>
 * <li>With no source known it asks the {@link Finder} (the DHT's FIND_VALUE, in the wiring) and waits for
 * {@link #addSource} or {@link #notFound}; without a finder the query ends UNAVAILABLE.</li>
 * <li>Relayed chunks are passed on, not stored: the requester verifies them (an ORDB that kept them would
 * have to verify first, as {@link Content#put} does).</li>
 * </ul>
 */
public final class OrdbServer {
    /** Queries in flight on a requester's circuit, at most; on a circuit from another ORDB (which carries
     * the queries of all its requesters), {@link #MAX_PEER_QUERIES}. */
    public static final int MAX_QUERIES = 8;
    public static final int MAX_PEER_QUERIES = 64;
    public static final int MAX_HASHES = 4096;
    public static final int MAX_SOURCES = 16;

    /** Looks for sources of a hash_name the server knows none of (the wiring: a DHT FIND_VALUE). */
    public interface Finder {
        void find(HashName h);
    }

    /** Hears of each hash_name new to this server (the wiring STOREs a source record for it in the DHT). */
    public interface Listener {
        void learned(HashName h, int pieces, boolean facilitator);

        /** A publisher asked this node (a facilitator) to fetch {@code h} and keep it ({@link DbInfo#keep}). */
        default void keepRequested(HashName h) {
        }
    }

    /** Counters, for tests and the node's status. */
    public static final class Stats {
        public long queries;
        public long servedChunks;
        public long forwarded;
        public long loops;
        public long unavailable;
        public long refused;
        public long infosIn;
        public long infosPassed;
        public long unsolicited;
        /** The last thing refused, with its reason. */
        public String lastRefusal;
    }

    private static final class Job {
        final Peer down;
        final int stream;
        final DbQuery q;
        boolean finished;
        int relayed;
        Peer up;
        int upStream;

        Job(Peer down, int stream, DbQuery q) {
            this.down = down;
            this.stream = stream;
            this.q = q;
        }
    }

    private static final class Entry {
        final Peer peer;
        int pieces;
        boolean facilitator;

        Entry(Peer peer) {
            this.peer = peer;
        }
    }

    private final class Peer implements OrdbLink.Handler {
        final OrdbLink link;
        final boolean ordb;
        boolean closed;
        /** Queries this peer sent us, by their stream. */
        final Map<Integer, Job> jobs = new HashMap<>();
        /** Queries we forwarded to this peer, by the stream we opened. */
        final Map<Integer, Job> upstream = new HashMap<>();
        int nextStream = 1;
        final Set<HashName> knows = new HashSet<>();

        Peer(OrdbLink link, boolean ordb) {
            this.link = link;
            this.ordb = ordb;
        }

        @Override
        public void onMessage(int stream, int command, byte[] body) {
            if (!closed) {
                receive(this, stream, command, body);
            }
        }

        @Override
        public void onClosed() {
            if (!closed) {
                lost(this);
            }
        }
    }

    private final Content.Store store;
    private final Finder finder;
    private final Stats stats = new Stats();
    private final List<Peer> peers = new ArrayList<>();
    private final Map<HashName, List<Entry>> sources = new HashMap<>();
    private final Map<HashName, List<Job>> waiting = new HashMap<>();
    private final Map<HashName, LiveServing> live = new HashMap<>();
    private Listener listener;
    private TorrentProvider torrents;
    /** What we advertised holding (P, F): told to each ORDB linked later (a new or reopened circuit). */
    private final Map<HashName, DbInfo> held = new HashMap<>();

    /** {@code finder} may be null. */
    public OrdbServer(Content.Store store, Finder finder) {
        this.store = store;
        this.finder = finder;
    }

    /** {@code l} hears of each new hash_name, once, after it has been passed on to the ORDB peers. */
    public void setListener(Listener l) {
        this.listener = l;
    }

    /** A facilitator's bridge to BitTorrent: torrent queries this server cannot answer from its store go to it. */
    public void setTorrentProvider(TorrentProvider p) {
        torrents = p;
    }

    public Stats stats() {
        return stats;
    }

    /**
     * Serves a circuit: the returned handler is the link's. {@code ordbPeer} marks a circuit to another ORDB,
     * which hears the DB_INFO this server passes on.
     */
    public OrdbLink.Handler attach(OrdbLink link, boolean ordbPeer) {
        Peer p = new Peer(link, ordbPeer);
        peers.add(p);
        if (ordbPeer) {
            for (DbInfo info : held.values()) {
                p.knows.add(info.hashName());
                link.send(0, info);
            }
        }
        return p;
    }

    /**
     * Tells every circuit what we hold (DB_INFO): a publisher or a downloader at 25/50/75/100 % (see
     * {@link Seeding}); ORDB circuits attached later are told on attaching.
     */
    public void advertise(HashName h, int pieces, boolean facilitator) {
        DbInfo info = DbInfo.of(h, pieces, facilitator);
        if (held.containsKey(h) || held.size() < MAX_HASHES) {
            held.put(h, info);
        }
        for (Peer p : peers) {
            if (!p.closed) {
                p.knows.add(h);
                p.link.send(0, info);
            }
        }
    }

    /**
     * Serves a live stream this node publishes (see {@link LiveServing}: queries for windows not yet
     * published are held up to {@code holdMillis}, at most {@code maxHeld} at once) and advertises it.
     */
    public void publishLive(LivePublisher p, org.onionpeer.platform.Scheduler scheduler, long holdMillis, int maxHeld) {
        live.put(p.hashName(), new LiveServing(p, scheduler, stats, holdMillis, maxHeld));
        advertise(p.hashName(), DbInfo.P100, false);
    }

    /** A source the finder found; {@code link} must be attached. Waiting queries go to it. */
    public void addSource(HashName h, OrdbLink link) {
        for (Peer p : peers) {
            if (p.link == link) {
                learn(p, DbInfo.of(h, DbInfo.P100, false));
                return;
            }
        }
        throw new IllegalArgumentException("attach the link first");
    }

    /** The finder gave up: waiting queries end UNAVAILABLE. */
    public void notFound(HashName h) {
        List<Job> w = waiting.remove(h);
        if (w != null) {
            for (Job j : w) {
                end(j, DbEnd.UNAVAILABLE);
            }
        }
    }

    /** The sources listed for {@code h}, as link names, in the order they would be asked. */
    public List<String> sourcesOf(HashName h) {
        List<String> out = new ArrayList<>();
        for (Entry e : sources.getOrDefault(h, List.of())) {
            out.add(e.peer.link.name());
        }
        return out;
    }

    private void refuse(String why) {
        stats.refused++;
        stats.lastRefusal = why;
    }

    private void receive(Peer p, int stream, int command, byte[] body) {
        OrdbMessage m;
        try {
            m = OrdbMessage.decode(command, body);
        } catch (ProtocolException e) {
            refuse(OrdbMessage.name(command) + ": " + e.getMessage());
            if (command == OrdbMessage.DB_QUERY && !p.jobs.containsKey(stream)) {
                p.link.send(stream, DbEnd.of(DbEnd.REFUSED));
            } else if (p.upstream.containsKey(stream)) {
                lost(p); // a source that sends garbage is of no use: its queries end DESTROYED
                p.link.close();
            }
            return;
        }
        if (m instanceof DbQuery) {
            query(p, stream, (DbQuery) m);
        } else if (m instanceof DbInfo) {
            stats.infosIn++;
            learn(p, (DbInfo) m);
        } else if (m instanceof DbEnd && ((DbEnd) m).reason() == DbEnd.FINISHED) {
            Job j = p.jobs.get(stream); // the asker gives up
            if (j != null) {
                finish(j);
                if (j.up != null && j.up.upstream.remove(j.upStream) != null) {
                    j.up.link.send(j.upStream, m);
                }
            }
        } else {
            answer(p, stream, m);
        }
    }

    private void query(Peer p, int stream, DbQuery q) {
        stats.queries++;
        int limit = p.ordb ? MAX_PEER_QUERIES : MAX_QUERIES;
        if (stream == 0 || p.jobs.containsKey(stream) || p.jobs.size() >= limit) {
            refuse(stream == 0 ? "DB_QUERY on stream 0" : p.jobs.containsKey(stream) ? "stream " + stream
                    + " already has a query" : "over " + limit + " queries in flight");
            if (stream != 0 && !p.jobs.containsKey(stream)) {
                p.link.send(stream, DbEnd.of(DbEnd.REFUSED));
            }
            return;
        }
        Job j = new Job(p, stream, q);
        p.jobs.put(stream, j);
        if (q.counter() >= DbQuery.MAX_COUNTER) {
            stats.loops++;
            end(j, DbEnd.LOOP);
            return;
        }
        LiveServing ls = live.get(q.hashName());
        if (ls != null) {
            ls.query(q, answer(j));
            return;
        }
        Content c = store.get(q.hashName());
        if (c != null) {
            if (q.isInfo()) {
                emit(j, DbConnected.of(c.manifest()));
                finish(j);
                return;
            }
            if (q.chunk() + q.count() > c.manifest().chunkCount()) {
                refuse("chunks " + q.chunk() + "+" + q.count() + " beyond " + c.manifest().chunkCount());
                end(j, DbEnd.REFUSED);
                return;
            }
            if (c.hasAll(q.chunk(), q.count())) {
                for (long i = q.chunk(); i < q.chunk() + q.count(); i++) {
                    emit(j, DbData.of(i, c.chunk(i), c.proof(i)));
                    stats.servedChunks++;
                }
                finish(j);
                return;
            }
        }
        if (q.torrent() != null && torrents != null) {
            LiveServing.Answer a = answer(j);
            torrents.serve(q, new QueryAnswer() {
                public void send(OrdbMessage m) {
                    stats.servedChunks += m instanceof DbData ? 1 : 0;
                    a.send(m);
                }

                public void end(int reason) {
                    stats.unavailable += reason == DbEnd.UNAVAILABLE ? 1 : 0;
                    a.end(reason);
                }

                public void done() {
                    a.done();
                }

                public boolean gone() {
                    return a.gone();
                }
            });
            return;
        }
        forward(j);
    }

    private LiveServing.Answer answer(Job j) {
        return new LiveServing.Answer() {
            public void send(OrdbMessage m) {
                emit(j, m);
            }

            public void end(int reason) {
                OrdbServer.this.end(j, reason);
            }

            public void done() {
                finish(j);
            }

            public boolean gone() {
                return j.finished || j.down.closed;
            }
        };
    }

    private void forward(Job j) {
        List<Entry> list = sources.get(j.q.hashName());
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                Entry e = list.get(i);
                if (!e.peer.closed && e.peer != j.down) {
                    list.remove(i);
                    list.add(e); // rotate: the next query goes to the next source
                    Peer up = e.peer;
                    j.up = up;
                    j.upStream = up.nextStream;
                    up.nextStream = up.nextStream == 0xffff ? 1 : up.nextStream + 1;
                    up.upstream.put(j.upStream, j);
                    stats.forwarded++;
                    up.link.send(j.upStream, j.q.forwarded());
                    return;
                }
            }
        }
        if (finder != null) {
            boolean first = !waiting.containsKey(j.q.hashName());
            waiting.computeIfAbsent(j.q.hashName(), k -> new ArrayList<>()).add(j);
            if (first) {
                finder.find(j.q.hashName());
            }
            return;
        }
        stats.unavailable++;
        end(j, DbEnd.UNAVAILABLE);
    }

    private void answer(Peer up, int stream, OrdbMessage m) {
        Job j = up.upstream.get(stream);
        if (j == null) {
            stats.unsolicited++;
            refuse("unsolicited " + m + " on stream " + stream);
            return;
        }
        if (m instanceof DbEnd) {
            up.upstream.remove(stream);
            emit(j, m);
            finish(j);
        } else if ((m instanceof DbConnected) != j.q.isInfo()) {
            refuse(m + " does not answer " + j.q);
            lost(up);
            up.link.close();
        } else {
            emit(j, m);
            if (m instanceof DbConnected || ++j.relayed == j.q.count()) {
                up.upstream.remove(stream);
                finish(j);
            }
        }
    }

    private void learn(Peer p, DbInfo info) {
        HashName h = info.hashName();
        p.knows.add(h);
        List<Entry> list = sources.get(h);
        boolean fresh = list == null;
        if (fresh) {
            if (sources.size() >= MAX_HASHES) {
                refuse("over " + MAX_HASHES + " hash_names listed");
                return;
            }
            list = new ArrayList<>();
            sources.put(h, list);
        }
        Entry e = null;
        for (Entry x : list) {
            if (x.peer == p) {
                e = x;
            }
        }
        if (e == null && list.size() < MAX_SOURCES) {
            e = new Entry(p);
            list.add(e);
        }
        if (e != null) {
            e.pieces = Math.max(e.pieces, info.pieces());
            e.facilitator = info.facilitator();
        }
        if (fresh) {
            for (Peer o : peers) {
                if (o != p && o.ordb && !o.closed && o.knows.add(h)) {
                    stats.infosPassed++;
                    o.link.send(0, info.passedOn());
                }
            }
            if (listener != null) {
                listener.learned(h, info.pieces(), info.facilitator());
            }
        }
        if (info.keep() && listener != null) {
            listener.keepRequested(h);
        }
        List<Job> w = waiting.remove(h);
        if (w != null) {
            for (Job j : w) {
                if (!j.finished && !j.down.closed) {
                    forward(j);
                }
            }
        }
    }

    private void lost(Peer p) {
        p.closed = true;
        peers.remove(p);
        for (Job j : p.jobs.values()) {
            j.finished = true; // the asker is gone: cancel what we asked for it
            if (j.up != null && j.up.upstream.remove(j.upStream) != null) {
                j.up.link.send(j.upStream, DbEnd.of(DbEnd.FINISHED));
            }
        }
        p.jobs.clear();
        for (Job j : new ArrayList<>(p.upstream.values())) {
            end(j, DbEnd.DESTROYED);
        }
        p.upstream.clear();
    }

    private void end(Job j, int reason) {
        emit(j, DbEnd.of(reason));
        finish(j);
    }

    private void emit(Job j, OrdbMessage m) {
        if (!j.finished && !j.down.closed) {
            j.down.link.send(j.stream, m);
        }
    }

    private void finish(Job j) {
        j.finished = true;
        j.down.jobs.remove(j.stream);
    }
}
