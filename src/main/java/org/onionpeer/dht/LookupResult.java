package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The outcome of an iterative lookup. */
public final class LookupResult {
    private final NodeId target;
    private final List<Contact> closest;
    private final List<byte[]> values;
    private final int rounds;
    private final int queried;
    private final int failed;

    LookupResult(NodeId target, List<Contact> closest, List<byte[]> values, int rounds, int queried, int failed) {
        this.target = target;
        this.closest = Collections.unmodifiableList(closest);
        this.values = values == null ? List.of() : values;
        this.rounds = rounds;
        this.queried = queried;
        this.failed = failed;
    }

    public NodeId target() {
        return target;
    }

    /** Up to k nodes that answered, closest to the target first (for FIND_VALUE: those seen so far). */
    public List<Contact> closest() {
        return closest;
    }

    /** For FIND_VALUE: the first (newest) value found, or null. */
    public byte[] value() {
        return values.isEmpty() ? null : values.get(0).clone();
    }

    /** For FIND_VALUE: every value found (those of the first node that had any; validated if the DHT validates). */
    public List<byte[]> values() {
        List<byte[]> out = new ArrayList<>(values.size());
        for (byte[] v : values) {
            out.add(v.clone());
        }
        return out;
    }

    /**
     * Sequential hops: a node from our table is at round 1, a node learned from a round-r answer at round
     * r + 1; this is the deepest round of a node that answered (0 if none did).
     */
    public int rounds() {
        return rounds;
    }

    /** Requests sent, and those that failed (timeout, garbage, or refused locally). */
    public int queried() {
        return queried;
    }

    public int failed() {
        return failed;
    }

    @Override
    public String toString() {
        return "Lookup[" + target.shortHex() + " " + closest.size() + " closest, " + rounds + " rounds, "
                + queried + " queried, " + failed + " failed" + (values.isEmpty() ? "" : ", " + values.size() + " values") + "]";
    }
}
