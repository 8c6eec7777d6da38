package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Requests per sender per one-second window, over a bounded set of senders (IDs are cheap to make). */
final class RateLimiter {
    private final Map<NodeId, long[]> windows = new HashMap<>(); // {window start, count}
    private final int perSecond;
    private final int maxSenders;

    RateLimiter(int perSecond, int maxSenders) {
        this.perSecond = perSecond;
        this.maxSenders = maxSenders;
    }

    boolean allow(NodeId sender, long now) {
        long[] w = windows.get(sender);
        if (w == null) {
            if (windows.size() >= maxSenders) {
                forgetIdle(now);
                if (windows.size() >= maxSenders) {
                    return false;
                }
            }
            w = new long[] {now, 0};
            windows.put(sender, w);
        }
        if (now - w[0] >= 1000) {
            w[0] = now;
            w[1] = 0;
        }
        return ++w[1] <= perSecond;
    }

    private void forgetIdle(long now) {
        List<NodeId> idle = new ArrayList<>();
        for (Map.Entry<NodeId, long[]> e : windows.entrySet()) {
            if (now - e.getValue()[0] >= 1000) {
                idle.add(e.getKey());
            }
        }
        for (NodeId id : idle) {
            windows.remove(id);
        }
    }
}
