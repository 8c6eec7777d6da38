package org.onionpeer.cert;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Rsa;

/**
 * The RSA-&gt;Ed25519 cross-certificate, CERTS type 7 (cert-spec §2.3):
 * ED25519_KEY(32) EXPIRATION_DATE(4, hours) SIGLEN(1) SIGNATURE(SIGLEN). The relay's RSA identity key signs
 * SHA-256("Tor TLS RSA/Ed25519 cross-certificate" | ED25519_KEY | EXPIRATION_DATE) with PKCS#1 v1.5 padding
 * around the bare digest, no DigestInfo (tor's rsa_ed25519_crosscert_check uses crypto_pk_public_checksig and
 * compares the recovered bytes with the digest). Immutable.
 */
public final class RsaCrossCert {
    static final byte[] PREFIX = Bytes.ascii("Tor TLS RSA/Ed25519 cross-certificate");
    private static final int SIGNED_LENGTH = 32 + 4;

    private final byte[] encoded;
    private final byte[] ed25519Key;
    private final long expirationHours;
    private final byte[] signature;

    private RsaCrossCert(byte[] encoded, byte[] ed25519Key, long expirationHours, byte[] signature) {
        this.encoded = encoded;
        this.ed25519Key = ed25519Key;
        this.expirationHours = expirationHours;
        this.signature = signature;
    }

    /** Parses a cross-certificate that fills {@code b} exactly (tor rejects overlong ones too). */
    public static RsaCrossCert decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        if (b.length < SIGNED_LENGTH + 1) {
            throw new ProtocolException("RSA cross-cert: " + b.length + " bytes is too short");
        }
        byte[] key = r.bytes(32);
        long exp = r.u32();
        int sigLen = r.u8();
        if (sigLen != r.remaining()) {
            throw new ProtocolException("RSA cross-cert: SIGLEN " + sigLen + " but " + r.remaining()
                    + " signature bytes");
        }
        byte[] sig = r.bytes(sigLen);
        return new RsaCrossCert(b.clone(), key, exp, sig);
    }

    /** Creates and signs a cross-certificate for {@code ed25519Identity} with the RSA identity key. */
    public static RsaCrossCert create(byte[] ed25519Identity, long expirationHours, Rsa.PrivateKey rsaIdentity) {
        if (ed25519Identity.length != 32 || expirationHours < 0 || expirationHours > 0xffffffffL) {
            throw new IllegalArgumentException("bad cross-certificate field");
        }
        byte[] signed = new ByteWriter(SIGNED_LENGTH).bytes(ed25519Identity).u32(expirationHours).toByteArray();
        byte[] sig = rsaIdentity.signRawDigest(digest(signed));
        if (sig.length > 255) {
            throw new IllegalArgumentException("RSA key too large for SIGLEN");
        }
        return decode(new ByteWriter().bytes(signed).u8(sig.length).bytes(sig).toByteArray());
    }

    private static byte[] digest(byte[] signedPart) {
        return Rsa.sha256(Bytes.concat(PREFIX, signedPart));
    }

    /**
     * Checks that {@code rsaIdentity} signed this certificate, that it certifies {@code expectedEd25519}
     * (when not null) and that it has not expired at {@code nowSeconds}.
     *
     * @throws ProtocolException naming the first failed check
     */
    public void verify(Rsa.PublicKey rsaIdentity, byte[] expectedEd25519, long nowSeconds) {
        if (expectedEd25519 != null && !Bytes.constantTimeEquals(expectedEd25519, ed25519Key)) {
            throw new ProtocolException("RSA cross-cert: certifies a different Ed25519 identity");
        }
        if (isExpired(nowSeconds)) {
            throw new ProtocolException("RSA cross-cert: expired");
        }
        if (!signatureValidBy(rsaIdentity)) {
            throw new ProtocolException("RSA cross-cert: bad signature");
        }
    }

    public boolean signatureValidBy(Rsa.PublicKey rsaIdentity) {
        return rsaIdentity.verifyRawDigest(digest(Bytes.slice(encoded, 0, SIGNED_LENGTH)), signature);
    }

    public boolean isExpired(long nowSeconds) {
        return expirationHours * 3600L < nowSeconds;
    }

    public byte[] encode() {
        return encoded.clone();
    }

    public byte[] ed25519Key() {
        return ed25519Key.clone();
    }

    public long expirationHours() {
        return expirationHours;
    }

    public byte[] signature() {
        return signature.clone();
    }
}
