package org.onionpeer.cert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;

/**
 * A Tor Ed25519 certificate (cert-spec §2.1):
 * VERSION(1)=01 CERT_TYPE(1) EXPIRATION_DATE(4, hours since the epoch) CERT_KEY_TYPE(1) CERTIFIED_KEY(32)
 * N_EXTENSIONS(1) {ExtLength(2) ExtType(1) ExtFlags(1) ExtData} SIGNATURE(64), the signature covering every
 * byte before it (no personalization prefix for this format). Immutable.
 */
public final class Ed25519Cert {
    /** CERT_TYPE values (cert-spec A.1). */
    public static final int TYPE_IDENTITY_V_SIGNING = 4;
    public static final int TYPE_SIGNING_V_TLS_CERT = 5;
    public static final int TYPE_SIGNING_V_LINK_AUTH = 6;
    public static final int TYPE_NTOR_CC_IDENTITY = 0x0a;

    /** CERT_KEY_TYPE values (cert-spec A.4). */
    public static final int KEY_ED25519 = 1;
    public static final int KEY_SHA256_OF_RSA = 2;
    public static final int KEY_SHA256_OF_X509 = 3;

    /** Extension types and flags (cert-spec §2.1, §2.2.1). */
    public static final int EXT_SIGNED_WITH_ED25519_KEY = 4;
    public static final int FLAG_AFFECTS_VALIDATION = 1;

    public static final int VERSION = 1;
    private static final int MIN_LENGTH = 1 + 1 + 4 + 1 + 32 + 1 + 64;

    /** One extension as it appeared on the wire. */
    public static final class Extension {
        public final int type;
        public final int flags;
        private final byte[] data;

        public Extension(int type, int flags, byte[] data) {
            if (type < 0 || type > 255 || flags < 0 || flags > 255 || data.length > 0xffff) {
                throw new IllegalArgumentException("extension field out of range");
            }
            this.type = type;
            this.flags = flags;
            this.data = data.clone();
        }

        public byte[] data() {
            return data.clone();
        }
    }

    private final byte[] encoded;
    private final int certType;
    private final long expirationHours;
    private final int certKeyType;
    private final byte[] certifiedKey;
    private final List<Extension> extensions;
    private final byte[] signingKey; // from extension 04, or null

    private Ed25519Cert(byte[] encoded, int certType, long expirationHours, int certKeyType, byte[] certifiedKey,
            List<Extension> extensions, byte[] signingKey) {
        this.encoded = encoded;
        this.certType = certType;
        this.expirationHours = expirationHours;
        this.certKeyType = certKeyType;
        this.certifiedKey = certifiedKey;
        this.extensions = Collections.unmodifiableList(extensions);
        this.signingKey = signingKey;
    }

    /**
     * Parses a certificate that fills {@code b} exactly. Rejects (cert-spec §2.1, §2.2.1): a version other
     * than 1, truncated or overlong input, a signed-with-ed25519-key extension that is not 32 bytes or that
     * appears twice, and any unrecognized extension flagged AFFECTS_VALIDATION.
     */
    public static Ed25519Cert decode(byte[] b) {
        if (b.length < MIN_LENGTH) {
            throw new ProtocolException("Ed25519 cert: " + b.length + " bytes is too short");
        }
        ByteReader r = new ByteReader(b);
        int version = r.u8();
        if (version != VERSION) {
            throw new ProtocolException("Ed25519 cert: unsupported version " + version);
        }
        int type = r.u8();
        long exp = r.u32();
        int keyType = r.u8();
        byte[] key = r.bytes(32);
        int n = r.u8();
        List<Extension> exts = new ArrayList<>(n);
        byte[] signing = null;
        for (int i = 0; i < n; i++) {
            int len = r.u16();
            int extType = r.u8();
            int flags = r.u8();
            if (len > r.remaining() - 64) {
                throw new ProtocolException("Ed25519 cert: extension " + extType + " truncated");
            }
            byte[] data = r.bytes(len);
            if (extType == EXT_SIGNED_WITH_ED25519_KEY) {
                if (len != 32) {
                    throw new ProtocolException("Ed25519 cert: signed-with-ed25519-key extension of " + len
                            + " bytes");
                }
                if (signing != null) {
                    throw new ProtocolException("Ed25519 cert: duplicate signed-with-ed25519-key extension");
                }
                signing = data;
            } else if ((flags & FLAG_AFFECTS_VALIDATION) != 0) {
                throw new ProtocolException("Ed25519 cert: unrecognized extension " + extType
                        + " affects validation");
            }
            exts.add(new Extension(extType, flags, data));
        }
        r.skip(64);
        if (r.hasRemaining()) {
            throw new ProtocolException("Ed25519 cert: " + r.remaining() + " trailing bytes");
        }
        return new Ed25519Cert(b.clone(), type, exp, keyType, key, exts, signing);
    }

