package org.onionpeer.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Begin;
import org.onionpeer.cell.EndReason;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ClientStream;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Isolation;
import org.onionpeer.transport.StreamOpener;

/**
 * The onion proxy's streams: each {@link #open} waits for a circuit whose exit may take it (the open one
 * with the fewest streams), BEGINs there, and when BEGIN fails for a reason that says nothing about the
 * destination (the circuit died, no answer in time, the exit is overloaded) is tried once more on another
 * circuit, as tor does. Streams no path can serve fail at once rather than at their timeout. A circuit takes
 * only streams of the isolation its first stream had, and none once it is too old ({@link CircuitPool#mayTake}).
 */
final class StreamDispatch {
    private final OnionProxy proxy;
    private final OnionProxy.Options options;
    private final Scheduler scheduler;
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final Set<Request> connecting = new HashSet<>();

    StreamDispatch(OnionProxy proxy) {
        this.proxy = proxy;
        this.options = proxy.options();
        this.scheduler = proxy.scheduler();
    }

    /** One {@link #open} call until it succeeds or fails. */
    final class Request implements ClientStream.ConnectListener {
        final String host;
        final int port;
        final Isolation isolation;
        final StreamOpener.OpenCallback cb;
        int attempts;
        ClientCircuit avoid;
        ClientStream stream;
        boolean done;
        Scheduler.Cancellable timer;

        Request(String host, int port, Isolation isolation, StreamOpener.OpenCallback cb) {
            this.host = host;
            this.port = port;
            this.isolation = isolation;
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
            proxy.listener().streamOpened(target(), proxy.numberOf(s.circuit()));
            cb.opened(s);
        }

        @Override
        public void failed(ClientStream s, int endReason, String message, boolean retryable) {
            connecting.remove(this);
            stream = null;
            if (done) {
                return;
            }
            if (retryable && attempts < 2 && !proxy.isStopped()) {
                avoid = s.circuit();
                attach(this);
                return;
            }
            fail(endReason, message);
        }

        @Override
        public void closed(ClientStream s, String reason) {
            proxy.listener().streamClosed(target(), proxy.numberOf(s.circuit()), reason);
            proxy.pool().streamEnded(s.circuit());
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
            proxy.listener().streamFailed(target(), endReason, message);
            cb.failed(endReason, message);
        }
    }

    /** Streams waiting for a circuit or for their BEGIN's answer. */
    int pending() {
        return waiting.size() + connecting.size();
    }

    /** The streams waiting for a circuit (a copy). */
    List<Request> waiting() {
        return new ArrayList<>(waiting);
    }

    /** See {@link OnionProxy#open}. */
    void open(String host, int port, Isolation isolation, StreamOpener.OpenCallback cb) {
        if (isolation == null) {
            throw new IllegalArgumentException("isolation is null: Isolation.NONE for none");
        }
        try {
            new Begin(host, port);
        } catch (ProtocolException e) {
            later(cb, EndReason.MISC, "bad address: " + e.getMessage());
            return;
        }
        if (proxy.isStopped()) {
            later(cb, EndReason.MISC, "onion proxy stopped");
            return;
        }
        if (pending() >= options.maxPendingStreams) {
            later(cb, EndReason.RESOURCELIMIT, "too many pending streams (" + options.maxPendingStreams + ")");
            return;
        }
        Request r = new Request(host, port, isolation, cb);
        r.timer = scheduler.schedule(options.streamTimeoutMillis,
                () -> r.fail(EndReason.TIMEOUT, "no stream within " + options.streamTimeoutMillis + " ms"));
        if (!proxy.isStarted()) {
            proxy.start();
        }
        attach(r);
    }

    /** Refusals found at once still arrive as a later task: callers need not expect re-entrant callbacks. */
    private void later(StreamOpener.OpenCallback cb, int reason, String message) {
        scheduler.execute(() -> cb.failed(reason, message));
    }

    private void attach(Request r) {
        ClientCircuit best = null;
        // With peers preferred (and enough known), only circuits through peers carry streams; asked once.
        boolean anyCircuit = !proxy.prefersPeers() || !proxy.peersEnough();
        for (ClientCircuit c : proxy.pool().live()) {
            if (c.isOpen() && c != r.avoid && !c.atStreamLimit() && proxy.conflux().acceptsStreams(c)
                    && proxy.pool().mayTake(c, r.isolation) && PathSelector.exitMayAllow(c.path(), r.host, r.port)
                    && (anyCircuit || PathSelector.hasPeerHop(c.path()))
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
            proxy.pool().ensurePool();
            return;
        }
        waiting.remove(r);
        r.attempts++;
        connecting.add(r);
        proxy.pool().claim(best, r.isolation);
        r.stream = best.begin(r.host, r.port, r);
    }

    /** A circuit was built: waiting streams take it, in order, until one finds no usable circuit. */
    void serveWaiting() {
        int n = waiting.size();
        for (int i = 0; i < n && !waiting.isEmpty(); i++) {
            Request r = waiting.poll();
            attach(r);
            if (waiting.contains(r)) {
                break; // no usable circuit for it: the rest wait too
            }
        }
    }

    /**
     * Streams for which nothing is being built and no path can be chosen fail now, not at their timeout:
     * EXITPOLICY when the directory has exits but none whose policy may take them, NOROUTE otherwise.
     */
    void failWaitingIfNoRoute() {
        PathSelector paths = proxy.paths();
        for (Request r : new ArrayList<>(waiting)) {
            boolean haveDirectory = proxy.directory() != null;
            if (proxy.pool().buildingFor(r.host, r.port, r.isolation)
                    || (haveDirectory && paths.choosePath(r.host, r.port) != null)) {
                continue;
            }
            if (haveDirectory && paths.hasExits() && !paths.anyExitMayAllow(r.host, r.port)) {
                r.fail(EndReason.EXITPOLICY, "no exit in the directory allows " + r.target());
            } else {
                r.fail(EndReason.NOROUTE, "no usable path of " + options.pathLength
                        + " relays (need an exit allowing " + r.target() + " and a reachable first hop)");
            }
        }
    }

    /** Fails every waiting stream (the proxy stops). */
    void failWaiting(String message) {
        for (Request r : new ArrayList<>(waiting)) {
            r.fail(EndReason.MISC, message);
        }
    }
}
