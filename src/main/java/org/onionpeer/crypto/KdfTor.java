package org.onionpeer.crypto;

import org.bouncycastle.crypto.digests.SHA1Digest;

/**
 * KDF-TOR (tor-spec §5.2.1 "KDF-TOR"): K = SHA1(K0 | [00]) | SHA1(K0 | [01]) | ... truncated to the wanted
 * length. Used by CREATE_FAST (and TAP); new handshakes use {@link Hkdf}.
 */
public final class KdfTor {
    /** The counter is one byte, so at most 256 blocks of 20 bytes. */
    public static final int MAX_OUTPUT = 256 * Hashes.SHA1_LEN;

    private KdfTor() {
    }

    public static byte[] expand(byte[] k0, int outLen) {
        if (outLen < 0 || outLen > MAX_OUTPUT) {
            throw new IllegalArgumentException("KDF-TOR output length out of range: " + outLen);
        }
        byte[] out = new byte[outLen];
        byte[] block = new byte[Hashes.SHA1_LEN];
        SHA1Digest d = new SHA1Digest();
        for (int i = 0, pos = 0; pos < outLen; i++, pos += Hashes.SHA1_LEN) {
            d.update(k0, 0, k0.length);
            d.update((byte) i);
            d.doFinal(block, 0); // doFinal also resets d for the next block
            System.arraycopy(block, 0, out, pos, Math.min(Hashes.SHA1_LEN, outLen - pos));
        }
        return out;
    }
}
