package org.onionpeer.circuit;

import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.crypto.RunningDigest;
import org.onionpeer.crypto.StreamCipher;

/**
 * One direction of one hop's relay crypto (tor-spec §6.1 "Routing relay cells"): AES-128-CTR with an all-zero
 * IV whose keystream runs on across cells, and a running SHA-1 seeded with Df (forward) or Db (backward)
 * that absorbs every body this hop originates or recognizes in this direction, with the digest field zeroed.
 * All operations work in place on a 509-byte body at an offset; nothing is copied.
 *
 * <p>Not thread-safe: a circuit's state belongs to its node's event loop.
 */
public final class RelayLayer {
    private final StreamCipher cipher;
    private RunningDigest digest;
    /** Scratch for the received and computed digest fields: no allocation per cell. */
    private final byte[] got = new byte[RelayBody.DIGEST_LEN];
    private final byte[] want = new byte[RelayBody.DIGEST_LEN];
    /** The state a failed trial left (or the one a recognized cell replaced), reused for the next trial. */
    private RunningDigest spare;

    public RelayLayer(byte[] key16, byte[] digestSeed20, RelayPrimitives p) {
        if (key16.length != 16 || digestSeed20.length != 20) {
            throw new IllegalArgumentException("relay layer needs a 16-byte key and a 20-byte digest seed");
        }
        this.cipher = p.aes128Ctr(key16);
        this.digest = p.sha1();
        this.digest.update(digestSeed20, 0, digestSeed20.length);
    }

    /** XORs the next 509 keystream bytes into the body: encrypt and decrypt alike. */
    public void crypt(byte[] body, int off) {
        RelayBody.check(body, off);
        cipher.apply(body, off, RelayBody.LEN);
    }

    /**
     * The originator's step before encryption: zero the digest field, absorb the body into the running
     * digest, and write the digest's first 4 bytes into the field. The caller has set Recognized to 0.
     */
    public void stamp(byte[] body, int off) {
        RelayBody.check(body, off);
        int d = off + RelayBody.DIGEST;
        for (int i = 0; i < RelayBody.DIGEST_LEN; i++) {
            body[d + i] = 0;
        }
        digest.update(body, off, RelayBody.LEN);
        digest.peek(body, d, RelayBody.DIGEST_LEN);
    }

    /**
     * Is this (already decrypted) body meant for this hop? True when Recognized is zero and the digest field
     * equals the first 4 bytes of SHA-1(running state | body with the field zeroed); then, and only then, the
     * running digest keeps the body (tor-spec §6.1: a cell that is not ours must not disturb our digest).
     * The body is left exactly as it came in, whatever the answer, so that it can be forwarded.
     */
    public boolean recognize(byte[] body, int off) {
        RelayBody.check(body, off);
        if ((body[off + RelayBody.RECOGNIZED] | body[off + RelayBody.RECOGNIZED + 1]) != 0) {
            return false; // the cheap test first: 2^-16 of foreign cells pass it
        }
        int d = off + RelayBody.DIGEST;
        for (int i = 0; i < RelayBody.DIGEST_LEN; i++) {
            got[i] = body[d + i];
            body[d + i] = 0;
        }
        RunningDigest trial = digest.copyInto(spare);
        spare = trial;
        trial.update(body, off, RelayBody.LEN);
        trial.peek(want, 0, RelayBody.DIGEST_LEN);
        System.arraycopy(got, 0, body, d, RelayBody.DIGEST_LEN);
        int diff = 0;
        for (int i = 0; i < RelayBody.DIGEST_LEN; i++) {
            diff |= got[i] ^ want[i];
        }
        if (diff != 0) {
            return false;
        }
        spare = digest;
        digest = trial;
        return true;
    }

    /**
     * The full 20-byte running digest as it stands. Read right after {@link #stamp} or a true
     * {@link #recognize} of a DATA cell, it is the value an authenticated SENDME (prop289, SENDME v1) for
     * that cell carries.
     */
    public void digest(byte[] out, int off) {
        digest.peek(out, off, 20);
    }
}
