package org.onionpeer.crypto;

/**
 * A keystream cipher whose position runs on across calls: Tor's AES-128-CTR with an all-zero IV, one
 * instance per hop and direction. {@link #apply} XORs the next {@code len} keystream bytes into the buffer
 * in place (encrypt and decrypt are the same operation).
 */
public interface StreamCipher {
    void apply(byte[] buf, int off, int len);
}
