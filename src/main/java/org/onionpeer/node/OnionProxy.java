package org.onionpeer.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.circuit.CircuitOptions;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Isolation;
import org.onionpeer.transport.StreamOpener;

/**
 * The onion proxy of a {@link Node}: picks paths from a {@link Directory}, keeps a small pool of built
 * circuits ready, and opens application streams through them ({@link StreamOpener}: the SOCKS5 port and the
 * browser page use it).
 *
 * <p>Paths (tor's path-spec §2, simplified): {@code pathLength} distinct relays, the last with the Exit
 * flag, the first reachable by this platform (Guard-flagged relays preferred when there are any; a relay
 * whose link failed is avoided for a while). Streams go to the open circuit with the fewest streams; when
 * BEGIN fails for a reason that says nothing about the destination (the circuit died, no answer in
 * {@code beginTimeoutMillis}, the exit is overloaded) the stream is tried once more on another circuit, as
 * tor does. Circuits that die are replaced; failed builds back off exponentially.
 *
 * <p>This class is the façade and holds what its parts share (directory, options, listener, started and
 * stopped); the work is in {@link PathSelector}, {@link CircuitPool}, {@link StreamDispatch} and
 * {@link DirectoryFetch}.
 *
 * <p>Single-threaded: every call on the node's scheduler; callbacks arrive there too.
 */
public final class OnionProxy implements StreamOpener {
    /** Explicit bounds and choices. */
    public static final class Options {
        public int pathLength = 3;
        /** Built (or building) circuits kept ready for streams. */
        public int poolSize = 2;
        public int maxCircuits = 8;
        /**
         * How long after its first stream a circuit still takes new ones (tor's MaxCircuitDirtiness, 10 minutes):
         * later streams go on newer circuits, so what one exit sees of a user stays within that time. A circuit
         * past it closes when its last stream ends.
         */
        public long maxCircuitDirtinessMillis = 10 * 60_000;
        /**
         * A circuit still being built after this no longer holds back the streams waiting for it: another is
         * launched beside it (a stream of a new isolation needs a circuit of its own, and one build stuck behind
         * an unresponsive relay would otherwise keep it waiting for the whole build timeout).
         */
        public long slowBuildMillis = 10_000;
        /** Streams waiting for a circuit or for CONNECTED. */
        public int maxPendingStreams = 64;
        /** How long one {@link #open} may take in all, waiting for circuits and retries included. */
        public long streamTimeoutMillis = 120_000;
        /** First delay before rebuilding after a failed build; doubles per failure up to the maximum. */
        public long retryDelayMillis = 1_000;
        public long maxRetryDelayMillis = 60_000;
        /** How long a relay whose link could not be opened is left out of first hops. */
        public long unreachableMillis = 5 * 60_000;
        public int maxDirectoryBytes = 4 << 20;
        public long directoryTimeoutMillis = 60_000;
        /** Which relays may be first hops (e.g. only those with an address this platform can dial); null: all. */
        public RelayFilter firstHopFilter;
        /** Build timeout, CREATE_FAST permission, BEGIN timeout, per-stream send buffer. */
        public CircuitOptions circuit = new CircuitOptions();
        /** Where peer hops come from (pages); null: relays of the directory only. */
        public PeerHops peerHops;
        /**
         * Conflux sets (proposal 329) for each pool circuit whose exit lists Conflux=1 and negotiated congestion
         * control: 2 or more turns them on, below 2 off. How many legs a set has is the consensus's, as for C tor's
         * client: cfx_num_legs_set (default 2), at most its cfx_max_legs_set (default 8) and {@link #MAX_CONFLUX_LEGS};
         * a consensus with cfx_enabled=0, or fewer than 2 legs, turns sets off ({@link #useConsensus}). See
         * {@link ConfluxLegs}.
         */
        public int confluxLegs = 0;
        /** Our own bound on legs per set, whatever a consensus asks: each leg is a circuit to the same exit. */
        public static final int MAX_CONFLUX_LEGS = 8;
        /**
         * What builds conflux sets ({@code ConfluxLegs.FACTORY} on the JVM); null builds none. A factory rather
         * than a flag so that the page's bundle, which never links sets, does not carry the code.
         */
        public ConfluxFactory conflux;
        /** The consensus's cfx_enabled (tor's conflux_params.c: default 1). */
        boolean consensusConflux = true;
        /** The consensus's cfx_num_legs_set and cfx_max_legs_set (tor's conflux_params.c: 2 and 8). */
        int consensusLegs = 2;
        int consensusMaxLegs = 8;

