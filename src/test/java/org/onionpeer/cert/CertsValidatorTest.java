package org.onionpeer.cert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Rsa;

/** CERTS validation on chains we make (fresh keys) and on targeted breakage of each rule of tor-spec §4.2. */
class CertsValidatorTest {
    private static final long NOW = 1767225600L; // 2026-01-01
    private static RelayKeys keys;
    private static RelayCredentials creds;
    private static X509Cert tls;
    private static LinkBinding link;

    @BeforeAll
    static void chain() {
        SecureRandom r = new SecureRandom();
        keys = RelayKeys.generate(r);
        creds = RelayCredentials.create(keys, NOW);
        tls = creds.issueTlsCert(Rsa.generate(2048, r).publicKey(), "www.tls.example", NOW);
        link = LinkBinding.tlsCertificate(tls.encode());
    }

    private static CertsCell cell() {
        return creds.certsCell(tls.sha256(), tls, NOW);
    }

    private static CertsCell replace(CertsCell c, int type, byte[] body) {
        List<CertsCell.Entry> l = new ArrayList<>();
        for (CertsCell.Entry e : c.entries()) {
            l.add(e.type == type ? new CertsCell.Entry(type, body) : e);
        }
        return new CertsCell(l);
    }

    private static String failure(CertsCell c, LinkBinding b, long now) {
        return assertThrows(ProtocolException.class, () -> CertsValidator.validateResponder(c, b, now)).getMessage();
    }

    @Test
    void ourChainValidatesAndNamesOurIdentity() throws Exception {
        RelayIdentity id = CertsValidator.validateResponder(CertsCell.decode(cell().encode()), link, NOW);
        assertEquals(keys.identity(), id);
        assertArrayEquals(keys.ed25519Identity().publicKey(), id.ed25519Identity());
        assertEquals(40, id.fingerprint().length());
        // The JDK accepts both X.509 certificates we made, and agrees who signed them.
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        X509Certificate idCert = (X509Certificate) f.generateCertificate(
                new ByteArrayInputStream(creds.identityCert().encode()));
        idCert.verify(idCert.getPublicKey());
        X509Certificate tlsCert = (X509Certificate) f.generateCertificate(new ByteArrayInputStream(tls.encode()));
        tlsCert.verify(idCert.getPublicKey());
        assertEquals(idCert.getSubjectX500Principal(), tlsCert.getIssuerX500Principal());
    }

    @Test
    void validWithoutTheRsaLinkCertAndWithUnknownTypes() {
        CertsCell c = creds.certsCell(tls.sha256(), null, NOW);
        assertEquals(4, c.entries().size());
        List<CertsCell.Entry> l = new ArrayList<>(c.entries());
        l.add(new CertsCell.Entry(3, new byte[] {1})); // RSA auth cert: not consulted on this path
        l.add(new CertsCell.Entry(99, new byte[] {2}));
        assertEquals(keys.identity(), CertsValidator.validateResponder(new CertsCell(l), link, NOW));
    }

    @Test
    void everyByteFlipInTheCheckedCertificatesFails() {
        byte[] wire = creds.certsCell(tls.sha256(), null, NOW).encode();
        for (int i = 0; i < wire.length; i++) {
            byte[] t = wire.clone();
            t[i] ^= (byte) (1 << (i % 8));
            int at = i;
            assertThrows(ProtocolException.class,
                    () -> CertsValidator.validateResponder(CertsCell.decode(t), link, NOW), "byte " + at);
        }
    }

    @Test
    void wrongTlsCertificateFails() {
        assertTrue(failure(cell(), LinkBinding.tlsCertificate(creds.identityCert().encode()), NOW)
                .contains("does not match this link"));
        assertTrue(failure(cell(), certifiedKey -> false, NOW).contains("does not match this link"));
    }

    @Test
    void missingAndDuplicateCertificatesFail() {
        for (int type : new int[] {2, 4, 5, 7}) {
            List<CertsCell.Entry> l = new ArrayList<>();
            for (CertsCell.Entry e : cell().entries()) {
                if (e.type != type) {
                    l.add(e);
                }
            }
            assertTrue(failure(new CertsCell(l), link, NOW).contains("missing"), "type " + type);
        }
        for (int type : new int[] {1, 2, 4, 5, 7}) {
            List<CertsCell.Entry> l = new ArrayList<>(cell().entries());
            l.add(new CertsCell.Entry(type, cell().body(type)));
            assertEquals("CERTS: duplicate certificate of type " + type, failure(new CertsCell(l), link, NOW));
        }
    }

    @Test
    void expiryOfEachCertificateFails() {
        // Type 5 lives 2 days, type 4 30 days, type 7 180 days, the X.509 identity 1 year (+2 days slop).
        assertTrue(failure(cell(), link, NOW + 3 * 86400).contains("expired"));
        Ed25519Cert longLink = Ed25519Cert.create(5, tls.sha256(), 3, NOW / 3600 + 400 * 24, keys.ed25519Signing(), false);
        CertsCell c = replace(cell(), 5, longLink.encode());
        assertEquals(keys.identity(), CertsValidator.validateResponder(c, link, NOW + 20 * 86400));
        assertTrue(failure(c, link, NOW + 31 * 86400).contains("expired")); // type 4
        Ed25519Cert longSigning = Ed25519Cert.create(4, keys.ed25519Signing().publicKey(), 1, NOW / 3600 + 400 * 24,
                keys.ed25519Identity(), true);
        CertsCell c2 = replace(c, 4, longSigning.encode());
        assertTrue(failure(c2, link, NOW + 181 * 86400).contains("RSA cross-cert: expired"));
        CertsCell c3 = replace(c2, 7, RsaCrossCert.create(keys.ed25519Identity().publicKey(), NOW / 3600 + 400 * 24,
                keys.rsaIdentity()).encode());
        assertEquals(keys.identity(), CertsValidator.validateResponder(c3, link, NOW + 363 * 86400));
        assertTrue(failure(c3, link, NOW + 368 * 86400).contains("RSA identity certificate is expired"));
    }

