package org.onionpeer.crypto;

import org.onionpeer.bytes.Bytes;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;

/**
 * Known answers for one {@link RelayPrimitives} implementation: AES-128-CTR with Tor's all-zero IV
 * (reference output from OpenSSL), the keystream running across uneven calls, and SHA-1 (FIPS 180 "abc").
 */
public final class RelayPrimitivesKnownAnswers implements KnownAnswers {
    private static final String KEY = "000102030405060708090a0b0c0d0e0f";
    /** openssl enc -aes-128-ctr -K 000102..0f -iv 00..00 over 64 zero bytes. */
    private static final String KEYSTREAM64 = "c6a13b37878f5b826f4f8162a1c8d8797346139595c0b41e497bbde365f42d0a"
            + "49d68753999ba68ce3897a686081b09db9ad2b2e346ac238505d365e9cb7fc56";

    private final RelayPrimitives p;

    public RelayPrimitivesKnownAnswers(RelayPrimitives p) {
        this.p = p;
    }

    @Override
    public String name() {
        return "relay-primitives-" + p.name();
    }

    @Override
    public void run(Check c) {
        byte[] buf = new byte[64];
        p.aes128Ctr(Bytes.unhex(KEY)).apply(buf, 0, 64);
        c.bytes("aes128ctr-zero-iv", KEYSTREAM64, buf);

        // The keystream position must run on across calls of any length (cells are 509 bytes, not 16k).
        byte[] split = new byte[64];
        StreamCipher s = p.aes128Ctr(Bytes.unhex(KEY));
        s.apply(split, 0, 7);
        s.apply(split, 7, 20);
        s.apply(split, 27, 37);
        c.bytes("aes128ctr-uneven-calls", KEYSTREAM64, split);

        RunningDigest d = p.sha1();
        d.update(Bytes.ascii("ab"), 0, 2);
        RunningDigest fork = d.copy();
        d.update(Bytes.ascii("c"), 0, 1);
        byte[] out = new byte[20];
        d.peek(out, 0, 20);
        c.bytes("sha1-abc", "a9993e364706816aba3e25717850c26c9cd0d89d", out);
        d.peek(out, 0, 20); // peeking twice must not disturb the running state
        c.bytes("sha1-peek-idempotent", "a9993e364706816aba3e25717850c26c9cd0d89d", out);
        fork.update(Bytes.ascii("c"), 0, 1);
        byte[] out2 = new byte[4];
        fork.peek(out2, 0, 4);
        c.bytes("sha1-copy-independent", "a9993e36", out2);
    }
}
