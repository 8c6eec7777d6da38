package org.onionpeer.node;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.dir.Directory;
import org.onionpeer.platform.Entropy;
import org.onionpeer.platform.Scheduler;

/**
 * Brings a client node up against a bridge and keeps it up: fetches the bridge's signed directory (plain
 * HTTP, through a {@link TextSource} the platform supplies), builds the {@link OnionProxy} on it, and recovers
 * by itself. A failed fetch (no answer, HTTP 503 while the bridge's relays start, a bad document) is retried
 * after a backoff ({@link Options#firstRetryMillis} doubling to {@link Options#maxRetryMillis}, minus up to
 * {@link Options#jitter} of it at random so many pages do not retry in step). When the node has no open
 * circuit and {@link Options#failedBuildsBeforeRefetch} builds fail in a row (the bridge restarted with new
 * keys, so its old relays refuse us), the directory is fetched again and replaces the proxy's
 * ({@link OnionProxy#setDirectory}), which rebuilds.
 *
 * <p>{@link #state()} says in words what the node is doing or waiting for ("fetching the directory (attempt
 * 3)", "waiting for the bridge: HTTP 503, retry in 4 s", "building circuits (3 relays known)", "ready").
 * {@link #whenReady} lets callers wait, bounded by {@link Options#readyTimeoutMillis}, for an open circuit.
 *
 * <p>No I/O of its own, never blocks; single-threaded on the node's scheduler, and so are its callbacks.
 */
public final class Bootstrap {
    /** Explicit bounds. */
    public static final class Options {
        public long firstRetryMillis = 1_000;
        public long maxRetryMillis = 30_000;
        /** Up to this fraction of each retry delay is taken off at random. */
        public double jitter = 0.2;
        /** A directory fetch without an answer this long counts as failed (its late answer is ignored). */
        public long fetchTimeoutMillis = 30_000;
        /** How long {@link #whenReady} waits at most. */
        public long readyTimeoutMillis = 60_000;
        /** Builds failing in a row, with no circuit open, before the directory is fetched again. */
        public int failedBuildsBeforeRefetch = 3;
    }

    /** "GET this URL as text": XMLHttpRequest in the browser. Exactly one callback, later, on any thread's loop. */
    public interface TextSource {
        void get(String url, TextCallback cb);
    }

    public interface TextCallback {
        void text(String body);

        /** E.g. "HTTP 503" or "cannot reach http://…". */
        void failed(String reason);
    }

    /**
     * A second look at the bridge's directory before it is used (e.g. {@link TorNetworkCheck}): answers with
     * the directory to use, or fails, exactly once, on the node's loop. A failure is retried like a failed
     * fetch; the bridge's directory is never used instead.
     */
    public interface DirectoryCheck {
        void check(Directory bridgeDirectory, CheckCallback cb);

        /** Called once as the first directory fetch starts: a check may start its own first fetch then. */
        default void prefetch() {
        }
    }

    public interface CheckCallback {
        /** {@code event}: what was checked, for the page's events (null: nothing to say). */
        void verified(Directory directory, String event);

        void failed(String reason);
    }

    /** Makes the node's onion proxy on the first directory (the platform picks dialer, primitives, filters). */
    public interface ProxyFactory {
        OnionProxy create(Directory directory);
    }

    /** State in words and notable events, plus the proxy's circuit and stream events. */
    public interface Listener extends OnionProxy.Listener {
        default void state(String state) {
        }

        default void event(String event) {
        }
    }

    /** One {@link #whenReady} call: {@code waiting} on every state change until exactly one of the others. */
    public interface Waiter {
        default void waiting(String state) {
        }

        void ready(OnionProxy proxy);

        void failed(String message);
    }

    public static final String READY = "ready";
    public static final String NOT_STARTED = "not started (call onionpeer.start())";

    private final Scheduler scheduler;
    private final Entropy entropy;
    private final TextSource source;
    private final ProxyFactory factory;
    private final String directoryUrl;
    private final Options options;
    private Listener listener = new Listener() {
    };

    private final List<Wait> waits = new ArrayList<>();
    private OnionProxy proxy;
    private String state = NOT_STARTED;
    private boolean started;
    private boolean stopped;
    /** Fetch attempts since the last good directory. */
    private int attempts;
    /** Fetch failures and refetches since the last built circuit: the backoff's exponent. */
    private int troubles;
    /** Builds failed in a row with no circuit open. */
    private int failedBuilds;
    /** Bumped per fetch, so a late or timed-out answer is ignored. */
    private int fetchGeneration;
    private boolean fetching;
    private Scheduler.Cancellable fetchTimer;
    private Scheduler.Cancellable retryTimer;
    private String directoryText;
    private DirectoryCheck check;

