package org.onionpeer.cert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.RSAPublicKeySpec;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Rsa;

/** Our X.509 subset, cross-checked against the JDK's certificate parser and verifier (JVM-only test). */
class X509CertTest {
    private static final Rsa.PrivateKey KEY = CertKnownAnswers.katRsaKey();
    private static final long NB = 1767139200L; // 2025-12-31
    private static final long NA = NB + 365 * 86400L;

    private static X509Certificate jdk(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static java.security.PublicKey jdkKey(Rsa.PublicKey k) throws Exception {
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(k.modulus(), k.exponent()));
    }

    @Test
    void createdCertificatesParseAndVerifyInTheJdk() throws Exception {
        X509Cert c = X509Cert.create(KEY.publicKey(), "www.example.net", "www.example.net", KEY,
                BigInteger.valueOf(0x1234567890L), NB, NA);
        X509Certificate j = jdk(c.encode());
        j.verify(jdkKey(KEY.publicKey()));
        assertEquals("SHA256withRSA", j.getSigAlgName());
        assertEquals(3, j.getVersion());
        assertEquals(NB * 1000, j.getNotBefore().getTime());
        assertEquals(NA * 1000, j.getNotAfter().getTime());
        assertEquals("CN=www.example.net", j.getSubjectX500Principal().getName());
        assertEquals(BigInteger.valueOf(0x1234567890L), j.getSerialNumber());
        assertTrue(c.signatureValidBy(KEY.publicKey()));
        assertArrayEquals(c.encode(), X509Cert.decode(c.encode()).encode());
    }

    @Test
    void realCertificatesAgreeWithTheJdk() throws Exception {
        for (String hex : new String[] {CertKnownAnswers.CERT_T1, CertKnownAnswers.CERT_T2}) {
            byte[] der = Bytes.unhex(hex);
            X509Cert ours = X509Cert.decode(der);
            X509Certificate j = jdk(der);
            assertEquals(j.getNotBefore().getTime(), ours.notBefore() * 1000);
            assertEquals(j.getNotAfter().getTime(), ours.notAfter() * 1000);
            assertEquals(j.getSerialNumber(), ours.serial());
            assertArrayEquals(j.getTBSCertificate(), ours.tbsCertificate());
            assertArrayEquals(j.getSignature(), ours.signature());
            assertEquals(((java.security.interfaces.RSAPublicKey) j.getPublicKey()).getModulus(),
                    ours.rsaPublicKey().modulus());
        }
    }

    @Test
    void tamperingAnyByteFailsParseOrSignature() {
        X509Cert c = X509Cert.create(KEY.publicKey(), "a", "a", KEY, BigInteger.TEN, NB, NA);
        byte[] der = c.encode();
        for (int i = 0; i < der.length; i++) {
            byte[] t = der.clone();
            t[i] ^= 0x04;
            boolean ok;
            try {
                ok = X509Cert.decode(t).signatureValidBy(KEY.publicKey());
            } catch (ProtocolException e) {
                ok = false;
            }
            assertFalse(ok, "byte " + i);
        }
    }

    @Test
    void sha1SignedCertificatesVerifyToo() throws Exception {
        // Re-sign our TBS with sha1WithRSAEncryption, by hand, and let the JDK agree.
        byte[] alg = Der.sequence(Der.oid(X509Cert.OID_SHA1_WITH_RSA), Der.nul());
        byte[] spki = Der.sequence(Der.sequence(Der.oid(X509Cert.OID_RSA_ENCRYPTION), Der.nul()),
                Der.bitString(KEY.publicKey().toPkcs1Der()));
        byte[] name = Der.sequence(Der.tlv(Der.SET, Der.sequence(Der.oid("2.5.4.3"), Der.utf8("x"))));
        byte[] tbs = Der.sequence(Der.integer(BigInteger.ONE), alg, name,
                Der.sequence(Der.time(NB), Der.time(NA)), name, spki); // v1: no [0] version
        byte[] der = Der.sequence(tbs, alg, Der.bitString(KEY.signSha1(tbs)));
        jdk(der).verify(jdkKey(KEY.publicKey()));
        X509Cert c = X509Cert.decode(der);
        assertEquals(0, c.version());
        assertEquals(X509Cert.OID_SHA1_WITH_RSA, c.signatureAlgorithm());
        assertTrue(c.signatureValidBy(KEY.publicKey()));
        // The outer algorithm must equal the signed one.
        byte[] mismatched = Der.sequence(tbs, Der.sequence(Der.oid(X509Cert.OID_SHA256_WITH_RSA), Der.nul()),
                Der.bitString(KEY.signSha256(tbs)));
        assertFalse(X509Cert.decode(mismatched).signatureValidBy(KEY.publicKey()));
    }

    @Test
    void validityUsesSlop() {
        X509Cert c = X509Cert.create(KEY.publicKey(), "a", "a", KEY, BigInteger.TEN, NB, NA);
        assertTrue(c.validAt(NB, 0, 0));
        assertTrue(c.validAt(NA, 0, 0));
        assertFalse(c.validAt(NA + 1, 0, 0));
        assertTrue(c.validAt(NA + 2 * 86400, 2 * 86400, 0));
        assertFalse(c.validAt(NB - 1, 0, 0));
        assertTrue(c.validAt(NB - 30 * 86400, 0, 30 * 86400));
    }

