package org.onionpeer.peer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.node.OrdbCircuits;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.DbInfo;
import org.onionpeer.ordb.Download;
import org.onionpeer.ordb.DownloadListener;
import org.onionpeer.ordb.DownloadSource;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.LiveDownload;
import org.onionpeer.ordb.LiveListener;
import org.onionpeer.ordb.LivePublisher;
import org.onionpeer.ordb.LocalLink;
import org.onionpeer.ordb.Manifest;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbServer;
import org.onionpeer.ordb.Seeding;
import org.onionpeer.ordb.SourceFinder;
import org.onionpeer.platform.Scheduler;

/**
 * A peer node as an ORDB (the seed's "every node is an ORDB"), wired: its onion router serves circuits
 * that speak ORDB with an {@link OrdbServer}, which finds unknown sources through the DHT ({@link
 * OrdbDiscovery}) and announces what it learns; {@link #share} publishes a file and keeps circuits to
 * {@link Limits#publishOrdbs} ORDBs (other pages) open, reopened when one closes; {@link #download}
 * finds the ORDBs that know a hash_name and fetches it with a {@link Download}, seeding from 25 %.
 *
 * <p>Publisher and requester each stay behind circuits: a publisher is never in the DHT (its ORDBs are), and
 * a downloader reaches ORDBs through circuits of its own; a node that already is an ORDB of the hash_name
 * asks its own server over a {@link LocalLink} instead of building a circuit to itself.
 */
public final class OrdbNode {
    /** Explicit limits. */
    public static final class Limits {
        /** Circuits a publisher keeps to ORDBs, each another page. */
        public int publishOrdbs = 2;
        /** Bytes of files held in memory to serve (shared and downloaded): a page must not exhaust its tab. */
        public long maxHeldBytes = 512L << 20;
        /** Downloads at once. */
        public int maxDownloads = 8;
        /** When a publisher lacks ORDBs: first retry, doubling up to the max. */
        public long retryMillis = 2_000;
        public long maxRetryMillis = 30_000;
        /** ORDBs a download asks when the DHT names none (they search themselves). */
        public int fallbackOrdbs = 5;
        /**
         * How long a live query for a window not yet published waits for it, and how many may wait at once:
         * a downloader asks the next windows ahead and gets each as it closes (see LiveServing).
         */
        public long liveHoldMillis = 8_000;
        public int liveMaxHeld = 8;
        /** A facilitator (a background process that keeps files): DB_INFO and DHT records carry F. */
        public boolean facilitator;
    }

    /** A running download: cancel, pause, and its report. */
    public interface Handle {
        void cancel();

        void setPaused(boolean paused);

        List<DownloadSource> sources();
    }

    /** Name of the link to our own server in download reports. */
    public static final String SELF = "this node";

    private final PeerNode peers;
    private final OnionProxy proxy;
    private final Scheduler scheduler;
    private final Limits limits;
    private final Content.MemoryStore store = new Content.MemoryStore();
    private final OrdbCircuits circuits;
    /**
     * A download's circuits share no first hop or middle where the network allows (as tor's conflux legs
     * exclude each other's guards and middles): five circuits through one relay would split its rate five
     * ways, and let it see all of them.
     */
    private final OrdbCircuits downloadCircuits;
    private final OrdbDiscovery discovery;
    private final OrdbServer server;
    private final Map<HashName, Content> shared = new LinkedHashMap<>();
    private final Map<HashName, LivePublisher> live = new LinkedHashMap<>();
    private final List<Download> downloads = new ArrayList<>();
    private long heldBytes;
    private final OrdbPublishing publishing;
    /** Set on a facilitator: its announcement under {@link Facilitators#KEY}. */
    private final Facilitators facilitators;
    private final Keeping keeping;
    /** On a facilitator: files publishers asked it to keep that it is fetching. */
    private final Set<HashName> fetchingToKeep = new java.util.HashSet<>();