        /**
         * Takes a verified consensus's conflux params: cfx_enabled, cfx_num_legs_set, cfx_max_legs_set (tor's
         * defaults for those it does not give, and tor's bounds: 0..255 legs, a maximum of at least 3).
         */
        public void useConsensus(java.util.Map<String, Integer> params) {
            Integer v = params == null ? null : params.get("cfx_enabled");
            consensusConflux = v == null || v != 0;
            Integer n = params == null ? null : params.get("cfx_num_legs_set");
            consensusLegs = n == null ? 2 : Math.max(0, Math.min(255, n));
            Integer m = params == null ? null : params.get("cfx_max_legs_set");
            consensusMaxLegs = m == null ? 8 : Math.max(3, Math.min(255, m));
        }

        /** Legs per set now: 0 when off (by us, by the consensus, or because it asks fewer than 2). */
        int confluxLegs() {
            int legs = Math.min(Math.min(consensusLegs, consensusMaxLegs), MAX_CONFLUX_LEGS);
            return confluxLegs >= 2 && consensusConflux && legs >= 2 ? legs : 0;
        }
    }

    /** Makes a proxy's conflux part; see {@link Options#conflux}. */
    public interface ConfluxFactory {
        Conflux create(OnionProxy proxy);
    }

    /** The conflux part of a proxy as its pool and dispatch see it. */
    interface Conflux {
        /** A pool circuit was built; true when it now waits for its set (no streams yet). */
        boolean built(ClientCircuit primary);

        boolean acceptsStreams(ClientCircuit c);

        void primaryClosed(ClientCircuit primary);

        List<org.onionpeer.circuit.ConfluxSet> linkedSets();
    }

    /** No conflux: every built circuit takes streams. */
    private static final Conflux NO_CONFLUX = new Conflux() {
        @Override
        public boolean built(ClientCircuit primary) {
            return false;
        }

        @Override
        public boolean acceptsStreams(ClientCircuit c) {
            return true;
        }

        @Override
        public void primaryClosed(ClientCircuit primary) {
        }

        @Override
        public List<org.onionpeer.circuit.ConfluxSet> linkedSets() {
            return new ArrayList<>();
        }
    };

    /** Peers (pages) that may carry circuits: their router entries verified, as relays we can link to. */
    public interface PeerHops {
        /** Up to {@code n} distinct peers, none of whose identities is in {@code exclude}: middle hops. */
        List<RelayInfo> peers(int n, Set<String> exclude);

        /**
         * A peer fit to be a first hop (one that has stayed long: a first hop sees our address, so it is not
         * taken from whoever just appeared), not in {@code exclude}; null when there is none, and the first
         * hop is then a relay of the directory (for a page: its bridge).
         */
        default RelayInfo firstHop(Set<String> exclude) {
            return null;
        }
    }

    public interface RelayFilter {
        boolean allows(RelayInfo relay);
    }

    /** Status events for a user interface; all optional. Circuit numbers are local, counting from 1. */
    public interface Listener {
        default void circuitBuilt(int circuit, List<String> nicknames) {
        }

        default void circuitClosed(int circuit, String reason) {
        }

        default void streamOpened(String target, int circuit) {
        }

        default void streamClosed(String target, int circuit, String reason) {
        }

        default void streamFailed(String target, int endReason, String message) {
        }

        /** A circuit could not be built (no path, the first link failed, or it closed before it was built). */
        default void buildFailed(String reason) {
        }
    }

    /** The result of {@link #fetchDirectory}; exactly one is called. */
    public interface DirectoryCallback {
        void fetched(byte[] body);

        void failed(String reason);
    }

    private final Node node;
    private final Scheduler scheduler;
    private final RelayPrimitives primitives;
    private final Options options;
    private Directory directory;
    private Listener listener = new Listener() {
    };
    private boolean started;
    private boolean stopped;
    private boolean preferPeers;

    private final PathSelector paths;
    private final CircuitPool pool;
    private final StreamDispatch streams;
    private final Conflux conflux;

    public OnionProxy(Node node, RelayPrimitives primitives, Directory directory, Options options) {
        this.node = node;
        this.scheduler = node.scheduler();
        this.primitives = primitives;
        this.directory = directory;
        this.options = options == null ? new Options() : options;
        if (this.options.pathLength < 1 || this.options.pathLength > ClientCircuit.MAX_HOPS) {
            throw new IllegalArgumentException("path length must be 1.." + ClientCircuit.MAX_HOPS);
        }
        this.paths = new PathSelector(this);
        this.pool = new CircuitPool(this);
        this.streams = new StreamDispatch(this);
        this.conflux = this.options.conflux == null ? NO_CONFLUX : this.options.conflux.create(this);
    }

    public void setListener(Listener l) {
        this.listener = l == null ? new Listener() {
        } : l;
    }