    public Bootstrap(Scheduler scheduler, Entropy entropy, TextSource source, String directoryUrl,
            ProxyFactory factory, Options options) {
        this.scheduler = scheduler;
        this.entropy = entropy;
        this.source = source;
        this.directoryUrl = directoryUrl;
        this.factory = factory;
        this.options = options == null ? new Options() : options;
    }

    public void setListener(Listener l) {
        this.listener = l == null ? new Listener() {
        } : l;
    }

    /** Checks every directory fetched before it is used (call before {@link #start}). */
    public void setCheck(DirectoryCheck c) {
        this.check = c;
    }

    public String state() {
        return state;
    }

    /** The proxy, once the first directory arrived (it may have no circuit yet: see {@link #isReady}). */
    public OnionProxy proxy() {
        return proxy;
    }

    public boolean isReady() {
        return proxy != null && proxy.openCircuits() > 0;
    }

    public boolean isStarted() {
        return started;
    }

    /** Starts fetching the directory; a second call does nothing. */
    public void start() {
        if (started || stopped) {
            return;
        }
        started = true;
        if (check != null) {
            check.prefetch();
        }
        fetch();
    }

    /** Stops retrying, fails every waiter and stops the proxy. */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        fetchGeneration++;
        cancel(fetchTimer);
        cancel(retryTimer);
        if (proxy != null) {
            proxy.stop();
        }
        setState("stopped");
        for (Wait w : new ArrayList<>(waits)) {
            w.fail("the node stopped");
        }
    }

    /**
     * Calls {@code w.ready} (as a later task, never from inside this call) as soon as the node has an open
     * circuit, with {@code w.waiting(state)} now and on each state change until then; {@code w.failed} with
     * the state it was stuck in after {@link Options#readyTimeoutMillis}. The handle withdraws the wait.
     */
    public Scheduler.Cancellable whenReady(Waiter w) {
        Wait wait = new Wait(w);
        if (stopped) {
            scheduler.execute(() -> w.failed("the node stopped"));
            return () -> { };
        }
        if (isReady()) {
            scheduler.execute(() -> {
                if (!wait.done) {
                    wait.done = true;
                    w.ready(proxy);
                }
            });
            return () -> wait.done = true;
        }
        waits.add(wait);
        wait.timer = scheduler.schedule(options.readyTimeoutMillis, () -> wait.fail(
                "the node was not ready within " + seconds(options.readyTimeoutMillis) + " s: " + state));
        w.waiting(state);
        return wait::withdraw;
    }

    private final class Wait {
        final Waiter w;
        Scheduler.Cancellable timer;
        boolean done;

        Wait(Waiter w) {
            this.w = w;
        }

        void withdraw() {
            done = true;
            waits.remove(this);
            cancel(timer);
        }

        void fail(String message) {
            if (done) {
                return;
            }
            withdraw();
            w.failed(message);
        }
    }

    // ---- the directory ----------------------------------------------------------------------------------

    private void fetch() {
        if (stopped) {
            return;
        }
        cancel(retryTimer);
        retryTimer = null;
        attempts++;
        fetching = true;
        setState("fetching the directory (attempt " + attempts + ")");
        int gen = newGeneration();
        source.get(directoryUrl, new TextCallback() {
            @Override
            public void text(String body) {
                scheduler.execute(() -> {
                    if (endGeneration(gen)) {
                        onDirectory(body);
                    }
                });
            }

            @Override
            public void failed(String reason) {
                scheduler.execute(() -> {
                    if (endGeneration(gen)) {
                        fetchFailed(reason);
                    }
                });
            }
        });
    }

    /** Starts a fetch generation whose timeout fails the attempt; answers of older generations are ignored. */
    private int newGeneration() {
        int gen = ++fetchGeneration;
        fetchTimer = scheduler.schedule(options.fetchTimeoutMillis, () -> {
            if (gen == fetchGeneration) {
                fetchGeneration++;
                fetchFailed("no answer in " + seconds(options.fetchTimeoutMillis) + " s");
            }
        });
        return gen;
    }

    /** True if {@code gen} is still the current generation, which then ends (its timer cancelled). */
    private boolean endGeneration(int gen) {
        if (gen != fetchGeneration) {
            return false;
        }
        fetchGeneration++;
        cancel(fetchTimer);
        return true;
    }

    private void onDirectory(String text) {
        fetching = false;
        if (stopped) {
            return;
        }
        Directory d;
        try {
            // Trust on first use: the directory must verify under the key it names; pinning across sessions
            // (or across bridge restarts, which make new keys) would defeat new-identity-per-session.
            d = Directory.parse(text, null, scheduler.epochSeconds());
        } catch (ProtocolException e) {
            fetchFailed("bad directory: " + e.getMessage());
            return;
        }
        if (check == null) {
            use(d, text, null);
            return;
        }
        // The check's fetches count as this attempt's: the same timeout, a late answer ignored.
        fetching = true;
        setState("checking the Tor network's documents (attempt " + attempts + ")");
        int gen = newGeneration();
        check.check(d, new CheckCallback() {
            @Override
            public void verified(Directory v, String event) {
                scheduler.execute(() -> {
                    if (endGeneration(gen)) {
                        fetching = false;
                        use(v, text, event);
                    }
                });
            }

            @Override
            public void failed(String reason) {
                scheduler.execute(() -> {
                    if (endGeneration(gen)) {
                        fetchFailed(reason);
                    }
                });
            }
        });
    }

    private void use(Directory d, String text, String checked) {
        if (stopped) {
            return;
        }
        if (checked != null) {
            listener.event(checked);
        }
        attempts = 0;
        failedBuilds = 0;
        int n = d.relays().size();
        if (proxy == null) {
            proxy = factory.create(d);
            proxy.setListener(proxyEvents);
            listener.event("directory: " + n + " relays");
            setState(building(n));
            proxy.start();
        } else {
            boolean changed = !text.equals(directoryText);
            listener.event(changed ? "the bridge's directory changed (" + n + " relays): rebuilding circuits"
                    : "the bridge's directory is unchanged: building circuits again");
            setState(building(n));
            proxy.setDirectory(d);
        }
        directoryText = text;
        if (isReady()) {
            becameReady();
        }
    }

    private static String building(int relays) {
        return "building circuits (" + relays + " relays known)";
    }

    private void fetchFailed(String reason) {
        fetching = false;
        retryLater(reason);
    }

    /** Fetches the directory again after the backoff, saying why in the state. */
    private void retryLater(String reason) {
        if (stopped) {
            return;
        }
        long delay = backoff(troubles++);
        setState("waiting for the bridge: " + reason + ", retry in " + seconds(delay) + " s");
        cancel(retryTimer);
        retryTimer = scheduler.schedule(delay, this::fetch);
    }

    /** firstRetry·2^n, at most maxRetry, less up to {@code jitter} of it at random. */
    long backoff(int n) {
        long d = options.firstRetryMillis;
        for (int i = 0; i < n && d < options.maxRetryMillis; i++) {
            d *= 2;
        }
        d = Math.min(d, options.maxRetryMillis);
        byte[] b = new byte[4];
        entropy.nextBytes(b);
        long u = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
        return d - (long) (d * options.jitter * (u / 4294967296.0));
    }

    /** Whole seconds, rounded up, for messages. */
    private static long seconds(long millis) {
        return (millis + 999) / 1000;
    }

    // ---- circuits ---------------------------------------------------------------------------------------

    private final Listener proxyEvents = new Listener() {
        @Override
        public void circuitBuilt(int circuit, List<String> nicknames) {
            listener.circuitBuilt(circuit, nicknames);
            if (stopped) {
                return;
            }
            troubles = 0;
            failedBuilds = 0;
            becameReady();
        }

        @Override
        public void circuitClosed(int circuit, String reason) {
            listener.circuitClosed(circuit, reason);
            if (!stopped && !isReady() && READY.equals(state)) {
                listener.event("no circuit left (the last closed: " + reason + "): building again");
                setState(building(proxy.directory().relays().size()));
            }
        }

        @Override
        public void buildFailed(String reason) {
            listener.buildFailed(reason);
            if (stopped || isReady() || fetching || retryTimer != null) {
                return;
            }
            failedBuilds++;
            if (failedBuilds >= options.failedBuildsBeforeRefetch) {
                // Every way into the network failed: the bridge may have restarted with new relay keys.
                failedBuilds = 0;
                listener.event("no circuit after " + options.failedBuildsBeforeRefetch
                        + " failed builds: fetching the directory again");
                retryLater("no circuit (" + reason + ")");
            } else {
                setState(building(proxy.directory().relays().size()) + ": build failed: " + reason);
            }
        }

        @Override
        public void streamOpened(String target, int circuit) {
            listener.streamOpened(target, circuit);
        }

        @Override
        public void streamClosed(String target, int circuit, String reason) {
            listener.streamClosed(target, circuit, reason);
        }

        @Override
        public void streamFailed(String target, int endReason, String message) {
            listener.streamFailed(target, endReason, message);
        }
    };

    private void becameReady() {
        cancel(retryTimer);
        retryTimer = null;
        setState(READY);
        for (Wait w : new ArrayList<>(waits)) {
            if (!w.done) {
                w.withdraw();
                w.w.ready(proxy);
            }
        }
    }

    private void setState(String s) {
        if (s.equals(state)) {
            return;
        }
        state = s;
        listener.state(s);
        if (!READY.equals(s)) {
            for (Wait w : new ArrayList<>(waits)) {
                if (!w.done) {
                    w.w.waiting(s);
                }
            }
        }
    }

    private static void cancel(Scheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }
}
