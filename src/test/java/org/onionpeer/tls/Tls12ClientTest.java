package org.onionpeer.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Hashes;

/**
 * The client against the JDK's own server restricted to TLS 1.2: an HTTP response fetched whole and
 * SHA-256-identical under each of the six ECDHE suites (ECDSA and RSA certificates, AES-GCM and
 * ChaCha20-Poly1305), over x25519 and P-256, with crypto that answers late and out of order; the certificate
 * failures with the same exact messages as under TLS 1.3; and TLS 1.2 turned off in the configuration.
 */
class Tls12ClientTest {
    static TestPki.Issued ca;
    static TestPki.Issued rsaCa;
    static TestPki.Issued ecLeaf;
    static TestPki.Issued rsaLeaf;
    static byte[] body;
    static final BcTlsCrypto CRYPTO = new BcTlsCrypto(new SecureRandom()::nextBytes);

    @BeforeAll
    static void pki() {
        ca = TestPki.selfSigned(new TestPki.Spec().cn("Test CA").ca());
        rsaCa = TestPki.selfSigned(new TestPki.Spec().cn("RSA CA").ca().keys(TestPki.rsa()));
        ecLeaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        rsaLeaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost").keys(TestPki.rsa()), rsaCa);
        body = new byte[300_000];
        new Random(12).nextBytes(body);
    }

    static TlsConfig config(String host, TestPki.Issued anchor) {
        return TlsConfig.of(host, TrustStore.fromPem(anchor.pem()), TestPki.NOW);
    }