    @Test
    void rsaIdentityMustBeA1024BitSelfSignedKey() {
        Rsa.PrivateKey big = Rsa.generate(2048, new SecureRandom());
        X509Cert bigId = X509Cert.create(big.publicKey(), "x", "x", big, BigInteger.ONE, NOW - 86400, NOW + 86400);
        assertTrue(failure(replace(cell(), 2, bigId.encode()), link, NOW).contains("2048 bits"));
        X509Cert notSelf = X509Cert.create(keys.rsaIdentity().publicKey(), "x", "x", CertKnownAnswers.katRsaKey(),
                BigInteger.ONE, NOW - 86400, NOW + 86400);
        assertTrue(failure(replace(cell(), 2, notSelf.encode()), link, NOW).contains("not correctly self-signed"));
        // A valid identity cert for another RSA key: the cross-cert no longer verifies.
        Rsa.PrivateKey other = CertKnownAnswers.katRsaKey();
        X509Cert otherId = X509Cert.create(other.publicKey(), "x", "x", other, BigInteger.ONE, NOW - 86400, NOW + 86400);
        assertTrue(failure(replace(cell(), 2, otherId.encode()), link, NOW).contains("RSA cross-cert: bad signature"));
        assertTrue(failure(replace(cell(), 2, new byte[] {0x30, 0}), link, NOW).contains("TBSCertificate"));
    }

    @Test
    void ed25519ChainRulesAreEnforced() {
        CertsCell c = cell();
        // Certificates in the wrong slot.
        assertTrue(failure(replace(c, 4, c.body(5)), link, NOW).contains("type 4 slot holds"));
        // Type 4 without the signed-with-ed25519-key extension.
        Ed25519Cert noExt = Ed25519Cert.create(4, keys.ed25519Signing().publicKey(), 1, NOW / 3600 + 100,
                keys.ed25519Identity(), false);
        assertTrue(failure(replace(c, 4, noExt.encode()), link, NOW).contains("lacks the signed-with"));
        // Type 4 certifying a non-Ed25519 key type.
        Ed25519Cert wrongKeyType = Ed25519Cert.create(4, keys.ed25519Signing().publicKey(), 3, NOW / 3600 + 100,
                keys.ed25519Identity(), true);
        assertTrue(failure(replace(c, 4, wrongKeyType.encode()), link, NOW).contains("does not certify an Ed25519"));
        // Type 5 signed by the identity rather than the signing key.
        Ed25519Cert byIdentity = Ed25519Cert.create(5, tls.sha256(), 3, NOW / 3600 + 10, keys.ed25519Identity(), false);
        assertTrue(failure(replace(c, 5, byIdentity.encode()), link, NOW).contains("bad signature"));
        // Type 5 with the legacy key type 01 (tor before 0.4.5.1-alpha) is accepted (cert-spec A.4).
        Ed25519Cert legacy = Ed25519Cert.create(5, tls.sha256(), 1, NOW / 3600 + 10, keys.ed25519Signing(), false);
        assertEquals(keys.identity(), CertsValidator.validateResponder(replace(c, 5, legacy.encode()), link, NOW));
        Ed25519Cert oddType = Ed25519Cert.create(5, tls.sha256(), 2, NOW / 3600 + 10, keys.ed25519Signing(), false);
        assertTrue(failure(replace(c, 5, oddType.encode()), link, NOW).contains("key type 2"));
        // A whole second identity: its type 4 is fine but the RSA cross-cert certifies our identity, not it.
        Ed25519.KeyPair otherId = Ed25519.fromSeed(new byte[32]);
        Ed25519Cert foreign = Ed25519Cert.create(4, keys.ed25519Signing().publicKey(), 1, NOW / 3600 + 100, otherId, true);
        assertTrue(failure(replace(c, 4, foreign.encode()), link, NOW).contains("different Ed25519 identity"));
        // A cross-cert made by another RSA key.
        RsaCrossCert wrongSigner = RsaCrossCert.create(keys.ed25519Identity().publicKey(), NOW / 3600 + 100,
                CertKnownAnswers.katRsaKey());
        assertTrue(failure(replace(c, 7, wrongSigner.encode()), link, NOW).contains("RSA cross-cert: bad signature"));
    }

    @Test
    void credentialsAreReproducible() {
        RelayCredentials again = RelayCredentials.create(keys, NOW);
        assertArrayEquals(creds.certsCell(tls.sha256(), tls, NOW).encode(), again.certsCell(tls.sha256(), tls, NOW).encode());
        assertEquals(0, Bytes.hex(creds.identityCert().serial().toByteArray()).length() % 2);
        assertTrue(creds.identityCert().serial().bitLength() == 63);
    }
}
