package org.onionpeer.platform;

/**
 * Cryptographic randomness from the platform (SecureRandom on the JVM, crypto.getRandomValues in the
 * browser). Injected rather than reached for, so handshakes can be replayed with fixed bytes in tests.
 */
public interface Entropy {
    void nextBytes(byte[] out);
}
