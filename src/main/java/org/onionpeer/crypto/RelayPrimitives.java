package org.onionpeer.crypto;

/**
 * The two primitives on a relay cell's hot path, behind one small interface so that each platform plugs in
 * its fastest implementation: JCA on the JVM (AES-NI/SHA-NI intrinsics), Bouncy Castle everywhere, and a
 * TeaVM-tuned implementation in the browser. Every implementation must give byte-identical output; the
 * known-answer suite checks that on both platforms.
 */
public interface RelayPrimitives {
    /** AES-128-CTR, all-zero IV, keystream running on across calls. */
    StreamCipher aes128Ctr(byte[] key16);

    /** A fresh running SHA-1. */
    RunningDigest sha1();

    /** A short name for reports and benchmarks ("jca", "bouncycastle", ...). */
    String name();
}
