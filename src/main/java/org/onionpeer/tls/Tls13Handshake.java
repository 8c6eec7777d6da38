package org.onionpeer.tls;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/**
 * The TLS 1.3 handshake (RFC 8446) of a {@link TlsClient}, from the ServerHello (or HelloRetryRequest) on:
 * key schedule, EncryptedExtensions, an optional CertificateRequest (answered with an empty Certificate),
 * Certificate, CertificateVerify, Finished; after it, NewSessionTicket (dropped) and KeyUpdate both ways.
 * It works on the client's shared state (transcript, key share, record layer) and hands each message back
 * with {@link TlsClient#next}, so the one-message-at-a-time order holds under asynchronous crypto.
 */
final class Tls13Handshake {
    private static final byte[] CV_PREFIX;

    static {
        byte[] p = new byte[64 + 34];
        java.util.Arrays.fill(p, 0, 64, (byte) 0x20);
        byte[] ctx = Bytes.ascii("TLS 1.3, server CertificateVerify");
        System.arraycopy(ctx, 0, p, 64, ctx.length);
        CV_PREFIX = p; // the final byte stays 0 (the separator)
    }

    private final TlsClient c;
    private int hrrSuite = -1;
    private KeySchedule ks;
    private byte[] clientHsSecret;
    private byte[] serverHsSecret;
    private byte[] clientApSecret;
    private byte[] serverApSecret;
    private byte[] masterSecret;
    private boolean certificateRequested;
    private byte[] certificateRequestContext;
    int keyUpdatesSent;
    int keyUpdatesReceived;

    Tls13Handshake(TlsClient client) {
        this.c = client;
    }

