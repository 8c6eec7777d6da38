package org.onionpeer.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Begin;
import org.onionpeer.cell.EndReason;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ClientStream;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.StreamOpener;
import org.onionpeer.transport.Transport;

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
 * <p>Single-threaded: every call on the node's scheduler; callbacks arrive there too.
 */
public final class OnionProxy implements StreamOpener {
    /** Explicit bounds and choices. */
    public static final class Options {
        public int pathLength = 3;
        /** Built (or building) circuits kept ready for streams. */
        public int poolSize = 2;
        public int maxCircuits = 8;
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
        public ClientCircuit.Options circuit = new ClientCircuit.Options();
        /** Where peer hops come from (pages); null: relays of the directory only. */
        public PeerHops peerHops;
    }

    /** Peers (pages) that may carry circuits: their router entries verified, as relays we can link to. */
    public interface PeerHops {
        /** Up to {@code n} distinct peers, none of whose identities is in {@code exclude}. */
        List<RelayInfo> peers(int n, Set<String> exclude);
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

    private final List<ClientCircuit> live = new ArrayList<>();
    private final Map<ClientCircuit, Integer> numbers = new HashMap<>();
    private final Map<String, Long> unreachableUntil = new HashMap<>();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final Set<Request> connecting = new HashSet<>();
    /** Paths whose first link is being opened. */
    private final List<List<RelayInfo>> pendingPaths = new ArrayList<>();
    private int nextNumber = 1;
    private int failures;
    private long backoffUntil;
    private Scheduler.Cancellable backoffTimer;
    private boolean started;
    private boolean stopped;

    public OnionProxy(Node node, RelayPrimitives primitives, Directory directory, Options options) {
        this.node = node;
        this.scheduler = node.scheduler();
        this.primitives = primitives;
        this.directory = directory;
        this.options = options == null ? new Options() : options;
        if (this.options.pathLength < 1 || this.options.pathLength > ClientCircuit.MAX_HOPS) {
            throw new IllegalArgumentException("path length must be 1.." + ClientCircuit.MAX_HOPS);
        }
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
        failures = 0;
        backoffUntil = 0;
        unreachableUntil.clear();
        if (backoffTimer != null) {
            backoffTimer.cancel();
            backoffTimer = null;
        }
        ensurePool();
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
        ensurePool();
    }

    /** Closes every circuit and fails every pending stream; the proxy opens nothing afterwards. */
    public void stop() {
        stopped = true;
        if (backoffTimer != null) {
            backoffTimer.cancel();
        }
        for (Request r : new ArrayList<>(waiting)) {
            r.fail(EndReason.MISC, "onion proxy stopped");
        }
        for (ClientCircuit c : new ArrayList<>(live)) {
            c.close();
        }
    }

    /** Circuits built or being built (a copy). */
    public List<ClientCircuit> circuits() {
        return new ArrayList<>(live);
    }

    /** Open circuits. */
    public int openCircuits() {
        int n = 0;
        for (ClientCircuit c : live) {
            if (c.isOpen()) {
                n++;
            }
        }
        return n;
    }

    /** The local number events use for {@code c}, or 0. */
    public int numberOf(ClientCircuit c) {
        Integer n = numbers.get(c);
        return n == null ? 0 : n;
    }

    /** Streams waiting for a circuit or for their BEGIN's answer. */
    public int pendingStreams() {
        return waiting.size() + connecting.size();
    }

    // ---- the circuit pool -------------------------------------------------------------------------------

    private void ensurePool() {
        if (!started || stopped || directory == null) {
            return;
        }
        if (scheduler.nowMillis() < backoffUntil) {
            return;
        }
        int have = live.size() + pendingPaths.size();
        int want = Math.min(options.poolSize, options.maxCircuits);
        while (have < want && !stopped && scheduler.nowMillis() >= backoffUntil) {
            if (!launch(null)) {
                return;
            }
            have++;
        }
        // Streams no open circuit can take (its exit's policy refuses them, or every circuit is full) get a
        // circuit of their own, to an exit that may allow them, unless one is already being built.
        for (Request r : new ArrayList<>(waiting)) {
            if (stopped || scheduler.nowMillis() < backoffUntil || live.size() + pendingPaths.size() >= options.maxCircuits) {
                return;
            }
            if (!buildingFor(r)) {
                launch(r);
            }
        }
    }

