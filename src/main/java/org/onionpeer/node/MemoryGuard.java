package org.onionpeer.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.platform.Scheduler;

/**
 * The node's memory budget ({@link NodeLimits#maxQueuedBytes}), after tor's circuits_handle_oom: when all
 * queues together hold more, the queues whose oldest data has waited longest are shed first, until the
 * total is under {@link NodeLimits#shedToPercent} of the budget. A link is shed by closing it (its peer
 * stopped reading; its circuits go with it); an exit stream by destroying its circuit with RESOURCELIMIT.
 *
 * <p>The core cannot see a transport drain, so queues are sampled every
 * {@link NodeLimits#sampleIntervalMillis}. Each sample estimates, per queue, since when its oldest data has
 * waited: from the first sample that saw it non-empty, until a sample finds that everything it held at the
 * previous one has left (queues are FIFO: what was queued meanwhile is known from a growing counter), when
 * its age starts again. So a busy link whose peer reads stays young however full it is at each sample,
 * while a link whose peer stopped reading ages. Between samples, every byte queued is added to the last
 * total, and when that estimate passes the budget a sample runs at once. The sampler stops while the node
 * has neither links nor streams, and the next byte queued starts it again.
 */
final class MemoryGuard implements Channel.QueueObserver {
    /** A queue other than a link's: an exit or directory stream. */
    interface Queue {
        /** Bytes held now, in both directions. */
        long queuedBytes();

        /** Bytes ever queued (a counter that only grows), to tell a draining queue from a stuck one. */
        long queuedTotal();

        boolean isGone();

        /** Frees the memory by destroying what holds it; returns a line for the log (nothing identifying). */
        String shed();
    }

    private final Scheduler scheduler;
    private final LinkManager links;
    private final NodeLimits limits;
    private final Set<Queue> queues = new LinkedHashSet<>();
    private Map<Object, Age> ages = new HashMap<>();
    private Map<Object, Age> spare = new HashMap<>();
    private Scheduler.Cancellable timer;
    private boolean checkQueued;
    private long lastTotal;
    private long queuedSinceSample;
    private long shed;
    private java.util.function.Consumer<String> log = line -> System.err.println("[onionpeer] " + line);

    /** What the samples know about one non-empty queue. */
    private static final class Age {
        long since;
        long lastQueued;
        long lastTotal;
    }

    MemoryGuard(Scheduler scheduler, LinkManager links, NodeLimits limits) {
        this.scheduler = scheduler;
        this.links = links;
        this.limits = limits;
    }

    void setLog(java.util.function.Consumer<String> log) {
        this.log = log;
    }

    void add(Queue q) {
        queues.add(q);
        ensureRunning();
    }

    void remove(Queue q) {
        queues.remove(q);
    }

    int queueCount() {
        return queues.size();
    }

    /** The total at the last sample. */
    long lastTotal() {
        return lastTotal;
    }

    /** Links and streams shed since start. */
    long shedCount() {
        return shed;
    }

    /** {@code bytes} were just queued somewhere in the node. */
    @Override
    public void queued(int bytes) {
        queuedSinceSample += bytes;
        ensureRunning();
        if (!checkQueued && lastTotal + queuedSinceSample > limits.maxQueuedBytes) {
            // Not from inside the send: shedding closes links and circuits the caller may be using.
            checkQueued = true;
            scheduler.execute(() -> {
                checkQueued = false;
                sample();
            });
        }
    }

    private void ensureRunning() {
        if (timer == null) {
            timer = scheduler.schedule(limits.sampleIntervalMillis, this::tick);
        }
    }

    private void tick() {
        timer = null;
        sample();
        if (!queues.isEmpty() || !links.channels().isEmpty()) {
            ensureRunning();
        }
    }

    /** Measures every queue, remembers since when each is non-empty, and sheds if over the budget. */
    void sample() {
        long now = scheduler.nowMillis();
        Map<Object, Age> next = spare;
        next.clear();
        long total = 0;
        for (Channel c : links.channels()) {
            total += note(c, size(c), c.queuedTotal(), now, next);
        }
        for (Queue q : queues) {
            total += note(q, size(q), q.queuedTotal(), now, next);
        }
        spare = ages;
        spare.clear();
        ages = next;
        lastTotal = total;
        queuedSinceSample = 0;
        if (total > limits.maxQueuedBytes) {
            shed(total);
        }
    }

    private long note(Object consumer, long bytes, long everQueued, long now, Map<Object, Age> next) {
        if (bytes <= 0) {
            return 0;
        }
        Age a = ages.get(consumer);
        if (a == null) {
            a = new Age();
            a.since = now;
        } else if (everQueued - a.lastTotal >= bytes) {
            // All it holds was queued after the last sample, so what it held then has gone (FIFO).
            a.since = now;
        }
        a.lastQueued = bytes;
        a.lastTotal = everQueued;
        next.put(consumer, a);
        return bytes;
    }

    private void shed(long total) {
        long target = limits.maxQueuedBytes / 100 * limits.shedToPercent;
        List<Object> victims = new ArrayList<>(ages.keySet());
        // Oldest queued data first; among equally old, the larger queue first.
        victims.sort((a, b) -> {
            int c = Long.compare(ages.get(a).since, ages.get(b).since);
            return c != 0 ? c : Long.compare(ages.get(b).lastQueued, ages.get(a).lastQueued);
        });
        long now = scheduler.nowMillis();
        for (Object v : victims) {
            if (total <= target) {
                break;
            }
            long bytes = size(v);
            if (bytes <= 0) {
                continue; // went with an earlier victim
            }
            String what;
            if (v instanceof Channel) {
                ((Channel) v).close("memory budget: the peer does not read");
                what = "closed a link whose peer does not read";
            } else {
                what = ((Queue) v).shed();
            }
            shed++;
            log.accept("memory budget: " + mib(total) + " queued of " + mib(limits.maxQueuedBytes) + "; " + what
                    + " (" + mib(bytes) + " queued for " + (now - ages.get(v).since) + " ms)");
            total = 0;
            for (Object o : victims) {
                total += size(o);
            }
        }
        lastTotal = total;
    }

    private static long size(Object o) {
        if (o instanceof Channel) {
            Channel c = (Channel) o;
            return c.state() == Channel.State.CLOSED ? 0 : c.bufferedAmount();
        }
        Queue q = (Queue) o;
        return q.isGone() ? 0 : q.queuedBytes();
    }

    /** "512 KiB", "1.5 MiB": tenths of a MiB written by hand (what {@code x / 10.0 + ""} printed below 10^7
     * MiB), so no double-to-text code is compiled into onionpeer.js for a log line. */
    static String mib(long bytes) {
        if (bytes < (1 << 20)) {
            return (bytes >> 10) + " KiB";
        }
        long tenths = bytes * 10 / (1 << 20);
        return tenths / 10 + "." + tenths % 10 + " MiB";
    }
}
