package org.onionpeer.dht;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Counts per key (a sender, a link) and per kind of message in one-second windows, over a bounded set of keys
 * (IDs are cheap to make: when the set is full, idle keys are forgotten, and a new key is refused if none is).
 * Used by the DHT (requests per sender) and the peer service (messages per link and per relayed peer).
 */
public final class RateWindows<K> {
    private final Map<K, long[]> windows = new HashMap<>(); // {window start, count per kind...}
    private final int kinds;
    private final int maxKeys;

    public RateWindows(int kinds, int maxKeys) {
        this.kinds = kinds;
        this.maxKeys = maxKeys;
    }

    /** Counts one message of {@code kind} from {@code key}; false past {@code perSecond} in this window. */
    public boolean allow(K key, int kind, int perSecond, long now) {
        long[] w = windows.get(key);
        if (w == null) {
            if (windows.size() >= maxKeys) {
                forgetIdle(now);
                if (windows.size() >= maxKeys) {
                    return false;
                }
            }
            w = new long[1 + kinds];
            w[0] = now;
            windows.put(key, w);
        }
        if (now - w[0] >= 1000) {
            w[0] = now;
            java.util.Arrays.fill(w, 1, w.length, 0);
        }
        return ++w[1 + kind] <= perSecond;
    }

    public void forget(K key) {
        windows.remove(key);
    }

    public void clear() {
        windows.clear();
    }

    private void forgetIdle(long now) {
        for (Iterator<long[]> it = windows.values().iterator(); it.hasNext();) {
            if (now - it.next()[0] >= 1000) {
                it.remove();
            }
        }
    }
}
