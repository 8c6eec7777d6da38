package org.onionpeer.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Hashes;

/**
 * The TLS 1.3 client against the JDK's own TLS 1.3 server on 127.0.0.1, with a test CA made in the test:
 * an HTTP response fetched whole and byte-identical under every cipher suite, RSA and EC keys, an IP
 * address name, an intermediate CA, a HelloRetryRequest, crypto that answers late and out of order; and
 * the certificate failures each with its exact message. TLS 1.2 servers: {@link Tls12ClientTest}.
 */
class TlsClientTest {
    static TestPki.Issued ca;
    static TestPki.Issued other;
    static byte[] body;
    static final BcTlsCrypto CRYPTO = new BcTlsCrypto(new SecureRandom()::nextBytes);

    @BeforeAll
    static void pki() {
        ca = TestPki.selfSigned(new TestPki.Spec().cn("Test CA").ca());
        other = TestPki.selfSigned(new TestPki.Spec().cn("Other CA").ca());
        body = new byte[300_000];
        new Random(7).nextBytes(body);
    }

    static TlsConfig config(String host) {
        return TlsConfig.of(host, TrustStore.fromPem(ca.pem()), TestPki.NOW);
    }

    static Fetch fetch(TestPki.Issued leaf, TlsConfig config, TlsCrypto crypto, String... suites) throws Exception {
        return fetchChain(leaf, new TestPki.Issued[0], config, crypto, suites);
    }

