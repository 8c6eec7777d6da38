package org.onionpeer.tls;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/**
 * The TLS 1.2 handshake (RFC 5246) of a {@link TlsClient}, for servers without TLS 1.3, from the ServerHello
 * on. Deliberately narrow:
 * <ul>
 * <li>ECDHE only (RFC 8422; x25519, secp256r1 with uncompressed points), ECDSA/EdDSA or RSA certificates,
 *     AEAD suites only (AES-GCM, RFC 5288/5289; ChaCha20-Poly1305, RFC 7905): no static RSA, no CBC, no
 *     compression;</li>
 * <li>the extended master secret (RFC 7627) is required: a server that does not negotiate it is refused;</li>
 * <li>no session resumption (no session_ticket offered, a session ID is ignored);</li>
 * <li>no renegotiation (RFC 5746: an empty renegotiation_info is offered; a HelloRequest after the handshake
 *     is answered with a no_renegotiation warning and the connection goes on; during the handshake it is
 *     ignored, as §7.4.1.1 says).</li>
 * </ul>
 * The ServerKeyExchange signature is checked with {@link TlsCrypto#verify} and the chain exactly as under TLS
 * 1.3 ({@link TlsClient#checkChain}). One message at a time, as in {@link Tls13Handshake}.
 */
final class Tls12Handshake {
    private static final int NAMED_CURVE = 3;
    private static final int VERIFY_DATA_LENGTH = 12;

    private final TlsClient c;
    private KeySchedule ks;
    private byte[] serverRandom;
    private boolean certificateRequested;
    private byte[] serverPublic;
    private byte[] masterSecret;
    private RecordLayer.Protection serverKeys;

    Tls12Handshake(TlsClient client) {
        this.c = client;
    }