    public OrdbNode(PeerNode peers, OnionProxy proxy, OrdbDiscovery.Signer signer, Limits limits) {
        this.peers = peers;
        this.proxy = proxy;
        this.scheduler = proxy.scheduler();
        this.limits = limits == null ? new Limits() : limits;
        this.circuits = new OrdbCircuits(proxy);
        this.downloadCircuits = new OrdbCircuits(proxy).disjoint(true);
        this.discovery = new OrdbDiscovery(peers.service().dht(), scheduler, signer, OrdbDiscovery::peerRoute);
        OrdbCircuits.CircuitFinder finder = circuits.finder(discovery);
        this.server = new OrdbServer(store, finder);
        finder.bind(server);
        server.setListener(new OrdbServer.Listener() {
            @Override
            public void learned(HashName h, int pieces, boolean facilitator) {
                discovery.learned(h, pieces, facilitator);
            }

            @Override
            public void keepRequested(HashName h) {
                keepFor(h);
            }
        });
        peers.setOrdbHandler(link -> server.attach(link, false));
        this.publishing = new OrdbPublishing(peers, circuits, server, scheduler, this.limits);
        this.facilitators = this.limits.facilitator ? Facilitators.announce(discovery, scheduler) : null;
        this.keeping = new Keeping(discovery, circuits, server, scheduler);
    }

    /** On a facilitator, how many DHT nodes stored its facilitator record last time (-1 before; 0 elsewhere). */
    public int facilitatorRecordsStored() {
        return facilitators == null ? 0 : facilitators.stored();
    }

    /** True when this node holds every chunk of {@code h} (shared, or fetched whole). */
    public boolean holdsAll(HashName h) {
        Content c = store.get(h);
        return c != null && c.held() == c.manifest().chunkCount();
    }

    public OrdbServer server() {
        return server;
    }

    public OrdbDiscovery discovery() {
        return discovery;
    }

    public OrdbCircuits circuits() {
        return circuits;
    }

    /** What publishing waits for, in words. */
    public String publishState() {
        return publishing.state();
    }

    /** The ORDBs a publisher's circuits reach, by name. */
    public List<String> publishOrdbs() {
        return publishing.ordbs();
    }

    public long heldBytes() {
        return heldBytes;
    }

    /** Bytes this node may still hold to serve ({@link Limits#maxHeldBytes} less what it holds). */
    public long roomBytes() {
        return limits.maxHeldBytes - heldBytes;
    }

    /**
     * Publishes {@code c}: held for serving, advertised (DB_INFO 100 %) to the ORDBs this node keeps circuits
     * to, which announce it in the DHT. Throws with the reason when it does not fit the memory limit.
     */
    public void share(Content c) {
        HashName h = c.hashName();
        if (!shared.containsKey(h)) {
            hold(c);
            shared.put(h, c);
        }
        server.advertise(h, DbInfo.P100, limits.facilitator);
        publishing.keep();
    }

    /**
     * Shares {@code c} as {@link #share} does and asks a facilitator to keep it, so its link keeps working
     * after this node leaves (see {@link Keeping}).
     */
    public void shareAndKeep(Content c) {
        share(c);
        if (!limits.facilitator) {
            keeping.keep(c.hashName());
        }
    }

    /** What asking a facilitator to keep this node's files came to, in words. */
    public String keepState() {
        return keeping.state();
    }

    /** Limit on files a facilitator fetches at once because publishers asked it to keep them. */
    static final int MAX_FETCHING_TO_KEEP = 8;

    /** On a facilitator: a publisher asked to keep {@code h}; fetch it (down the publisher's circuit) and hold it. */
    private void keepFor(HashName h) {
        if (!limits.facilitator || store.get(h) != null || fetchingToKeep.contains(h)
                || fetchingToKeep.size() >= MAX_FETCHING_TO_KEEP) {
            return;
        }
        fetchingToKeep.add(h);
        Handle[] handle = new Handle[1];
        handle[0] = download(h, 0, null, new DownloadListener() {
            @Override
            public void onManifest(Manifest m) {
                if (m.isLive() || m.length() > roomBytes()) {
                    handle[0].cancel(); // a file we could not hold: kept by nobody here
                }
            }

            @Override
            public void onData(long index, byte[] data, byte[][] proof) {
            }

            @Override
            public void onDone(String error) {
                fetchingToKeep.remove(h);
            }
        });
    }

