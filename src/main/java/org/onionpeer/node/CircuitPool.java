package org.onionpeer.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Isolation;

/**
 * The onion proxy's circuits: keeps {@link OnionProxy.Options#poolSize} built or building, builds one more
 * for a waiting stream no circuit can take (up to {@code maxCircuits}), replaces circuits that die, and
 * backs off exponentially after failed builds. Circuits get local numbers, counting from 1, for events.
 *
 * <p>Stream isolation, as tor's client does it: a circuit's first stream claims it for that stream's
 * {@link Isolation} (tor's "dirty" circuit), after which it takes only streams of the same isolation, and none
 * once {@link OnionProxy.Options#maxCircuitDirtinessMillis} has passed since the claim; such a circuit closes
 * when its last stream ends, and the pool counts only the circuits that may still take streams. At
 * {@code maxCircuits}, an idle circuit claimed for another isolation is closed to make room for a waiting stream.
 * A build slower than {@link OnionProxy.Options#slowBuildMillis} stops holding back the streams waiting for it.
 */
final class CircuitPool {
    private final OnionProxy proxy;
    private final OnionProxy.Options options;
    private final Scheduler scheduler;

    private final List<ClientCircuit> live = new ArrayList<>();
    private final Map<ClientCircuit, Integer> numbers = new HashMap<>();
    private final Map<ClientCircuit, Claim> claims = new HashMap<>();
    /** When each path in {@link #pendingPaths} and each circuit of {@link #live} not yet open was launched. */
    private final Map<Object, Long> launched = new java.util.IdentityHashMap<>();
    /** Paths whose first link is being opened. */
    private final List<List<RelayInfo>> pendingPaths = new ArrayList<>();
    private int nextNumber = 1;
    private int failures;
    private long backoffUntil;
    private Scheduler.Cancellable backoffTimer;

    /** The isolation of a circuit's first stream, when it came, and the timer that retires the circuit then. */
    private static final class Claim {
        final Isolation isolation;
        final long since;
        Scheduler.Cancellable timer;

        Claim(Isolation isolation, long since) {
            this.isolation = isolation;
            this.since = since;
        }
    }

    CircuitPool(OnionProxy proxy) {
        this.proxy = proxy;
        this.options = proxy.options();
        this.scheduler = proxy.scheduler();
    }

    /** Circuits built or being built (the pool's own list: iterate, do not keep). */
    List<ClientCircuit> live() {
        return live;
    }

    int openCircuits() {
        int n = 0;
        for (ClientCircuit c : live) {
            if (c.isOpen()) {
                n++;
            }
        }
        return n;
    }

    int numberOf(ClientCircuit c) {
        Integer n = numbers.get(c);
        return n == null ? 0 : n;
    }

    /** A fresh start (a new directory): no backoff, no failures counted. */
    void resetBackoff() {
        failures = 0;
        backoffUntil = 0;
        cancelBackoff();
    }

    void cancelBackoff() {
        if (backoffTimer != null) {
            backoffTimer.cancel();
            backoffTimer = null;
        }
    }

    void closeAll() {
        for (ClientCircuit c : new ArrayList<>(live)) {
            c.close();
        }
    }

    /** Whether {@code c} may take a new stream of {@code isolation}: unclaimed, or claimed for it and not too old. */
    boolean mayTake(ClientCircuit c, Isolation isolation) {
        Claim k = claims.get(c);
        return k == null || (k.isolation.equals(isolation) && !expired(k));
    }

    private boolean expired(Claim k) {
        return scheduler.nowMillis() - k.since >= options.maxCircuitDirtinessMillis;
    }

    /** A stream begins on {@code c}: its first claims it for {@code isolation}. */
    void claim(ClientCircuit c, Isolation isolation) {
        if (claims.containsKey(c)) {
            return;
        }
        Claim k = new Claim(isolation, scheduler.nowMillis());
        claims.put(c, k);
        k.timer = scheduler.schedule(options.maxCircuitDirtinessMillis, () -> {
            k.timer = null;
            retireIfIdle(c);
            ensurePool(); // it no longer counts: a fresh circuit takes its place
        });
    }

    /**
     * A stream of {@code c} ended; checked as a later task, once the stream has left the circuit: a circuit too old
     * for new streams closes when idle, and a waiting stream may now have room ({@link #makeRoom}).
     */
    void streamEnded(ClientCircuit c) {
        scheduler.execute(() -> {
            retireIfIdle(c);
            if (!proxy.streams().waiting().isEmpty()) {
                ensurePool();
            }
        });
    }

    private void retireIfIdle(ClientCircuit c) {
        Claim k = claims.get(c);
        if (k != null && expired(k) && c.streamCount() == 0) {
            c.close();
        }
    }

    /**
     * At {@code maxCircuits}: closes one idle open circuit that a stream of {@code isolation} may not take
     * (claimed for another isolation, or too old). False when there is none.
     */
    private boolean makeRoom(Isolation isolation) {
        for (ClientCircuit c : live) {
            Claim k = claims.get(c);
            if (k != null && c.isOpen() && c.streamCount() == 0 && !mayTake(c, isolation)) {
                c.close();
                return true;
            }
        }
        return false;
    }

    /** Circuits that may still take streams (unclaimed, or claimed and not too old), built or being built. */
    private int usable() {
        int n = pendingPaths.size();
        for (ClientCircuit c : live) {
            Claim k = claims.get(c);
            if (k == null || !expired(k)) {
                n++;
            }
        }
        return n;
    }

    /** With peers preferred: idle circuits without a peer hop go, circuits through peers take their place. */
    void closeIdleWithoutPeers() {
        for (ClientCircuit c : new ArrayList<>(live)) {
            if (!PathSelector.hasPeerHop(c.path()) && c.streamCount() == 0) {
                c.close();
            }
        }
    }

