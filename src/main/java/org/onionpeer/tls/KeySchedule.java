package org.onionpeer.tls;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1) over HKDF (RFC 5869) with SHA-256 or SHA-384, and the TLS 1.2
 * PRF (RFC 5246 §5) over the same hash; synchronous and in the core: the inputs are a few dozen bytes, so a
 * round trip to WebCrypto would cost more than it saves.
 */
public final class KeySchedule {
    private final boolean sha384;
    private final int hashLen;

    public KeySchedule(int cipherSuite) {
        this.sha384 = Tls.hashLength(cipherSuite) == 48;
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

    /** The TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label || seed) with this suite's hash, {@code length} bytes. */
    public byte[] prf(byte[] secret, String label, byte[] seed, int length) {
        byte[] labelSeed = Bytes.concat(Bytes.ascii(label), seed);
        HMac mac = new HMac(digest());
        mac.init(new KeyParameter(secret));
        byte[] out = new byte[length];
        byte[] a = labelSeed; // A(0)
        byte[] block = new byte[hashLen];
        for (int pos = 0; pos < length; pos += hashLen) {
            byte[] next = new byte[hashLen];
            mac.update(a, 0, a.length);
            mac.doFinal(next, 0); // A(i) = HMAC(secret, A(i-1))
            a = next;
            mac.update(a, 0, a.length);
            mac.update(labelSeed, 0, labelSeed.length);
            mac.doFinal(block, 0);
            System.arraycopy(block, 0, out, pos, Math.min(hashLen, length - pos));
        }
        return out;
    }
}
