package org.onionpeer.jvm;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.onionpeer.platform.Scheduler;

/**
 * A node's event loop on the JVM: one daemon thread, so all of the node's state is confined to it. Tasks
 * that throw are logged and the loop goes on (one bad cell must not stop a relay).
 */
public final class EventLoop implements Scheduler, AutoCloseable {
    private final ScheduledExecutorService exec;
    private final long origin = System.nanoTime();
    private volatile Thread thread;

    public EventLoop(String name) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        // Timeouts are mostly cancelled (a handshake finishes, a stream opens): drop them at once instead of
        // keeping them queued until they would have fired.
        e.setRemoveOnCancelPolicy(true);
        exec = e;
    }

    @Override
    public long nowMillis() {
        return (System.nanoTime() - origin) / 1_000_000L;
    }

    @Override
    public long nowMicros() {
        return (System.nanoTime() - origin) / 1_000L;
    }

    @Override
    public long epochSeconds() {
        return System.currentTimeMillis() / 1000L;
    }

    @Override
    public void execute(Runnable task) {
        if (!exec.isShutdown()) {
            exec.execute(guard(task));
        }
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        if (exec.isShutdown()) {
            return () -> { };
        }
        ScheduledFuture<?> f = exec.schedule(guard(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    /**
     * Runs {@code task} on this loop and waits, at most {@code timeoutSeconds}, for its result: for threads
     * outside the loop (start-up, shutdown, tests) that need a node's state, which lives on its loop. Never
     * call it from the loop itself. The task's own exception is rethrown as is.
     */
    public <T> T call(Callable<T> task, long timeoutSeconds) throws Exception {
        if (inLoop()) {
            throw new IllegalStateException("call() from the loop's own thread would wait for itself");
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw c instanceof Exception ? (Exception) c : e;
        }
    }

    /** True when called from this loop's own thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                System.err.println("[onionpeer] task failed: " + e);
                e.printStackTrace();
            }
        };
    }

    @Override
    public void close() {
        exec.shutdownNow();
    }
}