    /** Stops sharing {@code h} (what others downloaded stays theirs). */
    public void unshare(HashName h) {
        keeping.unkeep(h);
        Content c = shared.remove(h);
        if (c != null && store.get(h) == c) {
            store.remove(h);
            heldBytes -= c.manifest().length();
        }
        if (shared.isEmpty() && live.isEmpty()) {
            publishing.close();
        }
    }

    public boolean isShared(HashName h) {
        return shared.containsKey(h) || live.containsKey(h);
    }

    /**
     * Publishes a live stream: its server answers live queries from {@code p}'s windows (the init segment
     * and the last 4), and the publisher's circuits to ORDBs carry them as for files.
     */
    public void shareLive(LivePublisher p) {
        live.put(p.hashName(), p);
        server.publishLive(p, scheduler, limits.liveHoldMillis, limits.liveMaxHeld);
        publishing.keep();
    }

    /**
     * Plays a live stream from its live edge: the init segment, then media in order; the ORDBs found as for
     * files (this node's own server first when it knows a source).
     */
    public Handle downloadLive(HashName h, LiveDownload.Config config, LiveListener listener) {
        LiveDownload[] running = new LiveDownload[1];
        boolean[] cancelled = new boolean[1];
        Handle handle = new Handle() {
            @Override
            public void cancel() {
                cancelled[0] = true;
                if (running[0] != null) {
                    running[0].cancel();
                }
            }

            @Override
            public void setPaused(boolean paused) {
                // a live stream does not wait: a player that falls behind skips ahead (LiveDownload)
            }

            @Override
            public List<DownloadSource> sources() {
                return running[0] == null ? new ArrayList<>() : running[0].sources();
            }
        };
        findLive(h, listener::onDone, connector -> {
            if (!cancelled[0]) {
                running[0] = new LiveDownload(scheduler, proxy.node().entropy(), h, connector,
                        config == null ? new LiveDownload.Config() : config, listener);
                running[0].setFinder(found -> findLive(h, e -> found.accept(null), found));
                running[0].start();
            }
        });
        return handle;
    }

    /**
     * The ORDBs to play live stream h from, as {@link #downloadLive} finds them: for a player whose
     * LiveDownload runs elsewhere (the page's files.js, a separate program that reaches circuits through
     * onionpeer.js).
     */
    public void findLive(HashName h, java.util.function.Consumer<String> failed,
            java.util.function.Consumer<OrdbLink.Connector> use) {
        findOrdbs(h, live.containsKey(h), "nobody streams this now", failed, use);
    }

    private void hold(Content c) {
        long len = c.manifest().length();
        if (heldBytes + len > limits.maxHeldBytes) {
            throw new IllegalStateException("holding " + len + " more bytes would pass this node's limit of "
                    + limits.maxHeldBytes + " bytes (" + heldBytes + " held)");
        }
        heldBytes += len;
        store.add(c);
    }

    // ---- downloads ----------------------------------------------------------------------------------------

    /**
     * Fetches {@code h} from the chunk holding byte {@code fromByte}; {@code listener} gets the manifest, the
     * verified chunks in order from there, progress, sources and the end. The ORDBs asked: this node's own server if it already knows a
     * source (or holds the file), the sources the DHT names, else a few peers, which search themselves. With
     * every source gone (circuits that stalled while being built, as after a bridge restart), they are looked
     * up again the same way (see {@code ordb.Recovery}).
     */
    public Handle download(HashName h, long fromByte, Download.Config config, DownloadListener listener) {
        boolean held = store.get(h) != null;
        SourceFinder again = found -> findOrdbs(h, held, "", e -> found.accept(null), found);
        return start(h, fromByte, config, listener, use -> findOrdbs(h, held, "nobody shares this now",
                listener::onDone, use), again);
    }

