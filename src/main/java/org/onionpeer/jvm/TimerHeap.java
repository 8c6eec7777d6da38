package org.onionpeer.jvm;

import java.util.Arrays;

/**
 * The timers of one {@link EventLoop} (loop-confined): a binary min-heap by due time, then by the order they were
 * added, where each timer knows its index, so removing a cancelled one costs O(log n) and it leaves at once
 * (with what its task holds) instead of waiting in the heap until it would have fired.
 */
final class TimerHeap {
    /** A timer; run by the loop once due, when it was not cancelled meanwhile (even in the same turn). */
    static final class Timer implements Runnable {
        final long dueNanos;
        private final Runnable task;
        /** Set by cancel, from any thread: a timer already taken out as due must still not run. */
        volatile boolean cancelled;
        long seq;
        /** Index in the heap, -1 when not in it. */
        int index = -1;

        Timer(long dueNanos, Runnable task) {
            this.dueNanos = dueNanos;
            this.task = task;
        }

        @Override
        public void run() {
            if (!cancelled) {
                task.run();
            }
        }
    }

    private Timer[] heap = new Timer[16];
    private int size;
    private long nextSeq;

    int size() {
        return size;
    }

    void add(Timer t) {
        if (t.index >= 0 || t.cancelled) {
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.seq = nextSeq++;
        heap[size] = t;
        t.index = size;
        size++;
        up(t.index);
    }

    /** Takes a timer out; nothing if it fired or was removed already. */
    void remove(Timer t) {
        int i = t.index;
        if (i < 0 || i >= size || heap[i] != t) {
            return;
        }
        size--;
        Timer last = heap[size];
        heap[size] = null;
        t.index = -1;
        if (i < size) {
            heap[i] = last;
            last.index = i;
            down(i);
            up(last.index);
        }
    }

    /** The earliest timer if it is due at {@code nowNanos}, taken out of the heap; else null. */
    Timer due(long nowNanos) {
        if (size == 0 || heap[0].dueNanos - nowNanos > 0) {
            return null;
        }
        Timer t = heap[0];
        remove(t);
        return t;
    }

    /** When the earliest timer is due (System.nanoTime), Long.MAX_VALUE when there is none. */
    long nextDue() {
        return size == 0 ? Long.MAX_VALUE : heap[0].dueNanos;
    }

    private static boolean before(Timer a, Timer b) {
        long d = a.dueNanos - b.dueNanos;
        return d < 0 || (d == 0 && a.seq < b.seq);
    }

    private void up(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            Timer parent = heap[p];
            if (!before(t, parent)) {
                break;
            }
            heap[i] = parent;
            parent.index = i;
            i = p;
        }
        heap[i] = t;
        t.index = i;
    }

    private void down(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            if (r < size && before(heap[r], heap[c])) {
                c = r;
            }
            if (!before(heap[c], t)) {
                break;
            }
            heap[i] = heap[c];
            heap[i].index = i;
            i = c;
        }
        heap[i] = t;
        t.index = i;
    }
}