    void handshake(int type, byte[] body, byte[] message) {
        if (type == Tls.HELLO_REQUEST) {
            helloRequest(body);
            return;
        }
        switch (c.state) {
            case WAIT_CERTIFICATE:
                TlsClient.expect(type, Tls.CERTIFICATE);
                certificate(body, message);
                return;
            case WAIT_SERVER_KEY_EXCHANGE:
                TlsClient.expect(type, Tls.SERVER_KEY_EXCHANGE);
                serverKeyExchange(body, message);
                return;
            case WAIT_SERVER_HELLO_DONE:
                if (type == Tls.CERTIFICATE_REQUEST && !certificateRequested) {
                    certificateRequest(body, message);
                    return;
                }
                TlsClient.expect(type, Tls.SERVER_HELLO_DONE);
                serverHelloDone(body, message);
                return;
            case WAIT_FINISHED:
                TlsClient.expect(type, Tls.FINISHED);
                finished(body, message);
                return;
            default:
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "unexpected " + Tls.messageName(type)
                        + (c.state == TlsClient.State.CONNECTED ? " after the handshake" : " in state " + c.state));
        }
    }

    /** Renegotiation is refused (RFC 5246 §7.4.1.1): ignored during the handshake, a warning after it. */
    private void helloRequest(byte[] body) {
        if (body.length != 0) {
            throw new TlsException(Alert.DECODE_ERROR, "HelloRequest is not empty");
        }
        // Not part of the transcript (§7.4.1.1).
        if (c.state == TlsClient.State.CONNECTED && !c.closeSent) {
            c.writeRecord(Tls.ALERT, new byte[] {1, (byte) Alert.NO_RENEGOTIATION});
        }
        c.next();
    }

    // ---- ServerHello -------------------------------------------------------------------------------------

    /** A ServerHello that chose TLS 1.2: legacy_version and the downgrade sentinel already checked. */
    void serverHello(byte[] random, int cipherSuite, int compression, List<Hello.Extension> exts,
            byte[] message) {
        if (!c.config.offers(cipherSuite, false)) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerHello chose " + Tls.suiteName(cipherSuite)
                    + ", which the client did not offer for TLS 1.2");
        }
        if (compression != 0) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerHello chose compression method " + compression);
        }
        for (Hello.Extension e : exts) {
            // RFC 8446 §4.2: the TLS 1.3 extensions have no place in a TLS 1.2 ServerHello (supported_versions
            // cannot get here: with it, the ServerHello is a TLS 1.3 one and must select 1.3).
            if (e.type == Tls.EXT_KEY_SHARE || e.type == Tls.EXT_COOKIE || e.type == Tls.EXT_SUPPORTED_GROUPS
                    || e.type == Tls.EXT_SIGNATURE_ALGORITHMS) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "TLS 1.2 ServerHello carries extension " + e.type);
            }
        }
        Hello.emptyServerName(Hello.find(exts, Tls.EXT_SERVER_NAME), "ServerHello");
        c.hello.alpn(Hello.find(exts, Tls.EXT_ALPN));
        Hello.Extension formats = Hello.find(exts, Tls.EXT_EC_POINT_FORMATS);
        if (formats != null) {
            TlsReader r = new TlsReader(formats.data, "ec_point_formats");
            byte[] list = r.vector(1, 1, 255, "ec_point_format_list");
            r.end();
            boolean uncompressed = false;
            for (byte f : list) {
                uncompressed |= f == 0;
            }
            if (!uncompressed) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "server does not accept uncompressed EC points");
            }
        }
        Hello.Extension reneg = Hello.find(exts, Tls.EXT_RENEGOTIATION_INFO);
        if (reneg != null && (reneg.data.length != 1 || reneg.data[0] != 0)) {
            throw new TlsException(Alert.HANDSHAKE_FAILURE, "ServerHello renegotiation_info is not empty (RFC 5746)");
        }
        Hello.Extension ems = Hello.find(exts, Tls.EXT_EXTENDED_MASTER_SECRET);
        if (ems == null) {
            throw new TlsException(Alert.HANDSHAKE_FAILURE, "server does not support the extended master secret"
                    + " (RFC 7627), which this client requires for TLS 1.2");
        }
        if (ems.data.length != 0) {
            throw new TlsException(Alert.DECODE_ERROR, "ServerHello extended_master_secret is not empty");
        }
        serverRandom = random;
        c.suite = cipherSuite;
        ks = new KeySchedule(cipherSuite);
        c.transcript.bytes(message);
        c.state = TlsClient.State.WAIT_CERTIFICATE;
        c.next();
    }

    // ---- the server's flight -------------------------------------------------------------------------------

    private void certificate(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "Certificate");
        TlsReader list = r.sub(3, 0, 0xffffff, "certificate_list");
        r.end();
        List<Certificate> certs = new ArrayList<>();
        while (list.hasMore()) {
            TlsClient.addCertificate(certs, list.vector(3, 1, 0xffffff, "ASN.1Cert"));
        }
        c.checkChain(certs, message, TlsClient.State.WAIT_SERVER_KEY_EXCHANGE);
    }

    private void serverKeyExchange(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "ServerKeyExchange");
        int curveType = r.u8("curve_type");
        int group = r.u16("namedcurve");
        byte[] point = r.vector(1, 1, 255, "public");
        int paramsLength = 4 + point.length;
        int scheme = r.u16("signature algorithm");
        byte[] signature = r.vector(2, 1, 0xffff, "signature");
        r.end();
        if (curveType != NAMED_CURVE) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerKeyExchange curve_type " + curveType
                    + " is not named_curve");
        }
        boolean offered = false;
        for (int g : c.config.groups) {
            offered |= g == group;
        }
        if (!offered || !c.crypto.supportsGroup(group)) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerKeyExchange uses " + Tls.groupName(group)
                    + ", which the client did not offer");
        }
        if (group == Tls.SECP256R1 && (point.length != 65 || point[0] != 4)) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerKeyExchange secp256r1 point is not uncompressed");
        }
        PublicKeyInfo key = c.serverCertificates.get(0).publicKey();
        boolean ecKey = !key.type().equals(PublicKeyInfo.RSA);
        if (ecKey != Tls.isEcdsaSuite(c.suite)) {
            throw new TlsException(Alert.HANDSHAKE_FAILURE, "server's " + key.type() + " certificate key does not fit "
                    + Tls.suiteName(c.suite));
        }
        offered = false;
        for (int s : TlsConfig.SIGNATURE_SCHEMES) {
            offered |= s == scheme;
        }
        // TLS 1.2 ECDSA schemes name only the hash: the curve is the key's (RFC 8422 §5.4), as in certificates.
        if (!offered || !key.fitsCertificateSignature(scheme)) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerKeyExchange uses " + Tls.schemeName(scheme)
                    + (offered ? " with a " + key.type() + " certificate key" : ", which the client did not offer"));
        }
        // Signed: client_random || server_random || ServerECDHParams (RFC 8422 §5.4).
        byte[] signed = Bytes.concat(c.clientRandom, serverRandom, Bytes.slice(body, 0, paramsLength));
        c.transcript.bytes(message);
        c.crypto.verify(scheme, key, signed, signature, ok -> c.guard(() -> {
            if (!ok) {
                throw new TlsException(Alert.DECRYPT_ERROR, "server's ServerKeyExchange signature does not verify");
            }
            serverPublic = point;
            if (group == c.keyShare.group()) {
                // The ephemeral key offered to TLS 1.3 was never used: it serves for this exchange.
                c.state = TlsClient.State.WAIT_SERVER_HELLO_DONE;
                c.next();
                return;
            }
            c.crypto.keyShare(group, share -> c.guard(() -> {
                c.keyShare = share;
                c.state = TlsClient.State.WAIT_SERVER_HELLO_DONE;
                c.next();
            }));
        }));
    }

    private void certificateRequest(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "CertificateRequest");
        r.vector(1, 1, 255, "certificate_types");
        r.vector(2, 2, 0xfffe, "supported_signature_algorithms");
        r.vector(2, 0, 0xffff, "certificate_authorities");
        r.end();
        certificateRequested = true; // answered with an empty Certificate: we have none to offer
        c.transcript.bytes(message);
        c.next();
    }

    private void serverHelloDone(byte[] body, byte[] message) {
        if (body.length != 0) {
            throw new TlsException(Alert.DECODE_ERROR, "ServerHelloDone is not empty");
        }
        c.transcript.bytes(message);
        c.keyChangeBoundary("the ServerHelloDone"); // the server waits for us now; nothing may follow
        c.keyShare.agree(serverPublic, shared -> c.guard(() -> {
            if (shared == null) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "server key share is not a valid "
                        + Tls.groupName(c.keyShare.group()) + " public key");
            }
            clientFlight(shared);
            c.state = TlsClient.State.WAIT_CHANGE_CIPHER_SPEC;
            c.next();
        }));
    }

    /** [Certificate], ClientKeyExchange, ChangeCipherSpec, Finished; then the server's keys wait for its ChangeCipherSpec. */
    private void clientFlight(byte[] preMasterSecret) {
        if (certificateRequested) {
            byte[] empty = TlsClient.handshakeMessage(Tls.CERTIFICATE, new byte[3]);
            c.transcript.bytes(empty);
            c.writeRecord(Tls.HANDSHAKE, empty);
        }
        byte[] pub = c.keyShare.publicKey();
        byte[] cke = TlsClient.handshakeMessage(Tls.CLIENT_KEY_EXCHANGE, new ByteWriter().u8(pub.length).bytes(pub)
                .toByteArray());
        c.transcript.bytes(cke);
        c.writeRecord(Tls.HANDSHAKE, cke);
        // RFC 7627 §4: the master secret covers the whole transcript up to the ClientKeyExchange.
        byte[] sessionHash = ks.hash(c.transcript.toByteArray());
        masterSecret = ks.prf(preMasterSecret, "extended master secret", sessionHash, 48);
        int keyLength = Tls.keyLength(c.suite);
        int ivLength = Tls.aeadOf(c.suite) == Tls.TLS_CHACHA20_POLY1305_SHA256 ? 12 : 4;
        byte[] block = ks.prf(masterSecret, "key expansion", Bytes.concat(serverRandom, c.clientRandom),
                2 * keyLength + 2 * ivLength);
        int aead = Tls.aeadOf(c.suite); // providers see the TLS 1.3 code of the same AEAD
        RecordLayer.Protection clientKeys = new RecordLayer.Tls12(c.crypto.aead(aead, Bytes.slice(block, 0, keyLength)),
                Bytes.slice(block, 2 * keyLength, ivLength));
        serverKeys = new RecordLayer.Tls12(c.crypto.aead(aead, Bytes.slice(block, keyLength, keyLength)),
                Bytes.slice(block, 2 * keyLength + ivLength, ivLength));
        c.writeRecord(Tls.CHANGE_CIPHER_SPEC, new byte[] {1});
        c.records.write = clientKeys;
        byte[] fin = TlsClient.handshakeMessage(Tls.FINISHED, ks.prf(masterSecret, "client finished",
                ks.hash(c.transcript.toByteArray()), VERIFY_DATA_LENGTH));
        c.transcript.bytes(fin);
        c.writeRecord(Tls.HANDSHAKE, fin);
    }

    /** The server's ChangeCipherSpec: its records are protected from the next one on. */
    void changeCipherSpec(byte[] body) {
        if (c.state != TlsClient.State.WAIT_CHANGE_CIPHER_SPEC) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "unexpected change_cipher_spec record");
        }
        if (body.length != 1 || body[0] != 1) {
            throw new TlsException(Alert.DECODE_ERROR, "change_cipher_spec record is not the single byte 1");
        }
        if (!c.handshakeBufferEmpty()) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "change_cipher_spec inside a fragmented handshake message");
        }
        c.records.read = serverKeys;
        serverKeys = null;
        c.state = TlsClient.State.WAIT_FINISHED;
        c.next();
    }

    private void finished(byte[] body, byte[] message) {
        byte[] expected = ks.prf(masterSecret, "server finished", ks.hash(c.transcript.toByteArray()),
                VERIFY_DATA_LENGTH);
        if (body.length != expected.length || !Bytes.constantTimeEquals(body, expected)) {
            throw new TlsException(Alert.DECRYPT_ERROR, "server Finished does not verify");
        }
        c.transcript.bytes(message);
        masterSecret = null;
        c.transcript = new ByteWriter(); // nothing more is hashed: no renegotiation, no resumption
        c.connectedNow();
        c.next();
    }
}