    @Test
    void timesUseUtcTimeBefore2050AndGeneralizedTimeAfter() {
        long y2049 = LocalDate.of(2049, 12, 31).atStartOfDay().toEpochSecond(ZoneOffset.UTC) + 86399;
        long y2050 = y2049 + 1;
        assertEquals("17" + "0d" + Bytes.hex("491231235959Z".getBytes()), Bytes.hex(Der.time(y2049)));
        assertEquals("18" + "0f" + Bytes.hex("20500101000000Z".getBytes()), Bytes.hex(Der.time(y2050)));
        Der.Reader r = new Der.Reader(Der.time(y2050));
        assertEquals(y2050, Der.time(r.next("t"), "t"));
        assertEquals(-631152000L, Der.time(new Der.Reader(Der.time(-631152000L)).next("t"), "t")); // 1950
    }

    @Test
    void civilDateArithmeticMatchesJavaTime() {
        for (long day = -800_000; day < 3_000_000; day += 37) {
            LocalDate d = LocalDate.ofEpochDay(day);
            long[] ymd = Der.civilFromDays(day);
            assertEquals(d.getYear(), ymd[0]);
            assertEquals(d.getMonthValue(), ymd[1]);
            assertEquals(d.getDayOfMonth(), ymd[2]);
            assertEquals(day, Der.daysFromCivil(d.getYear(), d.getMonthValue(), d.getDayOfMonth()));
        }
    }

    @Test
    void badTimesAreRejected() {
        // tag 0x17 UTCTime / 0x18 GeneralizedTime with these texts: wrong size, month 13, 2021-02-29, no Z,
        // a non-digit, a GeneralizedTime of UTCTime's length, 24 o'clock.
        String[][] bad = {{"17", "491231235959"}, {"17", "491331235959Z"}, {"17", "210229000000Z"},
            {"17", "4912312359590"}, {"17", "4912312359:9Z"}, {"18", "491231235959Z"}, {"17", "491231240000Z"}};
        for (String[] v : bad) {
            byte[] b = Der.tlv(Integer.parseInt(v[0], 16), v[1].getBytes());
            assertThrows(ProtocolException.class, () -> Der.time(new Der.Reader(b).next("t"), "t"), v[1]);
        }
        long leap = Der.time(new Der.Reader(Der.tlv(Der.UTC_TIME, "240229000000Z".getBytes())).next("t"), "t");
        assertEquals(LocalDate.of(2024, 2, 29).toEpochDay() * 86400, leap);
    }

    @Test
    void derStrictness() {
        byte[] good = X509Cert.create(KEY.publicKey(), "a", "a", KEY, BigInteger.TEN, NB, NA).encode();
        assertThrows(ProtocolException.class, () -> X509Cert.decode(Bytes.concat(good, new byte[] {0})));
        assertThrows(ProtocolException.class, () -> X509Cert.decode(new byte[0]));
        assertThrows(ProtocolException.class, () -> X509Cert.decode(Bytes.unhex("3080")));
        assertThrows(ProtocolException.class, () -> new Der.Reader(Bytes.unhex("0481050102030405")).next("x"));
        assertThrows(ProtocolException.class, () -> new Der.Reader(Bytes.unhex("1f0100")).next("x"));
        assertThrows(ProtocolException.class, () -> new Der.Reader(Bytes.unhex("04830000010000")).next("x"));
        assertEquals("1.2.840.113549.1.1.11",
                Der.oidString(new Der.Reader(Der.oid("1.2.840.113549.1.1.11")).next("o"), "o"));
        assertThrows(ProtocolException.class, () -> Der.oidString(new Der.Reader(Bytes.unhex("06028086")).next("o"), "o"));
        assertThrows(ProtocolException.class, () -> Der.oidString(new Der.Reader(Bytes.unhex("060186")).next("o"), "o"));
    }

    @Test
    void nonRsaKeysParseButHaveNoRsaKey() {
        // An Ed25519 SubjectPublicKeyInfo (OID 1.3.101.112) in an otherwise ordinary certificate.
        byte[] alg = Der.sequence(Der.oid(X509Cert.OID_SHA256_WITH_RSA), Der.nul());
        byte[] spki = Der.sequence(Der.sequence(Der.oid("1.3.101.112")), Der.bitString(new byte[32]));
        byte[] name = Der.sequence();
        byte[] tbs = Der.sequence(Der.tlv(0xa0, Der.integer(BigInteger.valueOf(2))), Der.integer(BigInteger.ONE), alg,
                name, Der.sequence(Der.time(NB), Der.time(NA)), name, spki, Der.tlv(0xa3, Der.sequence()));
        X509Cert c = X509Cert.decode(Der.sequence(tbs, alg, Der.bitString(KEY.signSha256(tbs))));
        assertEquals("1.3.101.112", c.publicKeyAlgorithm());
        assertEquals(null, c.rsaPublicKey());
        // Extensions before the subject key, or twice, are out of order.
        byte[] tbs2 = Der.sequence(Der.integer(BigInteger.ONE), alg, name, Der.sequence(Der.time(NB), Der.time(NA)),
                name, spki, Der.tlv(0xa3, Der.sequence()), Der.tlv(0xa3, Der.sequence()));
        assertThrows(ProtocolException.class, () -> X509Cert.decode(Der.sequence(tbs2, alg, Der.bitString(new byte[1]))));
    }
}
