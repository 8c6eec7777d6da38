package org.onionpeer.cert;

import java.math.BigInteger;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Rsa;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;

/**
 * Known answers for Ed25519, RSA, Tor certificates and CERTS validation, deterministic and TeaVM-safe (no RSA
 * key generation: fixed keys only).
 *
 * <p>Sources of the published vectors:
 * <ul>
 * <li>RFC 8032 §7.1, TEST 1-3 (Ed25519).</li>
 * <li>A real CERTS cell from a chutney network of C tor relays, published in Arti: crates/tor-cell
 * tests/testvec_chanmsg.rs ({@code test_certs}, the whole cell body) and crates/tor-proto
 * src/channel/handshake.rs ({@code mod certs}: the same certs plus PEER_ED, PEER_RSA, PEER_CERT_DIGEST, valid
 * at 2020-09-26T18:01:20Z).</li>
 * <li>A real identity-ed25519 (type 4) certificate and ntor-onion-key-crosscert (type 0A) from tor's
 * src/test/test_descriptors.inc (router test001a, tor 0.4.5.0-alpha-dev), base64 decoded to hex.</li>
 * </ul>
 */
public final class CertKnownAnswers implements KnownAnswers {
    // RFC 8032 §7.1 TEST 1, 2, 3: secret key (seed), public key, message, signature.
    private static final String[][] RFC8032 = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
        {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    };

