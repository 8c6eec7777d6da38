package org.onionpeer.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * RSA as Tor uses it: 1024-bit identity keys, PKCS#1 DER key encodings, PKCS#1 v1.5 signatures with SHA-256
 * or SHA-1 (X.509 certificates), and Tor's own "PKCS#1 v1.5 padding around a bare digest, no DigestInfo"
 * signature (the RSA-&gt;Ed25519 cross-certificate, cert-spec §2.3; tor signs it with
 * {@code crypto_pk_private_sign}, i.e. OpenSSL {@code RSA_private_encrypt} with {@code RSA_PKCS1_PADDING}).
 *
 * <p>Padding is built and checked here (RFC 8017 §9.2 EMSA-PKCS1-v1_5) over Bouncy Castle's raw RSA, so the
 * same code runs on the JVM and under TeaVM. Verification re-encodes the expected block and compares it whole,
 * instead of parsing the decrypted block, which leaves no room for lenient-parsing forgeries.
 */
public final class Rsa {
    /** Bounds for keys we accept from the network: small enough that one verify stays cheap. */
    public static final int MAX_MODULUS_BITS = 8192;
    public static final int MIN_MODULUS_BITS = 512;
    public static final int MAX_EXPONENT_BITS = 64;

    /** RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest itself. */
    private static final byte[] SHA1_DIGEST_INFO = Bytes.unhex("3021300906052b0e03021a05000414");
    private static final byte[] SHA256_DIGEST_INFO = Bytes.unhex("3031300d060960864801650304020105000420");

    private static SecureRandom blindingRandom;

    private Rsa() {
    }

    /** An RSA public key (modulus, public exponent). Immutable. */
    public static final class PublicKey {
        private final BigInteger modulus;
        private final BigInteger exponent;

        public PublicKey(BigInteger modulus, BigInteger exponent) {
            if (modulus.signum() <= 0 || exponent.signum() <= 0) {
                throw new IllegalArgumentException("RSA key components must be positive");
            }
            this.modulus = modulus;
            this.exponent = exponent;
        }

        public BigInteger modulus() {
            return modulus;
        }

        public BigInteger exponent() {
            return exponent;
        }

        /** Size of the modulus in bits (Tor identity keys: exactly 1024, tor-spec §4.2). */
        public int bits() {
            return modulus.bitLength();
        }

        /** Length in bytes of the modulus, which is the length of every signature. */
        public int byteLength() {
            return (modulus.bitLength() + 7) / 8;
        }

        /** PKCS#1 RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, DER. */
        public byte[] toPkcs1Der() {
            byte[] body = Bytes.concat(derInteger(modulus), derInteger(exponent));
            return derTlv(0x30, body);
        }

        /** Parses a PKCS#1 RSAPublicKey in strict DER; exactly one structure, nothing after it. */
        public static PublicKey fromPkcs1Der(byte[] der) {
            MiniDer r = new MiniDer(der, 0, der.length);
            MiniDer seq = r.sequence();
            r.end("RSAPublicKey");
            BigInteger n = seq.integer("modulus");
            BigInteger e = seq.integer("publicExponent");
            seq.end("RSAPublicKey");
            return checked(n, e);
        }