    static Fetch fetchChain(TestPki.Issued leaf, TestPki.Issued[] chain, TlsConfig config, TlsCrypto crypto,
            String... suites) throws Exception {
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(leaf, chain), body, suites)) {
            Fetch f = Fetch.get(server.port(), config, crypto,
                    crypto instanceof Fetch.Deferred ? (Fetch.Deferred) crypto : null);
            if (f.failure == null) {
                assertNull(server.lastError, "server side");
                assertTrue(server.lastRequest.startsWith("GET / HTTP/1.1\r\nHost: " + config.host()));
            }
            return f;
        }
    }

    private static void assertFetched(Fetch f) {
        assertNull(f.failure, () -> "failed: " + f.failure.getMessage());
        assertTrue(f.connected);
        assertTrue(f.closed, "close_notify received");
        assertEquals(TlsClient.State.CLOSED, f.client.state());
        assertArrayEquals(Hashes.sha256(body), Hashes.sha256(f.body()), "body SHA-256");
        // The wire carried only TLS records, never the body in clear.
        assertFalse(indexOf(f.wire.toByteArray(), java.util.Arrays.copyOfRange(body, 1000, 1032)) >= 0);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void fetchesUnderEachCipherSuite() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        String[] jdk = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
        int[] ours = {Tls.TLS_AES_128_GCM_SHA256, Tls.TLS_AES_256_GCM_SHA384, Tls.TLS_CHACHA20_POLY1305_SHA256};
        for (int i = 0; i < jdk.length; i++) {
            long t0 = System.nanoTime();
            Fetch f = fetch(leaf, config("localhost"), CRYPTO, jdk[i]);
            assertFetched(f);
            assertEquals(ours[i], f.client.cipherSuite());
            assertEquals(Tls.X25519, f.client.group());
            assertFalse(f.client.retried());
            System.out.printf("%s: %d bytes in %.1f ms%n", jdk[i], body.length, (System.nanoTime() - t0) / 1e6);
        }
    }

    @Test
    void rsaLeafUnderRsaCaWithPss() throws Exception {
        TestPki.Issued rsaCa = TestPki.selfSigned(new TestPki.Spec().cn("RSA CA").ca().keys(TestPki.rsa()));
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("rsa.test").dns("rsa.test").keys(TestPki.rsa()), rsaCa);
        Fetch f = fetch(leaf, TlsConfig.of("rsa.test", TrustStore.fromPem(rsaCa.pem()), TestPki.NOW), CRYPTO);
        assertFetched(f);
        assertEquals(PublicKeyInfo.RSA, f.client.serverCertificates().get(0).publicKey().type());
    }

    @Test
    void ipAddressNameAndIntermediate() throws Exception {
        TestPki.Issued mid = TestPki.issue(new TestPki.Spec().cn("Test Intermediate").ca().pathLen(0), ca);
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("ip").ip("127.0.0.1"), mid);
        Fetch f = fetchChain(leaf, new TestPki.Issued[] {mid}, config("127.0.0.1"), CRYPTO);
        assertFetched(f);
        assertEquals(2, f.client.serverCertificates().size());
    }

    @Test
    void wildcardName() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("wild").dns("*.example.test"), ca);
        assertFetched(fetch(leaf, config("www.example.test"), CRYPTO));
        Fetch deeper = fetch(leaf, config("a.b.example.test"), CRYPTO);
        assertEquals("certificate for *.example.test does not match host a.b.example.test", deeper.failure.getMessage());
    }

    @Test
    void asynchronousOutOfOrderCrypto() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        long seed = new SecureRandom().nextLong();
        System.out.println("asynchronousOutOfOrderCrypto seed " + seed);
        Fetch.Deferred d = new Fetch.Deferred(CRYPTO, seed);
        Fetch f = fetch(leaf, config("localhost"), d);
        assertFetched(f);
        assertTrue(d.ran > 20, "callbacks ran later: " + d.ran);
    }

    @Test
    void recordsStillDecryptingWhenTheServerClosesStillCount() throws Exception {
        // In the page, WebCrypto answers after the stream's close may have arrived: the records received
        // before it, the close_notify among them, must still count, not be taken for a truncation.
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        Fetch.Deferred d = new Fetch.Deferred(CRYPTO, 3);
        // 1 MB: more records (of at most 16 KB) than the read-ahead, so it is reached.
        byte[] big = new byte[1 << 20];
        new java.util.Random(3).nextBytes(big);
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(leaf, new TestPki.Issued[0]), big)) {
            Fetch f = new Fetch("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes("ISO-8859-1"));
            f.drainAtEof = true;
            f.run(server.port(), config("localhost"), d, d);
            assertNull(f.failure, () -> "failed: " + f.failure.getMessage());
            assertTrue(f.closed, "close_notify received");
            assertEquals(TlsClient.State.CLOSED, f.client.state());
            assertArrayEquals(big, f.body());
            // And while the answers waited, records were being decrypted several at once (read-ahead).
            assertEquals(TlsClient.READ_AHEAD, d.maxOpensWaiting, "decryptions in flight at once");
        }
    }

    @Test
    void helloRetryRequestForAnotherGroup() throws Exception {
        // A key share for a group the server does not know (a GREASE value, RFC 8701) makes it ask again
        // for x25519, which the client also listed.
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        int grease = 0x0a0a;
        TlsCrypto withGrease = new Fetch.Deferred(CRYPTO, 1) {
            @Override
            public boolean supportsGroup(int group) {
                return group == grease || super.supportsGroup(group);
            }

            @Override
            public void keyShare(int group, Done<KeyShare> done) {
                if (group != grease) {
                    super.keyShare(group, done);
                    return;
                }
                done.done(new KeyShare() {
                    public int group() {
                        return grease;
                    }

                    public byte[] publicKey() {
                        return new byte[] {0};
                    }

                    public void agree(byte[] peer, Done<byte[]> d) {
                        d.done(null);
                    }
                });
            }
        };
        Fetch f = fetch(leaf, config("localhost").withGroups(grease, Tls.X25519), withGrease);
        assertFetched(f);
        assertTrue(f.client.retried());
        assertEquals(Tls.X25519, f.client.group());
    }

    @Test
    void wrongHostname() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("ip").ip("127.0.0.1"), ca);
        Fetch f = fetch(leaf, config("example.test"), CRYPTO);
        assertNotNull(f.failure);
        assertEquals("certificate for 127.0.0.1 does not match host example.test", f.failure.getMessage());
        assertEquals(Alert.BAD_CERTIFICATE, f.failure.alert());
        assertTrue(f.failure.isCertificateError());
        assertFalse(f.connected);
    }

    @Test
    void expiredCertificate() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost")
                .validity(TestPki.NOW - 2 * TestPki.YEAR, 1767225600L), ca); // 2026-01-01T00:00:00Z
        Fetch f = fetch(leaf, config("localhost"), CRYPTO);
        assertEquals("certificate expired on 2026-01-01T00:00:00Z", f.failure.getMessage());
        assertEquals(Alert.CERTIFICATE_EXPIRED, f.failure.alert());
    }

    @Test
    void notYetValidCertificate() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost")
                .validity(TestPki.NOW + 86400, TestPki.NOW + TestPki.YEAR), ca);
        Fetch f = fetch(leaf, config("localhost"), CRYPTO);
        assertEquals("certificate is not valid before 2026-06-02T00:00:00Z", f.failure.getMessage());
    }

    @Test
    void unknownCa() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        Fetch f = fetch(leaf, TlsConfig.of("localhost", TrustStore.fromPem(other.pem()), TestPki.NOW), CRYPTO);
        assertEquals("no trust anchor for issuer CN=Test CA", f.failure.getMessage());
        assertEquals(Alert.UNKNOWN_CA, f.failure.alert());
    }

    @Test
    void forgedCertificateSignature() throws Exception {
        // A leaf naming "Test CA" as issuer but signed by another key with the same name.
        TestPki.Issued impostor = TestPki.selfSigned(new TestPki.Spec().cn("Test CA").ca());
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), impostor);
        Fetch f = fetch(leaf, config("localhost"), CRYPTO);
        assertEquals("bad signature on certificate CN=localhost by CN=Test CA", f.failure.getMessage());
    }

    @Test
    void intermediateWithoutCaFlag() throws Exception {
        TestPki.Issued notCa = TestPki.issue(new TestPki.Spec().cn("Not A CA").dns("x.test"), ca);
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), notCa);
        Fetch f = fetchChain(leaf, new TestPki.Issued[] {notCa}, config("localhost"), CRYPTO);
        assertEquals("certificate CN=Not A CA is not a CA certificate", f.failure.getMessage());
    }

    @Test
    void pathLenConstraint() throws Exception {
        TestPki.Issued mid1 = TestPki.issue(new TestPki.Spec().cn("Mid 1").ca().pathLen(0), ca);
        TestPki.Issued mid2 = TestPki.issue(new TestPki.Spec().cn("Mid 2").ca(), mid1);
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), mid2);
        Fetch f = fetchChain(leaf, new TestPki.Issued[] {mid2, mid1}, config("localhost"), CRYPTO);
        assertEquals("certificate CN=Mid 1 allows 0 intermediates below it, the chain has 1", f.failure.getMessage());
    }

    @Test
    void largeUploadAndKeyUpdateFromTheClient() throws Exception {
        // Sending forces several records; the client's own KeyUpdate logic is exercised with a small limit
        // in TlsRecordTest; here: a request split over many records reaches the server intact.
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(leaf), body)) {
            StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: localhost\r\n");
            for (int i = 0; i < 2000; i++) {
                sb.append("X-Filler-").append(i).append(": ").append("abcdefghijklmnopqrstuvwxyz").append("\r\n");
            }
            sb.append("\r\n");
            Fetch f = new Fetch(sb.toString().getBytes("ISO-8859-1"));
            f.run(server.port(), config("localhost"), CRYPTO, null);
            assertNull(f.failure);
            assertEquals(sb.length(), server.lastRequest.length());
            assertArrayEquals(Hashes.sha256(body), Hashes.sha256(f.body()));
        }
    }

    @Test
    void keyUpdatesAskedByTheServer() throws Exception {
        // The JDK server sends KeyUpdate(update_requested) between pieces of the body; the client switches
        // its read keys and answers with its own KeyUpdate; the server then reads the client's close_notify
        // under the client's new keys (it would report an SSLException otherwise).
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(leaf), body)) {
            server.keyUpdateEvery = 50_000;
            Fetch f = Fetch.get(server.port(), config("localhost"), CRYPTO, null);
            assertFetched(f);
            assertEquals(6, f.client.keyUpdatesReceived());
            assertEquals(6, f.client.keyUpdatesSent());
            Thread.sleep(200);
            assertNull(server.lastError);
        }
    }

    @Test
    void tamperedRecordFailsToDecrypt() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(leaf), body)) {
            Fetch f = new Fetch("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes("ISO-8859-1"));
            long[] seen = {0};
            f.tamper = b -> {
                seen[0] += b.length;
                if (seen[0] > 100_000) { // well into the response
                    b[b.length / 2] ^= 0x40;
                }
                return b;
            };
            f.run(server.port(), config("localhost"), CRYPTO, null);
            assertEquals("record failed to decrypt (bad_record_mac)", f.failure.getMessage());
            assertEquals(Alert.BAD_RECORD_MAC, f.failure.alert());
        }
    }

    @Test
    void oversizedRecordIsRefused() throws Exception {
        TestPki.Issued leaf = TestPki.issue(new TestPki.Spec().cn("localhost").dns("localhost"), ca);
        try (JdkTlsServer server = new JdkTlsServer(TestPki.keyStore(leaf), body)) {
            Fetch f = new Fetch("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes("ISO-8859-1"));
            boolean[] done = {false};
            f.tamper = b -> {
                if (!done[0] && f.connected) {
                    done[0] = true; // a record header claiming 2^14 + 257 bytes, in place of the real stream
                    return new byte[] {23, 3, 3, 0x41, 0x01};
                }
                return b;
            };
            f.run(server.port(), config("localhost"), CRYPTO, null);
            assertEquals("record of 16641 bytes exceeds 16640", f.failure.getMessage());
            assertEquals(Alert.RECORD_OVERFLOW, f.failure.alert());
        }
    }
}