    // Arti (see class comment): the chutney relay's certificates.
    /** Type 1: the relay's TLS certificate (2048-bit RSA), issued by its RSA identity. */
    public static final String CERT_T1 = "3082023A308201A3A003020102020872AB0FE86C771604300D06092A864886F70D01010B0500301F311D301B06035504030C147777772E74636A76356B766A646472322E636F6D301E170D3230303632373030303030305A170D3231303231363233353935395A301C311A301806035504030C117777772E617775676863646E732E6E657430820122300D06092A864886F70D01010105000382010F003082010A0282010100FE255E99E10BE986DDA5DFB4AD7C39E8EFE4E5D79E105AB976942B6829386EB1D7B7AFB5ED4FCBEC8C1A34C34FD2ED182F8B42A0363453B55EE371F21347235277E2357F28AA10DD82D4248F7D1894AB5D2979654F71C350F73AD9F918D71F34F1505F77EC16391C8340F392F3684BA4BB6A7B022C3954C1158F152F9E3B4E328FAB2E4E881903CA0E32204B0FDA8AB62B6E215A7BDEC3F2AE41DC58EEC1252F643A1812A5D71802F48D6133DF79955E01F0287BB4AB8CF95BEBCD2EC66EF5B38C7B5EC08DED3D6E2A1D57289D773D5CB932803B6D97784D1DA36AE71C073ADBB7393714001CD7A082512772A7076DC01166417AF7C50AEF7F15FD0806EB07FF0203010001300D06092A864886F70D01010B050003818100CDA4E06BB6BB238B91188A077EEB0A4722518090FD116AF6CDEEB0E85CF6D8E242CF861F973A252EB5116709373B5AC817E6F848E2CBD76AEF684350D3416AEE5F33D56B96982509CDAF11CCA7260E5ADF6DDD0D017AE9A575C999ADAE50B3FB7027E810D47C8C5C14618C0AA10D307E304FBE50E868ADECB2C9536E2DB51BE0";
    /** Type 2: the self-signed 1024-bit RSA identity certificate. */
    public static final String CERT_T2 = "308201B930820122A0030201020208607C28BE6C390943300D06092A864886F70D01010B0500301F311D301B06035504030C147777772E74636A76356B766A646472322E636F6D301E170D3230303831303030303030305A170D3231303831303030303030305A301F311D301B06035504030C147777772E74636A76356B766A646472322E636F6D30819F300D06092A864886F70D010101050003818D0030818902818100D38B1E6CEB946E0DB0751F4CBACE3DCB9688B6C25304227B4710C35AFB73627E50500F5913E158B621802612D1C75827003703338375237552EB3CD3C12F6AB3604E60C1A2D26BB1FBAD206FF023969A90909D6A65A5458A5312C26EBD3A3DAD30302D4515CDCD264146AC18E6FC60A04BD3EC327F04294D96BA5AA25B464C3F0203010001300D06092A864886F70D01010B0500038181003BCE561EA7F95CC00B78AAB5D69573FF301C282A751D4A651921D042F1BECDBA24D918A6D8A5E138DC07BBA0B335478AE37ABD2C93A93932442AE9084329E846170FE0FC4A50AAFC804F311CC3CA4F41D845A7BA5901CBBC3E021E9794AAC70CE1F37B0A951592DB1B64F2B4AFB81AE52DBD9B6FEDE96A5FB8125EB6251EE50A";
    public static final String CERT_T4 = "01040006CC2A01F82294B866A31F01FC5D0DA8572850A9B929545C3266558D7D2316E3B74172B00100200400DCB604DB2034B00FD16986D4ADB9D16B21CB4E4457A33DEC0F538903683E96E9FF1A5203FA27F86EF7528D89A0845D2520166E340754FFEA2AAE0F612B7CE5DA094A0236CDAC45034B0B6842C18E7F6B51B93A3CF7E60663B8AD061C30A62602";
    public static final String CERT_T5 = "01050006C98A03B4FD606B64E4CBD466B8D76CB131069BAE6F3AA1878857C9F624E31D77A799B8007173E5F8068431D0D3F5EE16B4C9FFD59DF373E152A87281BAE744AA5FCF72171BF4B27C4E8FC1C6A9FC5CA11058BC49647063D7903CFD9F512F89099B27BC0C";
    public static final String CERT_T7 = "DCB604DB2034B00FD16986D4ADB9D16B21CB4E4457A33DEC0F538903683E96E90006DA3A805CF6006F9179066534DE6B45AD47A5C469063EE462762723396DC9F25452A0A52DA3F5087DD239F2A311F6B0D4DFEFF4ABD089DC3D0237A0ABAB19EB2045B91CDCAF04BE0A72D548A27BF2E77BD876ECFE5E1BE622350DA6BF31F6E306ED896488DD5B39409B23FC3EB7B2C9F7328EB18DA36D54D80575899EA6507CCBFCDF1F";
    /** The whole CERTS body as Arti's tor-cell test vector spells it: N=5, then types 1, 2, 4, 5, 7. */
    public static final String CERTS_BODY = "05" + "01023E" + CERT_T1 + "0201BD" + CERT_T2 + "04008C" + CERT_T4
            + "050068" + CERT_T5 + "0700A5" + CERT_T7;
    public static final String PEER_CERT_DIGEST = "b4fd606b64e4cbd466b8d76cb131069bae6f3aa1878857c9f624e31d77a799b8";
    public static final String PEER_ED = "dcb604db2034b00fd16986d4adb9d16b21cb4e4457a33dec0f538903683e96e9";
    public static final String PEER_RSA = "2f1fb49bb332a9eec617e41e911c33fb3890aef3";
    /** 2020-09-26T18:01:20Z, when Arti's test finds every certificate valid. */
    public static final long CHUTNEY_NOW = 1601143280L;

    // tor src/test/test_descriptors.inc, router test001a: identity-ed25519, master-key-ed25519, and the
    // ntor-onion-key-crosscert (type 0A, signed by the ntor key's Ed25519 form, so only parsed here).
    static final String TOR_DESC_ID_CERT = "01040006cd5e01a68e4c7885e53340064725fd4d71eaabe56fc7723418ee7b35f1176c052e0ad10100200400ff6b45f14aa923af1717735874d2fbe44aa8cdb866f8c58835059528667c1e802426c442d8e9f4379b713361f492975b5b3f6bbcb0de120490ac57b69176861e6ecf340a7aec3e251e715753c2bb8e0dbfb000aa8a4a5deeefeab1f1d775c802";
    static final String TOR_DESC_MASTER_KEY = "ff6b45f14aa923af1717735874d2fbe44aa8cdb866f8c58835059528667c1e80";
    static final String TOR_DESC_NTOR_CC = "010a0006cd8e01ff6b45f14aa923af1717735874d2fbe44aa8cdb866f8c58835059528667c1e80005aff806dcb5779f1a455a6562993df0e1af515f8b2285374240ab5820ed894d251a06704108658d28bfe980cab5dd8f9f527aeb96d169adbb6cf4a3feca2fd05";
    /** "published 2020-10-13 13:27:09" in that descriptor. */
    static final long TOR_DESC_PUBLISHED = 1602595629L;

