package org.onionpeer.crypto;

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
        byte[] counter = new byte[1];
        for (int i = 0, pos = 0; pos < outLen; i++, pos += Hashes.SHA1_LEN) {
            TunedSha1 d = new TunedSha1(); // not BC's SHA1Digest: one SHA-1 in onionpeer.js (issue 12)
            d.update(k0, 0, k0.length);
            counter[0] = (byte) i;
            d.update(counter, 0, 1);
            d.peek(block, 0, Hashes.SHA1_LEN);
            System.arraycopy(block, 0, out, pos, Math.min(Hashes.SHA1_LEN, outLen - pos));
        }
        return out;
    }
}
