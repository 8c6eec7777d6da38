package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Strikes against peers that hid nodes they had to know, and bans of peers caught misbehaving; both maps
 * bounded (a flood of fresh IDs cannot grow them without limit; past the bound, new peers go untracked).
 */
final class Reputation {
    private final Map<NodeId, Integer> strikes = new HashMap<>();
    private final Map<NodeId, Long> banned = new HashMap<>();
    private final DhtConfig config;

    Reputation(DhtConfig config) {
        this.config = config;
    }

    boolean isBanned(NodeId id, long now) {
        Long until = banned.get(id);
        if (until != null && until <= now) {
            banned.remove(id);
            return false;
        }
        return until != null;
    }

    /** Counts a strike; true when that makes {@link DhtConfig#strikesToDrop} and the peer must be dropped. */
    boolean strike(NodeId peer) {
        Integer s = strikes.get(peer);
        int n = s == null ? 1 : s + 1;
        if (n >= config.strikesToDrop) {
            strikes.remove(peer);
            return true;
        }
        if (s != null || strikes.size() < config.maxBanned) {
            strikes.put(peer, n);
        }
        return false;
    }

    /** A faithful answer takes one strike away. */
    void acquit(NodeId peer) {
        Integer s = strikes.get(peer);
        if (s != null) {
            if (s <= 1) {
                strikes.remove(peer);
            } else {
                strikes.put(peer, s - 1);
            }
        }
    }

    int strikesOf(NodeId peer) {
        Integer s = strikes.get(peer);
        return s == null ? 0 : s;
    }

    void ban(NodeId peer, long now) {
        if (banned.size() >= config.maxBanned) {
            purge(now);
        }
        if (banned.size() < config.maxBanned) {
            banned.put(peer, now + config.banMillis);
        }
    }

    void purge(long now) {
        List<NodeId> old = new ArrayList<>();
        for (Map.Entry<NodeId, Long> e : banned.entrySet()) {
            if (e.getValue() <= now) {
                old.add(e.getKey());
            }
        }
        for (NodeId id : old) {
            banned.remove(id);
        }
    }
}
