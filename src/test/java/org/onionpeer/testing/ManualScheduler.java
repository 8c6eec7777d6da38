package org.onionpeer.testing;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import org.onionpeer.platform.Scheduler;

/**
 * A deterministic scheduler for core tests: tasks run only when the test calls {@link #runUntilIdle} or
 * {@link #advance}, in order, with a virtual clock. Several nodes may share one to interleave exactly.
 */
public final class ManualScheduler implements Scheduler {
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final PriorityQueue<Timed> timers = new PriorityQueue<>();
    private long now;
    private long epochBase = 1_750_000_000L;
    private long seq;

    private static final class Timed implements Comparable<Timed> {
        final long at;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Timed(long at, long seq, Runnable task) {
            this.at = at;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Timed o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
        }
    }

    @Override
    public long nowMillis() {
        return now;
    }

    @Override
    public long epochSeconds() {
        return epochBase + now / 1000;
    }

    public void setEpochSeconds(long epoch) {
        epochBase = epoch - now / 1000;
    }

    @Override
    public void execute(Runnable task) {
        ready.add(task);
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        Timed t = new Timed(now + Math.max(0, delayMillis), seq++, task);
        timers.add(t);
        return () -> t.cancelled = true;
    }

    /** Runs ready tasks (and the tasks they queue) until none is left; returns how many ran. */
    public int runUntilIdle() {
        int n = 0;
        Runnable r;
        while ((r = ready.poll()) != null) {
            r.run();
            if (++n > 50_000_000) {
                throw new IllegalStateException("livelock: tasks keep queueing");
            }
        }
        return n;
    }

    /** Moves the clock forward, firing due timers in order, running ready tasks in between. */
    public void advance(long millis) {
        long target = now + millis;
        runUntilIdle();
        while (!timers.isEmpty() && timers.peek().at <= target) {
            Timed t = timers.poll();
            now = t.at;
            if (!t.cancelled) {
                t.task.run();
            }
            runUntilIdle();
        }
        now = target;
    }

    public int pendingTimers() {
        int n = 0;
        for (Timed t : timers) {
            if (!t.cancelled) {
                n++;
            }
        }
        return n;
    }
}
