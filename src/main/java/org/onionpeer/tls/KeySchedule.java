package org.onionpeer.tls;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1) over HKDF (RFC 5869) with SHA-256 or SHA-384, synchronous and in
 * the core: its inputs are a few dozen bytes, so a round trip to WebCrypto would cost more than it saves.
 */
public final class KeySchedule {
    private final boolean sha384;
    private final int hashLen;

    public KeySchedule(int cipherSuite) {
        this.sha384 = cipherSuite == Tls.TLS_AES_256_GCM_SHA384;
        this.hashLen = sha384 ? 48 : 32;
    }

    public int hashLength() {
        return hashLen;
    }

    Digest digest() {
        return sha384 ? new SHA384Digest() : new SHA256Digest();
    }

    public byte[] hash(byte[] data) {
        Digest d = digest();
        d.update(data, 0, data.length);
        byte[] out = new byte[hashLen];
        d.doFinal(out, 0);
        return out;
    }

    public byte[] hmac(byte[] key, byte[] data) {
        HMac mac = new HMac(digest());
        mac.init(new KeyParameter(key));
        mac.update(data, 0, data.length);
        byte[] out = new byte[hashLen];
        mac.doFinal(out, 0);
        return out;
    }

    /** HKDF-Extract(salt, IKM); a null salt or IKM means HashLen zero bytes. */
    public byte[] extract(byte[] salt, byte[] ikm) {
        return hmac(salt == null ? new byte[hashLen] : salt, ikm == null ? new byte[hashLen] : ikm);
    }

    public byte[] expand(byte[] prk, byte[] info, int length) {
        HMac mac = new HMac(digest());
        mac.init(new KeyParameter(prk));
        byte[] out = new byte[length];
        byte[] t = new byte[hashLen];
        for (int i = 1, pos = 0; pos < length; i++, pos += hashLen) {
            if (i > 1) {
                mac.update(t, 0, t.length);
            }
            mac.update(info, 0, info.length);
            mac.update((byte) i);
            mac.doFinal(t, 0);
            System.arraycopy(t, 0, out, pos, Math.min(hashLen, length - pos));
        }
        return out;
    }

    /** HKDF-Expand-Label(Secret, Label, Context, Length) with the "tls13 " prefix (§7.1). */
    public byte[] expandLabel(byte[] secret, String label, byte[] context, int length) {
        byte[] full = Bytes.ascii("tls13 " + label);
        ByteWriter w = new ByteWriter(4 + full.length + context.length);
        w.u16(length).u8(full.length).bytes(full).u8(context.length).bytes(context);
        return expand(secret, w.toByteArray(), length);
    }

    /** Derive-Secret(Secret, Label, Messages) given Transcript-Hash(Messages). */
    public byte[] deriveSecret(byte[] secret, String label, byte[] transcriptHash) {
        return expandLabel(secret, label, transcriptHash, hashLen);
    }

    public byte[] earlySecret() {
        return extract(null, null);
    }

    public byte[] handshakeSecret(byte[] sharedSecret) {
        byte[] derived = deriveSecret(earlySecret(), "derived", hash(new byte[0]));
        return extract(derived, sharedSecret);
    }

    public byte[] masterSecret(byte[] handshakeSecret) {
        byte[] derived = deriveSecret(handshakeSecret, "derived", hash(new byte[0]));
        return extract(derived, null);
    }

    /** The verify_data of a Finished message (§4.4.4) under {@code baseKey} over a transcript hash. */
    public byte[] finished(byte[] baseKey, byte[] transcriptHash) {
        return hmac(expandLabel(baseKey, "finished", new byte[0], hashLen), transcriptHash);
    }

    /** application_traffic_secret_N+1 (§7.2). */
    public byte[] nextTrafficSecret(byte[] secret) {
        return expandLabel(secret, "traffic upd", new byte[0], hashLen);
    }
}
