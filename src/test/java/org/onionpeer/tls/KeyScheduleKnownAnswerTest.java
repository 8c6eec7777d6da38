package org.onionpeer.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;

/**
 * The key schedule, Finished values and the server's CertificateVerify against RFC 8448 §3 ("Simple 1-RTT
 * Handshake"): every intermediate secret, key and IV the trace prints, from its own messages. And the
 * TLS 1.2 PRF (RFC 5246 §5) against the P_SHA256 and P_SHA384 vectors posted to the IETF TLS list
 * (mail-archive/web/tls/current/msg03416.html), which other implementations test against as well.
 */
class KeyScheduleKnownAnswerTest {
    // RFC 8448 §3 handshake messages (type + length + body).
    static final String CLIENT_HELLO = "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"
            + "000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d001700180019010001"
            + "0101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e5"
            + "29aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d0002"
            + "0101001c00024001";
    static final String SERVER_HELLO = "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692"
            + "800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b000"
            + "20304";
    static final String ENCRYPTED_EXTENSIONS = "080000240022000a00140012001d00170018001901000101010201030104001c000"
            + "2400100000000";
    static final String CERTIFICATE = "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d"
            + "01010b0500300e310c300a06035504031303727361301e170d3136303733303031323335395a170d32363037333030313233"
            + "35395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb"
            + "498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af9"
            + "8c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8e"
            + "a6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603"
            + "551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a"
            + "7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e60"
            + "8ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac"
            + "9187b42b4de10000";
    static final String CERTIFICATE_VERIFY = "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f"
            + "1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15"
            + "411ac027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3";
    static final String SERVER_FINISHED = "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";
    static final String CLIENT_FINISHED = "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";

    static byte[] h(String s) {
        return Bytes.unhex(s.replace(" ", ""));
    }

