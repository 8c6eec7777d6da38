package org.onionpeer.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/**
 * The test speaks for the server, byte by byte, with the record protection made transparent
 * ({@link TlsFuzzTest.TransparentCrypto}) but the handshake otherwise real: a CertificateVerify signed with
 * the leaf's key, Finished values from the key schedule. So each rule can be poked on its own: the client's
 * Finished, its own KeyUpdate at its record limit, answers to the server's KeyUpdate, alerts, close_notify,
 * a NewSessionTicket dropped, and what is refused.
 */
class TlsScriptedServerTest {
    TlsFuzzTest.Outcome out;
    TlsClient client;
    final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean connected;
    boolean closed;
    byte[] transcript;
    final KeySchedule ks = new KeySchedule(Tls.TLS_AES_128_GCM_SHA256);

    @BeforeEach
    void start() {
        TlsFuzzTest.pki();
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

            @Override
            public void closed() {
                closed = true;
            }
        };
        client = new TlsClient(TlsConfig.of("fuzz.test", TrustStore.fromPem(TlsFuzzTest.ca.pem()), TestPki.NOW),
                new TlsFuzzTest.TransparentCrypto(), out);
        client.start();
    }

    /** Records the client sent since the last call: {type, content} with transparent protection removed. */
    List<byte[][]> clientRecords() {
        byte[] all = sent.toByteArray();
        sent.reset();
        List<byte[][]> recs = new ArrayList<>();
        for (int off = 0; off < all.length; ) {
            int type = all[off] & 0xff;
            int len = Bytes.u16(all, off + 3);
            byte[] body = Bytes.slice(all, off + 5, len);
            if (type == Tls.APPLICATION_DATA) {
                int end = body.length - Tls.AEAD_TAG;
                recs.add(new byte[][] {{body[end - 1]}, Bytes.slice(body, 0, end - 1)});
            } else {
                recs.add(new byte[][] {{(byte) type}, body});
            }
            off += 5 + len;
        }
        return recs;
    }

    /** Runs the server's whole flight; the client ends CONNECTED. Returns the client handshake secret. */
    byte[] handshake() throws Exception {
        byte[] clientHello = clientRecords().get(0)[1];
        byte[] sh = TlsFuzzTest.serverHello();
        byte[] ee = TlsFuzzTest.message(Tls.ENCRYPTED_EXTENSIONS, new byte[] {0, 0});
        byte[] cert = TlsFuzzTest.certificateMessage();
        byte[] hs = ks.handshakeSecret(new byte[32]);
        byte[] th = ks.hash(Bytes.concat(clientHello, sh));
        byte[] cHs = ks.deriveSecret(hs, "c hs traffic", th);
        byte[] sHs = ks.deriveSecret(hs, "s hs traffic", th);
        byte[] prefix = new byte[64];
        java.util.Arrays.fill(prefix, (byte) 0x20);
        Signature sig = Signature.getInstance("SHA256withECDSA");
        sig.initSign(TlsFuzzTest.leaf.keys.getPrivate());
        sig.update(Bytes.concat(prefix, Bytes.ascii("TLS 1.3, server CertificateVerify"), new byte[1],
                ks.hash(Bytes.concat(clientHello, sh, ee, cert))));
        byte[] s = sig.sign();
        byte[] cv = TlsFuzzTest.message(Tls.CERTIFICATE_VERIFY,
                new ByteWriter().u16(Tls.ECDSA_SECP256R1_SHA256).u16(s.length).bytes(s).toByteArray());
        byte[] fin = TlsFuzzTest.message(Tls.FINISHED, ks.finished(sHs, ks.hash(Bytes.concat(clientHello, sh, ee, cert, cv))));
        transcript = Bytes.concat(clientHello, sh, ee, cert, cv, fin);
        client.receive(Bytes.concat(TlsFuzzTest.plainRecord(Tls.HANDSHAKE, sh),
                TlsFuzzTest.sealedRecord(Tls.HANDSHAKE, Bytes.concat(ee, cert, cv, fin))));
        assertNull(out.failure, () -> out.failure.getMessage());
        assertTrue(connected);
        return cHs;
    }

    @Test
    void clientFinishedVerifies() throws Exception {
        byte[] cHs = handshake();
        List<byte[][]> recs = clientRecords();
        assertEquals(1, recs.size());
        assertEquals(Tls.HANDSHAKE, recs.get(0)[0][0]);
        assertArrayEquals(TlsFuzzTest.message(Tls.FINISHED, ks.finished(cHs, ks.hash(transcript))), recs.get(0)[1]);
    }

    @Test
    void dataHeldUntilConnectedThenSplitIntoRecords() throws Exception {
        byte[] big = new byte[40_000];
        new java.util.Random(3).nextBytes(big);
        client.send(big);
        byte[] before = sent.toByteArray();
        assertEquals(Tls.HANDSHAKE, before[0]);
        assertEquals(before.length, 5 + Bytes.u16(before, 3), "only the ClientHello before the handshake");
        handshake();
        List<byte[][]> recs = clientRecords();
        assertEquals(4, recs.size()); // Finished, then 16384 + 16384 + 7232
        assertEquals(Tls.MAX_PLAINTEXT, recs.get(1)[1].length);
        assertArrayEquals(big, Bytes.concat(recs.get(1)[1], recs.get(2)[1], recs.get(3)[1]));
    }

    @Test
    void clientRotatesItsKeysAtItsLimit() throws Exception {
        handshake();
        clientRecords();
        client.keyUpdateAfter = 3; // the Finished was record 0 of the handshake keys; application keys start at 0
        for (int i = 0; i < 7; i++) {
            client.send(new byte[] {(byte) i});
        }
        List<byte[][]> recs = clientRecords();
        // 3 records, a KeyUpdate (the 4th under the old keys), 3 records under the new ones, KeyUpdate, 1 record.
        int[] types = new int[recs.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = recs.get(i)[0][0];
        }
        assertArrayEquals(new int[] {23, 23, 23, 22, 23, 23, 23, 22, 23}, types);
        assertArrayEquals(new byte[] {Tls.KEY_UPDATE, 0, 0, 1, 0}, recs.get(3)[1]);
        assertEquals(2, client.keyUpdatesSent());
    }

    @Test
    void answersTheServersKeyUpdateAndDropsTickets() throws Exception {
        handshake();
        clientRecords();
        byte[] ticket = TlsFuzzTest.message(Tls.NEW_SESSION_TICKET, new ByteWriter().u32(7200).u32(1).u8(1).u8(9)
                .u16(3).bytes(new byte[] {1, 2, 3}).u16(0).toByteArray());
        client.receive(Bytes.concat(TlsFuzzTest.sealedRecord(Tls.HANDSHAKE, ticket),
                TlsFuzzTest.sealedRecord(Tls.HANDSHAKE, TlsFuzzTest.message(Tls.KEY_UPDATE, new byte[] {1})),
                TlsFuzzTest.sealedRecord(Tls.APPLICATION_DATA, Bytes.ascii("hello"))));
        assertNull(out.failure);
        assertEquals("hello", new String(received.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII));
        List<byte[][]> recs = clientRecords();
        assertEquals(1, recs.size());
        assertArrayEquals(new byte[] {Tls.KEY_UPDATE, 0, 0, 1, 0}, recs.get(0)[1]);
        assertEquals(1, client.keyUpdatesReceived());
    }

    @Test
    void closeNotifyEndsInputCleanly() throws Exception {
        handshake();
        client.receive(Bytes.concat(TlsFuzzTest.sealedRecord(Tls.APPLICATION_DATA, Bytes.ascii("bye")),
                TlsFuzzTest.sealedRecord(Tls.ALERT, new byte[] {1, 0})));
        assertTrue(closed);
        assertEquals(TlsClient.State.CLOSED, client.state());
        client.close();
        List<byte[][]> recs = clientRecords();
        assertArrayEquals(new byte[] {1, 0}, recs.get(recs.size() - 1)[1]);
        assertThrows(IllegalStateException.class, () -> client.send(new byte[1]));
    }

    @Test
    void fatalAlertFromTheServer() throws Exception {
        handshake();
        client.receive(TlsFuzzTest.sealedRecord(Tls.ALERT, new byte[] {2, (byte) Alert.INTERNAL_ERROR}));
        assertEquals("server sent alert internal_error", out.failure.getMessage());
        assertTrue(out.failure.fromPeer());
        assertEquals(0, clientRecords().size() - 1, "no alert sent back, only the Finished went out");
    }

    @Test
    void refusals() throws Exception {
        handshake();
        clientRecords();
        // A handshake message the client never expects after the handshake: refused, and the alert goes out.
        client.receive(TlsFuzzTest.sealedRecord(Tls.HANDSHAKE, TlsFuzzTest.message(Tls.CERTIFICATE_REQUEST,
                new byte[] {0, 0, 0})));
        assertEquals("unexpected CertificateRequest after the handshake", out.failure.getMessage());
        List<byte[][]> recs = clientRecords();
        assertArrayEquals(new byte[] {2, (byte) Alert.UNEXPECTED_MESSAGE}, recs.get(0)[1]);
    }

    @Test
    void serverHelloWithoutSupportedVersionsIsTls12() {
        byte[] body = new ByteWriter().u16(0x0303).bytes(new byte[32]).u8(0).u16(0xc02f).u8(0).toByteArray();
        client.receive(TlsFuzzTest.plainRecord(Tls.HANDSHAKE, TlsFuzzTest.message(Tls.SERVER_HELLO, body)));
        // Handed to the TLS 1.2 handshake, which wants the extended master secret (Tls12ScriptedServerTest).
        assertEquals(Tls.TLS12, client.version());
        assertEquals("server does not support the extended master secret (RFC 7627), which this client requires for"
                + " TLS 1.2", out.failure.getMessage());
    }

    @Test
    void unsolicitedExtensionIsRefused() {
        ByteWriter ext = new ByteWriter();
        ext.u16(Tls.EXT_SUPPORTED_VERSIONS).u16(2).u16(Tls.TLS13);
        ext.u16(Tls.EXT_KEY_SHARE).u16(36).u16(Tls.X25519).u16(32).bytes(new byte[32]);
        ext.u16(Tls.EXT_PRE_SHARED_KEY).u16(2).u16(0);
        byte[] e = ext.toByteArray();
        byte[] body = new ByteWriter().u16(0x0303).bytes(new byte[32]).u8(0).u16(Tls.TLS_AES_128_GCM_SHA256).u8(0)
                .u16(e.length).bytes(e).toByteArray();
        client.receive(TlsFuzzTest.plainRecord(Tls.HANDSHAKE, TlsFuzzTest.message(Tls.SERVER_HELLO, body)));
        assertEquals("ServerHello carries extension 41, which the client did not offer", out.failure.getMessage());
        assertEquals(Alert.UNSUPPORTED_EXTENSION, out.failure.alert());
    }
}