    void ensurePool() {
        if (!proxy.isStarted() || proxy.isStopped() || proxy.directory() == null) {
            return;
        }
        if (scheduler.nowMillis() < backoffUntil) {
            return;
        }
        int have = usable();
        int want = Math.min(options.poolSize, options.maxCircuits);
        while (have < want && live.size() + pendingPaths.size() < options.maxCircuits && !proxy.isStopped()
                && scheduler.nowMillis() >= backoffUntil) {
            if (!launch(null, 0)) {
                return;
            }
            have++;
        }
        // Streams no open circuit can take (its exit's policy refuses them, or every circuit is full) get a
        // circuit of their own, to an exit that may allow them, unless one is already being built.
        for (StreamDispatch.Request r : proxy.streams().waiting()) {
            if (proxy.isStopped() || scheduler.nowMillis() < backoffUntil) {
                return;
            }
            if (buildingFor(r.host, r.port, r.isolation)) {
                continue;
            }
            if (live.size() + pendingPaths.size() >= options.maxCircuits) {
                // Closing it calls this again (the pool replaces a closed circuit), which launches for r.
                makeRoom(r.isolation);
                return;
            }
            launch(r.host, r.port);
        }
    }

    /**
     * Whether a circuit not yet open (or a link for one) ends at an exit that may take {@code host:port}, and may
     * take a stream of {@code isolation} once open.
     */
    boolean buildingFor(String host, int port, Isolation isolation) {
        for (List<RelayInfo> p : pendingPaths) {
            if (!slow(p) && PathSelector.exitMayAllow(p, host, port)) {
                return true;
            }
        }
        for (ClientCircuit c : live) {
            if (!c.isOpen() && slow(c)) {
                continue;
            }
            // A primary waiting for its conflux set will take streams shortly, as a circuit being built will.
            if ((!c.isOpen() || !proxy.conflux().acceptsStreams(c)) && mayTake(c, isolation)
                    && PathSelector.exitMayAllow(c.path(), host, port)) {
                return true;
            }
        }
        return false;
    }

    /** Launched more than {@code slowBuildMillis} ago and not open yet. */
    private boolean slow(Object pathOrCircuit) {
        Long t = launched.get(pathOrCircuit);
        return t != null && scheduler.nowMillis() - t >= options.slowBuildMillis;
    }

    /** Starts a circuit; its exit may allow {@code host:port} when host is given. False when no path exists. */
    private boolean launch(String host, int port) {
        List<RelayInfo> path = proxy.paths().choosePath(host, port);
        if (path == null) {
            proxy.streams().failWaitingIfNoRoute();
            buildFailed("no usable path of " + options.pathLength + " relays");
            return false;
        }
        pendingPaths.add(path);
        long at = scheduler.nowMillis();
        launched.put(path, at);
        // Then, should it still be building, streams waiting for it get another circuit (buildingFor).
        scheduler.schedule(options.slowBuildMillis, () -> {
            if (!proxy.streams().waiting().isEmpty()) {
                ensurePool();
            }
        });
        RelayInfo first = path.get(0);
        proxy.node().links().connect(first, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                pendingPaths.remove(path);
                launched.remove(path);
                if (proxy.isStopped()) {
                    return;
                }
                startCircuit(channel, path, at);
            }

            @Override
            public void failed(String reason) {
                pendingPaths.remove(path);
                launched.remove(path);
                proxy.paths().markUnreachable(first);
                proxy.streams().failWaitingIfNoRoute();
                buildFailed("link to " + first.nickname() + " failed: " + reason);
            }
        });
        return true;
    }

    private void startCircuit(Channel channel, List<RelayInfo> path, long launchedAt) {
        int number = nextNumber++;
        Node node = proxy.node();
        ClientCircuit c = new ClientCircuit(channel, node.circuits(), scheduler, node.entropy(), proxy.primitives(),
                path, options.circuit, new ClientCircuit.Listener() {
                    @Override
                    public void built(ClientCircuit circuit) {
                        failures = 0;
                        launched.remove(circuit);
                        List<String> nicks = new ArrayList<>();
                        for (RelayInfo r : circuit.path()) {
                            nicks.add(r.nickname());
                        }
                        proxy.listener().circuitBuilt(number, nicks);
                        if (!proxy.conflux().built(circuit)) {
                            proxy.streams().serveWaiting();
                        }
                    }

                    @Override
                    public void closed(ClientCircuit circuit, String reason) {
                        live.remove(circuit);
                        numbers.remove(circuit);
                        launched.remove(circuit);
                        Claim claim = claims.remove(circuit);
                        if (claim != null && claim.timer != null) {
                            claim.timer.cancel();
                        }
                        proxy.conflux().primaryClosed(circuit);
                        proxy.listener().circuitClosed(number, reason);
                        if (!circuit.wasBuilt()) {
                            // A peer we could not extend to has most likely left (pages churn): do not pick it
                            // again for a while. Relays of the directory are not judged by one failure.
                            int k = circuit.hopCount();
                            if (k >= 1 && k < circuit.path().size() && PathSelector.isPeer(circuit.path().get(k))) {
                                proxy.paths().markUnreachable(circuit.path().get(k));
                            }
                            buildFailed("circuit " + number + " closed before it was built: " + reason);
                        } else {
                            ensurePool();
                        }
                    }
                });
        live.add(c);
        numbers.put(c, number);
        launched.put(c, launchedAt);
        c.start();
    }

    /** A build failed: try again after an exponentially growing pause. */
    private void buildFailed(String reason) {
        if (proxy.isStopped()) {
            return;
        }
        failures++;
        proxy.listener().buildFailed(reason);
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
}