    void handshake(int type, byte[] body, byte[] message) {
        String name = Tls.messageName(type);
        switch (c.state) {
            case WAIT_ENCRYPTED_EXTENSIONS:
                TlsClient.expect(type, Tls.ENCRYPTED_EXTENSIONS);
                encryptedExtensions(body, message);
                return;
            case WAIT_CERTIFICATE_OR_REQUEST:
                if (type == Tls.CERTIFICATE_REQUEST) {
                    certificateRequest(body, message);
                    return;
                }
                TlsClient.expect(type, Tls.CERTIFICATE);
                certificate(body, message);
                return;
            case WAIT_CERTIFICATE:
                TlsClient.expect(type, Tls.CERTIFICATE);
                certificate(body, message);
                return;
            case WAIT_CERTIFICATE_VERIFY:
                TlsClient.expect(type, Tls.CERTIFICATE_VERIFY);
                certificateVerify(body, message);
                return;
            case WAIT_FINISHED:
                TlsClient.expect(type, Tls.FINISHED);
                finished(body, message);
                return;
            case CONNECTED:
                if (type == Tls.NEW_SESSION_TICKET) {
                    newSessionTicket(body);
                    c.next();
                    return;
                }
                if (type == Tls.KEY_UPDATE) {
                    keyUpdate(body);
                    c.next();
                    return;
                }
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "unexpected " + name + " after the handshake");
            default:
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "unexpected " + name + " in state " + c.state);
        }
    }

    // ---- ServerHello and HelloRetryRequest ---------------------------------------------------------------

    /** A ServerHello or HelloRetryRequest that selected TLS 1.3, its legacy fields already checked. */
    void serverHello(boolean hrr, int cipherSuite, List<Hello.Extension> exts, byte[] message) {
        String where = hrr ? "HelloRetryRequest" : "ServerHello";
        if (!c.config.offers(cipherSuite, true)) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, where + " chose " + Tls.suiteName(cipherSuite)
                    + ", which the client did not offer");
        }
        if (hrrSuite >= 0 && cipherSuite != hrrSuite) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerHello cipher suite differs from the HelloRetryRequest's");
        }
        if (hrr) {
            helloRetryRequest(cipherSuite, exts, message);
            return;
        }
        for (Hello.Extension e : exts) {
            // §4.2: only supported_versions and key_share (and pre_shared_key, never offered) belong here.
            if (e.type != Tls.EXT_SUPPORTED_VERSIONS && e.type != Tls.EXT_KEY_SHARE) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerHello carries an extension that belongs elsewhere");
            }
        }
        Hello.Extension share = Hello.find(exts, Tls.EXT_KEY_SHARE);
        if (share == null) {
            throw new TlsException(Alert.MISSING_EXTENSION, "ServerHello has no key_share (PSK-only is not supported)");
        }
        TlsReader sr = new TlsReader(share.data, "ServerHello key_share");
        int group = sr.u16("group");
        byte[] serverPublic = sr.vector(2, 1, 0xffff, "key_exchange");
        sr.end();
        if (group != c.keyShare.group()) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerHello key_share is for " + Tls.groupName(group)
                    + ", the client sent " + Tls.groupName(c.keyShare.group()));
        }
        c.suite = cipherSuite;
        ks = new KeySchedule(cipherSuite);
        c.transcript.bytes(message);
        c.keyChangeBoundary("the ServerHello");
        c.keyShare.agree(serverPublic, shared -> c.guard(() -> {
            if (shared == null) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "server key share is not a valid "
                        + Tls.groupName(group) + " public key");
            }
            byte[] hs = ks.handshakeSecret(shared);
            byte[] th = ks.hash(c.transcript.toByteArray());
            clientHsSecret = ks.deriveSecret(hs, "c hs traffic", th);
            serverHsSecret = ks.deriveSecret(hs, "s hs traffic", th);
            masterSecret = ks.masterSecret(hs);
            c.records.read = protection(serverHsSecret);
            c.records.write = protection(clientHsSecret); // our alerts from here on are encrypted, as the server expects
            c.state = TlsClient.State.WAIT_ENCRYPTED_EXTENSIONS;
            c.next();
        }));
    }

    private void helloRetryRequest(int cipherSuite, List<Hello.Extension> exts, byte[] message) {
        if (c.retried) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "second HelloRetryRequest");
        }
        for (Hello.Extension e : exts) {
            if (e.type != Tls.EXT_SUPPORTED_VERSIONS && e.type != Tls.EXT_KEY_SHARE && e.type != Tls.EXT_COOKIE) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "HelloRetryRequest carries extension " + e.type);
            }
        }
        Hello.Extension share = Hello.find(exts, Tls.EXT_KEY_SHARE);
        Hello.Extension cookieExt = Hello.find(exts, Tls.EXT_COOKIE);
        int group = c.keyShare.group();
        if (share != null) {
            TlsReader sr = new TlsReader(share.data, "HelloRetryRequest key_share");
            group = sr.u16("selected_group");
            sr.end();
            boolean accepted = false;
            for (int g : c.config.groups) {
                accepted |= g == group;
            }
            if (!accepted || group == c.keyShare.group() || !c.crypto.supportsGroup(group)) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "HelloRetryRequest asks for "
                        + Tls.groupName(group) + (group == c.keyShare.group() ? ", which the client already sent"
                        : ", which the client does not support"));
            }
        }
        if (cookieExt != null) {
            TlsReader cr = new TlsReader(cookieExt.data, "HelloRetryRequest cookie");
            c.cookie = cr.vector(2, 1, 0xffff, "cookie");
            cr.end();
        }
        if (share == null && cookieExt == null) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "HelloRetryRequest would not change the ClientHello");
        }
        c.keyChangeBoundary("the HelloRetryRequest");
        c.retried = true;
        hrrSuite = cipherSuite;
        // §4.4.1: the first ClientHello is replaced by message_hash(Hash(ClientHello1)).
        KeySchedule hk = new KeySchedule(cipherSuite);
        byte[] h1 = hk.hash(c.clientHello);
        c.transcript = new ByteWriter();
        c.transcript.bytes(TlsClient.handshakeMessage(Tls.MESSAGE_HASH, h1)).bytes(message);
        c.sendClientHello(group);
    }

    private RecordLayer.Protection protection(byte[] secret) {
        byte[] key = ks.expandLabel(secret, "key", new byte[0], Tls.keyLength(c.suite));
        byte[] iv = ks.expandLabel(secret, "iv", new byte[0], 12);
        return new RecordLayer.Tls13(c.crypto.aead(c.suite, key), iv);
    }

    // ---- the server's encrypted flight ---------------------------------------------------------------------

    private void encryptedExtensions(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "EncryptedExtensions");
        List<Hello.Extension> exts = c.hello.extensions(r, "EncryptedExtensions", Tls.EXT_SUPPORTED_VERSIONS,
                Tls.EXT_KEY_SHARE, Tls.EXT_PRE_SHARED_KEY, Tls.EXT_COOKIE, Tls.EXT_SIGNATURE_ALGORITHMS,
                Tls.EXT_EXTENDED_MASTER_SECRET, Tls.EXT_RENEGOTIATION_INFO);
        r.end();
        Hello.emptyServerName(Hello.find(exts, Tls.EXT_SERVER_NAME), "EncryptedExtensions");
        c.hello.alpn(Hello.find(exts, Tls.EXT_ALPN));
        c.transcript.bytes(message);
        c.state = TlsClient.State.WAIT_CERTIFICATE_OR_REQUEST;
        c.next();
    }

    private void certificateRequest(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "CertificateRequest");
        certificateRequestContext = r.vector(1, 0, 255, "certificate_request_context");
        r.sub(2, 2, 0xffff, "extensions"); // we answer with no certificate whatever it asks
        r.end();
        certificateRequested = true;
        c.transcript.bytes(message);
        c.state = TlsClient.State.WAIT_CERTIFICATE;
        c.next();
    }

    private void certificate(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "Certificate");
        byte[] context = r.vector(1, 0, 255, "certificate_request_context");
        if (context.length != 0) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "server Certificate has a request context");
        }
        TlsReader list = r.sub(3, 0, 0xffffff, "certificate_list");
        r.end();
        List<Certificate> certs = new ArrayList<>();
        while (list.hasMore()) {
            byte[] der = list.vector(3, 1, 0xffffff, "cert_data");
            byte[] ext = list.vector(2, 0, 0xffff, "CertificateEntry extensions");
            if (ext.length != 0) {
                throw new TlsException(Alert.UNSUPPORTED_EXTENSION, "CertificateEntry carries extensions the client did not ask for");
            }
            TlsClient.addCertificate(certs, der);
        }
        c.checkChain(certs, message, TlsClient.State.WAIT_CERTIFICATE_VERIFY);
    }

    private void certificateVerify(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "CertificateVerify");
        int scheme = r.u16("algorithm");
        byte[] signature = r.vector(2, 1, 0xffff, "signature");
        r.end();
        boolean offered = false;
        for (int s : TlsConfig.SIGNATURE_SCHEMES) {
            offered |= s == scheme;
        }
        if (!offered || scheme == Tls.RSA_PKCS1_SHA256 || scheme == Tls.RSA_PKCS1_SHA384
                || scheme == Tls.RSA_PKCS1_SHA512) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "CertificateVerify uses " + Tls.schemeName(scheme)
                    + ", which the client does not allow there");
        }
        PublicKeyInfo key = c.serverCertificates.get(0).publicKey();
        if (!key.fits(scheme)) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "CertificateVerify uses " + Tls.schemeName(scheme)
                    + " with a " + key.type() + " certificate key");
        }
        byte[] signed = Bytes.concat(CV_PREFIX, ks.hash(c.transcript.toByteArray()));
        c.transcript.bytes(message);
        c.crypto.verify(scheme, key, signed, signature, ok -> c.guard(() -> {
            if (!ok) {
                throw new TlsException(Alert.DECRYPT_ERROR, "server's CertificateVerify signature does not verify");
            }
            c.state = TlsClient.State.WAIT_FINISHED;
            c.next();
        }));
    }

    private void finished(byte[] body, byte[] message) {
        byte[] expected = ks.finished(serverHsSecret, ks.hash(c.transcript.toByteArray()));
        if (body.length != expected.length || !Bytes.constantTimeEquals(body, expected)) {
            throw new TlsException(Alert.DECRYPT_ERROR, "server Finished does not verify");
        }
        c.transcript.bytes(message);
        c.keyChangeBoundary("the server Finished");
        byte[] th = ks.hash(c.transcript.toByteArray());
        clientApSecret = ks.deriveSecret(masterSecret, "c ap traffic", th);
        serverApSecret = ks.deriveSecret(masterSecret, "s ap traffic", th);
        c.records.read = protection(serverApSecret);
        // Our second flight goes under the client handshake keys, already in place since the ServerHello.
        if (certificateRequested) {
            byte[] empty = TlsClient.handshakeMessage(Tls.CERTIFICATE, new ByteWriter()
                    .u8(certificateRequestContext.length).bytes(certificateRequestContext).u8(0).u16(0).toByteArray());
            c.transcript.bytes(empty);
            c.writeRecord(Tls.HANDSHAKE, empty);
        }
        byte[] verify = ks.finished(clientHsSecret, ks.hash(c.transcript.toByteArray()));
        byte[] fin = TlsClient.handshakeMessage(Tls.FINISHED, verify);
        c.transcript.bytes(fin);
        c.writeRecord(Tls.HANDSHAKE, fin);
        c.records.write = protection(clientApSecret);
        clientHsSecret = null;
        serverHsSecret = null;
        masterSecret = null;
        c.connectedNow();
        c.next();
    }

    // ---- after the handshake -------------------------------------------------------------------------------

    private void newSessionTicket(byte[] body) {
        TlsReader r = new TlsReader(body, "NewSessionTicket");
        r.bytes(8, "ticket_lifetime and ticket_age_add");
        r.vector(1, 0, 255, "ticket_nonce");
        r.vector(2, 1, 0xffff, "ticket");
        r.vector(2, 0, 0xffff - 2, "extensions");
        r.end();
        // Resumption is not supported: the ticket is dropped.
    }

    private void keyUpdate(byte[] body) {
        if (body.length != 1 || (body[0] != 0 && body[0] != 1)) {
            throw new TlsException(body.length != 1 ? Alert.DECODE_ERROR : Alert.ILLEGAL_PARAMETER, "bad KeyUpdate");
        }
        c.keyChangeBoundary("a KeyUpdate");
        serverApSecret = ks.nextTrafficSecret(serverApSecret);
        c.records.read = protection(serverApSecret);
        keyUpdatesReceived++;
        if (body[0] == 1 && !c.closeSent) {
            updateWriteKeys();
        }
    }

    /** Sends KeyUpdate(update_not_requested) under the current keys, then switches to the next ones. */
    void updateWriteKeys() {
        c.writeRecordNow(Tls.HANDSHAKE, TlsClient.handshakeMessage(Tls.KEY_UPDATE, new byte[] {0}));
        clientApSecret = ks.nextTrafficSecret(clientApSecret);
        c.records.write = protection(clientApSecret);
        keyUpdatesSent++;
    }
}
