package org.onionpeer.crypto;

/**
 * A running SHA-1 (Tor's relay-cell digest): seeded once with Df or Db, then fed every relay body that
 * belongs to its hop. {@link #peek} reads the digest of all input so far without ending the stream, and
 * {@link #copy} forks the state so a cell can be tried before its digest is committed.
 */
public interface RunningDigest {
    void update(byte[] b, int off, int len);

    /** Writes the first {@code n} (at most 20) bytes of SHA-1(all input so far) to {@code out[off..]}. */
    void peek(byte[] out, int off, int n);

    RunningDigest copy();

    /**
     * Like {@link #copy}, but may reuse {@code spare} (an earlier copy no longer needed, or null) instead of
     * allocating: a client tries every cell's digest on a fork of the state, and in a page each fresh state
     * is several typed arrays. Returns the copy, which is {@code spare} or a new state.
     */
    default RunningDigest copyInto(RunningDigest spare) {
        return copy();
    }
}
