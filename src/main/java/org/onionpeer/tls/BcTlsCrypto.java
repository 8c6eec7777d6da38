package org.onionpeer.tls;

import java.math.BigInteger;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.RSAEngine;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.onionpeer.platform.Entropy;

/**
 * {@link TlsCrypto} on Bouncy Castle's lightweight classes: X25519 and P-256 ECDH, AES-GCM and
 * ChaCha20-Poly1305, RSA PKCS#1 v1.5 and PSS, ECDSA on P-256/P-384, Ed25519. Pure Java, so it runs on the
 * JVM and (slower) under TeaVM; every answer comes back at once, inside the call.
 */
public final class BcTlsCrypto implements TlsCrypto {
    private final Entropy entropy;

    public BcTlsCrypto(Entropy entropy) {
        this.entropy = entropy;
    }

    @Override
    public void random(byte[] out) {
        entropy.nextBytes(out);
    }

    @Override
    public boolean supportsGroup(int group) {
        return group == Tls.X25519 || group == Tls.SECP256R1;
    }

    @Override
    public void keyShare(int group, Done<KeyShare> done) {
        if (group == Tls.X25519) {
            done.done(x25519(entropy));
        } else if (group == Tls.SECP256R1) {
            X9ECParameters x9 = CustomNamedCurves.getByName("secp256r1");
            ECDomainParameters dom = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
            BigInteger d;
            byte[] seed = new byte[40];
            do {
                entropy.nextBytes(seed);
                d = new BigInteger(1, seed).mod(dom.getN());
            } while (d.signum() == 0);
            ECPrivateKeyParameters priv = new ECPrivateKeyParameters(d, dom);
            byte[] pub = dom.getG().multiply(d).normalize().getEncoded(false);
            done.done(new KeyShare() {
                public int group() {
                    return group;
                }

                public byte[] publicKey() {
                    return pub.clone();
                }

                public void agree(byte[] peer, Done<byte[]> dn) {
                    byte[] out;
                    try {
                        if (peer.length != 65 || peer[0] != 4) {
                            throw new IllegalArgumentException("not an uncompressed point");
                        }
                        ECPoint q = dom.getCurve().decodePoint(peer); // validates the point is on the curve
                        ECDHBasicAgreement a = new ECDHBasicAgreement();
                        a.init(priv);
                        BigInteger z = a.calculateAgreement(new ECPublicKeyParameters(q, dom));
                        out = toFixed(z, 32);
                    } catch (RuntimeException e) {
                        out = null;
                    }
                    dn.done(out);
                }
            });
        } else {
            throw new IllegalArgumentException("unsupported group " + Tls.groupName(group));
        }
    }

