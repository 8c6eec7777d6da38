package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/** Our RSA against the JDK's (SunRsaSign) signatures and encodings, which are independent of Bouncy Castle. */
class RsaTest {
    private static KeyPair jdk;
    private static Rsa.PrivateKey ours;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024, new SecureRandom());
        jdk = g.generateKeyPair();
        RSAPrivateCrtKey k = (RSAPrivateCrtKey) jdk.getPrivate();
        ours = Rsa.PrivateKey.fromComponents(k.getModulus(), k.getPublicExponent(), k.getPrivateExponent(),
                k.getPrimeP(), k.getPrimeQ());
    }

    private static byte[] jdkSign(String alg, byte[] data) throws Exception {
        Signature s = Signature.getInstance(alg);
        s.initSign(jdk.getPrivate());
        s.update(data);
        return s.sign();
    }

    private static boolean jdkVerify(String alg, byte[] data, byte[] sig) throws Exception {
        Signature s = Signature.getInstance(alg);
        s.initVerify(jdk.getPublic());
        s.update(data);
        return s.verify(sig);
    }

    @Test
    void pkcs1v15SignaturesEqualTheJdks() throws Exception {
        for (int i = 0; i < 20; i++) {
            byte[] msg = ("message " + i).getBytes();
            assertArrayEquals(jdkSign("SHA256withRSA", msg), ours.signSha256(msg));
            assertArrayEquals(jdkSign("SHA1withRSA", msg), ours.signSha1(msg));
            assertTrue(ours.publicKey().verifySha256(msg, jdkSign("SHA256withRSA", msg)));
            assertTrue(ours.publicKey().verifySha1(msg, jdkSign("SHA1withRSA", msg)));
            assertTrue(jdkVerify("SHA256withRSA", msg, ours.signSha256(msg)));
        }
    }

    @Test
    void rawDigestSignatureIsTheJdksNoneWithRsa() throws Exception {
        // NONEwithRSA = PKCS#1 v1.5 type-1 padding around the data as given: tor's crypto_pk_private_sign.
        byte[] digest = Rsa.sha256("cross-cert".getBytes());
        byte[] sig = ours.signRawDigest(digest);
        assertArrayEquals(jdkSign("NONEwithRSA", digest), sig);
        assertTrue(ours.publicKey().verifyRawDigest(digest, jdkSign("NONEwithRSA", digest)));
        assertFalse(ours.publicKey().verifyRawDigest(Rsa.sha256("other".getBytes()), sig));
        // A signature over a longer block that merely starts with the digest is not accepted.
        assertFalse(ours.publicKey().verifyRawDigest(digest, jdkSign("NONEwithRSA", Bytes.concat(digest, new byte[1]))));
    }

    @Test
    void everySingleBitFlipBreaksTheSignature() {
        byte[] msg = "flip".getBytes();
        byte[] sig = ours.signSha256(msg);
        for (int i = 0; i < sig.length * 8; i += 7) {
            byte[] s = sig.clone();
            s[i / 8] ^= (byte) (1 << (i % 8));
            assertFalse(ours.publicKey().verifySha256(msg, s), "bit " + i);
        }
        assertFalse(ours.publicKey().verifySha256(msg, Bytes.concat(new byte[1], sig)));
        assertFalse(ours.publicKey().verifySha256(msg, ours.publicKey().modulus().toByteArray()));
    }

    @Test
    void pkcs1DerMatchesTheJdkEncodings() {
        byte[] spki = jdk.getPublic().getEncoded(); // SubjectPublicKeyInfo wraps the PKCS#1 RSAPublicKey
        byte[] pkcs1 = ours.publicKey().toPkcs1Der();
        assertArrayEquals(pkcs1, Bytes.slice(spki, spki.length - pkcs1.length, pkcs1.length));
        assertEquals(((RSAPublicKey) jdk.getPublic()).getModulus(), Rsa.PublicKey.fromPkcs1Der(pkcs1).modulus());
        byte[] pkcs8 = jdk.getPrivate().getEncoded(); // PrivateKeyInfo wraps the PKCS#1 RSAPrivateKey
        byte[] priv = ours.toPkcs1Der();
        assertTrue(Bytes.hex(pkcs8).contains(Bytes.hex(priv)));
        Rsa.PrivateKey back = Rsa.PrivateKey.fromPkcs1Der(priv);
        assertArrayEquals(ours.signSha1("x".getBytes()), back.signSha1("x".getBytes()));
    }

    @Test
    void generatedKeysHaveTheRequestedSize() {
        Rsa.PrivateKey k = Rsa.generate(1024, new SecureRandom());
        assertEquals(1024, k.publicKey().bits());
        assertEquals(BigInteger.valueOf(65537), k.publicKey().exponent());
        byte[] m = "m".getBytes();
        assertTrue(k.publicKey().verifySha256(m, k.signSha256(m)));
        assertEquals(128, k.signRawDigest(new byte[32]).length);
    }

    @Test
    void badPublicKeyEncodingsAreProtocolErrors() {
        Rsa.PublicKey pub = ours.publicKey();
        byte[] good = pub.toPkcs1Der();
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.fromPkcs1Der(new byte[0]));
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.fromPkcs1Der(Bytes.slice(good, 0, good.length - 1)));
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.fromPkcs1Der(Bytes.unhex("3006020100020103")));
        // non-minimal INTEGER (leading zero before a byte < 0x80)
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.fromPkcs1Der(Bytes.unhex("30080202000f0202000f")));
        // even modulus, exponent 1, negative modulus
        BigInteger even = pub.modulus().subtract(BigInteger.ONE);
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.checked(even, BigInteger.valueOf(65537)));
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.checked(pub.modulus(), BigInteger.ONE));
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.checked(pub.modulus().negate(), BigInteger.valueOf(3)));
        // a 9000-bit modulus is more than we compute with
        BigInteger huge = BigInteger.ONE.shiftLeft(9000).add(BigInteger.ONE);
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.checked(huge, BigInteger.valueOf(65537)));
        // long-form length 0x80 (indefinite) and non-minimal long form
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.fromPkcs1Der(Bytes.unhex("3080020103020103")));
        assertThrows(ProtocolException.class, () -> Rsa.PublicKey.fromPkcs1Der(Bytes.unhex("308106020103020103")));
    }
}
