package org.onionpeer.ordb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * A download's sliding window over chunk numbers: which range to ask next, what came back unfinished, and
 * the verified chunks waiting for the ones before them. New ranges are whole blocks, lowest first, and start
 * at most {@code 2 x windowBlocks} blocks past the first chunk not yet handed on; ranges handed back (the
 * rest of a request that did not finish) go first, lowest first, so the window keeps moving.
 */
final class ChunkWindow {
    private final long chunks;
    private final int blockChunks;
    private final long ahead;
    /** Ranges [from, to) handed back, lowest first; all below nextNew. */
    private final List<long[]> pending = new ArrayList<>();
    private final HashMap<Long, Object[]> held = new HashMap<>();
    private long nextNew;
    private long delivered;

    ChunkWindow(long chunks, int blockChunks, int windowBlocks) {
        this(chunks, blockChunks, windowBlocks, 0);
    }

    /** A window whose chunks before {@code first} are already held elsewhere (a resumed download). */
    ChunkWindow(long chunks, int blockChunks, int windowBlocks, long first) {
        this.chunks = chunks;
        this.blockChunks = blockChunks;
        this.ahead = 2L * windowBlocks * blockChunks;
        this.nextNew = first;
        this.delivered = first;
    }

    /** The range to ask next, [from, to), or null if none may be asked now. */
    long[] peek() {
        if (!pending.isEmpty()) {
            return pending.get(0);
        }
        if (nextNew >= chunks || nextNew >= delivered + ahead) {
            return null;
        }
        return new long[] {nextNew, Math.min(chunks, nextNew + blockChunks)};
    }

    /** The range {@link #peek} gave is now asked. */
    void take(long[] range) {
        if (!pending.isEmpty() && pending.get(0) == range) {
            pending.remove(0);
        } else {
            nextNew = range[1];
        }
    }

    /** Chunks [from, to) were asked but will not come from there. */
    void giveBack(long from, long to) {
        if (from >= to) {
            return;
        }
        int i = 0;
        while (i < pending.size() && pending.get(i)[0] < from) {
            i++;
        }
        pending.add(i, new long[] {from, to});
    }

    /** A verified chunk. */
    void put(long index, byte[] data, byte[][] proof) {
        if (index >= delivered) {
            held.put(index, new Object[] {data, proof});
        }
    }

    /** The next chunk in order if it is here ({data, proof}), counted as handed on; else null. */
    Object[] poll() {
        Object[] c = held.remove(delivered);
        if (c != null) {
            delivered++;
        }
        return c;
    }

    long delivered() {
        return delivered;
    }

    boolean complete() {
        return delivered == chunks;
    }
}
