package org.onionpeer.circuit;

import java.util.ArrayDeque;

/**
 * What a {@link ClientStream}'s application gave it to send that has not left yet, taken out a cell's worth at
 * a time (the arrays are kept whole; only the piece that goes out is copied).
 */
final class SendQueue {
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    /** Bytes of the head array already taken. */
    private int head;
    private long bytes;

    /** Queues {@code data}, which the queue now owns. */
    void add(byte[] data) {
        queue.add(data);
        bytes += data.length;
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return bytes == 0;
    }

    /** The next at most {@code max} bytes, in a new array; the queue must not be empty. */
    byte[] take(int max) {
        byte[] first = queue.peek();
        int n = Math.min(max, first.length - head);
        byte[] chunk = new byte[n];
        System.arraycopy(first, head, chunk, 0, n);
        head += n;
        if (head == first.length) {
            queue.poll();
            head = 0;
        }
        bytes -= n;
        return chunk;
    }

    void clear() {
        queue.clear();
        head = 0;
        bytes = 0;
    }
}
