package org.onionpeer.node;

import java.util.ArrayDeque;
import org.onionpeer.platform.Scheduler;

/**
 * Paces the relay cells a node passes along other people's circuits to a byte rate: a page relaying for
 * others must not take its user's whole connection. A token bucket (refilled continuously, holding at most
 * a quarter second's worth) admits cells; cells past it wait in their circuit's queue, and waiting circuits
 * are served one cell each in turn, so one busy circuit cannot starve the others.
 *
 * <p>Queues are bounded. An honest sender has at most one circuit window (1000 cells) in flight per
 * direction, since SENDMEs come only from the ends, after cells got through: {@link #MAX_QUEUED_CELLS} per
 * circuit and direction allow that, and a circuit that overflows it (its sender ignores the window) is
 * closed with RESOURCELIMIT; so is one that would take the node past {@link #MAX_QUEUED_BYTES}.
 */
public final class RelayPacer {
    public static final int CELL_BYTES = 514;
    public static final int MAX_QUEUED_CELLS = 1100;
    public static final long MAX_QUEUED_BYTES = 32L << 20;

    /** A circuit's queue in one direction. */
    interface Lane {
        int EMPTY = 0;
        int SENT_LAST = 1;
        int SENT_MORE = 2;

        /** Sends the lane's next queued cell: EMPTY (nothing to send: its circuit closed), SENT_LAST or SENT_MORE. */
        int sendOne();
    }

    private final Scheduler scheduler;
    private long bytesPerSecond;
    private double tokens;
    private long refilledMicros;
    private final ArrayDeque<Lane> waiting = new ArrayDeque<>();
    private Scheduler.Cancellable timer;
    private long queuedCells;
    private long delayed;
    private long overflowed;

    public RelayPacer(Scheduler scheduler, long bytesPerSecond) {
        this.scheduler = scheduler;
        this.refilledMicros = scheduler.nowMicros();
        setRate(bytesPerSecond);
        this.tokens = burst();
    }

    /** Bytes per second relayed (both directions together); at least 8 cells' worth. */
    public void setRate(long bytesPerSecond) {
        this.bytesPerSecond = Math.max(8L * CELL_BYTES, bytesPerSecond);
    }

    public long rate() {
        return bytesPerSecond;
    }

    /** Cells that had to wait, and circuits closed for overflowing their queue (diagnostics, tests). */
    public long delayedCells() {
        return delayed;
    }

    public long overflowedCircuits() {
        return overflowed;
    }

    private double burst() {
        return Math.max(64.0 * CELL_BYTES, bytesPerSecond / 4.0);
    }

    private void refill() {
        long now = scheduler.nowMicros();
        tokens = Math.min(burst(), tokens + (now - refilledMicros) * (bytesPerSecond / 1e6));
        refilledMicros = now;
    }

    /** Takes one cell's worth if nobody waits and the bucket has it. */
    boolean take() {
        if (!waiting.isEmpty()) {
            return false; // those already waiting go first
        }
        refill();
        if (tokens >= CELL_BYTES) {
            tokens -= CELL_BYTES;
            return true;
        }
        return false;
    }

    /**
     * A cell joins a queue of {@code queued} cells (before it); false when it must not (the circuit is to be
     * closed). The caller queues it and, if the queue was empty, calls {@link #wait(Lane)}.
     */
    boolean admit(int queued) {
        if (queued >= MAX_QUEUED_CELLS || (queuedCells + 1) * CELL_BYTES > MAX_QUEUED_BYTES) {
            overflowed++;
            return false;
        }
        queuedCells++;
        delayed++;
        return true;
    }

    /** The lane's queue went from empty to not empty. */
    void wait(Lane lane) {
        waiting.add(lane);
        arm();
    }

    /** {@code n} queued cells were dropped (their circuit closed); its lanes answer EMPTY from now on. */
    void dropped(int n) {
        queuedCells -= n;
    }

    private void arm() {
        if (timer != null || waiting.isEmpty()) {
            return;
        }
        refill();
        long micros = tokens >= CELL_BYTES ? 0 : (long) Math.ceil((CELL_BYTES - tokens) * 1e6 / bytesPerSecond);
        timer = scheduler.schedule(Math.max(1, (micros + 999) / 1000), this::drain);
    }

    private void drain() {
        timer = null;
        refill();
        while (tokens >= CELL_BYTES && !waiting.isEmpty()) {
            Lane lane = waiting.poll();
            int r = lane.sendOne();
            if (r != Lane.EMPTY) {
                tokens -= CELL_BYTES;
                queuedCells--;
            }
            if (r == Lane.SENT_MORE) {
                waiting.add(lane);
            }
        }
        arm();
    }
}