    /**
     * Fetches a BitTorrent torrent through facilitators (issue 11), as {@link #download} fetches a file: the
     * ORDBs asked are pages that hold it (the DHT under its hash_name), then facilitators (the DHT under
     * {@link Facilitators#KEY}), which fetch its pieces from the swarm; every piece is checked against the
     * info dict whose SHA-1 is the magnet's infohash. A facilitator first gets the metadata from the swarm,
     * then each piece: the timeouts allow for that ({@link #TORRENT_CONNECT_MILLIS}, {@link #TORRENT_STALL_MILLIS}).
     */
    public Handle downloadTorrent(org.onionpeer.torrent.Magnet m, long fromByte, Download.Config config,
            DownloadListener listener) {
        HashName h = HashName.ofTorrent(m.infoHash());
        Download.Config c = config == null ? new Download.Config() : config;
        c.magnet = m;
        c.connectMillis = Math.max(c.connectMillis, TORRENT_CONNECT_MILLIS);
        c.stallMillis = Math.max(c.stallMillis, TORRENT_STALL_MILLIS);
        boolean self = store.get(h) != null;
        // Looking again (every facilitator gone) asks the DHT once per round: the rounds are the retries.
        SourceFinder again = found -> Facilitators.find(discovery, h,
                list -> found.accept(list.isEmpty() && !self ? null : connector(self, list)));
        return start(h, fromByte, c, listener, use -> findForTorrent(h, self, scheduler.nowMillis(), RETRY_FIRST_MILLIS,
                listener, use), again);
    }

    /**
     * Facilitators announce themselves once they joined the DHT, which a page just opened may not see yet: an
     * empty answer is asked again, from 1 s doubling, for {@link #TORRENT_FIND_MILLIS}, before saying so.
     */
    private void findForTorrent(HashName h, boolean self, long since, long wait, DownloadListener listener,
            java.util.function.Consumer<OrdbLink.Connector> use) {
        Facilitators.find(discovery, h, found -> {
            if (!found.isEmpty() || self) {
                use.accept(connector(self, found));
            } else if (scheduler.nowMillis() - since + wait <= TORRENT_FIND_MILLIS) {
                scheduler.schedule(wait, () -> findForTorrent(h, self, since, wait * 2, listener, use));
            } else {
                listener.onDone("no facilitator in the network to fetch this torrent, and no page holds it");
            }
        });
    }

    /** How long a torrent download looks for facilitators in the DHT before it says there is none. */
    public static final long TORRENT_FIND_MILLIS = 20_000;
    private static final long RETRY_FIRST_MILLIS = 1_000;

    /** A facilitator answers a torrent's first query once the swarm gave it the metadata. */
    public static final long TORRENT_CONNECT_MILLIS = 45_000;
    /** ... and each piece once a peer sent it. */
    public static final long TORRENT_STALL_MILLIS = 15_000;

    private Handle start(HashName h, long fromByte, Download.Config config, DownloadListener listener,
            java.util.function.Consumer<java.util.function.Consumer<OrdbLink.Connector>> find, SourceFinder again) {
        Download[] running = new Download[1];
        boolean[] state = new boolean[2]; // cancelled, paused
        Handle handle = new Handle() {
            @Override
            public void cancel() {
                state[0] = true;
                if (running[0] != null) {
                    running[0].cancel();
                }
            }

            @Override
            public void setPaused(boolean paused) {
                state[1] = paused;
                if (running[0] != null) {
                    running[0].setPaused(paused);
                }
            }

            @Override
            public List<DownloadSource> sources() {
                return running[0] == null ? new ArrayList<>() : running[0].sources();
            }
        };
        if (downloads.size() >= limits.maxDownloads) {
            scheduler.execute(() -> listener.onDone("already " + downloads.size() + " downloads, the limit"));
            return handle;
        }
        find.accept(connector -> {
            if (state[0]) {
                return;
            }
            Download.Config c = config == null ? new Download.Config() : config;
            c.fromByte = fromByte;
            Download d = new Download(scheduler, proxy.node().entropy(), h, connector, c,
                    seeding(listener, () -> running[0]));
            d.setFinder(again);
            running[0] = d;
            downloads.add(d);
            d.setPaused(state[1]);
            d.start();
        });
        return handle;
    }

