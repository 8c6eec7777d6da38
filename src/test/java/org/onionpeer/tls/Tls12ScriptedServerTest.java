package org.onionpeer.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/**
 * The test speaks for a TLS 1.2 server, with record protection made transparent
 * ({@link TlsFuzzTest.TransparentCrypto}: the AEAD appends a zero tag, ECDH agrees on 32 zero bytes) but
 * the rest real: the ServerKeyExchange signed with the leaf's key, the extended master secret, the key block
 * and both Finished values from the PRF. So each TLS 1.2 rule can be poked on its own: the client's flight
 * and Finished, the explicit nonce, the missing extended master secret, the downgrade sentinel, a bad
 * ServerKeyExchange signature, RSA PKCS#1 signatures, renegotiation refused, TLS 1.2 turned off.
 */
class Tls12ScriptedServerTest {
    static final int SUITE = Tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    TlsFuzzTest.Outcome out;
    TlsClient client;
    final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean connected;
    boolean clientEncrypts;
    byte[] transcript;
    byte[] masterSecret;
    final KeySchedule ks = new KeySchedule(SUITE);

    @BeforeEach
    void setUp() {
        TlsFuzzTest.pki();
    }

    void start(TlsConfig config) {
        out = new TlsFuzzTest.Outcome() {
            @Override
            public void send(byte[] records) {
                sent.write(records, 0, records.length);
            }

            @Override
            public void connected() {
                connected = true;
            }

            @Override
            public void received(byte[] data) {
                received.write(data, 0, data.length);
            }
        };
        client = new TlsClient(config, new TlsFuzzTest.TransparentCrypto(), out);
        client.start();
        transcript = clientRecords().get(0)[1];
    }

    void start() {
        start(config());
    }

    static TlsConfig config() {
        return TlsConfig.of("fuzz.test", TrustStore.fromPem(TlsFuzzTest.ca.pem()), TestPki.NOW);
    }

    /**
     * Records the client sent since the last call: {type, content, explicit nonce}, the transparent protection
     * removed from those after its ChangeCipherSpec.
     */
    List<byte[][]> clientRecords() {
        byte[] all = sent.toByteArray();
        sent.reset();
        List<byte[][]> recs = new ArrayList<>();
        for (int off = 0; off < all.length; ) {
            int type = all[off] & 0xff;
            assertEquals(Tls.TLS12, Bytes.u16(all, off + 1) == 0x0301 ? Tls.TLS12 : Bytes.u16(all, off + 1));
            int len = Bytes.u16(all, off + 3);
            byte[] body = Bytes.slice(all, off + 5, len);
            if (clientEncrypts) {
                for (int i = len - Tls.AEAD_TAG; i < len; i++) {
                    assertEquals(0, body[i], "transparent tag");
                }
                recs.add(new byte[][] {{(byte) type}, Bytes.slice(body, 8, len - 8 - Tls.AEAD_TAG), Bytes.slice(body, 0, 8)});
            } else {
                recs.add(new byte[][] {{(byte) type}, body});
            }
            if (type == Tls.CHANGE_CIPHER_SPEC) {
                clientEncrypts = true;
            }
            off += 5 + len;
        }
        return recs;
    }

    void serverSends(byte[]... messages) {
        for (byte[] m : messages) {
            transcript = Bytes.concat(transcript, m);
            client.receive(TlsFuzzTest.plainRecord(Tls.HANDSHAKE, m));
        }
    }

    byte[] serverHello(byte[] random, byte[] extensions) {
        return TlsFuzzTest.serverHello12(random, SUITE, extensions);
    }

    byte[] ske() {
        return TlsFuzzTest.serverKeyExchange12(TlsFuzzTest.SERVER_RANDOM_12, Tls.X25519, new byte[32],
                Tls.ECDSA_SECP256R1_SHA256, "SHA256withECDSA", TlsFuzzTest.leaf.keys.getPrivate());
    }

    static byte[] done() {
        return TlsFuzzTest.message(Tls.SERVER_HELLO_DONE, new byte[0]);
    }

