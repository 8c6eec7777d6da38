package org.onionpeer.tls;

import java.math.BigInteger;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.cert.Der;

/**
 * A certificate's SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), parsed for the key types TLS servers use: RSA
 * (rsaEncryption), EC on P-256 and P-384 (id-ecPublicKey with a named curve), and Ed25519. The DER is kept
 * whole because WebCrypto imports keys in "spki" form.
 */
public final class PublicKeyInfo {
    public static final String RSA = "RSA";
    public static final String EC_P256 = "EC P-256";
    public static final String EC_P384 = "EC P-384";
    public static final String ED25519 = "Ed25519";

    static final String OID_RSA = "1.2.840.113549.1.1.1";
    static final String OID_EC = "1.2.840.10045.2.1";
    static final String OID_P256 = "1.2.840.10045.3.1.7";
    static final String OID_P384 = "1.3.132.0.34";
    static final String OID_ED25519 = "1.3.101.112";

    private final String type;
    private final byte[] spki;
    private final byte[] key;
    private final BigInteger modulus;
    private final BigInteger exponent;

    private PublicKeyInfo(String type, byte[] spki, byte[] key, BigInteger modulus, BigInteger exponent) {
        this.type = type;
        this.spki = spki;
        this.key = key;
        this.modulus = modulus;
        this.exponent = exponent;
    }

    /** Parses one SubjectPublicKeyInfo element; unknown key types fail with their OID named. */
    static PublicKeyInfo parse(Der.Tlv spkiTlv) {
        Der.Reader r = spkiTlv.contents();
        Der.Reader alg = r.sequence("SubjectPublicKeyInfo algorithm");
        String oid = Der.oidString(alg.expect(Der.OID, "public key algorithm"), "public key algorithm");
        String param = null;
        if (alg.hasMore()) {
            Der.Tlv p = alg.next("public key parameters");
            if (p.tag == Der.OID) {
                param = Der.oidString(p, "named curve");
            } else if (p.tag != Der.NULL) {
                throw new TlsException(Alert.UNSUPPORTED_CERTIFICATE, "unsupported public key parameters");
            }
        }
        alg.end("public key algorithm");
        byte[] bits = bitString(r.expect(Der.BIT_STRING, "subjectPublicKey"), "subjectPublicKey");
        r.end("SubjectPublicKeyInfo");
        byte[] spki = spkiTlv.encoded();
        switch (oid) {
            case OID_RSA: {
                Der.Reader k = new Der.Reader(bits).sequence("RSAPublicKey");
                BigInteger n = k.integer("RSA modulus");
                BigInteger e = k.integer("RSA exponent");
                k.end("RSAPublicKey");
                if (n.signum() <= 0 || !n.testBit(0) || n.bitLength() < 1024 || n.bitLength() > 8192) {
                    throw new TlsException(Alert.UNSUPPORTED_CERTIFICATE,
                            "RSA key of " + n.bitLength() + " bits is out of range (1024 to 8192)");
                }
                if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0) || e.bitLength() > 64) {
                    throw new TlsException(Alert.UNSUPPORTED_CERTIFICATE, "RSA public exponent out of range");
                }
                return new PublicKeyInfo(RSA, spki, bits, n, e);
            }
            case OID_EC: {
                String type = OID_P256.equals(param) ? EC_P256 : OID_P384.equals(param) ? EC_P384 : null;
                if (type == null) {
                    throw new TlsException(Alert.UNSUPPORTED_CERTIFICATE, "unsupported elliptic curve " + param);
                }
                int len = type.equals(EC_P256) ? 65 : 97;
                if (bits.length != len || bits[0] != 4) {
                    throw new TlsException(Alert.BAD_CERTIFICATE, "EC public key is not an uncompressed point");
                }
                return new PublicKeyInfo(type, spki, bits, null, null);
            }
            case OID_ED25519:
                if (bits.length != 32 || param != null) {
                    throw new TlsException(Alert.BAD_CERTIFICATE, "Ed25519 public key of wrong length");
                }
                return new PublicKeyInfo(ED25519, spki, bits, null, null);
            default:
                throw new TlsException(Alert.UNSUPPORTED_CERTIFICATE, "unsupported public key algorithm " + oid);
        }
    }

    static byte[] bitString(Der.Tlv t, String what) {
        byte[] v = t.value();
        if (v.length < 1 || v[0] != 0) {
            throw new TlsException(Alert.BAD_CERTIFICATE, what + ": BIT STRING with unused bits");
        }
        return Bytes.slice(v, 1, v.length - 1);
    }

    /** {@link #RSA}, {@link #EC_P256}, {@link #EC_P384} or {@link #ED25519}. */
    public String type() {
        return type;
    }

    /** The whole SubjectPublicKeyInfo DER (WebCrypto's "spki" import format). */
    public byte[] spki() {
        return spki.clone();
    }

    /** The subjectPublicKey bits: RSAPublicKey DER, an uncompressed EC point, or the Ed25519 key. */
    public byte[] key() {
        return key.clone();
    }

    public BigInteger rsaModulus() {
        return modulus;
    }

    public BigInteger rsaExponent() {
        return exponent;
    }

    /** True if {@code scheme} (a TLS SignatureScheme) is one this key can verify. */
    public boolean fits(int scheme) {
        switch (scheme) {
            case Tls.RSA_PKCS1_SHA256: case Tls.RSA_PKCS1_SHA384: case Tls.RSA_PKCS1_SHA512:
            case Tls.RSA_PSS_RSAE_SHA256: case Tls.RSA_PSS_RSAE_SHA384: case Tls.RSA_PSS_RSAE_SHA512:
                return type.equals(RSA);
            case Tls.ECDSA_SECP256R1_SHA256:
                return type.equals(EC_P256);
            case Tls.ECDSA_SECP384R1_SHA384:
                return type.equals(EC_P384);
            case Tls.ED25519:
                return type.equals(ED25519);
            default:
                return false;
        }
    }

    /**
     * True if this key can check a certificate signature of {@code scheme}: for ECDSA the hash comes from the
     * scheme and the curve from the key (an X.509 signature does not tie them as TLS 1.3 does).
     */
    public boolean fitsCertificateSignature(int scheme) {
        if (scheme == Tls.ECDSA_SECP256R1_SHA256 || scheme == Tls.ECDSA_SECP384R1_SHA384) {
            return type.equals(EC_P256) || type.equals(EC_P384);
        }
        return fits(scheme);
    }

    @Override
    public String toString() {
        return type + (modulus != null ? " " + modulus.bitLength() : "");
    }
}