    // A 1024-bit RSA key generated for these tests with `openssl genrsa 1024` (not a published vector; it
    // only makes our own chain reproducible without slow key generation).
    static final String KAT_RSA_N = "c1f5aa38d5b87b3e10310a6bd99fe07438214a8f6f5e099a2816bdec1ea225146c13fbde543025d87c137b8a10917e8baf6f1ff164f58e50cba799c7ea47590bd3a32070426f9ac7b89d8e1aee0ef5e460f11eb4e43dae8b1bea4d25d0cf96e67ff9a416bfd5b9df34c24c0f5204f81e50d640308c53aec42bbcd95458c21ee3";
    static final String KAT_RSA_D = "6bb05d516f001d9528e24199fddb7180b5856e6352ff102fc220565499f186cadef2fd7dc49a72f8ce72f6bd825375c252a64d42f6be0bc53a3d94f9554f45d57ebad44a19a5e925dc92af865f0a347a43a350b4ba63ef3e4a3fd7b7a8e7fd0c76b90518787025c9ef25d0b2895a97cd5cd13e53c5392a13e4bf39f9d30f4209";
    static final String KAT_RSA_P = "e02e183402a4e14fc33b36f340c13e7fb7385e42eca3aa4b06c3c0db7d3ba41fe9c9dbe7ace152b25bb69c7dcd580169bfa68407e23117fa8ec2a7a51e59b225";
    static final String KAT_RSA_Q = "dd7d77b2ee5ec605801219a11af9c223df578faafb67357d74e8d8da9b0f9548fbddf5eb07b8c2fcd4c5142e2b7e346d8bf0d637d9ae6c913603218f0dfe0a67";

    /** The fixed test RSA identity key. */
    public static Rsa.PrivateKey katRsaKey() {
        return Rsa.PrivateKey.fromComponents(new BigInteger(KAT_RSA_N, 16), BigInteger.valueOf(65537),
                new BigInteger(KAT_RSA_D, 16), new BigInteger(KAT_RSA_P, 16), new BigInteger(KAT_RSA_Q, 16));
    }

    /** Fixed keys for our own relay: the test RSA key and Ed25519 seeds 0x01.. and 0x02.. */
    public static RelayKeys katRelayKeys() {
        byte[] s1 = new byte[32];
        byte[] s2 = new byte[32];
        for (int i = 0; i < 32; i++) {
            s1[i] = (byte) (1 + i);
            s2[i] = (byte) (0x80 + i);
        }
        return new RelayKeys(katRsaKey(), Ed25519.fromSeed(s1), Ed25519.fromSeed(s2));
    }

    @Override
    public String name() {
        return "cert";
    }

    @Override
    public void run(Check c) {
        ed25519(c);
        rsa(c);
        x509(c);
        ed25519Certs(c);
        crossCert(c);
        certsCell(c);
        ourChain(c);
    }

    private static void ed25519(Check c) {
        for (int i = 0; i < RFC8032.length; i++) {
            String[] v = RFC8032[i];
            Ed25519.KeyPair kp = Ed25519.fromSeed(Bytes.unhex(v[0]));
            byte[] msg = Bytes.unhex(v[2]);
            c.bytes("rfc8032-" + (i + 1) + "-public", v[1], kp.publicKey());
            c.bytes("rfc8032-" + (i + 1) + "-sign", v[3], kp.sign(msg));
            byte[] sig = Bytes.unhex(v[3]);
            c.that("rfc8032-" + (i + 1) + "-verify", Ed25519.verify(Bytes.unhex(v[1]), msg, sig), "");
            sig[i * 7] ^= 1;
            c.that("rfc8032-" + (i + 1) + "-tampered", !Ed25519.verify(Bytes.unhex(v[1]), msg, sig), "");
        }
        c.that("ed25519-bad-lengths", !Ed25519.verify(new byte[31], new byte[0], new byte[64])
                && !Ed25519.verify(new byte[32], new byte[0], new byte[63]), "");
    }

