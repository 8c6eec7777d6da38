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
}