        /** Builds a key from network values, rejecting ones we will not compute with. */
        public static PublicKey checked(BigInteger n, BigInteger e) {
            if (n.signum() <= 0 || !n.testBit(0)) {
                throw new ProtocolException("RSA modulus must be positive and odd");
            }
            if (n.bitLength() < MIN_MODULUS_BITS || n.bitLength() > MAX_MODULUS_BITS) {
                throw new ProtocolException("RSA modulus of " + n.bitLength() + " bits is out of range");
            }
            if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0) || e.bitLength() > MAX_EXPONENT_BITS
                    || e.compareTo(n) >= 0) {
                throw new ProtocolException("RSA public exponent out of range");
            }
            return new PublicKey(n, e);
        }

        /** PKCS#1 v1.5 signature with SHA-256 in a DigestInfo (sha256WithRSAEncryption). */
        public boolean verifySha256(byte[] message, byte[] signature) {
            return verifyEncoded(Bytes.concat(SHA256_DIGEST_INFO, sha256(message)), signature);
        }

        /** PKCS#1 v1.5 signature with SHA-1 in a DigestInfo (sha1WithRSAEncryption). */
        public boolean verifySha1(byte[] message, byte[] signature) {
            return verifyEncoded(Bytes.concat(SHA1_DIGEST_INFO, sha1(message)), signature);
        }

        /**
         * Tor's raw variant: PKCS#1 v1.5 type-1 padding around {@code digest} itself, no DigestInfo
         * (cert-spec §2.3 cross-certificate). The recovered data must be exactly {@code digest}.
         */
        public boolean verifyRawDigest(byte[] digest, byte[] signature) {
            return verifyEncoded(digest, signature);
        }

        private boolean verifyEncoded(byte[] t, byte[] signature) {
            int k = byteLength();
            if (signature == null || signature.length != k || t.length > k - 11) {
                return false;
            }
            BigInteger s = new BigInteger(1, signature);
            if (s.compareTo(modulus) >= 0) {
                return false;
            }
            byte[] em = i2osp(s.modPow(exponent, modulus), k);
            return Bytes.constantTimeEquals(em, emsaPkcs1(t, k));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PublicKey && ((PublicKey) o).modulus.equals(modulus)
                    && ((PublicKey) o).exponent.equals(exponent);
        }

        @Override
        public int hashCode() {
            return modulus.hashCode() * 31 + exponent.hashCode();
        }
    }

    /** An RSA private key with CRT components. Holds secrets: never log it. */
    public static final class PrivateKey {
        private final BigInteger n;
        private final BigInteger e;
        private final BigInteger d;
        private final BigInteger p;
        private final BigInteger q;
        private final BigInteger dp;
        private final BigInteger dq;
        private final BigInteger qinv;
        private final PublicKey publicKey;
        private RSAPrivateCrtKeyParameters params; // built on first use: Bouncy Castle validates (slowly) there

        private PrivateKey(BigInteger n, BigInteger e, BigInteger d, BigInteger p, BigInteger q, BigInteger dp,
                BigInteger dq, BigInteger qinv) {
            this.n = n;
            this.e = e;
            this.d = d;
            this.p = p;
            this.q = q;
            this.dp = dp;
            this.dq = dq;
            this.qinv = qinv;
            this.publicKey = new PublicKey(n, e);
        }

        /** Builds the key from n, e, d, p, q; the CRT exponents and coefficient are derived. */
        public static PrivateKey fromComponents(BigInteger n, BigInteger e, BigInteger d, BigInteger p,
                BigInteger q) {
            BigInteger one = BigInteger.ONE;
            if (p.compareTo(one) <= 0 || q.compareTo(one) <= 0 || !p.multiply(q).equals(n)) {
                throw new IllegalArgumentException("p*q != n");
            }
            return new PrivateKey(n, e, d, p, q, d.mod(p.subtract(one)), d.mod(q.subtract(one)), q.modInverse(p));
        }

        // No lock (the core has none): two threads racing here both build equal, valid
        // parameters, and a reference write is atomic.
        private RSAPrivateCrtKeyParameters params() {
            if (params == null) {
                params = new RSAPrivateCrtKeyParameters(n, e, d, p, q, dp, dq, qinv);
            }
            return params;
        }

        public PublicKey publicKey() {
            return publicKey;
        }

        public byte[] signSha256(byte[] message) {
            return signEncoded(Bytes.concat(SHA256_DIGEST_INFO, sha256(message)));
        }

        public byte[] signSha1(byte[] message) {
            return signEncoded(Bytes.concat(SHA1_DIGEST_INFO, sha1(message)));
        }

        /** Tor's raw variant: PKCS#1 v1.5 type-1 padding around {@code digest}, no DigestInfo. */
        public byte[] signRawDigest(byte[] digest) {
            return signEncoded(digest.clone());
        }

        private byte[] signEncoded(byte[] t) {
            int k = publicKey.byteLength();
            if (t.length > k - 11) {
                throw new IllegalArgumentException("data too long for the RSA modulus");
            }
            byte[] em = emsaPkcs1(t, k);
            RSABlindedEngine engine = new RSABlindedEngine();
            engine.init(true, new ParametersWithRandom(params(), random()));
            byte[] s = engine.processBlock(em, 0, em.length);
            return i2osp(new BigInteger(1, s), k); // the engine strips leading zeros; signatures are k bytes
        }

        /**
         * PKCS#1 RSAPrivateKey (version 0, two primes) in DER: for key stores on platforms that keep bytes.
         */
        public byte[] toPkcs1Der() {
            byte[] body = Bytes.concat(derInteger(BigInteger.ZERO), derInteger(n), derInteger(e), derInteger(d),
                    derInteger(p), derInteger(q), derInteger(dp), derInteger(dq), derInteger(qinv));
            return derTlv(0x30, body);
        }

        public static PrivateKey fromPkcs1Der(byte[] der) {
            MiniDer r = new MiniDer(der, 0, der.length);
            MiniDer seq = r.sequence();
            r.end("RSAPrivateKey");
            if (seq.integer("version").signum() != 0) {
                throw new ProtocolException("RSAPrivateKey: only two-prime version 0 is supported");
            }
            BigInteger n = seq.integer("modulus");
            BigInteger e = seq.integer("publicExponent");
            BigInteger d = seq.integer("privateExponent");
            BigInteger p = seq.integer("prime1");
            BigInteger q = seq.integer("prime2");
            BigInteger dp = seq.integer("exponent1");
            BigInteger dq = seq.integer("exponent2");
            BigInteger qinv = seq.integer("coefficient");
            seq.end("RSAPrivateKey");
            PublicKey.checked(n, e);
            BigInteger one = BigInteger.ONE;
            if (p.compareTo(one) <= 0 || q.compareTo(one) <= 0 || !p.multiply(q).equals(n)) {
                throw new ProtocolException("RSAPrivateKey: primes do not match the modulus");
            }
            // Cheap range checks only; a stored key with inconsistent CRT values fails when it signs
            // (Bouncy Castle checks each CRT result).
            if (d.signum() <= 0 || d.compareTo(n) >= 0 || dp.signum() <= 0 || dp.compareTo(p) >= 0
                    || dq.signum() <= 0 || dq.compareTo(q) >= 0 || qinv.signum() <= 0 || qinv.compareTo(p) >= 0) {
                throw new ProtocolException("RSAPrivateKey: component out of range");
            }
            return new PrivateKey(n, e, d, p, q, dp, dq, qinv);
        }
    }

    /**
     * A fresh key with public exponent 65537. Slow (hundreds of ms for 1024 bits on the JVM, far more in a
     * browser), so only the JVM side generates identities; known-answer suites use fixed keys.
     */
    public static PrivateKey generate(int bits, SecureRandom random) {
        RSAKeyPairGenerator g = new RSAKeyPairGenerator();
        g.init(new RSAKeyGenerationParameters(BigInteger.valueOf(65537), random, bits, 112));
        AsymmetricCipherKeyPair kp = g.generateKeyPair();
        RSAPrivateCrtKeyParameters k = (RSAPrivateCrtKeyParameters) kp.getPrivate();
        return new PrivateKey(k.getModulus(), k.getPublicExponent(), k.getExponent(), k.getP(), k.getQ(), k.getDP(),
                k.getDQ(), k.getQInv());
    }

    public static byte[] sha256(byte[] data) {
        return digest(new SHA256Digest(), data);
    }

    public static byte[] sha1(byte[] data) {
        return Hashes.sha1(data);
    }

    private static byte[] digest(Digest d, byte[] data) {
        d.update(data, 0, data.length);
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }

    // Lazy and lock-free on purpose: a racing second SecureRandom is harmless.
    private static SecureRandom random() {
        if (blindingRandom == null) {
            blindingRandom = new SecureRandom();
        }
        return blindingRandom;
    }

    /** EM = 00 01 FF..FF 00 T, k bytes long (RFC 8017 §9.2 step 5). */
    private static byte[] emsaPkcs1(byte[] t, int k) {
        byte[] em = new byte[k];
        em[1] = 0x01;
        int psEnd = k - t.length - 1;
        for (int i = 2; i < psEnd; i++) {
            em[i] = (byte) 0xff;
        }
        System.arraycopy(t, 0, em, k - t.length, t.length);
        return em;
    }

    /** I2OSP: big-endian, left-padded to exactly {@code len} bytes. */
    private static byte[] i2osp(BigInteger x, int len) {
        byte[] b = x.toByteArray();
        if (b.length == len) {
            return b;
        }
        byte[] out = new byte[len];
        if (b.length > len) { // only a sign byte can be extra
            System.arraycopy(b, b.length - len, out, 0, len);
        } else {
            System.arraycopy(b, 0, out, len - b.length, b.length);
        }
        return out;
    }

    static byte[] derInteger(BigInteger v) {
        return derTlv(0x02, v.toByteArray()); // two's complement minimal form is exactly DER's
    }

    static byte[] derTlv(int tag, byte[] body) {
        ByteWriter w = new ByteWriter(body.length + 6);
        w.u8(tag);
        int n = body.length;
        if (n < 0x80) {
            w.u8(n);
        } else if (n <= 0xff) {
            w.u8(0x81).u8(n);
        } else if (n <= 0xffff) {
            w.u8(0x82).u16(n);
        } else {
            w.u8(0x83).u8(n >>> 16).u16(n & 0xffff);
        }
        return w.bytes(body).toByteArray();
    }

    /**
     * Just enough strict DER to read a SEQUENCE of INTEGERs (PKCS#1 keys). The general DER reader lives in
     * the cert package; this copy keeps crypto free of a dependency on a higher layer.
     */
    private static final class MiniDer {
        private final byte[] b;
        private int pos;
        private final int end;

        MiniDer(byte[] b, int off, int len) {
            this.b = b;
            this.pos = off;
            this.end = off + len;
        }

        private int header(int wantTag, String what) {
            if (end - pos < 2) {
                throw new ProtocolException(what + ": truncated DER");
            }
            if ((b[pos] & 0xff) != wantTag) {
                throw new ProtocolException(what + ": expected DER tag " + wantTag + ", got " + (b[pos] & 0xff));
            }
            pos++;
            int first = b[pos++] & 0xff;
            int len;
            if (first < 0x80) {
                len = first;
            } else {
                int n = first & 0x7f;
                if (n == 0 || n > 3 || end - pos < n) {
                    throw new ProtocolException(what + ": bad DER length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[pos++] & 0xff);
                }
                if (len < 0x80 || (len >> (8 * (n - 1))) == 0) {
                    throw new ProtocolException(what + ": non-minimal DER length");
                }
            }
            if (len > end - pos) {
                throw new ProtocolException(what + ": DER length beyond input");
            }
            return len;
        }

        MiniDer sequence() {
            int len = header(0x30, "SEQUENCE");
            MiniDer inner = new MiniDer(b, pos, len);
            pos += len;
            return inner;
        }

        BigInteger integer(String what) {
            int len = header(0x02, what);
            if (len == 0) {
                throw new ProtocolException(what + ": empty INTEGER");
            }
            if (len > 1 && ((b[pos] == 0 && (b[pos + 1] & 0x80) == 0) || (b[pos] == (byte) 0xff
                    && (b[pos + 1] & 0x80) != 0))) {
                throw new ProtocolException(what + ": non-minimal INTEGER");
            }
            if (len > MAX_MODULUS_BITS / 8 + 1) {
                throw new ProtocolException(what + ": INTEGER too large");
            }
            byte[] v = new byte[len];
            System.arraycopy(b, pos, v, 0, len);
            pos += len;
            BigInteger x = new BigInteger(v);
            if (x.signum() < 0) {
                throw new ProtocolException(what + ": negative INTEGER");
            }
            return x;
        }

        void end(String what) {
            if (pos != end) {
                throw new ProtocolException(what + ": trailing bytes after DER structure");
            }
        }
    }
}