    private static void rsa(Check c) {
        Rsa.PrivateKey k = katRsaKey();
        Rsa.PublicKey pub = k.publicKey();
        c.that("rsa-pkcs1-der-roundtrip", Rsa.PublicKey.fromPkcs1Der(pub.toPkcs1Der()).equals(pub),
                Bytes.hex(pub.toPkcs1Der()));
        c.that("rsa-private-der-roundtrip", Rsa.PrivateKey.fromPkcs1Der(k.toPkcs1Der()).publicKey().equals(pub), "");
        byte[] msg = Bytes.ascii("onionpeer");
        byte[] s256 = k.signSha256(msg);
        c.that("rsa-sha256-sign-verify", pub.verifySha256(msg, s256) && !pub.verifySha1(msg, s256), Bytes.hex(s256));
        byte[] s1 = k.signSha1(msg);
        c.that("rsa-sha1-sign-verify", pub.verifySha1(msg, s1) && !pub.verifySha256(msg, s1), Bytes.hex(s1));
        byte[] digest = Rsa.sha256(msg);
        byte[] raw = k.signRawDigest(digest);
        c.that("rsa-raw-digest-sign-verify", pub.verifyRawDigest(digest, raw) && !pub.verifySha256(msg, raw),
                Bytes.hex(raw));
        raw[5] ^= 0x40;
        c.that("rsa-raw-digest-tampered", !pub.verifyRawDigest(digest, raw), "");
        c.that("rsa-wrong-length-signature", !pub.verifySha256(msg, new byte[127]), "");
        rejectsWith(c, "rsa-der-trailing", "trailing", () -> Rsa.PublicKey.fromPkcs1Der(
                Bytes.concat(pub.toPkcs1Der(), new byte[1])));
    }

    private static void x509(Check c) {
        X509Cert id = X509Cert.decode(Bytes.unhex(CERT_T2));
        Rsa.PublicKey idKey = id.rsaPublicKey();
        c.that("x509-id-fields", id.version() == 2 && idKey.bits() == 1024
                && id.notBefore() == 1597017600L && id.notAfter() == 1628553600L
                && id.signatureAlgorithm().equals(X509Cert.OID_SHA256_WITH_RSA), id.notBefore() + "-" + id.notAfter());
        c.bytes("x509-id-fingerprint", PEER_RSA, RelayIdentity.rsaFingerprint(idKey));
        c.that("x509-id-self-signed", id.signatureValidBy(idKey), "");
        c.bytes("x509-id-roundtrip", CERT_T2, id.encode());
        X509Cert link = X509Cert.decode(Bytes.unhex(CERT_T1));
        c.that("x509-link-signed-by-id", link.signatureValidBy(idKey) && !link.signatureValidBy(link.rsaPublicKey())
                && link.rsaPublicKey().bits() == 2048, "");
        c.bytes("x509-link-sha256-is-type5-key", PEER_CERT_DIGEST, link.sha256());
        byte[] bad = Bytes.unhex(CERT_T1);
        bad[200] ^= 1; // inside the subject key: still parses, no longer verifies
        c.that("x509-tampered-tbs", !X509Cert.decode(bad).signatureValidBy(idKey), "");
        c.that("x509-validity", id.validAt(CHUTNEY_NOW, 0, 0) && !id.validAt(1628553600L + 2 * 86400 + 1, 2 * 86400, 0)
                && id.validAt(1597017600L - 86400, 0, 30 * 86400), "");
        rejectsWith(c, "x509-truncated", "", () -> X509Cert.decode(Bytes.slice(Bytes.unhex(CERT_T2), 0, 300)));
    }

