package org.onionpeer.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * HKDF-SHA256 (RFC 5869) as tor-spec §5.2.2 "KDF-RFC5869" uses it for ntor:
 * KEY_SEED = HMAC-SHA256(key = t_key, msg = secret_input) (the RFC's "extract" with salt = t_key), then
 * K(1) = HMAC(KEY_SEED, m_expand | 1), K(i+1) = HMAC(KEY_SEED, K(i) | m_expand | i+1) (the RFC's "expand").
 */
public final class Hkdf {
    /** RFC 5869 §2.3: L <= 255 * HashLen. */
    public static final int MAX_OUTPUT = 255 * Hashes.SHA256_LEN;

    private Hkdf() {
    }

    /** RFC 5869 extract: PRK = HMAC-SHA256(salt, ikm). An empty salt means HashLen zero bytes (same HMAC). */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        return Hashes.hmacSha256(salt.length == 0 ? new byte[Hashes.SHA256_LEN] : salt, ikm);
    }

    /** RFC 5869 expand: the first {@code outLen} bytes of T(1) | T(2) | ... */
    public static byte[] expand(byte[] prk, byte[] info, int outLen) {
        if (outLen < 0 || outLen > MAX_OUTPUT) {
            throw new IllegalArgumentException("HKDF output length out of range: " + outLen);
        }
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(prk));
        byte[] out = new byte[outLen];
        byte[] t = new byte[Hashes.SHA256_LEN];
        for (int i = 1, pos = 0; pos < outLen; i++, pos += Hashes.SHA256_LEN) {
            if (i > 1) {
                mac.update(t, 0, t.length);
            }
            mac.update(info, 0, info.length);
            mac.update((byte) i);
            mac.doFinal(t, 0); // doFinal resets the MAC to its key for the next block
            System.arraycopy(t, 0, out, pos, Math.min(t.length, outLen - pos));
        }
        return out;
    }

    /** extract then expand: the whole of KDF-RFC5869 with (secret_input, t_key, m_expand). */
    public static byte[] derive(byte[] ikm, byte[] salt, byte[] info, int outLen) {
        return expand(extract(salt, ikm), info, outLen);
    }
}
