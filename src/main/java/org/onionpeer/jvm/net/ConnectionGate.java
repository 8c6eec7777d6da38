package org.onionpeer.jvm.net;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps on connections held at once: in all, and per source address. A listener asks {@link #tryAcquire}
 * before it spends anything on a connection (no TLS handshake, no buffer) and the slot is given back by
 * {@link #release} when the connection ends, whichever way it ends (the listeners tie it to the channel's
 * close future, which always completes). Per-address caps stop one host from taking every slot; the total
 * cap bounds file descriptors and memory. Thread-safe.
 */
public final class ConnectionGate {
    private final String what;
    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    /**
     * @param what names the connections in messages ("TLS links", "SOCKS clients")
     * @param maxTotal connections at once in all
     * @param maxPerAddress connections at once from one source address
     */
    public ConnectionGate(String what, int maxTotal, int maxPerAddress) {
        if (maxTotal < 1 || maxPerAddress < 1) {
            throw new IllegalArgumentException(what + ": limits must be at least 1");
        }
        this.what = what;
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Null when a slot was taken; otherwise why not (nothing was taken). */
    public String tryAcquire(InetAddress from) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return what + ": " + maxTotal + " at once in all";
        }
        // compute() is atomic per key, so the check and the increment cannot interleave with a release().
        boolean[] ok = new boolean[1];
        perAddress.compute(from, (a, c) -> {
            int v = c == null ? 0 : c.get();
            ok[0] = v < maxPerAddress;
            if (!ok[0]) {
                return c;
            }
            if (c == null) {
                return new AtomicInteger(1);
            }
            c.incrementAndGet();
            return c;
        });
        if (!ok[0]) {
            total.decrementAndGet();
            return what + ": " + maxPerAddress + " at once from one address";
        }
        return null;
    }

    /** Gives back the slot {@link #tryAcquire} took for {@code from}. */
    public void release(InetAddress from) {
        perAddress.computeIfPresent(from, (a, c) -> c.decrementAndGet() <= 0 ? null : c);
        total.decrementAndGet();
    }

    public int total() {
        return total.get();
    }

    @Override
    public String toString() {
        return what + " " + total.get() + "/" + maxTotal + " (" + maxPerAddress + " per address)";
    }
}
