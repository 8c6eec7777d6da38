package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The values this node keeps for others: one per key, the last STORE wins, bounded in count and bytes. */
final class ValueStore {
    private static final class Item {
        final byte[] value;
        final long expiresAt;

        Item(byte[] value, long expiresAt) {
            this.value = value;
            this.expiresAt = expiresAt;
        }
    }

    private final Map<NodeId, Item> items = new HashMap<>();
    private final int maxValues;
    private final int maxBytes;
    private int bytes;

    ValueStore(int maxValues, int maxBytes) {
        this.maxValues = maxValues;
        this.maxBytes = maxBytes;
    }

    /** Stores or replaces; false (nothing changed) when the table is full even after dropping expired values. */
    boolean put(NodeId key, byte[] value, long expiresAt, long now) {
        Item old = items.get(key);
        int delta = value.length - (old == null ? 0 : old.value.length);
        if ((old == null && items.size() >= maxValues) || bytes + delta > maxBytes) {
            purge(now);
            old = items.get(key);
            delta = value.length - (old == null ? 0 : old.value.length);
            if ((old == null && items.size() >= maxValues) || bytes + delta > maxBytes) {
                return false;
            }
        }
        items.put(key, new Item(value, expiresAt));
        bytes += delta;
        return true;
    }

    /** The live value, or null (an expired one is dropped here). */
    byte[] get(NodeId key, long now) {
        Item i = items.get(key);
        if (i == null) {
            return null;
        }
        if (i.expiresAt <= now) {
            items.remove(key);
            bytes -= i.value.length;
            return null;
        }
        return i.value;
    }

    void purge(long now) {
        List<NodeId> dead = new ArrayList<>();
        for (Map.Entry<NodeId, Item> e : items.entrySet()) {
            if (e.getValue().expiresAt <= now) {
                dead.add(e.getKey());
            }
        }
        for (NodeId k : dead) {
            bytes -= items.remove(k).value.length;
        }
    }

    int count() {
        return items.size();
    }

    int bytes() {
        return bytes;
    }
}