    static byte[] toFixed(BigInteger v, int len) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[len];
        int n = Math.min(b.length, len);
        System.arraycopy(b, b.length - n, out, len - n, n);
        return out;
    }

    /**
     * An X25519 key share (RFC 7748), on its own so that a platform with native crypto can fall back to just
     * this (the page's tls.js on a browser without WebCrypto X25519) without pulling in the rest.
     */
    public static KeyShare x25519(Entropy entropy) {
        byte[] priv = new byte[X25519.SCALAR_SIZE];
        entropy.nextBytes(priv);
        byte[] pub = new byte[X25519.POINT_SIZE];
        X25519.scalarMultBase(priv, 0, pub, 0);
        return new KeyShare() {
            public int group() {
                return Tls.X25519;
            }

            public byte[] publicKey() {
                return pub.clone();
            }

            public void agree(byte[] peer, Done<byte[]> d) {
                byte[] out = new byte[X25519.POINT_SIZE];
                // calculateAgreement refuses an all-zero result (a small-order peer point, RFC 7748 §6.1).
                boolean ok = peer.length == X25519.POINT_SIZE && X25519.calculateAgreement(priv, 0, peer, 0, out, 0);
                d.done(ok ? out : null);
            }
        };
    }

    @Override
    public Aead aead(int cipherSuite, byte[] key) {
        return aead(cipherSuite == Tls.TLS_CHACHA20_POLY1305_SHA256 ? new ChaCha20Poly1305()
                : GCMBlockCipher.newInstance(AESEngine.newInstance()), key);
    }

    /** {@code cipher} (a fresh AEAD cipher, 16-byte tag) under {@code key}, answering at once. */
    public static Aead aead(AEADCipher cipher, byte[] key) {
        KeyParameter k = new KeyParameter(key.clone());
        return new Aead() {
            public void seal(byte[] nonce, byte[] aad, byte[] plaintext, Done<byte[]> done) {
                done.done(run(true, nonce, aad, plaintext));
            }

            public void open(byte[] nonce, byte[] aad, byte[] ciphertext, Done<byte[]> done) {
                done.done(ciphertext.length < Tls.AEAD_TAG ? null : run(false, nonce, aad, ciphertext));
            }

            private byte[] run(boolean encrypt, byte[] nonce, byte[] aad, byte[] in) {
                cipher.init(encrypt, new AEADParameters(k, Tls.AEAD_TAG * 8, nonce, aad));
                byte[] out = new byte[cipher.getOutputSize(in.length)];
                int n = cipher.processBytes(in, 0, in.length, out, 0);
                try {
                    n += cipher.doFinal(out, n);
                } catch (InvalidCipherTextException e) {
                    return null;
                }
                return n == out.length ? out : java.util.Arrays.copyOf(out, n);
            }
        };
    }

    @Override
    public void verify(int scheme, PublicKeyInfo key, byte[] message, byte[] signature, Done<Boolean> done) {
        boolean ok;
        try {
            Signer s = signer(scheme, key);
            if (s == null) {
                ok = false;
            } else {
                s.update(message, 0, message.length);
                ok = s.verifySignature(signature);
            }
        } catch (RuntimeException e) {
            ok = false; // a malformed key or signature is simply not a valid signature
        }
        done.done(ok);
    }

    private static Signer signer(int scheme, PublicKeyInfo key) {
        CipherParameters params;
        Signer s;
        switch (scheme) {
            case Tls.RSA_PKCS1_SHA256: case Tls.RSA_PKCS1_SHA384: case Tls.RSA_PKCS1_SHA512:
                if (!key.type().equals(PublicKeyInfo.RSA)) {
                    return null;
                }
                s = new RSADigestSigner(digest(scheme));
                params = new RSAKeyParameters(false, key.rsaModulus(), key.rsaExponent());
                break;
            case Tls.RSA_PSS_RSAE_SHA256: case Tls.RSA_PSS_RSAE_SHA384: case Tls.RSA_PSS_RSAE_SHA512: {
                if (!key.type().equals(PublicKeyInfo.RSA)) {
                    return null;
                }
                Digest d = digest(scheme);
                s = new PSSSigner(new RSAEngine(), d, d.getDigestSize()); // salt = hash length (RFC 8446 §4.2.3)
                params = new RSAKeyParameters(false, key.rsaModulus(), key.rsaExponent());
                break;
            }
            case Tls.ECDSA_SECP256R1_SHA256: case Tls.ECDSA_SECP384R1_SHA384: {
                String curve = key.type().equals(PublicKeyInfo.EC_P256) ? "secp256r1"
                        : key.type().equals(PublicKeyInfo.EC_P384) ? "secp384r1" : null;
                if (curve == null) {
                    return null;
                }
                X9ECParameters x9 = CustomNamedCurves.getByName(curve);
                ECDomainParameters dom = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
                s = new DSADigestSigner(new ECDSASigner(), digest(scheme));
                params = new ECPublicKeyParameters(dom.getCurve().decodePoint(key.key()), dom);
                break;
            }
            case Tls.ED25519:
                if (!key.type().equals(PublicKeyInfo.ED25519)) {
                    return null;
                }
                s = new Ed25519Signer();
                params = new Ed25519PublicKeyParameters(key.key(), 0);
                break;
            default:
                return null;
        }
        s.init(false, params);
        return s;
    }

    private static Digest digest(int scheme) {
        switch (scheme) {
            case Tls.RSA_PKCS1_SHA384: case Tls.RSA_PSS_RSAE_SHA384: case Tls.ECDSA_SECP384R1_SHA384:
                return new SHA384Digest();
            case Tls.RSA_PKCS1_SHA512: case Tls.RSA_PSS_RSAE_SHA512:
                return new SHA512Digest();
            default:
                return new SHA256Digest();
        }
    }
}