    /**
     * Uses {@code d} for every path chosen from now on (circuits already built stay). A newly fetched
     * directory is a fresh start: build backoff and the marks on first hops whose link failed are cleared, so
     * a bridge whose link dropped and came back is tried again at once rather than minutes later.
     */
    public void setDirectory(Directory d) {
        this.directory = d;
        pool.resetBackoff();
        paths.clearUnreachable();
        pool.ensurePool();
    }

    public Directory directory() {
        return directory;
    }

    public Node node() {
        return node;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Starts building the pool. */
    public void start() {
        started = true;
        pool.ensurePool();
    }

    /** Closes every circuit and fails every pending stream; the proxy opens nothing afterwards. */
    public void stop() {
        stopped = true;
        pool.cancelBackoff();
        streams.failWaiting("onion proxy stopped");
        pool.closeAll();
    }

    /** Circuits built or being built (a copy). */
    public List<ClientCircuit> circuits() {
        return new ArrayList<>(pool.live());
    }

    /** Open circuits. */
    public int openCircuits() {
        return pool.openCircuits();
    }

    /** The local number events use for {@code c}, or 0. */
    public int numberOf(ClientCircuit c) {
        return pool.numberOf(c);
    }

    /** Streams waiting for a circuit or for their BEGIN's answer. */
    public int pendingStreams() {
        return streams.pending();
    }

    /**
     * With peers on, new circuits take their first hops from {@link Options#peerHops} (a stream to the web
     * still ends at an exit of the directory) and streams go only to such circuits while enough peers are
     * known (else to the directory's circuits, so a page whose peers left still works); idle circuits
     * without peers are closed. Off: the directory alone.
     */
    public void setPreferPeers(boolean on) {
        preferPeers = on;
        if (on) {
            pool.closeIdleWithoutPeers();
        }
        pool.ensurePool();
    }

    /**
     * The peers we know changed (the DHT was joined): with peers preferred and now enough of them, idle
     * circuits built without peers (while none were known) give way to circuits through peers.
     */
    public void peersChanged() {
        if (preferPeers && peersEnough()) {
            pool.closeIdleWithoutPeers();
            pool.ensurePool();
        }
    }

    /** Whether enough usable peers are known for a circuit through peers (else the directory's relays serve). */
    boolean peersEnough() {
        int n = options.pathLength - 2; // the middle hops (the first may be the bridge)
        return options.peerHops != null && options.peerHops.peers(n, new java.util.HashSet<>()).size() >= n;
    }

    public boolean prefersPeers() {
        return preferPeers;
    }

    /** Whether a relay is a peer reached over WebRTC (not a relay of the directory). */
    public static boolean isPeer(RelayInfo r) {
        return PathSelector.isPeer(r);
    }

    /**
     * Opens a stream to {@code host:port} through the pool. {@code failed} carries a tor-spec §6.3 END
     * reason: the exit's (EXITPOLICY, CONNECTREFUSED, RESOLVEFAILED, ...), TIMEOUT when no circuit or no
     * answer came in time, DESTROY when circuits kept dying, NOROUTE when no path exists, RESOURCELIMIT when
     * too many streams are pending, MISC for a malformed address. Streams of different {@code isolation} never
     * share a circuit, and no circuit takes new streams longer than {@link Options#maxCircuitDirtinessMillis}.
     */
    @Override
    public void open(String host, int port, Isolation isolation, OpenCallback cb) {
        streams.open(host, port, isolation, cb);
    }

    /**
     * Fetches {@code path} from {@code bridge}'s directory port over a one-hop circuit and BEGIN_DIR
     * (tor-spec §6.2.1, dir-spec §6): an HTTP/1.0 GET whose 200 response body is returned, at most
     * {@code maxDirectoryBytes} in all. The circuit is closed afterwards and not counted in the pool.
     */
    public void fetchDirectory(RelayInfo bridge, String path, DirectoryCallback cb) {
        byte[] request;
        try {
            request = HttpResponse.request(path);
        } catch (ProtocolException e) {
            String m = e.getMessage();
            scheduler.execute(() -> cb.failed(m));
            return;
        }
        new DirectoryFetch(this, bridge, request, cb).start();
    }

    // ---- what the parts share -----------------------------------------------------------------------------

    Options options() {
        return options;
    }

    RelayPrimitives primitives() {
        return primitives;
    }

    Listener listener() {
        return listener;
    }

    boolean isStarted() {
        return started;
    }

    boolean isStopped() {
        return stopped;
    }

    PathSelector paths() {
        return paths;
    }

    CircuitPool pool() {
        return pool;
    }

    Conflux conflux() {
        return conflux;
    }

    /** The conflux sets now linked, for status and tests (the list is a copy). */
    public List<org.onionpeer.circuit.ConfluxSet> confluxSets() {
        return conflux.linkedSets();
    }

    StreamDispatch streams() {
        return streams;
    }
}
