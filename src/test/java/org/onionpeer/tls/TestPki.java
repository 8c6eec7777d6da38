package org.onionpeer.tls;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.cert.Der;

/**
 * Test certificates made here, DER by hand (org.onionpeer.cert.Der) and signed with the JDK's JCA: a CA,
 * intermediates, leaves with chosen names, validity and key types. No bcpkix needed.
 */
public final class TestPki {
    /** 2026-06-01T00:00:00Z: the "now" the tests validate at. */
    static final long NOW = 1780272000L;
    static final long YEAR = 365L * 86400;

    private TestPki() {
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A certificate and its private key. */
    public static final class Issued {
        public final byte[] der;
        public final KeyPair keys;
        final String cn;

        Issued(byte[] der, KeyPair keys, String cn) {
            this.der = der;
            this.keys = keys;
            this.cn = cn;
        }

        Certificate cert() {
            return Certificate.parse(der);
        }

        public String pem() {
            return TrustStore.toPem(der);
        }
    }

    /** What to put in a certificate. */
    public static final class Spec {
        String cn = "Test";
        boolean ca;
        int pathLen = -1;
        long notBefore = NOW - YEAR;
        long notAfter = NOW + YEAR;
        List<String> dns = new ArrayList<>();
        List<byte[]> ips = new ArrayList<>();
        boolean serverAuthEku = true;
        KeyPair keys;

        public Spec cn(String v) {
            cn = v;
            return this;
        }

        public Spec ca() {
            ca = true;
            return this;
        }

        Spec pathLen(int v) {
            pathLen = v;
            return this;
        }

        public Spec dns(String v) {
            dns.add(v);
            return this;
        }

        public Spec ip(String v) {
            ips.add(Hostnames.parseIp(v));
            return this;
        }

        public Spec validity(long from, long to) {
            notBefore = from;
            notAfter = to;
            return this;
        }

        Spec keys(KeyPair k) {
            keys = k;
            return this;
        }
    }

    public static Issued selfSigned(Spec s) {
        KeyPair k = s.keys != null ? s.keys : ec();
        return new Issued(build(s, k, s.cn, k.getPrivate()), k, s.cn);
    }

    public static Issued issue(Spec s, Issued issuer) {
        KeyPair k = s.keys != null ? s.keys : ec();
        return new Issued(build(s, k, issuer.cn, issuer.keys.getPrivate()), k, s.cn);
    }

    static byte[] name(String cn) {
        return Der.sequence(Der.tlv(Der.SET, Der.sequence(Der.oid("2.5.4.3"), Der.utf8(cn))));
    }

    private static byte[] build(Spec s, KeyPair subjectKeys, String issuerCn, PrivateKey signer) {
        boolean rsa = signer.getAlgorithm().equals("RSA");
        byte[] alg = rsa ? Der.sequence(Der.oid("1.2.840.113549.1.1.11"), Der.nul())
                : Der.sequence(Der.oid("1.2.840.10045.4.3.2"));
        List<byte[]> exts = new ArrayList<>();
        byte[] bc = s.ca ? (s.pathLen >= 0 ? Der.sequence(Der.tlv(0x01, new byte[] {(byte) 0xff}),
                Der.integer(BigInteger.valueOf(s.pathLen))) : Der.sequence(Der.tlv(0x01, new byte[] {(byte) 0xff})))
                : Der.sequence();
        exts.add(ext("2.5.29.19", true, bc));
        // keyUsage: CA keyCertSign|cRLSign (bits 5, 6); leaf digitalSignature (bit 0).
        exts.add(ext("2.5.29.15", true, s.ca ? Der.tlv(Der.BIT_STRING, new byte[] {1, 0x06})
                : Der.tlv(Der.BIT_STRING, new byte[] {7, (byte) 0x80})));
        if (!s.ca && s.serverAuthEku) {
            exts.add(ext("2.5.29.37", false, Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"))));
        }
        if (!s.dns.isEmpty() || !s.ips.isEmpty()) {
            List<byte[]> names = new ArrayList<>();
            for (String d : s.dns) {
                names.add(Der.tlv(0x82, Bytes.ascii(d)));
            }
            for (byte[] ip : s.ips) {
                names.add(Der.tlv(0x87, ip));
            }
            exts.add(ext("2.5.29.17", false, Der.sequence(names.toArray(new byte[0][]))));
        }
        byte[] tbs = Der.sequence(
                Der.tlv(0xa0, Der.integer(BigInteger.valueOf(2))),
                Der.integer(BigInteger.valueOf(System.nanoTime() & 0x7fffffffL)),
                alg,
                name(issuerCn),
                Der.sequence(Der.time(s.notBefore), Der.time(s.notAfter)),
                name(s.cn),
                subjectKeys.getPublic().getEncoded(),
                Der.tlv(0xa3, Der.sequence(exts.toArray(new byte[0][]))));
        try {
            Signature sig = Signature.getInstance(rsa ? "SHA256withRSA" : "SHA256withECDSA");
            sig.initSign(signer);
            sig.update(tbs);
            return Der.sequence(tbs, alg, Der.bitString(sig.sign()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] ext(String oid, boolean critical, byte[] value) {
        return critical ? Der.sequence(Der.oid(oid), Der.tlv(0x01, new byte[] {(byte) 0xff}), Der.tlv(Der.OCTET_STRING, value))
                : Der.sequence(Der.oid(oid), Der.tlv(Der.OCTET_STRING, value));
    }

    /** A JKS-free in-memory key store for a JDK TLS server: the leaf's key with the chain (leaf first). */
    public static KeyStore keyStore(Issued leaf, Issued... chain) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            X509Certificate[] certs = new X509Certificate[1 + chain.length];
            certs[0] = (X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(leaf.der));
            for (int i = 0; i < chain.length; i++) {
                certs[i + 1] = (X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(chain[i].der));
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", leaf.keys.getPrivate(), "pw".toCharArray(), certs);
            return ks;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