    /** After the server's ServerHelloDone: checks the client's flight, answers with ChangeCipherSpec and Finished. */
    void finishHandshake(boolean certificateRequested) {
        assertNull(out.failure, () -> out.failure.getMessage());
        List<byte[][]> recs = clientRecords();
        int i = 0;
        if (certificateRequested) {
            assertArrayEquals(TlsFuzzTest.message(Tls.CERTIFICATE, new byte[3]), recs.get(i++)[1], "empty Certificate");
            transcript = Bytes.concat(transcript, recs.get(i - 1)[1]);
        }
        byte[] cke = recs.get(i++)[1];
        assertArrayEquals(TlsFuzzTest.message(Tls.CLIENT_KEY_EXCHANGE, Bytes.concat(new byte[] {32}, new byte[32])), cke);
        transcript = Bytes.concat(transcript, cke);
        masterSecret = ks.prf(new byte[32], "extended master secret", ks.hash(transcript), 48);
        assertArrayEquals(new byte[] {Tls.CHANGE_CIPHER_SPEC}, recs.get(i)[0]);
        assertArrayEquals(new byte[] {1}, recs.get(i++)[1]);
        byte[][] fin = recs.get(i++);
        assertEquals(Tls.HANDSHAKE, fin[0][0]);
        assertArrayEquals(new byte[8], fin[2], "explicit nonce: sequence number 0");
        assertArrayEquals(TlsFuzzTest.message(Tls.FINISHED, ks.prf(masterSecret, "client finished", ks.hash(transcript), 12)),
                fin[1], "client Finished");
        transcript = Bytes.concat(transcript, fin[1]);
        assertEquals(recs.size(), i);
        assertFalse(connected);
        byte[] serverFin = TlsFuzzTest.message(Tls.FINISHED, ks.prf(masterSecret, "server finished", ks.hash(transcript), 12));
        client.receive(Bytes.concat(TlsFuzzTest.plainRecord(Tls.CHANGE_CIPHER_SPEC, new byte[] {1}),
                TlsFuzzTest.sealedRecord12(Tls.HANDSHAKE, 0, serverFin)));
        assertNull(out.failure, () -> out.failure.getMessage());
        assertTrue(connected);
        assertEquals(Tls.TLS12, client.version());
    }