    /**
     * Creates and signs a certificate. With {@code includeSigningKey} the signer's public key travels in a
     * signed-with-ed25519-key extension (as in CERTS type 4, where the verifier learns the identity from it).
     */
    public static Ed25519Cert create(int certType, byte[] certifiedKey, int certKeyType, long expirationHours,
            Ed25519.KeyPair signer, boolean includeSigningKey) {
        List<Extension> exts = new ArrayList<>();
        if (includeSigningKey) {
            exts.add(new Extension(EXT_SIGNED_WITH_ED25519_KEY, 0, signer.publicKey()));
        }
        return create(certType, certifiedKey, certKeyType, expirationHours, exts, signer);
    }

    /** Creates and signs a certificate with exactly the given extensions (tests use it for odd ones). */
    public static Ed25519Cert create(int certType, byte[] certifiedKey, int certKeyType, long expirationHours,
            List<Extension> extensions, Ed25519.KeyPair signer) {
        if (certifiedKey.length != 32) {
            throw new IllegalArgumentException("certified key must be 32 bytes");
        }
        if (certType < 0 || certType > 255 || certKeyType < 0 || certKeyType > 255 || expirationHours < 0
                || expirationHours > 0xffffffffL || extensions.size() > 255) {
            throw new IllegalArgumentException("certificate field out of range");
        }
        ByteWriter w = new ByteWriter(MIN_LENGTH + 40 * extensions.size());
        w.u8(VERSION).u8(certType).u32(expirationHours).u8(certKeyType).bytes(certifiedKey);
        w.u8(extensions.size());
        for (Extension e : extensions) {
            w.u16(e.data.length).u8(e.type).u8(e.flags).bytes(e.data);
        }
        byte[] body = w.toByteArray();
        return decode(Bytes.concat(body, signer.sign(body)));
    }

    /**
     * Checks the certificate: the signing key is {@code signingKey} when given (and must then equal any key
     * in extension 04), else the key carried in extension 04; it must not have expired at {@code nowSeconds}
     * (tor: expired once EXPIRATION_DATE*3600 &lt; now); the signature must verify.
     *
     * @throws ProtocolException "no signing key", "signing key mismatch", "expired" or "bad signature"
     */
    public void verify(byte[] signingKey, long nowSeconds) {
        byte[] key = signingKey;
        if (key == null) {
            if (this.signingKey == null) {
                throw new ProtocolException("Ed25519 cert: no signing key given or included");
            }
            key = this.signingKey;
        } else if (this.signingKey != null && !Bytes.constantTimeEquals(this.signingKey, key)) {
            throw new ProtocolException("Ed25519 cert: included signing key does not match the expected key");
        }
        if (isExpired(nowSeconds)) {
            throw new ProtocolException("Ed25519 cert: expired");
        }
        if (!signatureValidBy(key)) {
            throw new ProtocolException("Ed25519 cert: bad signature");
        }
    }

    public boolean signatureValidBy(byte[] key) {
        return Ed25519.verify(key, encoded, 0, encoded.length - 64, signature());
    }

    public boolean isExpired(long nowSeconds) {
        return expirationHours * 3600L < nowSeconds;
    }

    public byte[] encode() {
        return encoded.clone();
    }

    public int certType() {
        return certType;
    }

    public long expirationHours() {
        return expirationHours;
    }

    public int certKeyType() {
        return certKeyType;
    }

    public byte[] certifiedKey() {
        return certifiedKey.clone();
    }

    public List<Extension> extensions() {
        return extensions;
    }

    /** The key from the signed-with-ed25519-key extension, or null when absent. */
    public byte[] includedSigningKey() {
        return signingKey == null ? null : signingKey.clone();
    }

    public byte[] signature() {
        return Bytes.slice(encoded, encoded.length - 64, 64);
    }
}
