package org.onionpeer.netdoc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Rsa;

/**
 * The "more than half of the trusted authorities" rule with a second, synthetic authority: its key
 * certificate is built and signed here the way dir-spec §3.1 says, and it adds its own signature (sha256
 * form) to the captured consensus. Its signed part ends at the first "directory-signature ", so a second
 * signature appended after tor's leaves the signed bytes unchanged.
 */
class MajorityTest {
    private static final long NOW = Captured.now();
    private static Rsa.PrivateKey identity;
    private static Rsa.PrivateKey signing;
    private static String certText;
    private static byte[] v3;

    @BeforeAll
    static void makeAuthority() {
        SecureRandom r = new SecureRandom(new byte[] {1, 2, 3});
        identity = Rsa.generate(1024, r);
        signing = Rsa.generate(1024, r);
        byte[] idDer = identity.publicKey().toPkcs1Der();
        v3 = Rsa.sha1(idDer);
        StringBuilder sb = new StringBuilder();
        sb.append("dir-key-certificate-version 3\n");
        sb.append("fingerprint ").append(Bytes.hex(v3).toUpperCase()).append('\n');
        sb.append("dir-key-published 2026-11-26 00:00:00\n");
        sb.append("dir-key-expires 2027-11-26 00:00:00\n");
        sb.append("dir-identity-key\n").append(object("RSA PUBLIC KEY", idDer));
        sb.append("dir-signing-key\n").append(object("RSA PUBLIC KEY", signing.publicKey().toPkcs1Der()));
        sb.append("dir-key-crosscert\n").append(object("ID SIGNATURE", signing.signRawDigest(v3)));
        sb.append("dir-key-certification\n");
        byte[] digest = Rsa.sha1(Bytes.ascii(sb.toString()));
        sb.append(object("SIGNATURE", identity.signRawDigest(digest)));
        certText = sb.toString();
    }

    private static String object(String type, byte[] data) {
        String b64 = Base64.encode(data);
        StringBuilder sb = new StringBuilder("-----BEGIN " + type + "-----\n");
        for (int i = 0; i < b64.length(); i += 64) {
            sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        }
        return sb.append("-----END ").append(type).append("-----\n").toString();
    }

    private static String withSecondSignature(String consensus, boolean sha256, boolean corrupt) {
        byte[] signed = Bytes.ascii(consensus.substring(0,
                consensus.indexOf("directory-signature ") + "directory-signature ".length()));
        byte[] digest = sha256 ? Rsa.sha256(signed) : Rsa.sha1(signed);
        if (corrupt) {
            digest[0] ^= 1;
        }
        byte[] skd = Rsa.sha1(signing.publicKey().toPkcs1Der());
        return consensus + "directory-signature " + (sha256 ? "sha256 " : "") + Bytes.hex(v3).toUpperCase() + " "
                + Bytes.hex(skd).toUpperCase() + "\n" + object("SIGNATURE", signing.signRawDigest(digest));
    }

    private static List<byte[]> trusted(int unknown) {
        List<byte[]> t = new ArrayList<>(Captured.trusted());
        t.add(v3);
        for (int i = 0; i < unknown; i++) {
            byte[] b = new byte[20];
            b[0] = (byte) (i + 1);
            t.add(b);
        }
        return t;
    }

    @Test
    void twoKeyCertificatesInOneBody() {
        List<AuthorityCertificate> certs = AuthorityCertificate.parseAll(Captured.keys() + certText);
        assertEquals(2, certs.size());
        for (AuthorityCertificate c : certs) {
            c.verify(NOW);
        }
    }

    @Test
    void moreThanHalfOfTheTrustedAuthoritiesMustSign() {
        List<AuthorityCertificate> certs = AuthorityCertificate.parseAll(Captured.keys() + certText);
        for (boolean sha256 : new boolean[] {false, true}) {
            Consensus c = Consensus.parse(withSecondSignature(Captured.consensus(), sha256, false));
            c.verify(certs, trusted(0), NOW); // 2 of 2
            c.verify(certs, trusted(1), NOW); // 2 of 3
            ProtocolException e = assertThrows(ProtocolException.class, () -> c.verify(certs, trusted(2), NOW));
            assertTrue(e.getMessage().contains("signed by 2 of 4"), e.getMessage());
            // Without the second authority's certificate only tor's signature counts: 1 of 2.
            assertThrows(ProtocolException.class,
                    () -> c.verify(AuthorityCertificate.parseAll(Captured.keys()), trusted(0), NOW));
        }
    }

    @Test
    void aBadSecondSignatureDoesNotCount() {
        List<AuthorityCertificate> certs = AuthorityCertificate.parseAll(Captured.keys() + certText);
        Consensus c = Consensus.parse(withSecondSignature(Captured.consensus(), true, true));
        ProtocolException e = assertThrows(ProtocolException.class, () -> c.verify(certs, trusted(0), NOW));
        assertTrue(e.getMessage().contains("bad signature"), e.getMessage());
        // The untrusted second signer is ignored: tor's authority alone is a majority of one.
        c.verify(certs, Captured.trusted(), NOW);
    }

    @Test
    void aCertificateSignedByAnotherIdentityIsRejected() {
        // Swap in the real authority's identity key: the fingerprint no longer matches it.
        String realId = Captured.keys().substring(Captured.keys().indexOf("dir-identity-key\n"),
                Captured.keys().indexOf("dir-signing-key\n"));
        String forged = certText.substring(0, certText.indexOf("dir-identity-key\n")) + realId
                + certText.substring(certText.indexOf("dir-signing-key\n"));
        assertThrows(ProtocolException.class, () -> AuthorityCertificate.parse(forged).verify(NOW));
    }
}
