package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The values this node keeps for others: per key, one per STORE sender (its new STORE replaces its old
 * one), at most {@code perKey}, newest first (a full key drops its oldest); bounded in count and bytes.
 * Several values per key let one content have several sources, and a sender cannot push others out by
 * re-STOREing (it only replaces its own).
 */
final class ValueStore {
    private static final class Item {
        final NodeId sender;
        final byte[] value;
        final long expiresAt;

        Item(NodeId sender, byte[] value, long expiresAt) {
            this.sender = sender;
            this.value = value;
            this.expiresAt = expiresAt;
        }
    }

    /** Per key, newest first. */
    private final Map<NodeId, List<Item>> items = new HashMap<>();
    private final int maxValues;
    private final int maxBytes;
    private final int perKey;
    private int count;
    private int bytes;

    ValueStore(int maxValues, int maxBytes, int perKey) {
        this.maxValues = maxValues;
        this.maxBytes = maxBytes;
        this.perKey = perKey;
    }

    /** Stores or replaces {@code sender}'s value; false (nothing changed) when the table is full even after purging. */
    boolean put(NodeId key, NodeId sender, byte[] value, long expiresAt, long now) {
        if (!fits(key, sender, value)) {
            purge(now);
            if (!fits(key, sender, value)) {
                return false;
            }
        }
        List<Item> l = items.computeIfAbsent(key, k -> new ArrayList<>());
        for (Iterator<Item> it = l.iterator(); it.hasNext();) {
            Item i = it.next();
            if (i.sender.equals(sender)) {
                it.remove();
                drop(i);
            }
        }
        l.add(0, new Item(sender, value, expiresAt));
        count++;
        bytes += value.length;
        while (l.size() > perKey) {
            drop(l.remove(l.size() - 1));
        }
        return true;
    }

    private boolean fits(NodeId key, NodeId sender, byte[] value) {
        Item old = null;
        boolean keyFull = false;
        List<Item> l = items.get(key);
        if (l != null) {
            for (Item i : l) {
                if (i.sender.equals(sender)) {
                    old = i;
                }
            }
            keyFull = l.size() >= perKey; // the new one would push the oldest out
        }
        int freed = old != null ? old.value.length : 0;
        boolean newItem = old == null && !keyFull;
        return (!newItem || count < maxValues) && bytes + value.length - freed <= maxBytes;
    }

    private void drop(Item i) {
        count--;
        bytes -= i.value.length;
    }

    /** The live values under {@code key}, newest first (empty if none; expired ones are dropped here). */
    List<byte[]> get(NodeId key, long now) {
        List<Item> l = items.get(key);
        List<byte[]> out = new ArrayList<>();
        if (l == null) {
            return out;
        }
        for (Iterator<Item> it = l.iterator(); it.hasNext();) {
            Item i = it.next();
            if (i.expiresAt <= now) {
                it.remove();
                drop(i);
            } else {
                out.add(i.value);
            }
        }
        if (l.isEmpty()) {
            items.remove(key);
        }
        return out;
    }

    void purge(long now) {
        for (NodeId k : new ArrayList<>(items.keySet())) {
            get(k, now);
        }
    }

    /** Values held, over all keys. */
    int count() {
        return count;
    }

    int bytes() {
        return bytes;
    }
}
