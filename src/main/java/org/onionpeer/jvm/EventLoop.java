package org.onionpeer.jvm;

import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.onionpeer.platform.Scheduler;

/**
 * A node's event loop on the JVM: one daemon thread, so all of the node's state is confined to it. Tasks
 * that throw are logged and the loop goes on (one bad cell must not stop a relay).
 *
 * <p>Made for the node's own hot path rather than on a general-purpose executor: most tasks are queued by the
 * loop for itself (a link gathering the cells of one turn into one message, a stream pumping on), and those
 * go to a plain queue, with no lock, no wake-up and no object per task. Tasks from other threads (a socket's
 * bytes, Jetty's messages) go through a lock-free queue, and wake the loop only when it sleeps. Each turn takes
 * what other threads queued, then the timers that are due, then runs what is queued in order, so a task runs
 * behind everything queued before it. Timers live in a binary heap that knows each timer's place, so the
 * many that are cancelled (a handshake finishes, a stream opens) leave it at once. Profiled on the 3-hop
 * bulk path, the {@code ScheduledThreadPoolExecutor} this replaces cost about 12% of the CPU samples in
 * {@code execute} alone (its locked delay queue and an object per task).
 */
public final class EventLoop implements Scheduler, AutoCloseable {
    private final long origin = System.nanoTime();
    private final Thread thread;
    /** Tasks from other threads, taken by the loop at each turn. */
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /** Tasks to run, in order (loop-confined). */
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    /** Timers by due time (loop-confined). */
    private final TimerHeap timers = new TimerHeap();
    /** The loop is about to sleep or sleeping: a task from another thread must wake it. */
    private volatile boolean sleeping;
    private volatile boolean closed;

    public EventLoop(String name) {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
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
        if (closed) {
            return;
        }
        if (Thread.currentThread() == thread) {
            ready.add(task);
            return;
        }
        inbox.add(task);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        if (closed) {
            return () -> { };
        }
        long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMillis));
        TimerHeap.Timer t = new TimerHeap.Timer(due, task);
        if (Thread.currentThread() == thread) {
            timers.add(t);
        } else {
            execute(() -> timers.add(t));
        }
        return () -> {
            t.cancelled = true;
            if (Thread.currentThread() == thread) {
                timers.remove(t);
            } else {
                execute(() -> timers.remove(t));
            }
        };
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

    /** Stops the loop: tasks still queued are dropped, later ones ignored. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!closed) {
            for (Runnable r; (r = inbox.poll()) != null; ) {
                ready.add(r);
            }
            long now = System.nanoTime();
            for (TimerHeap.Timer t; (t = timers.due(now)) != null; ) {
                ready.add(t);
            }
            if (ready.isEmpty()) {
                sleep();
                continue;
            }
            // What is queued now runs this turn; what these tasks queue runs behind it, after the next look at
            // the inbox and the timers, so a busy loop still takes other threads' work and fires its timers.
            for (int n = ready.size(); n > 0 && !closed; n--) {
                Runnable r = ready.poll();
                try {
                    r.run();
                } catch (RuntimeException | Error e) {
                    System.err.println("[onionpeer] task failed: " + e);
                    e.printStackTrace();
                }
            }
        }
        ready.clear();
        inbox.clear();
    }

    /** Parks until a task arrives from another thread, the next timer is due, or close. */
    private void sleep() {
        sleeping = true;
        try {
            if (!inbox.isEmpty() || closed) {
                return; // arrived after the last look: no wake-up will come for it
            }
            long next = timers.nextDue();
            if (next == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                }
            }
        } finally {
            sleeping = false;
        }
    }
}