    /**
     * The ORDBs to ask for {@code h}: this node's own server first if it holds {@code h} ({@code held}) or
     * knows a source of it, then the sources the DHT names, else a few known peers (which search
     * themselves); with none, {@code failed} gets "{@code nobody}: no source in the DHT and no peer to ask".
     */
    private void findOrdbs(HashName h, boolean held, String nobody, java.util.function.Consumer<String> failed,
            java.util.function.Consumer<OrdbLink.Connector> use) {
        discovery.find(h, found -> {
            List<RelayInfo> ordbs = new ArrayList<>(found);
            if (ordbs.isEmpty()) {
                for (RelayInfo r : peers.knownPeers()) {
                    if (ordbs.size() < limits.fallbackOrdbs) {
                        ordbs.add(r);
                    }
                }
            }
            boolean self = held || !server.sourcesOf(h).isEmpty();
            if (ordbs.isEmpty() && !self) {
                failed.accept(nobody + ": no source in the DHT and no peer to ask");
                return;
            }
            use.accept(connector(self, ordbs));
        });
    }

    private OrdbLink.Connector connector(boolean self, List<RelayInfo> ordbs) {
        OrdbLink.Connector remote = downloadCircuits.connector(ordbs);
        return (Set<String> avoid, OrdbLink.Handler handler) -> {
            if (self && !avoid.contains(SELF)) {
                LocalLink[] pair = LocalLink.pair(scheduler, SELF, "a download of this node");
                pair[1].setHandler(server.attach(pair[1], false));
                pair[0].setHandler(handler);
                return pair[0];
            }
            return remote.open(avoid, handler);
        };
    }

    /** The listener, seeding from 25 % when the file fits the memory limit (else it is only downloaded). */
    private DownloadListener seeding(DownloadListener inner, java.util.function.Supplier<Download> download) {
        return new DownloadListener() {
            private DownloadListener to = inner;

            @Override
            public void onManifest(Manifest m) {
                if (!m.isLive() && store.get(m.hashName()) == null
                        && heldBytes + m.length() <= limits.maxHeldBytes) {
                    to = new Seeding(inner, OrdbNode.this::hold, server, discovery, limits.facilitator);
                }
                to.onManifest(m);
            }

            @Override
            public void onData(long index, byte[] data, byte[][] proof) {
                to.onData(index, data, proof);
            }

            @Override
            public void onProgress(long bytes, long total) {
                to.onProgress(bytes, total);
            }

            @Override
            public void onSource(DownloadSource source, String event) {
                to.onSource(source, event);
            }

            @Override
            public void onDone(String error) {
                downloads.removeIf(Download::isDone);
                to.onDone(error == null ? null : inWords(error, download.get()));
            }
        };
    }

    /** A download that found nobody holding the file says so, instead of its last ORDB's DB_END. */
    private static String inWords(String error, Download d) {
        if (d == null || d.manifest() != null) {
            return error;
        }
        List<DownloadSource> all = d.sources();
        for (DownloadSource s : all) {
            if (!s.fate.contains("UNAVAILABLE")) {
                return error;
            }
        }
        if (d.manifest() == null && all.size() > 0 && isTorrent(d)) {
            return "nobody seeds this torrent now: " + all.size() + " facilitator" + (all.size() == 1 ? "" : "s")
                    + " asked, none found a peer with it";
        }
        return all.isEmpty() ? error : "nobody shares this now: " + all.size() + " ORDB" + (all.size() == 1 ? "" : "s")
                + " asked, none knows a source";
    }

    private static boolean isTorrent(Download d) {
        return d.config().magnet != null;
    }

    /** Stops publishing and downloading; the server's circuits close with the node. */
    public void close() {
        if (facilitators != null) {
            facilitators.close();
        }
        keeping.close();
        publishing.close();
        for (Download d : new ArrayList<>(downloads)) {
            d.cancel();
        }
        discovery.close();
    }
}
