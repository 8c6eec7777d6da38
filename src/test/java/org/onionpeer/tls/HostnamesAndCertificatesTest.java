package org.onionpeer.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 6125 name matching, IP literals, certificate fields, PEM trust stores and time formatting. */
class HostnamesAndCertificatesTest {
    @Test
    void dnsNameRules() {
        assertTrue(Hostnames.matchesName("example.test", "example.test"));
        assertTrue(Hostnames.matchesName("*.example.test", "www.example.test"));
        assertFalse(Hostnames.matchesName("*.example.test", "example.test"), "wildcard needs a label");
        assertFalse(Hostnames.matchesName("*.example.test", "a.b.example.test"), "one label only");
        assertFalse(Hostnames.matchesName("*.test", "example.test"), "not over a single label");
        assertFalse(Hostnames.matchesName("w*.example.test", "www.example.test"), "partial wildcards refused");
        assertFalse(Hostnames.matchesName("www.*.test", "www.example.test"), "left-most label only");
        assertFalse(Hostnames.matchesName("example.test", "xexample.test"));
    }

    @Test
    void certificateNamesFromSanOnly() {
        TestPki.Issued ca = TestPki.selfSigned(new TestPki.Spec().cn("Names CA").ca());
        Certificate cnOnly = TestPki.issue(new TestPki.Spec().cn("cn.test"), ca).cert();
        assertFalse(Hostnames.matches(cnOnly, "cn.test"), "the subject CN is never a name");
        Certificate c = TestPki.issue(new TestPki.Spec().cn("x").dns("WWW.Example.TEST").ip("::1").ip("10.1.2.3"), ca)
                .cert();
        assertTrue(Hostnames.matches(c, "www.example.test"));
        assertTrue(Hostnames.matches(c, "WWW.EXAMPLE.TEST."));
        assertTrue(Hostnames.matches(c, "[::1]"));
        assertTrue(Hostnames.matches(c, "0:0:0:0:0:0:0:1"));
        assertTrue(Hostnames.matches(c, "10.1.2.3"));
        assertFalse(Hostnames.matches(c, "10.1.2.4"));
        assertEquals("www.example.test, 0:0:0:0:0:0:0:1, 10.1.2.3", c.namesForMessage());
    }

    @Test
    void ipLiterals() {
        assertArrayEquals(new byte[] {127, 0, 0, 1}, Hostnames.parseIp("127.0.0.1"));
        assertNull(Hostnames.parseIp("127.0.0.256"));
        assertNull(Hostnames.parseIp("127.0.0"));
        assertNull(Hostnames.parseIp("example.test"));
        byte[] v6 = Hostnames.parseIp("2001:db8::8:800:200c:417a");
        assertEquals("2001:db8:0:0:8:800:200c:417a", Hostnames.ipString(v6));
        assertNull(Hostnames.parseIp("1::2::3"));
    }

    @Test
    void certificateFields() {
        TestPki.Issued ca = TestPki.selfSigned(new TestPki.Spec().cn("Fields CA").ca().pathLen(2));
        Certificate c = ca.cert();
        assertEquals("CN=Fields CA", c.subject());
        assertEquals("CN=Fields CA", c.issuer());
        assertTrue(c.isCa());
        assertEquals(2, c.pathLen());
        assertTrue(c.allowsKeyUsage(Certificate.KU_KEY_CERT_SIGN));
        assertFalse(c.allowsKeyUsage(Certificate.KU_DIGITAL_SIGNATURE));
        assertEquals(PublicKeyInfo.EC_P256, c.publicKey().type());
        assertEquals(Tls.ECDSA_SECP256R1_SHA256, c.signatureScheme());
        assertEquals(TestPki.NOW + TestPki.YEAR, c.notAfter());
        assertNull(c.unsupportedCriticalExtension());
    }

    @Test
    void pemTrustStore() {
        TestPki.Issued a = TestPki.selfSigned(new TestPki.Spec().cn("A").ca());
        TestPki.Issued b = TestPki.selfSigned(new TestPki.Spec().cn("B").ca());
        TrustStore s = TrustStore.fromPem("# roots\n" + a.pem() + "junk between\n" + b.pem() + a.pem());
        assertEquals(2, s.size(), "duplicates collapse");
        assertTrue(Arrays.equals(a.der, s.anchors().get(0).encoded()));
        assertEquals(3, TrustStore.empty().with(a.cert()).withPem(b.pem()).with(TestPki.selfSigned(
                new TestPki.Spec().cn("C").ca()).cert()).size());
        TlsException e = assertThrows(TlsException.class, () -> TrustStore.fromPem("-----BEGIN CERTIFICATE-----\nAAAA"));
        assertEquals("PEM certificate without its END line", e.getMessage());
    }

    @Test
    void isoTimes() {
        assertEquals("2026-01-01T00:00:00Z", ChainValidator.iso(1767225600L));
        assertEquals("1970-01-01T00:00:00Z", ChainValidator.iso(0));
        assertEquals("2024-02-29T23:59:59Z", ChainValidator.iso(1709251199L));
    }
}
