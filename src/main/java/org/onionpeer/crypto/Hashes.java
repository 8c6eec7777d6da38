package org.onionpeer.crypto;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * One-shot SHA-1 ({@link TunedSha1}, which the relay cells use too), SHA-256 and HMAC-SHA256 (Bouncy Castle's
 * lightweight API) over concatenated parts; TeaVM-safe, no JCA. Used by the handshakes, which are not on the per-cell hot path.
 */
public final class Hashes {
    public static final int SHA1_LEN = 20;
    public static final int SHA256_LEN = 32;

    private Hashes() {
    }

    /** SHA-1(parts[0] | parts[1] | ...). */
    public static byte[] sha1(byte[]... parts) {
        TunedSha1 d = new TunedSha1(); // not BC's SHA1Digest: one SHA-1 in onionpeer.js (issue 12)
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[SHA1_LEN];
        d.peek(out, 0, SHA1_LEN);
        return out;
    }

    /** SHA-256(parts[0] | parts[1] | ...). */
    public static byte[] sha256(byte[]... parts) {
        return digest(new SHA256Digest(), parts);
    }

    /** HMAC-SHA256 keyed with {@code key} over the concatenation of {@code parts} (RFC 2104). */
    public static byte[] hmacSha256(byte[] key, byte[]... parts) {
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(key));
        for (byte[] p : parts) {
            mac.update(p, 0, p.length);
        }
        byte[] out = new byte[SHA256_LEN];
        mac.doFinal(out, 0);
        return out;
    }

    private static byte[] digest(Digest d, byte[][] parts) {
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }
}