    @Test
    void rfc8448SimpleHandshake() {
        KeySchedule ks = new KeySchedule(Tls.TLS_AES_128_GCM_SHA256);
        byte[] early = ks.earlySecret();
        assertEquals("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a", Bytes.hex(early));
        assertEquals("6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba",
                Bytes.hex(ks.deriveSecret(early, "derived", ks.hash(new byte[0]))));

        // The shared secret, through the crypto provider's x25519 with the trace's private keys.
        byte[] clientPriv = h("49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005");
        byte[] serverPub = h("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f");
        byte[][] shared = new byte[1][];
        BcTlsCrypto crypto = new BcTlsCrypto(out -> System.arraycopy(clientPriv, 0, out, 0, out.length));
        crypto.keyShare(Tls.X25519, share -> {
            assertEquals("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c", Bytes.hex(share.publicKey()));
            share.agree(serverPub, s -> shared[0] = s);
        });
        assertEquals("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d", Bytes.hex(shared[0]));

        byte[] hs = ks.handshakeSecret(shared[0]);
        assertEquals("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac", Bytes.hex(hs));
        byte[] th1 = ks.hash(Bytes.concat(h(CLIENT_HELLO), h(SERVER_HELLO)));
        byte[] cHs = ks.deriveSecret(hs, "c hs traffic", th1);
        byte[] sHs = ks.deriveSecret(hs, "s hs traffic", th1);
        assertEquals("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", Bytes.hex(cHs));
        assertEquals("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", Bytes.hex(sHs));
        byte[] master = ks.masterSecret(hs);
        assertEquals("18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919", Bytes.hex(master));
        assertEquals("3fce516009c21727d0f2e4e86ee403bc", Bytes.hex(ks.expandLabel(sHs, "key", new byte[0], 16)));
        assertEquals("5d313eb2671276ee13000b30", Bytes.hex(ks.expandLabel(sHs, "iv", new byte[0], 12)));
        assertEquals("dbfaa693d1762c5b666af5d950258d01", Bytes.hex(ks.expandLabel(cHs, "key", new byte[0], 16)));
        assertEquals("5bd3c71b836e0b76bb73265f", Bytes.hex(ks.expandLabel(cHs, "iv", new byte[0], 12)));

        // The server's CertificateVerify (rsa_pss_rsae_sha256) verifies with the trace's certificate.
        byte[] certMsg = h(CERTIFICATE);
        int certLen = ((certMsg[8] & 0xff) << 16) | Bytes.u16(certMsg, 9);
        Certificate cert = Certificate.parse(Bytes.slice(certMsg, 11, certLen));
        assertEquals("CN=rsa", cert.subject());
        byte[] thCert = ks.hash(Bytes.concat(h(CLIENT_HELLO), h(SERVER_HELLO), h(ENCRYPTED_EXTENSIONS), certMsg));
        byte[] cv = h(CERTIFICATE_VERIFY);
        assertEquals(Tls.RSA_PSS_RSAE_SHA256, Bytes.u16(cv, 4));
        byte[] sig = Bytes.slice(cv, 8, cv.length - 8);
        byte[] prefix = new byte[64];
        java.util.Arrays.fill(prefix, (byte) 0x20);
        byte[] signed = Bytes.concat(prefix, Bytes.ascii("TLS 1.3, server CertificateVerify"), new byte[1], thCert);
        boolean[] ok = new boolean[2];
        crypto.verify(Tls.RSA_PSS_RSAE_SHA256, cert.publicKey(), signed, sig, v -> ok[0] = v);
        signed[signed.length - 1] ^= 1;
        crypto.verify(Tls.RSA_PSS_RSAE_SHA256, cert.publicKey(), signed, sig, v -> ok[1] = v);
        assertTrue(ok[0], "RFC 8448 CertificateVerify verifies");
        assertTrue(!ok[1], "a changed transcript does not");

        byte[] thCv = ks.hash(Bytes.concat(h(CLIENT_HELLO), h(SERVER_HELLO), h(ENCRYPTED_EXTENSIONS), certMsg, cv));
        assertArrayEquals(Bytes.slice(h(SERVER_FINISHED), 4, 32), ks.finished(sHs, thCv));
        byte[] thSf = ks.hash(Bytes.concat(h(CLIENT_HELLO), h(SERVER_HELLO), h(ENCRYPTED_EXTENSIONS), certMsg, cv,
                h(SERVER_FINISHED)));
        byte[] cAp = ks.deriveSecret(master, "c ap traffic", thSf);
        byte[] sAp = ks.deriveSecret(master, "s ap traffic", thSf);
        assertEquals("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5", Bytes.hex(cAp));
        assertEquals("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", Bytes.hex(sAp));
        assertEquals("9f02283b6c9c07efc26bb9f2ac92e356", Bytes.hex(ks.expandLabel(sAp, "key", new byte[0], 16)));
        assertEquals("cf782b88dd83549aadf1e984", Bytes.hex(ks.expandLabel(sAp, "iv", new byte[0], 12)));
        // The client's Finished covers the transcript through the server's Finished.
        assertArrayEquals(Bytes.slice(h(CLIENT_FINISHED), 4, 32), ks.finished(cHs, thSf));
    }

    @Test
    void tls12PrfSha256() {
        KeySchedule ks = new KeySchedule(Tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        byte[] out = ks.prf(h("9bbe436ba940f017b17652849a71db35"), "test label", h("a0ba9f936cda311827a6f796ffd5198c"), 100);
        assertEquals("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af"
                + "0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187"
                + "347b66", Bytes.hex(out));
    }

    @Test
    void tls12PrfSha384() {
        KeySchedule ks = new KeySchedule(Tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
        byte[] out = ks.prf(h("b80b733d6ceefcdc71566ea48e5567df"), "test label", h("cd665cf6a8447dd6ff8b27555edb7465"), 148);
        assertEquals("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0"
                + "e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b"
                + "5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73"
                + "e56f", Bytes.hex(out));
    }
}