    private static void ed25519Certs(Check c) {
        Ed25519Cert t4 = Ed25519Cert.decode(Bytes.unhex(CERT_T4));
        c.that("ed-t4-fields", t4.certType() == 4 && t4.certKeyType() == 1 && t4.expirationHours() == 0x6cc2aL
                && t4.extensions().size() == 1, "");
        c.bytes("ed-t4-identity", PEER_ED, t4.includedSigningKey());
        c.that("ed-t4-verifies", verifies(() -> t4.verify(null, CHUTNEY_NOW)), "");
        c.bytes("ed-t4-roundtrip", CERT_T4, t4.encode());
        Ed25519Cert t5 = Ed25519Cert.decode(Bytes.unhex(CERT_T5));
        c.bytes("ed-t5-certifies-tls-digest", PEER_CERT_DIGEST, t5.certifiedKey());
        c.that("ed-t5-verifies-with-signing-key", t5.certKeyType() == 3
                && verifies(() -> t5.verify(t4.certifiedKey(), CHUTNEY_NOW)), "");
        rejectsWith(c, "ed-t5-needs-a-key", "no signing key", () -> t5.verify(null, CHUTNEY_NOW));
        rejectsWith(c, "ed-t5-wrong-key", "bad signature", () -> t5.verify(Bytes.unhex(PEER_ED), CHUTNEY_NOW));
        rejectsWith(c, "ed-t5-expired", "expired", () -> t5.verify(t4.certifiedKey(), 0x6c98aL * 3600 + 1));
        c.that("ed-t5-last-valid-second", verifies(() -> t5.verify(t4.certifiedKey(), 0x6c98aL * 3600)), "");

        Ed25519Cert desc = Ed25519Cert.decode(Bytes.unhex(TOR_DESC_ID_CERT));
        c.bytes("tor-desc-master-key", TOR_DESC_MASTER_KEY, desc.includedSigningKey());
        c.that("tor-desc-id-cert-verifies", verifies(() -> desc.verify(Bytes.unhex(TOR_DESC_MASTER_KEY),
                TOR_DESC_PUBLISHED)), "");
        Ed25519Cert ntor = Ed25519Cert.decode(Bytes.unhex(TOR_DESC_NTOR_CC));
        c.that("tor-desc-ntor-crosscert-parses", ntor.certType() == 0x0a && ntor.extensions().isEmpty()
                && Bytes.hex(ntor.certifiedKey()).equals(TOR_DESC_MASTER_KEY), "");

        byte[] v2 = Bytes.unhex(CERT_T4);
        v2[0] = 2;
        rejectsWith(c, "ed-version-2", "version", () -> Ed25519Cert.decode(v2));
        rejectsWith(c, "ed-trailing", "trailing", () -> Ed25519Cert.decode(Bytes.concat(Bytes.unhex(CERT_T5),
                new byte[1])));
        rejectsWith(c, "ed-truncated", "", () -> Ed25519Cert.decode(Bytes.slice(Bytes.unhex(CERT_T4), 0, 139)));
    }

    private static void crossCert(Check c) {
        Rsa.PublicKey idKey = X509Cert.decode(Bytes.unhex(CERT_T2)).rsaPublicKey();
        RsaCrossCert cc = RsaCrossCert.decode(Bytes.unhex(CERT_T7));
        c.that("crosscert-fields", cc.expirationHours() == 0x6da3aL && cc.signature().length == 128, "");
        // The real cross-cert verifies only with raw PKCS#1 padding around the bare SHA-256 digest.
        c.that("crosscert-verifies", verifies(() -> cc.verify(idKey, Bytes.unhex(PEER_ED), CHUTNEY_NOW)), "");
        byte[] digest = Rsa.sha256(Bytes.concat(RsaCrossCert.PREFIX, Bytes.slice(Bytes.unhex(CERT_T7), 0, 36)));
        c.that("crosscert-is-raw-not-digestinfo", idKey.verifyRawDigest(digest, cc.signature())
                && !idKey.verifySha256(Bytes.concat(RsaCrossCert.PREFIX, Bytes.slice(Bytes.unhex(CERT_T7), 0, 36)),
                        cc.signature()), "");
        rejectsWith(c, "crosscert-other-identity", "different Ed25519",
                () -> cc.verify(idKey, new byte[32], CHUTNEY_NOW));
        rejectsWith(c, "crosscert-expired", "expired", () -> cc.verify(idKey, null, 0x6da3aL * 3600 + 1));
        byte[] munged = Bytes.unhex(CERT_T7);
        munged[munged.length - 1] ^= 0x10;
        rejectsWith(c, "crosscert-bad-signature", "bad signature",
                () -> RsaCrossCert.decode(munged).verify(idKey, null, CHUTNEY_NOW));
        rejectsWith(c, "crosscert-siglen-mismatch", "SIGLEN",
                () -> RsaCrossCert.decode(Bytes.slice(Bytes.unhex(CERT_T7), 0, 100)));
    }