    /** One fetch from a TLS 1.2-only JDK server holding {@code leaf}, offering only {@code suites} (JDK names). */
    static Fetch fetch12(TestPki.Issued leaf, TlsConfig config, TlsCrypto crypto, String... suites) throws Exception {
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(leaf), body, suites)) {
            server.protocols = new String[] {"TLSv1.2"};
            Fetch f = Fetch.get(server.port(), config, crypto,
                    crypto instanceof Fetch.Deferred ? (Fetch.Deferred) crypto : null);
            if (f.failure == null) {
                assertNull(server.lastError, "server side");
                assertEquals("TLSv1.2", server.lastProtocol);
            }
            return f;
        }
    }

    private static void assertFetched(Fetch f) {
        assertNull(f.failure, () -> "failed: " + f.failure.getMessage());
        assertTrue(f.connected);
        assertTrue(f.closed, "close_notify received");
        assertEquals(TlsClient.State.CLOSED, f.client.state());
        assertEquals(Tls.TLS12, f.client.version());
        assertArrayEquals(Hashes.sha256(body), Hashes.sha256(f.body()), "body SHA-256");
        assertFalse(TlsClientTest.indexOf(f.wire.toByteArray(), java.util.Arrays.copyOfRange(body, 1000, 1032)) >= 0);
    }

    @Test
    void fetchesUnderEachSuiteWithEcdsaAndRsaCertificates() throws Exception {
        String[] jdk = {
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        };
        int[] ours = {
            Tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            Tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, Tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            Tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, Tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        };
        for (int i = 0; i < jdk.length; i++) {
            boolean rsa = jdk[i].contains("_RSA_");
            long t0 = System.nanoTime();
            Fetch f = fetch12(rsa ? rsaLeaf : ecLeaf, config("localhost", rsa ? rsaCa : ca), CRYPTO, jdk[i]);
            assertFetched(f);
            assertEquals(ours[i], f.client.cipherSuite(), jdk[i]);
            assertEquals(Tls.X25519, f.client.group());
            assertEquals(rsa ? PublicKeyInfo.RSA : PublicKeyInfo.EC_P256,
                    f.client.serverCertificates().get(0).publicKey().type());
            System.out.printf("TLS 1.2 %s: %d bytes in %.1f ms%n", jdk[i], body.length, (System.nanoTime() - t0) / 1e6);
        }
    }

    @Test
    void signatureSchemesSeenByTheCrypto() throws Exception {
        // What reaches TlsCrypto.verify: the certificate's signature, then the ServerKeyExchange's. The JDK
        // signs with the first scheme of ours that fits: rsa_pss_rsae_sha256 for RSA, ecdsa for EC keys.
        java.util.List<Integer> schemes = new java.util.ArrayList<>();
        TlsCrypto recording = new Fetch.Deferred(CRYPTO, 5) {
            @Override
            public void verify(int scheme, PublicKeyInfo key, byte[] message, byte[] signature, Done<Boolean> done) {
                schemes.add(scheme);
                super.verify(scheme, key, message, signature, done);
            }
        };
        assertFetched(fetch12(rsaLeaf, config("localhost", rsaCa), recording));
        assertEquals(java.util.Arrays.asList(Tls.RSA_PKCS1_SHA256, Tls.RSA_PSS_RSAE_SHA256), schemes);
        schemes.clear();
        assertFetched(fetch12(ecLeaf, config("localhost", ca), recording));
        assertEquals(java.util.Arrays.asList(Tls.ECDSA_SECP256R1_SHA256, Tls.ECDSA_SECP256R1_SHA256), schemes);
    }

    @Test
    void secp256r1KeyExchange() throws Exception {
        Fetch f = fetch12(ecLeaf, config("localhost", ca).withGroups(Tls.SECP256R1), CRYPTO);
        assertFetched(f);
        assertEquals(Tls.SECP256R1, f.client.group());
        Fetch r = fetch12(rsaLeaf, config("localhost", rsaCa).withGroups(Tls.SECP256R1), CRYPTO);
        assertFetched(r);
        assertEquals(Tls.SECP256R1, r.client.group());
    }

    @Test
    void asynchronousOutOfOrderCrypto() throws Exception {
        long seed = new SecureRandom().nextLong();
        System.out.println("Tls12ClientTest.asynchronousOutOfOrderCrypto seed " + seed);
        for (String suite : new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"}) {
            Fetch.Deferred d = new Fetch.Deferred(CRYPTO, seed);
            Fetch f = fetch12(ecLeaf, config("localhost", ca), d, suite);
            assertFetched(f);
            assertTrue(d.ran > 20, "callbacks ran later: " + d.ran);
        }
    }

    @Test
    void serverWithBothVersionsGetsTls13() throws Exception {
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(ecLeaf), body)) {
            Fetch f = Fetch.get(server.port(), config("localhost", ca), CRYPTO, null);
            assertNull(f.failure);
            assertEquals(Tls.TLS13, f.client.version());
            assertEquals("TLSv1.3", server.lastProtocol);
        }
    }

    @Test
    void downgradeByAnAttackerIsRefused() throws Exception {
        // An attacker rewrites TLS 1.3 in the ClientHello's supported_versions to TLS 1.1 (which the JDK has
        // turned off): the server, which speaks TLS 1.3, answers TLS 1.2 and writes the sentinel that says so.
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(ecLeaf), body)) {
            Fetch f = new Fetch("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes("ISO-8859-1"));
            byte[] offer = org.onionpeer.bytes.Bytes.unhex("002b00050403040303");
            boolean[] done = {false};
            f.tamperSent = b -> {
                int at = TlsClientTest.indexOf(b, offer);
                if (!done[0] && at >= 0) {
                    done[0] = true;
                    b[at + 6] = 2; // 0x0304 -> 0x0302
                }
                return b;
            };
            f.run(server.port(), config("localhost", ca), CRYPTO, null);
            assertTrue(done[0]);
            assertEquals("ServerHello.random carries the TLS 1.3 downgrade sentinel: the server speaks TLS 1.3, but"
                    + " something between us made it choose an older version", f.failure.getMessage());
            assertEquals(Alert.ILLEGAL_PARAMETER, f.failure.alert());
            assertFalse(f.connected);
        }
    }

    @Test
    void tls12TurnedOffIsRefusedClearly() throws Exception {
        Fetch f = fetch12(ecLeaf, config("localhost", ca).withMinimumVersion(Tls.TLS13), CRYPTO);
        assertEquals("server sent alert protocol_version: it does not speak TLS 1.3, and TLS 1.2 is turned off in"
                + " this client", f.failure.getMessage());
        assertEquals(Alert.PROTOCOL_VERSION, f.failure.alert());
    }

    @Test
    void wrongHostname() throws Exception {
        Fetch f = fetch12(TestPki.issue(new TestPki.Spec().cn("ip").ip("127.0.0.1"), ca), config("example.test", ca),
                CRYPTO);
        assertEquals("certificate for 127.0.0.1 does not match host example.test", f.failure.getMessage());
        assertEquals(Alert.BAD_CERTIFICATE, f.failure.alert());
        assertTrue(f.failure.isCertificateError());
        assertFalse(f.connected);
    }

    @Test
    void expiredCertificate() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost")
                .validity(TestPki.NOW - 2 * TestPki.YEAR, 1767225600L), ca); // 2026-01-01T00:00:00Z
        Fetch f = fetch12(leaf, config("localhost", ca), CRYPTO);
        assertEquals("certificate expired on 2026-01-01T00:00:00Z", f.failure.getMessage());
        assertEquals(Alert.CERTIFICATE_EXPIRED, f.failure.alert());
    }

    @Test
    void unknownCa() throws Exception {
        TestPki.Issued other = TestPki.selfSigned(new TestPki.Spec().cn("Other CA").ca());
        Fetch f = fetch12(ecLeaf, config("localhost", other), CRYPTO);
        assertEquals("no trust anchor for issuer CN=Test CA", f.failure.getMessage());
        assertEquals(Alert.UNKNOWN_CA, f.failure.alert());
    }

    @Test
    void realServerWithoutExtendedMasterSecretIsRefused() throws Exception {
        // The JDK reads jdk.tls.useExtendedMasterSecret once per JVM: the server runs in a JVM of its own.
        java.io.File store = java.io.File.createTempFile("tls12-no-ems", ".p12");
        store.deleteOnExit();
        try (java.io.FileOutputStream o = new java.io.FileOutputStream(store)) {
            TestPki.keyStore(ecLeaf).store(o, "pw".toCharArray());
        }
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(javaCommand, "-Djdk.tls.useExtendedMasterSecret=false", "-cp",
                System.getProperty("java.class.path"), JdkTlsServer.class.getName(), store.getPath(), "1000", "TLSv1.2")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String port = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), "US-ASCII"))
                    .readLine();
            Fetch f = Fetch.get(Integer.parseInt(port.trim()), config("localhost", ca), CRYPTO, null);
            assertEquals("server does not support the extended master secret (RFC 7627), which this client requires"
                    + " for TLS 1.2", f.failure.getMessage());
            assertEquals(Alert.HANDSHAKE_FAILURE, f.failure.alert());
            assertFalse(f.connected);
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        // The same server in this JVM (extended master secret on by default) is fine: the refusal was for EMS.
        assertFetched(fetch12(ecLeaf, config("localhost", ca), CRYPTO));
    }

    @Test
    void tamperedRecordFailsToDecrypt() throws Exception {
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(ecLeaf), body)) {
            server.protocols = new String[] {"TLSv1.2"};
            Fetch f = new Fetch("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes("ISO-8859-1"));
            long[] seen = {0};
            f.tamper = b -> {
                seen[0] += b.length;
                if (seen[0] > 100_000) { // well into the response
                    b[b.length / 2] ^= 0x40;
                }
                return b;
            };
            f.run(server.port(), config("localhost", ca), CRYPTO, null);
            assertEquals("record failed to decrypt (bad_record_mac)", f.failure.getMessage());
            assertEquals(Alert.BAD_RECORD_MAC, f.failure.alert());
        }
    }
}
