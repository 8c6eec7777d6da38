package org.onionpeer.platform;

/**
 * The event loop a node runs on, supplied by the platform: a single-thread executor on the JVM, the page's
 * own loop in the browser. All of a node's state is touched only from tasks of its scheduler, so the core
 * needs no locks; work that waits (a socket, a WebCrypto promise) comes back as a task.
 */
public interface Scheduler {
    /** Milliseconds on a monotonic clock (not wall time). */
    long nowMillis();

    /**
     * Microseconds on the same monotonic clock, as finely as the platform can (congestion control measures
     * round trips of well under a millisecond on a LAN); by default the milliseconds, scaled.
     */
    default long nowMicros() {
        return nowMillis() * 1000;
    }

    /** Wall-clock seconds since the Unix epoch (certificate expiry, NETINFO). */
    long epochSeconds();

    /** Runs {@code task} on the loop soon, after tasks already queued. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop after {@code delayMillis}; the handle cancels it. */
    Cancellable schedule(long delayMillis, Runnable task);

    /** A scheduled task that may be cancelled; cancelling twice, or after it ran, does nothing. */
    interface Cancellable {
        void cancel();
    }
}