    private static void certsCell(Check c) {
        CertsCell cell = CertsCell.decode(Bytes.unhex(CERTS_BODY));
        c.bytes("certs-roundtrip", CERTS_BODY, cell.encode());
        c.that("certs-entries", cell.entries().size() == 5 && cell.firstDuplicateType() == -1
                && cell.count(1) == 1 && cell.body(3) == null, "");
        c.that("certs-trailing-ignored", CertsCell.decode(Bytes.concat(Bytes.unhex(CERTS_BODY), new byte[9]))
                .entries().size() == 5, "");
        LinkBinding tls = LinkBinding.tlsCertificate(Bytes.unhex(CERT_T1));
        RelayIdentity id = CertsValidator.validateResponder(cell, tls, CHUTNEY_NOW);
        c.bytes("certs-valid-rsa-id", PEER_RSA, id.rsaIdentity());
        c.bytes("certs-valid-ed-id", PEER_ED, id.ed25519Identity());
        rejectsWith(c, "certs-wrong-tls-digest", "does not match this link",
                () -> CertsValidator.validateResponder(cell, LinkBinding.expectedDigest(new byte[32]), CHUTNEY_NOW));
        rejectsWith(c, "certs-expired", "expired",
                () -> CertsValidator.validateResponder(cell, tls, 0x6c98aL * 3600 + 3600));
        int[] needed = {2, 4, 5, 7};
        for (int t : needed) {
            rejectsWith(c, "certs-missing-" + t, "missing", () -> CertsValidator.validateResponder(
                    without(cell, t), tls, CHUTNEY_NOW));
        }
        rejectsWith(c, "certs-duplicate", "duplicate", () -> CertsValidator.validateResponder(
                withExtra(cell, 5), tls, CHUTNEY_NOW));
        rejectsWith(c, "certs-truncated-entry", "", () -> CertsCell.decode(Bytes.slice(Bytes.unhex(CERTS_BODY), 0, 600)));
    }

    private static void ourChain(Check c) {
        RelayKeys keys = katRelayKeys();
        long now = 1767225600L; // 2026-01-01T00:00:00Z
        RelayCredentials creds = RelayCredentials.create(keys, now);
        Rsa.PublicKey tlsKey = X509Cert.decode(Bytes.unhex(CERT_T1)).rsaPublicKey();
        X509Cert tls = creds.issueTlsCert(tlsKey, "www.onionpeer-kat.net", now);
        CertsCell cell = creds.certsCell(tls.sha256(), tls, now);
        byte[] body = cell.encode();
        c.that("own-chain-deterministic", Bytes.hex(RelayCredentials.create(keys, now)
                .certsCell(tls.sha256(), tls, now).encode()).equals(Bytes.hex(body)), Bytes.hex(Rsa.sha256(body)));
        c.that("own-chain-bytes", true, Bytes.hex(body));
        RelayIdentity got = CertsValidator.validateResponder(CertsCell.decode(body), LinkBinding.tlsCertificate(
                tls.encode()), now + 3600);
        c.that("own-chain-validates", got.equals(keys.identity()), got.fingerprint());
        c.that("own-tls-cert-issued-by-identity", tls.signatureValidBy(keys.rsaIdentity().publicKey()), "");
        rejectsWith(c, "own-chain-link-cert-expires", "expired", () -> CertsValidator.validateResponder(
                CertsCell.decode(body), LinkBinding.tlsCertificate(tls.encode()), now + 3 * 86400));
    }

    private static CertsCell without(CertsCell cell, int type) {
        java.util.List<CertsCell.Entry> l = new java.util.ArrayList<>();
        for (CertsCell.Entry e : cell.entries()) {
            if (e.type != type) {
                l.add(e);
            }
        }
        return new CertsCell(l);
    }

    private static CertsCell withExtra(CertsCell cell, int type) {
        java.util.List<CertsCell.Entry> l = new java.util.ArrayList<>(cell.entries());
        l.add(new CertsCell.Entry(type, cell.body(type)));
        return new CertsCell(l);
    }

    private static boolean verifies(Runnable r) {
        try {
            r.run();
            return true;
        } catch (ProtocolException e) {
            return false;
        }
    }

    /** Passes when {@code body} throws a ProtocolException whose message contains {@code fragment}. */
    private static void rejectsWith(Check c, String name, String fragment, Runnable body) {
        try {
            body.run();
            c.that(name, false, "accepted");
        } catch (ProtocolException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            c.that(name, m.contains(fragment), "rejected: " + m);
        }
    }
}