    /** Whether a circuit not yet open (or a link for one) ends at an exit that may take {@code r}. */
    private boolean buildingFor(Request r) {
        for (List<RelayInfo> p : pendingPaths) {
            if (exitMayAllow(p, r)) {
                return true;
            }
        }
        for (ClientCircuit c : live) {
            if (!c.isOpen() && exitMayAllow(c.path(), r)) {
                return true;
            }
        }
        return false;
    }

    private static boolean exitMayAllow(List<RelayInfo> path, Request r) {
        return path.get(path.size() - 1).exitMayAllow(r.host, r.port);
    }

    /** Starts a circuit; its exit may allow {@code target} when one is given. False when no path exists. */
    private boolean launch(Request target) {
        List<RelayInfo> path = choosePath(target);
        if (path == null) {
            failWaitingIfNoRoute();
            buildFailed("no usable path of " + options.pathLength + " relays");
            return false;
        }
        pendingPaths.add(path);
        RelayInfo first = path.get(0);
        node.links().connect(first, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                pendingPaths.remove(path);
                if (stopped) {
                    return;
                }
                startCircuit(channel, path);
            }

            @Override
            public void failed(String reason) {
                pendingPaths.remove(path);
                unreachableUntil.put(first.identity().fingerprint(), scheduler.nowMillis() + options.unreachableMillis);
                failWaitingIfNoRoute();
                buildFailed("link to " + first.nickname() + " failed: " + reason);
            }
        });
        return true;
    }

    private void startCircuit(Channel channel, List<RelayInfo> path) {
        int number = nextNumber++;
        ClientCircuit c = new ClientCircuit(channel, node.circuits(), scheduler, node.entropy(), primitives, path,
                options.circuit, new ClientCircuit.Listener() {
                    @Override
                    public void built(ClientCircuit circuit) {
                        failures = 0;
                        List<String> nicks = new ArrayList<>();
                        for (RelayInfo r : circuit.path()) {
                            nicks.add(r.nickname());
                        }
                        listener.circuitBuilt(number, nicks);
                        serveWaiting();
                    }

                    @Override
                    public void closed(ClientCircuit circuit, String reason) {
                        live.remove(circuit);
                        numbers.remove(circuit);
                        listener.circuitClosed(number, reason);
                        if (!circuit.wasBuilt()) {
                            buildFailed("circuit " + number + " closed before it was built: " + reason);
                        } else {
                            ensurePool();
                        }
                    }
                });
        live.add(c);
        numbers.put(c, number);
        c.start();
    }

    /**
     * Streams for which nothing is being built and no path can be chosen fail now, not at their timeout:
     * EXITPOLICY when the directory has exits but none whose policy may take them, NOROUTE otherwise.
     */
    private void failWaitingIfNoRoute() {
        for (Request r : new ArrayList<>(waiting)) {
            if (buildingFor(r) || (directory != null && choosePath(r) != null)) {
                continue;
            }
            if (directory != null && hasExits() && !anyExitMayAllow(r)) {
                r.fail(EndReason.EXITPOLICY, "no exit in the directory allows " + r.target());
            } else {
                r.fail(EndReason.NOROUTE, "no usable path of " + options.pathLength
                        + " relays (need an exit allowing " + r.target() + " and a reachable first hop)");
            }
        }
    }

    private boolean hasExits() {
        for (RelayInfo e : directory.relays()) {
            if (e.hasFlag(RelayInfo.FLAG_EXIT)) {
                return true;
            }
        }
        return false;
    }

    private boolean anyExitMayAllow(Request r) {
        for (RelayInfo e : directory.relays()) {
            if (e.hasFlag(RelayInfo.FLAG_EXIT) && e.exitMayAllow(r.host, r.port)) {
                return true;
            }
        }
        return false;
    }

    /** A build failed: try again after an exponentially growing pause. */
    private void buildFailed(String reason) {
        if (stopped) {
            return;
        }
        failures++;
        listener.buildFailed(reason);
        long delay = options.retryDelayMillis;
        for (int i = 1; i < failures && delay < options.maxRetryDelayMillis; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, options.maxRetryDelayMillis);
        long at = scheduler.nowMillis() + delay;
        if (at <= backoffUntil) {
            return;
        }
        backoffUntil = at;
        if (backoffTimer != null) {
            backoffTimer.cancel();
        }
        backoffTimer = scheduler.schedule(delay, () -> {
            backoffTimer = null;
            ensurePool();
        });
    }

    // ---- path selection ---------------------------------------------------------------------------------

    private boolean preferPeers;

    /**
     * With peers on, new circuits take their first hops from {@link Options#peerHops} (a stream to the web
     * still ends at an exit of the directory) and streams go only to such circuits while enough peers are
     * known (else to the directory's circuits, so a page whose peers left still works); idle circuits
     * without peers are closed. Off: the directory alone.
     */
    public void setPreferPeers(boolean on) {
        preferPeers = on;
        if (on) {
            for (ClientCircuit c : new ArrayList<>(live)) {
                if (!hasPeerHop(c.path()) && c.streamCount() == 0) {
                    c.close(); // idle: circuits through peers take its place
                }
            }
        }
        ensurePool();
    }

    public boolean prefersPeers() {
        return preferPeers;
    }

    /** Whether a relay is a peer reached over WebRTC (not a relay of the directory). */
    public static boolean isPeer(RelayInfo r) {
        return !r.addresses().isEmpty() && r.addresses().get(0).startsWith("webrtc:");
    }

    static boolean hasPeerHop(List<RelayInfo> path) {
        for (RelayInfo r : path) {
            if (isPeer(r)) {
                return true;
            }
        }
        return false;
    }

    /** Whether enough usable peers are known for a circuit through peers (else the directory's relays serve). */
    private boolean peersEnough() {
        return options.peerHops != null
                && options.peerHops.peers(options.pathLength - 1, new HashSet<>()).size() >= options.pathLength - 1;
    }

    /** All but the exit from peers, when peers are preferred and enough are known; else null. */
    private List<RelayInfo> peerPath(Request target) {
        if (!preferPeers || options.peerHops == null || options.pathLength < 2) {
            return null;
        }
        List<RelayInfo> exits = new ArrayList<>();
        for (RelayInfo r : directory.relays()) {
            boolean fits = target == null ? r.exitAllowsAnything() : r.exitMayAllow(target.host, target.port);
            if (r.hasFlag(RelayInfo.FLAG_EXIT) && fits) {
                exits.add(r);
            }
        }
        if (exits.isEmpty()) {
            return null;
        }
        RelayInfo exit = exits.get(randomBelow(exits.size()));
        Set<String> exclude = new HashSet<>();
        exclude.add(exit.identity().fingerprint());
        for (Map.Entry<String, Long> e : unreachableUntil.entrySet()) {
            if (e.getValue() > scheduler.nowMillis()) {
                exclude.add(e.getKey());
            }
        }
        List<RelayInfo> peers = options.peerHops.peers(options.pathLength - 1, exclude);
        if (peers == null || peers.size() < options.pathLength - 1) {
            return null;
        }
        List<RelayInfo> path = new ArrayList<>(peers);
        path.add(exit);
        return path;
    }

    /**
     * pathLength distinct relays: last an Exit whose policy may allow {@code target} (or anything at all when
     * target is null), first allowed and reachable; null when impossible.
     */
    List<RelayInfo> choosePath(Request target) {
        List<RelayInfo> viaPeers = peerPath(target);
        if (viaPeers != null) {
            return viaPeers;
        }
        List<RelayInfo> all = directory.relays();
        int len = options.pathLength;
        List<RelayInfo> exits = new ArrayList<>();
        for (RelayInfo r : all) {
            boolean fits = target == null ? r.exitAllowsAnything() : r.exitMayAllow(target.host, target.port);
            if (r.hasFlag(RelayInfo.FLAG_EXIT) && fits && (len > 1 || firstHopOk(r))) {
                exits.add(r);
            }
        }
        for (int attempt = 0; attempt < 8 && !exits.isEmpty(); attempt++) {
            RelayInfo exit = exits.get(randomBelow(exits.size()));
            if (len == 1) {
                return Collections.singletonList(exit);
            }
            Set<String> used = new HashSet<>();
            used.add(exit.identity().fingerprint());
            List<RelayInfo> firsts = new ArrayList<>();
            List<RelayInfo> guards = new ArrayList<>();
            for (RelayInfo r : all) {
                if (!used.contains(r.identity().fingerprint()) && firstHopOk(r)) {
                    firsts.add(r);
                    if (r.hasFlag(RelayInfo.FLAG_GUARD)) {
                        guards.add(r);
                    }
                }
            }
            List<RelayInfo> pool = guards.isEmpty() ? firsts : guards;
            if (pool.isEmpty()) {
                exits.remove(exit);
                continue;
            }
            RelayInfo first = pool.get(randomBelow(pool.size()));
            used.add(first.identity().fingerprint());
            List<RelayInfo> middles = new ArrayList<>();
            for (RelayInfo r : all) {
                if (!used.contains(r.identity().fingerprint())) {
                    middles.add(r);
                }
            }
            if (middles.size() < len - 2) {
                exits.remove(exit);
                continue;
            }
            List<RelayInfo> path = new ArrayList<>();
            path.add(first);
            for (int i = 0; i < len - 2; i++) {
                RelayInfo m = middles.remove(randomBelow(middles.size()));
                // Two entries may still share an identity when the directory lists a relay twice.
                if (!used.add(m.identity().fingerprint())) {
                    i--;
                    if (middles.size() < len - 2 - i - 1) {
                        return null;
                    }
                    continue;
                }
                path.add(m);
            }
            path.add(exit);
            return path;
        }
        return null;
    }

    private boolean firstHopOk(RelayInfo r) {
        Long until = unreachableUntil.get(r.identity().fingerprint());
        if (until != null && until > scheduler.nowMillis()) {
            return false;
        }
        return options.firstHopFilter == null || options.firstHopFilter.allows(r);
    }

    /** Uniform in [0, n) from the node's entropy (rejection sampling: no modulo bias). */
    private int randomBelow(int n) {
        byte[] b = new byte[4];
        long range = 1L << 31;
        long limit = range - range % n;
        while (true) {
            node.entropy().nextBytes(b);
            long v = (((b[0] & 0x7fL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL));
            if (v < limit) {
                return (int) (v % n);
            }
        }
    }

    // ---- streams ----------------------------------------------------------------------------------------

    /** One {@link #open} call until it succeeds or fails. */
    private final class Request implements ClientStream.ConnectListener {
        final String host;
        final int port;
        final OpenCallback cb;
        int attempts;
        ClientCircuit avoid;
        ClientStream stream;
        boolean done;
        Scheduler.Cancellable timer;

        Request(String host, int port, OpenCallback cb) {
            this.host = host;
            this.port = port;
            this.cb = cb;
        }

        String target() {
            return host + ":" + port;
        }

        @Override
        public void connected(ClientStream s) {
            if (done) {
                s.close("abandoned");
                return;
            }
            done = true;
            connecting.remove(this);
            timer.cancel();
            listener.streamOpened(target(), numberOf(s.circuit()));
            cb.opened(s);
        }

        @Override
        public void failed(ClientStream s, int endReason, String message, boolean retryable) {
            connecting.remove(this);
            stream = null;
            if (done) {
                return;
            }
            if (retryable && attempts < 2 && !stopped) {
                avoid = s.circuit();
                attach(this);
                return;
            }
            fail(endReason, message);
        }

        @Override
        public void closed(ClientStream s, String reason) {
            listener.streamClosed(target(), numberOf(s.circuit()), reason);
        }

        void fail(int endReason, String message) {
            if (done) {
                return;
            }
            done = true;
            waiting.remove(this);
            connecting.remove(this);
            if (timer != null) {
                timer.cancel();
            }
            if (stream != null && stream.state() == ClientStream.State.CONNECTING) {
                stream.close("given up");
            }
            listener.streamFailed(target(), endReason, message);
            cb.failed(endReason, message);
        }
    }

    /**
     * Opens a stream to {@code host:port} through the pool. {@code failed} carries a tor-spec §6.3 END
     * reason: the exit's (EXITPOLICY, CONNECTREFUSED, RESOLVEFAILED, ...), TIMEOUT when no circuit or no
     * answer came in time, DESTROY when circuits kept dying, NOROUTE when no path exists, RESOURCELIMIT when
     * too many streams are pending, MISC for a malformed address.
     */
    @Override
    public void open(String host, int port, OpenCallback cb) {
        try {
            new Begin(host, port);
        } catch (ProtocolException e) {
            later(cb, EndReason.MISC, "bad address: " + e.getMessage());
            return;
        }
        if (stopped) {
            later(cb, EndReason.MISC, "onion proxy stopped");
            return;
        }
        if (pendingStreams() >= options.maxPendingStreams) {
            later(cb, EndReason.RESOURCELIMIT, "too many pending streams (" + options.maxPendingStreams + ")");
            return;
        }
        Request r = new Request(host, port, cb);
        r.timer = scheduler.schedule(options.streamTimeoutMillis,
                () -> r.fail(EndReason.TIMEOUT, "no stream within " + options.streamTimeoutMillis + " ms"));
        if (!started) {
            start();
        }
        attach(r);
    }

    /** Refusals found at once still arrive as a later task: callers need not expect re-entrant callbacks. */
    private void later(OpenCallback cb, int reason, String message) {
        scheduler.execute(() -> cb.failed(reason, message));
    }

    private void attach(Request r) {
        ClientCircuit best = null;
        for (ClientCircuit c : live) {
            if (c.isOpen() && c != r.avoid && !c.atStreamLimit() && exitMayAllow(c.path(), r)
                    && (!preferPeers || hasPeerHop(c.path()) || !peersEnough())
                    && (best == null || c.streamCount() < best.streamCount())) {
                best = c;
            }
        }
        if (best == null) {
            if (!waiting.contains(r)) {
                waiting.add(r);
            }
            failWaitingIfNoRoute();
            if (r.done) {
                return;
            }
            ensurePool();
            return;
        }
        waiting.remove(r);
        r.attempts++;
        connecting.add(r);
        r.stream = best.begin(r.host, r.port, r);
    }

    private void serveWaiting() {
        int n = waiting.size();
        for (int i = 0; i < n && !waiting.isEmpty(); i++) {
            Request r = waiting.poll();
            attach(r);
            if (waiting.contains(r)) {
                break; // no usable circuit for it: the rest wait too
            }
        }
    }

    // ---- directory fetches ------------------------------------------------------------------------------

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
        new DirFetch(bridge, request, cb).start();
    }

    private final class DirFetch implements ClientCircuit.Listener, ClientStream.ConnectListener, Transport.Listener {
        final RelayInfo bridge;
        final byte[] request;
        final DirectoryCallback cb;
        final ByteWriter received = new ByteWriter(4096);
        ClientCircuit circuit;
        ClientStream stream;
        Scheduler.Cancellable timer;
        boolean done;

        DirFetch(RelayInfo bridge, byte[] request, DirectoryCallback cb) {
            this.bridge = bridge;
            this.request = request;
            this.cb = cb;
        }

        void start() {
            timer = scheduler.schedule(options.directoryTimeoutMillis,
                    () -> finish(null, "directory fetch timed out after " + options.directoryTimeoutMillis + " ms"));
            node.links().connect(bridge, new LinkManager.ConnectCallback() {
                @Override
                public void connected(Channel channel) {
                    if (done) {
                        return;
                    }
                    // A directory known only from its DirAuthority line has no ntor key yet: CREATE_FAST, which
                    // ClientCircuit still allows only on a TLS link whose CERTS proved the expected identity.
                    ClientCircuit.Options o = options.circuit;
                    if (bridge.ntorKey() == null) {
                        o = o.copy();
                        o.allowCreateFast = true;
                    }
                    circuit = new ClientCircuit(channel, node.circuits(), scheduler, node.entropy(), primitives,
                            Collections.singletonList(bridge), o, DirFetch.this);
                    circuit.start();
                }

                @Override
                public void failed(String reason) {
                    finish(null, reason);
                }
            });
        }

        void finish(byte[] body, String error) {
            if (done) {
                return;
            }
            done = true;
            timer.cancel();
            if (circuit != null) {
                circuit.close();
            }
            if (error != null) {
                cb.failed(error);
            } else {
                cb.fetched(body);
            }
        }

        // circuit
        @Override
        public void built(ClientCircuit c) {
            if (!done) {
                stream = c.beginDir(this);
            }
        }

        @Override
        public void closed(ClientCircuit c, String reason) {
            finish(null, "directory circuit closed: " + reason);
        }

        // stream
        @Override
        public void connected(ClientStream s) {
            s.setListener(this);
            s.send(request);
        }

        @Override
        public void failed(ClientStream s, int endReason, String message, boolean retryable) {
            finish(null, "BEGIN_DIR failed: " + message);
        }

        @Override
        public void onData(byte[] data) {
            if (done) {
                return;
            }
            if (received.length() + data.length > options.maxDirectoryBytes) {
                finish(null, "directory response over " + options.maxDirectoryBytes + " bytes");
                return;
            }
            received.bytes(data);
        }

        @Override
        public void onClosed(String reason) {
            if (done) {
                return;
            }
            int end = stream == null ? 0 : stream.endReason();
            if (end != EndReason.DONE) {
                finish(null, "directory stream ended before the response was complete: " + reason);
                return;
            }
            try {
                HttpResponse resp = HttpResponse.decode(received.toByteArray());
                if (resp.status() != 200) {
                    finish(null, "directory answered " + resp.status() + " " + resp.reason());
                } else {
                    finish(resp.body(), null);
                }
            } catch (ProtocolException e) {
                finish(null, "bad directory response: " + e.getMessage());
            }
        }
    }
}