    void handshake() {
        start();
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, TlsFuzzTest.extensions12()),
                TlsFuzzTest.certificateMessage12(TlsFuzzTest.leaf, TlsFuzzTest.ca), ske(), done());
        finishHandshake(false);
    }

    @Test
    void fullHandshakeThenDataWithExplicitNonces() {
        handshake();
        client.send(Bytes.ascii("ping"));
        List<byte[][]> recs = clientRecords();
        assertEquals(1, recs.size());
        assertEquals(Tls.APPLICATION_DATA, recs.get(0)[0][0]);
        assertArrayEquals(Bytes.ascii("ping"), recs.get(0)[1]);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 1}, recs.get(0)[2], "explicit nonce: sequence number 1");
        client.receive(Bytes.concat(TlsFuzzTest.sealedRecord12(Tls.APPLICATION_DATA, 1, Bytes.ascii("pong")),
                TlsFuzzTest.sealedRecord12(Tls.ALERT, 2, new byte[] {1, 0})));
        assertEquals("pong", new String(received.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(TlsClient.State.CLOSED, client.state());
    }

    @Test
    void clientHelloOffersBothVersionsAndTheTls12Extensions() {
        start();
        byte[] ch = transcript;
        // supported_versions: 1.3 then 1.2; legacy_version 0x0303; EMS, empty renegotiation_info, point formats.
        assertTrue(TlsClientTest.indexOf(ch, Bytes.unhex("002b00050403040303")) > 0);
        assertEquals(Tls.TLS12, Bytes.u16(ch, 4));
        assertTrue(TlsClientTest.indexOf(ch, Bytes.unhex("00170000")) > 0);
        assertTrue(TlsClientTest.indexOf(ch, Bytes.unhex("ff01000100")) > 0);
        assertTrue(TlsClientTest.indexOf(ch, Bytes.unhex("000b00020100")) > 0);
        assertTrue(TlsClientTest.indexOf(ch, Bytes.unhex("c02bc02f")) > 0, "TLS 1.2 suites offered");
        // With TLS 1.2 turned off: none of it.
        TlsClient only13 = new TlsClient(config().withMinimumVersion(Tls.TLS13), new TlsFuzzTest.TransparentCrypto(),
                new TlsFuzzTest.Outcome() {
                    @Override
                    public void send(byte[] records) {
                        assertTrue(TlsClientTest.indexOf(records, Bytes.unhex("002b0003020304")) > 0);
                        assertTrue(TlsClientTest.indexOf(records, Bytes.unhex("c02b")) < 0);
                        assertTrue(TlsClientTest.indexOf(records, Bytes.unhex("00170000")) < 0);
                    }
                });
        only13.start();
    }

    @Test
    void serverWithoutExtendedMasterSecretIsRefused() {
        start();
        byte[] noEms = new ByteWriter().u16(Tls.EXT_RENEGOTIATION_INFO).u16(1).u8(0).toByteArray();
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, noEms));
        assertEquals("server does not support the extended master secret (RFC 7627), which this client requires for"
                + " TLS 1.2", out.failure.getMessage());
        assertEquals(Alert.HANDSHAKE_FAILURE, out.failure.alert());
        assertArrayEquals(new byte[] {2, (byte) Alert.HANDSHAKE_FAILURE}, clientRecords().get(0)[1]);
        // A ServerHello with no extensions at all: the same.
        sent.reset();
        start();
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, null));
        assertEquals(Alert.HANDSHAKE_FAILURE, out.failure.alert());
    }

    @Test
    void downgradeSentinelIsRefused() {
        for (String tail : new String[] {"444f574e47524401", "444f574e47524400"}) {
            start();
            byte[] random = Bytes.concat(new byte[24], Bytes.unhex(tail));
            serverSends(serverHello(random, TlsFuzzTest.extensions12()));
            assertEquals("ServerHello.random carries the TLS 1.3 downgrade sentinel: the server speaks TLS 1.3, but"
                    + " something between us made it choose an older version", out.failure.getMessage());
            assertEquals(Alert.ILLEGAL_PARAMETER, out.failure.alert());
            sent.reset();
        }
        // A client that offered TLS 1.2 only does not look for it (RFC 8446 §4.1.3 is about a 1.3 offer).
        start(config().withCipherSuites(SUITE));
        serverSends(serverHello(Bytes.concat(new byte[24], Bytes.unhex("444f574e47524401")), TlsFuzzTest.extensions12()));
        assertNull(out.failure);
        assertEquals(TlsClient.State.WAIT_CERTIFICATE, client.state());
    }

    @Test
    void badServerKeyExchangeSignatureIsRefused() {
        start();
        byte[] forged = TlsFuzzTest.serverKeyExchange12(TlsFuzzTest.filled(32, 0x44), Tls.X25519, new byte[32],
                Tls.ECDSA_SECP256R1_SHA256, "SHA256withECDSA", TlsFuzzTest.leaf.keys.getPrivate()); // another random
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, TlsFuzzTest.extensions12()),
                TlsFuzzTest.certificateMessage12(TlsFuzzTest.leaf, TlsFuzzTest.ca), forged);
        assertEquals("server's ServerKeyExchange signature does not verify", out.failure.getMessage());
        assertEquals(Alert.DECRYPT_ERROR, out.failure.alert());
        assertFalse(connected);
    }

    @Test
    void rsaCertificateWithPkcs1Signature() {
        TestPki.Issued rsaCa = TestPki.selfSigned(new TestPki.Spec().cn("RSA CA").ca().keys(TestPki.rsa()));
        TestPki.Issued rsaLeaf = TestPki.issue(new TestPki.Spec().cn("fuzz.test").dns("fuzz.test").keys(TestPki.rsa()), rsaCa);
        start(TlsConfig.of("fuzz.test", TrustStore.fromPem(rsaCa.pem()), TestPki.NOW));
        int suite = Tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
        serverSends(TlsFuzzTest.serverHello12(TlsFuzzTest.SERVER_RANDOM_12, suite, TlsFuzzTest.extensions12()),
                TlsFuzzTest.certificateMessage12(rsaLeaf),
                TlsFuzzTest.serverKeyExchange12(TlsFuzzTest.SERVER_RANDOM_12, Tls.X25519, new byte[32],
                        Tls.RSA_PKCS1_SHA256, "SHA256withRSA", rsaLeaf.keys.getPrivate()), done());
        finishHandshake(false);
        assertEquals(suite, client.cipherSuite());
    }

    @Test
    void certificateKeyMustFitTheSuite() {
        start();
        serverSends(TlsFuzzTest.serverHello12(TlsFuzzTest.SERVER_RANDOM_12, Tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                TlsFuzzTest.extensions12()), TlsFuzzTest.certificateMessage12(TlsFuzzTest.leaf, TlsFuzzTest.ca), ske());
        assertEquals("server's EC P-256 certificate key does not fit TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                out.failure.getMessage());
    }

    @Test
    void secp256r1ChosenByTheServerGetsAFreshKeyShare() {
        start();
        assertEquals(Tls.X25519, client.group());
        byte[] point = Bytes.concat(new byte[] {4}, TlsFuzzTest.filled(64, 9));
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, TlsFuzzTest.extensions12()),
                TlsFuzzTest.certificateMessage12(TlsFuzzTest.leaf, TlsFuzzTest.ca),
                TlsFuzzTest.serverKeyExchange12(TlsFuzzTest.SERVER_RANDOM_12, Tls.SECP256R1, point,
                        Tls.ECDSA_SECP256R1_SHA256, "SHA256withECDSA", TlsFuzzTest.leaf.keys.getPrivate()), done());
        finishHandshake(false);
        assertEquals(Tls.SECP256R1, client.group());
    }

    @Test
    void certificateRequestIsAnsweredWithNoCertificate() {
        start();
        byte[] cr = TlsFuzzTest.message(Tls.CERTIFICATE_REQUEST, new ByteWriter().u8(1).u8(64).u16(2)
                .u16(Tls.ECDSA_SECP256R1_SHA256).u16(0).toByteArray());
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, TlsFuzzTest.extensions12()),
                TlsFuzzTest.certificateMessage12(TlsFuzzTest.leaf, TlsFuzzTest.ca), ske(), cr, done());
        finishHandshake(true);
    }

    @Test
    void alpnInTheServerHelloAndAWarningAlert() {
        start(config().withAlpn("h2", "http/1.1"));
        byte[] alpn = new ByteWriter().u16(Tls.EXT_ALPN).u16(11).u16(9).u8(8).bytes(Bytes.ascii("http/1.1")).toByteArray();
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, Bytes.concat(TlsFuzzTest.extensions12(), alpn)));
        // A warning (e.g. unrecognized_name, as some servers send for SNI) does not end a TLS 1.2 handshake.
        client.receive(TlsFuzzTest.plainRecord(Tls.ALERT, new byte[] {1, (byte) Alert.UNRECOGNIZED_NAME}));
        serverSends(TlsFuzzTest.certificateMessage12(TlsFuzzTest.leaf, TlsFuzzTest.ca), ske(), done());
        finishHandshake(false);
        assertEquals("http/1.1", client.alpnProtocol());
        // A fatal alert does.
        client.receive(TlsFuzzTest.sealedRecord12(Tls.ALERT, 1, new byte[] {2, (byte) Alert.INTERNAL_ERROR}));
        assertEquals("server sent alert internal_error", out.failure.getMessage());
    }

    @Test
    void helloRequestIsAnsweredWithNoRenegotiation() {
        handshake();
        clientRecords();
        client.receive(Bytes.concat(TlsFuzzTest.sealedRecord12(Tls.HANDSHAKE, 1, TlsFuzzTest.message(Tls.HELLO_REQUEST,
                new byte[0])), TlsFuzzTest.sealedRecord12(Tls.APPLICATION_DATA, 2, Bytes.ascii("still here"))));
        assertNull(out.failure);
        List<byte[][]> recs = clientRecords();
        assertEquals(1, recs.size());
        assertEquals(Tls.ALERT, recs.get(0)[0][0]);
        assertArrayEquals(new byte[] {1, (byte) Alert.NO_RENEGOTIATION}, recs.get(0)[1]);
        assertEquals("still here", new String(received.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(TlsClient.State.CONNECTED, client.state());
    }

    @Test
    void badServerFinishedIsRefused() {
        start();
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, TlsFuzzTest.extensions12()),
                TlsFuzzTest.certificateMessage12(TlsFuzzTest.leaf, TlsFuzzTest.ca), ske(), done());
        clientRecords();
        client.receive(Bytes.concat(TlsFuzzTest.plainRecord(Tls.CHANGE_CIPHER_SPEC, new byte[] {1}),
                TlsFuzzTest.sealedRecord12(Tls.HANDSHAKE, 0, TlsFuzzTest.message(Tls.FINISHED, new byte[12]))));
        assertEquals("server Finished does not verify", out.failure.getMessage());
        assertEquals(Alert.DECRYPT_ERROR, out.failure.alert());
        // The alert goes out under the client's keys, as the server expects after our ChangeCipherSpec.
        List<byte[][]> recs = clientRecords();
        assertEquals(Tls.ALERT, recs.get(0)[0][0]);
        assertArrayEquals(new byte[] {2, (byte) Alert.DECRYPT_ERROR}, recs.get(0)[1]);
    }

    @Test
    void earlyChangeCipherSpecIsRefused() {
        start();
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, TlsFuzzTest.extensions12()));
        client.receive(TlsFuzzTest.plainRecord(Tls.CHANGE_CIPHER_SPEC, new byte[] {1}));
        assertEquals("unexpected change_cipher_spec record", out.failure.getMessage());
    }

    @Test
    void tls12TurnedOffOrTooOld() {
        start(config().withMinimumVersion(Tls.TLS13));
        serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, null)); // (EMS would be unsolicited now)
        assertEquals("server chose TLS 1.2 or older; this client is configured for TLS 1.3 only", out.failure.getMessage());
        assertEquals(Alert.PROTOCOL_VERSION, out.failure.alert());
        sent.reset();
        start();
        byte[] tls11 = new ByteWriter().u16(0x0302).bytes(TlsFuzzTest.SERVER_RANDOM_12).u8(0).u16(0xc013).u8(0).toByteArray();
        serverSends(TlsFuzzTest.message(Tls.SERVER_HELLO, tls11));
        assertEquals("server chose TLS 1.1 or older; this client speaks TLS 1.3 and 1.2 only", out.failure.getMessage());
        assertEquals(Alert.PROTOCOL_VERSION, out.failure.alert());
    }

    @Test
    void serverHelloRefusals() {
        String[][] cases = {
            // extensions, expected message
            {"ff01000101" + "00170000", "ServerHello renegotiation_info is not empty (RFC 5746)"},
            {"00170000" + "000b00020101", "server does not accept uncompressed EC points"},
            {"00170000" + "002b00020303", "ServerHello selected a version other than TLS 1.3"}, // §4.2.1
            {"00170000" + "0023" + "0000", "ServerHello carries extension 35, which the client did not offer"},
        };
        for (String[] c : cases) {
            sent.reset();
            start();
            serverSends(serverHello(TlsFuzzTest.SERVER_RANDOM_12, Bytes.unhex(c[0])));
            assertEquals(c[1], out.failure == null ? null : out.failure.getMessage(), c[0]);
        }
        sent.reset();
        start();
        serverSends(TlsFuzzTest.serverHello12(TlsFuzzTest.SERVER_RANDOM_12, 0xc013, TlsFuzzTest.extensions12()));
        assertEquals("ServerHello chose cipher suite 0xc013, which the client did not offer for TLS 1.2",
                out.failure.getMessage());
    }
}
