package org.onionpeer.tls;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * A sans-I/O TLS 1.3 client (RFC 8446): the caller feeds it the bytes that arrive from the server
 * ({@link #receive}) and writes out whatever it hands to {@link Listener#send}; application data goes in
 * through {@link #send} and comes out through {@link Listener#received}. It never blocks, never starts a
 * thread and never reads a clock: the node's scheduler drives it, and its crypto answers through callbacks
 * ({@link TlsCrypto}), so the same code runs on the JVM and on WebCrypto in a page.
 *
 * <p>What it does: one full (EC)DHE handshake with certificate authentication (no PSK, no 0-RTT, no
 * session resumption: NewSessionTicket is read and dropped); SNI, ALPN, supported_versions, key_share
 * (x25519, or secp256r1 after a HelloRetryRequest), signature_algorithms; HelloRetryRequest with cookie;
 * an empty client Certificate when the server asks for one; KeyUpdate both ways (the client also rotates
 * its own keys well before the AES-GCM limits of §5.5); alerts both ways; close_notify.
 *
 * <p>What it refuses, each with its own {@link TlsException} and alert: records over 2^14 bytes of
 * plaintext (2^14 + 256 of ciphertext), a record that does not decrypt, messages out of order or in the
 * wrong kind of record, handshake messages that straddle a key change, extensions it did not ask for, a
 * downgrade to TLS 1.2 (not supported yet), a certificate chain that does not validate
 * ({@link ChainValidator}), a CertificateVerify or Finished that does not verify.
 *
 * <p>Operations are strictly ordered even when the crypto answers later: one record or handshake message
 * is worked on at a time, and encrypted records leave in the order they were made.
 */
public final class TlsClient {
    /** Where the client's output goes. All calls happen on the thread that drives the client. */
    public interface Listener {
        /** TLS records to write to the server, in order. */
        void send(byte[] records);

        /** The handshake completed: the server is authenticated and {@link #send} data flows. */
        void connected();

        /** Application data from the server. */
        void received(byte[] data);

        /** The server sent close_notify: it will send nothing more. */
        void closed();

        /** The connection failed; if we found the problem, the alert has been handed to {@link #send}. */
        void failed(TlsException e);
    }

    public enum State {
        START, WAIT_SERVER_HELLO, WAIT_ENCRYPTED_EXTENSIONS, WAIT_CERTIFICATE_OR_REQUEST, WAIT_CERTIFICATE,
        WAIT_CERTIFICATE_VERIFY, WAIT_FINISHED, CONNECTED, CLOSED, FAILED
    }

    /** Largest handshake message accepted (certificate chains are the big ones). */
    static final int MAX_HANDSHAKE_MESSAGE = 1 << 17;
    /** Largest number of certificates accepted in a chain. */
    static final int MAX_CERTIFICATES = 10;
    /** Client records per key before it sends a KeyUpdate (RFC 8446 §5.5 allows 2^24.5 for AES-GCM). */
    static final long KEY_UPDATE_AFTER = 1L << 23;

    private static final byte[] HRR_RANDOM =
            Bytes.unhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
    private static final byte[] CV_PREFIX;

    static {
        byte[] p = new byte[64 + 34];
        java.util.Arrays.fill(p, 0, 64, (byte) 0x20);
        byte[] ctx = Bytes.ascii("TLS 1.3, server CertificateVerify");
        System.arraycopy(ctx, 0, p, 64, ctx.length);
        CV_PREFIX = p; // the final byte stays 0 (the separator)
    }

    private final TlsConfig config;
    private final TlsCrypto crypto;
    private final Listener listener;

    private State state = State.START;
    private TlsException failure;

    // Input: bytes not yet made into records, handshake bytes not yet made into messages.
    private byte[] in = new byte[0];
    private int inStart;
    private int inEnd;
    private byte[] hs = new byte[256];
    private int hsStart;
    private int hsEnd;
    private boolean busy;
    private boolean pumping;
    private boolean inputClosed;
    private boolean transportEnded;

    // Output: records in the order they were made; encrypted ones fill their slot when the AEAD answers.
    private final ArrayDeque<byte[][]> outSlots = new ArrayDeque<>();
    private final List<byte[]> pendingData = new ArrayList<>();
    private boolean closeSent;

    // Handshake state.
    private byte[] clientRandom;
    private byte[] clientHello;
    private final List<Integer> sentExtensions = new ArrayList<>();
    private TlsCrypto.KeyShare keyShare;
    private byte[] cookie;
    private boolean retried;
    private int hrrSuite = -1;
    private int suite = -1;
    private KeySchedule ks;
    private ByteWriter transcript = new ByteWriter();
    private byte[] clientHsSecret;
    private byte[] serverHsSecret;
    private byte[] clientApSecret;
    private byte[] serverApSecret;
    private byte[] masterSecret;
    private boolean certificateRequested;
    private byte[] certificateRequestContext;
    private List<Certificate> serverCertificates;
    private String alpnProtocol;

    /** Records under one client key before it sends a KeyUpdate; lowered by tests. */
    long keyUpdateAfter = KEY_UPDATE_AFTER;
    private int keyUpdatesSent;
    private int keyUpdatesReceived;

    private Protection readKeys;
    private Protection writeKeys;

    /** One direction's record protection: AEAD, static IV, sequence number (RFC 8446 §5.3). */
    private static final class Protection {
        final TlsCrypto.Aead aead;
        final byte[] iv;
        long seq;

        Protection(TlsCrypto.Aead aead, byte[] iv) {
            this.aead = aead;
            this.iv = iv;
        }

        byte[] nextNonce() {
            byte[] nonce = iv.clone();
            long s = seq++;
            for (int i = 0; i < 8; i++) {
                nonce[nonce.length - 1 - i] ^= (byte) (s >>> (8 * i));
            }
            return nonce;
        }
    }

    public TlsClient(TlsConfig config, TlsCrypto crypto, Listener listener) {
        this.config = config;
        this.crypto = crypto;
        this.listener = listener;
    }

    public State state() {
        return state;
    }

    /** The failure that ended the connection, or null. */
    public TlsException failure() {
        return failure;
    }

    /** The negotiated cipher suite, or -1 before the ServerHello. */
    public int cipherSuite() {
        return suite;
    }

    /** The key-exchange group used, or -1 before one is chosen. */
    public int group() {
        return keyShare == null ? -1 : keyShare.group();
    }

    /** The protocol the server chose by ALPN, or null. */
    public String alpnProtocol() {
        return alpnProtocol;
    }

    /** The certificates the server sent, leaf first (null before its Certificate message). */
    public List<Certificate> serverCertificates() {
        return serverCertificates;
    }

    /** KeyUpdates this client sent (asked for by the server, or at its own limit). */
    public int keyUpdatesSent() {
        return keyUpdatesSent;
    }

    /** KeyUpdates received from the server. */
    public int keyUpdatesReceived() {
        return keyUpdatesReceived;
    }

    /** True if a HelloRetryRequest made us send a second ClientHello. */
    public boolean retried() {
        return retried;
    }

    // ---- the caller's side ---------------------------------------------------------------------------

    /** Sends the ClientHello. */
    public void start() {
        if (state != State.START) {
            throw new IllegalStateException("TLS client already started");
        }
        state = State.WAIT_SERVER_HELLO;
        busy = true;
        clientRandom = new byte[32];
        crypto.random(clientRandom);
        int group = config.groups[0];
        crypto.keyShare(group, ks -> guard(() -> {
            keyShare = ks;
            clientHello = clientHello();
            transcript.bytes(clientHello);
            writeRecord(Tls.HANDSHAKE, clientHello);
            next();
        }));
    }

    /** Bytes from the server, in order. */
    public void receive(byte[] data) {
        receive(data, 0, data.length);
    }

    public void receive(byte[] data, int off, int len) {
        if (state == State.FAILED || inputClosed) {
            return;
        }
        if (in.length - inEnd < len) {
            int live = inEnd - inStart;
            byte[] bigger = live + len <= in.length ? in : new byte[Math.max(2 * in.length, live + len)];
            System.arraycopy(in, inStart, bigger, 0, live);
            in = bigger;
            inStart = 0;
            inEnd = live;
        }
        System.arraycopy(data, off, in, inEnd, len);
        inEnd += len;
        pump();
    }

    /** Application data to the server; held back until the handshake completes. */
    public void send(byte[] data) {
        if (state == State.FAILED || closeSent) {
            throw new IllegalStateException("TLS connection is " + (closeSent ? "closed" : "failed"));
        }
        if (state != State.CONNECTED && state != State.CLOSED) {
            pendingData.add(data.clone());
            return;
        }
        for (int off = 0; off < data.length; off += Tls.MAX_PLAINTEXT) {
            writeRecord(Tls.APPLICATION_DATA, Bytes.slice(data, off, Math.min(Tls.MAX_PLAINTEXT, data.length - off)));
        }
    }

    /** Sends close_notify; nothing may be sent after it. */
    public void close() {
        if (closeSent || state == State.FAILED) {
            return;
        }
        closeSent = true;
        writeRecord(Tls.ALERT, new byte[] {1, Alert.CLOSE_NOTIFY});
    }

    /** The transport ended without close_notify: a truncation unless the server already closed. */
    public void transportClosed() {
        // Records that arrived before the close may still be decrypting (asynchronous crypto) or queued:
        // they, and a close_notify among them, count. The pump decides once the input is used up.
        transportEnded = true;
        pump();
    }

    private void truncatedUnlessClosed() {
        if (transportEnded && !busy && state != State.FAILED && !inputClosed) {
            fail(new TlsException(Alert.CLOSE_NOTIFY, "connection closed by the server without close_notify"
                    + (state == State.CONNECTED ? " (response may be truncated)" : " during the handshake")));
        }
    }

    // ---- the pump: one record or handshake message at a time ----------------------------------------

    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (!busy && state != State.FAILED && !inputClosed) {
                if (!nextHandshakeMessage() && !nextRecord()) {
                    break;
                }
            }
            truncatedUnlessClosed();
        } catch (RuntimeException e) {
            fail(asTls(e));
        } finally {
            pumping = false;
        }
    }

    /** Work on the current item is done; go on with the next one. */
    private void next() {
        busy = false;
        pump();
    }

    /** Runs a continuation from a crypto callback, turning any error into a failure of the connection. */
    private void guard(Runnable r) {
        if (state == State.FAILED) {
            return;
        }
        try {
            r.run();
        } catch (RuntimeException e) {
            fail(asTls(e));
        }
    }

    private static TlsException asTls(RuntimeException e) {
        if (e instanceof TlsException) {
            return (TlsException) e;
        }
        if (e instanceof ProtocolException) {
            return new TlsException(Alert.DECODE_ERROR, e.getMessage());
        }
        return new TlsException(Alert.INTERNAL_ERROR, "internal error: " + e);
    }

    private void fail(TlsException e) {
        if (state == State.FAILED) {
            return;
        }
        boolean sendAlert = !e.fromPeer() && !closeSent && e.alert() != Alert.CLOSE_NOTIFY;
        if (sendAlert) {
            closeSent = true;
            try {
                writeRecord(Tls.ALERT, new byte[] {2, (byte) e.alert()});
            } catch (RuntimeException ignored) {
                // the alert is a courtesy; the failure stands either way
            }
        }
        state = State.FAILED;
        failure = e;
        listener.failed(e);
    }

    // ---- records in ----------------------------------------------------------------------------------

    private boolean nextRecord() {
        int avail = inEnd - inStart;
        if (avail < 5) {
            return false;
        }
        int type = in[inStart] & 0xff;
        int major = in[inStart + 1] & 0xff;
        int length = Bytes.u16(in, inStart + 3);
        if (type < Tls.CHANGE_CIPHER_SPEC || type > Tls.APPLICATION_DATA) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "record of unknown content type " + type);
        }
        if (major != 3) {
            throw new TlsException(Alert.PROTOCOL_VERSION, "record with version " + major + "."
                    + (in[inStart + 2] & 0xff) + " is not TLS");
        }
        int limit = readKeys == null || type != Tls.APPLICATION_DATA ? Tls.MAX_PLAINTEXT : Tls.MAX_CIPHERTEXT;
        if (length > limit) {
            throw new TlsException(Alert.RECORD_OVERFLOW, "record of " + length + " bytes exceeds " + limit);
        }
        if (avail < 5 + length) {
            return false;
        }
        byte[] header = Bytes.slice(in, inStart, 5);
        byte[] body = Bytes.slice(in, inStart + 5, length);
        inStart += 5 + length;
        busy = true;
        handleRecord(type, header, body);
        return true;
    }

    private void handleRecord(int type, byte[] header, byte[] body) {
        if (type == Tls.CHANGE_CIPHER_SPEC) {
            // §5: one dummy change_cipher_spec (a single 0x01) may arrive during the handshake; drop it.
            if (state == State.CONNECTED || body.length != 1 || body[0] != 1) {
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "unexpected change_cipher_spec record");
            }
            next();
            return;
        }
        if (readKeys == null) {
            if (type == Tls.APPLICATION_DATA) {
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "encrypted record before the ServerHello");
            }
            content(type, body);
            return;
        }
        if (type != Tls.APPLICATION_DATA) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE,
                    "unencrypted " + (type == Tls.ALERT ? "alert" : "handshake") + " record after the ServerHello");
        }
        if (body.length < Tls.AEAD_TAG + 1) {
            throw new TlsException(Alert.DECODE_ERROR, "encrypted record of " + body.length + " bytes is too short");
        }
        Protection keys = readKeys;
        keys.aead.open(keys.nextNonce(), header, body, plain -> guard(() -> {
            if (plain == null) {
                throw new TlsException(Alert.BAD_RECORD_MAC, "record failed to decrypt (bad_record_mac)");
            }
            int end = plain.length;
            while (end > 0 && plain[end - 1] == 0) {
                end--;
            }
            if (end == 0) {
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "encrypted record without a content type");
            }
            if (end - 1 > Tls.MAX_PLAINTEXT) {
                throw new TlsException(Alert.RECORD_OVERFLOW, "decrypted record of " + (end - 1) + " bytes exceeds "
                        + Tls.MAX_PLAINTEXT);
            }
            int inner = plain[end - 1] & 0xff;
            content(inner, Bytes.slice(plain, 0, end - 1));
        }));
    }

    private void content(int type, byte[] data) {
        switch (type) {
            case Tls.HANDSHAKE:
                if (data.length == 0) {
                    throw new TlsException(Alert.UNEXPECTED_MESSAGE, "empty handshake record");
                }
                if (hs.length - hsEnd < data.length) {
                    int live = hsEnd - hsStart;
                    byte[] bigger = live + data.length <= hs.length ? hs : new byte[Math.max(2 * hs.length, live + data.length)];
                    System.arraycopy(hs, hsStart, bigger, 0, live);
                    hs = bigger;
                    hsStart = 0;
                    hsEnd = live;
                }
                System.arraycopy(data, 0, hs, hsEnd, data.length);
                hsEnd += data.length;
                next();
                return;
            case Tls.ALERT:
                alert(data);
                return;
            case Tls.APPLICATION_DATA:
                if (state != State.CONNECTED) {
                    throw new TlsException(Alert.UNEXPECTED_MESSAGE, "application data before the handshake completed");
                }
                if (data.length > 0) {
                    listener.received(data);
                }
                next();
                return;
            default:
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "unexpected inner content type " + type);
        }
    }

    private void alert(byte[] data) {
        if (data.length != 2) {
            throw new TlsException(Alert.DECODE_ERROR, "alert record of " + data.length + " bytes");
        }
        if (hsStart != hsEnd) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "alert inside a fragmented handshake message");
        }
        int desc = data[1] & 0xff;
        if (desc == Alert.CLOSE_NOTIFY) {
            inputClosed = true;
            busy = false;
            if (state != State.CONNECTED) {
                fail(new TlsException(Alert.CLOSE_NOTIFY, "server closed the connection during the handshake"));
                return;
            }
            state = State.CLOSED;
            listener.closed();
            return;
        }
        if (desc == Alert.USER_CANCELED) {
            next(); // a warning; a close_notify follows (§6.1)
            return;
        }
        if (desc == Alert.PROTOCOL_VERSION && state == State.WAIT_SERVER_HELLO) {
            throw TlsException.received(desc, "it does not speak TLS 1.3, the only version this client speaks yet");
        }
        throw TlsException.received(desc);
    }

    // ---- handshake messages ----------------------------------------------------------------------------

    private boolean nextHandshakeMessage() {
        int avail = hsEnd - hsStart;
        if (avail < 4) {
            return false;
        }
        int type = hs[hsStart] & 0xff;
        int len = ((hs[hsStart + 1] & 0xff) << 16) | Bytes.u16(hs, hsStart + 2);
        if (len > MAX_HANDSHAKE_MESSAGE) {
            throw new TlsException(Alert.DECODE_ERROR, Tls.messageName(type) + " of " + len + " bytes is too large");
        }
        if (avail < 4 + len) {
            return false;
        }
        byte[] message = Bytes.slice(hs, hsStart, 4 + len);
        hsStart += 4 + len;
        if (hsStart == hsEnd) {
            hsStart = 0;
            hsEnd = 0;
        }
        busy = true;
        handshake(type, Bytes.slice(message, 4, len), message);
        return true;
    }

    /** A key change must fall on a record boundary (§5.1): nothing may be left over in the buffer. */
    private void keyChangeBoundary(String after) {
        if (hsEnd != hsStart) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "handshake data after " + after + " in the same record");
        }
    }

    private void handshake(int type, byte[] body, byte[] message) {
        String name = Tls.messageName(type);
        switch (state) {
            case WAIT_SERVER_HELLO:
                expect(type, Tls.SERVER_HELLO);
                serverHello(body, message);
                return;
            case WAIT_ENCRYPTED_EXTENSIONS:
                expect(type, Tls.ENCRYPTED_EXTENSIONS);
                encryptedExtensions(body, message);
                return;
            case WAIT_CERTIFICATE_OR_REQUEST:
                if (type == Tls.CERTIFICATE_REQUEST) {
                    certificateRequest(body, message);
                    return;
                }
                expect(type, Tls.CERTIFICATE);
                certificate(body, message);
                return;
            case WAIT_CERTIFICATE:
                expect(type, Tls.CERTIFICATE);
                certificate(body, message);
                return;
            case WAIT_CERTIFICATE_VERIFY:
                expect(type, Tls.CERTIFICATE_VERIFY);
                certificateVerify(body, message);
                return;
            case WAIT_FINISHED:
                expect(type, Tls.FINISHED);
                finished(body, message);
                return;
            case CONNECTED:
                if (type == Tls.NEW_SESSION_TICKET) {
                    newSessionTicket(body);
                    next();
                    return;
                }
                if (type == Tls.KEY_UPDATE) {
                    keyUpdate(body);
                    next();
                    return;
                }
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "unexpected " + name + " after the handshake");
            default:
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "unexpected " + name + " in state " + state);
        }
    }

    private void expect(int type, int wanted) {
        if (type != wanted) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "expected " + Tls.messageName(wanted) + ", got "
                    + Tls.messageName(type));
        }
    }

    // ---- ClientHello -----------------------------------------------------------------------------------

    private byte[] clientHello() {
        sentExtensions.clear();
        ByteWriter ext = new ByteWriter();
        boolean ip = Hostnames.parseIp(config.host) != null;
        if (!ip) {
            byte[] name = Bytes.ascii(Hostnames.lower(config.host));
            extension(ext, Tls.EXT_SERVER_NAME,
                    new ByteWriter().u16(name.length + 3).u8(0).u16(name.length).bytes(name).toByteArray());
        }
        extension(ext, Tls.EXT_SUPPORTED_VERSIONS, new byte[] {2, 3, 4});
        ByteWriter groups = new ByteWriter().u16(2 * config.groups.length);
        for (int g : config.groups) {
            groups.u16(g);
        }
        extension(ext, Tls.EXT_SUPPORTED_GROUPS, groups.toByteArray());
        ByteWriter schemes = new ByteWriter().u16(2 * TlsConfig.SIGNATURE_SCHEMES.length);
        for (int s : TlsConfig.SIGNATURE_SCHEMES) {
            schemes.u16(s);
        }
        extension(ext, Tls.EXT_SIGNATURE_ALGORITHMS, schemes.toByteArray());
        byte[] pub = keyShare.publicKey();
        extension(ext, Tls.EXT_KEY_SHARE,
                new ByteWriter().u16(pub.length + 4).u16(keyShare.group()).u16(pub.length).bytes(pub).toByteArray());
        if (!config.alpn.isEmpty()) {
            ByteWriter list = new ByteWriter();
            for (String p : config.alpn) {
                byte[] b = Bytes.ascii(p);
                list.u8(b.length).bytes(b);
            }
            byte[] l = list.toByteArray();
            extension(ext, Tls.EXT_ALPN, new ByteWriter().u16(l.length).bytes(l).toByteArray());
        }
        if (cookie != null) {
            extension(ext, Tls.EXT_COOKIE, new ByteWriter().u16(cookie.length).bytes(cookie).toByteArray());
        }
        byte[] extensions = ext.toByteArray();
        ByteWriter body = new ByteWriter();
        body.u16(Tls.TLS12).bytes(clientRandom).u8(0); // legacy_session_id: empty (no middlebox compatibility mode)
        body.u16(2 * config.suites.length);
        for (int s : config.suites) {
            body.u16(s);
        }
        body.u8(1).u8(0); // legacy_compression_methods: null
        body.u16(extensions.length).bytes(extensions);
        return handshakeMessage(Tls.CLIENT_HELLO, body.toByteArray());
    }

    private void extension(ByteWriter w, int type, byte[] data) {
        sentExtensions.add(type);
        w.u16(type).u16(data.length).bytes(data);
    }

    private static byte[] handshakeMessage(int type, byte[] body) {
        return new ByteWriter(body.length + 4).u8(type).u8(body.length >>> 16).u16(body.length & 0xffff).bytes(body)
                .toByteArray();
    }

    // ---- ServerHello and HelloRetryRequest ---------------------------------------------------------------

    private static final class Extension {
        final int type;
        final byte[] data;

        Extension(int type, byte[] data) {
            this.type = type;
            this.data = data;
        }
    }

    /** Reads an extensions block: no type twice, each one we sent (§4.2), none of {@code forbidden}. */
    private List<Extension> extensions(TlsReader r, String where, int... forbidden) {
        return extensionsAllowing(r, where, -1, forbidden);
    }

    /** As above; {@code unsolicited} may come unasked (a HelloRetryRequest's cookie, §4.2.2). */
    private List<Extension> extensionsAllowing(TlsReader r, String where, int unsolicited, int... forbidden) {
        TlsReader block = r.sub(2, 0, 0xffff, "extensions");
        List<Extension> out = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        while (block.hasMore()) {
            int type = block.u16("extension type");
            byte[] data = block.vector(2, 0, 0xffff, "extension data");
            if (seen.contains(type)) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, where + " repeats extension " + type);
            }
            seen.add(type);
            for (int f : forbidden) {
                if (f == type) {
                    throw new TlsException(Alert.ILLEGAL_PARAMETER, "extension " + type + " is not allowed in " + where);
                }
            }
            if (!sentExtensions.contains(type) && type != unsolicited) {
                throw new TlsException(Alert.UNSUPPORTED_EXTENSION, where + " carries extension " + type
                        + ", which the client did not offer");
            }
            out.add(new Extension(type, data));
        }
        return out;
    }

    private static Extension find(List<Extension> exts, int type) {
        for (Extension e : exts) {
            if (e.type == type) {
                return e;
            }
        }
        return null;
    }

    private void serverHello(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "ServerHello");
        int version = r.u16("legacy_version");
        byte[] random = r.bytes(32, "random");
        byte[] sessionId = r.vector(1, 0, 32, "legacy_session_id_echo");
        int cipherSuite = r.u16("cipher_suite");
        int compression = r.u8("legacy_compression_method");
        boolean hrr = java.util.Arrays.equals(random, HRR_RANDOM);
        String where = hrr ? "HelloRetryRequest" : "ServerHello";
        if (!r.hasMore()) {
            throw new TlsException(Alert.PROTOCOL_VERSION,
                    "server chose TLS 1.2 or older; this client speaks TLS 1.3 only");
        }
        List<Extension> exts = extensionsAllowing(r, where, hrr ? Tls.EXT_COOKIE : -1);
        r.end();
        Extension versions = find(exts, Tls.EXT_SUPPORTED_VERSIONS);
        if (versions == null) {
            throw new TlsException(Alert.PROTOCOL_VERSION,
                    "server chose TLS 1.2 or older; this client speaks TLS 1.3 only");
        }
        if (versions.data.length != 2 || Bytes.u16(versions.data, 0) != Tls.TLS13) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, where + " selected a version other than TLS 1.3");
        }
        if (version != Tls.TLS12 || compression != 0 || sessionId.length != 0) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, where + " has bad legacy fields");
        }
        boolean offered = false;
        for (int s : config.suites) {
            offered |= s == cipherSuite;
        }
        if (!offered) {
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
        if (find(exts, Tls.EXT_COOKIE) != null || find(exts, Tls.EXT_SERVER_NAME) != null
                || find(exts, Tls.EXT_ALPN) != null || find(exts, Tls.EXT_SUPPORTED_GROUPS) != null
                || find(exts, Tls.EXT_SIGNATURE_ALGORITHMS) != null) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerHello carries an extension that belongs elsewhere");
        }
        Extension share = find(exts, Tls.EXT_KEY_SHARE);
        if (share == null) {
            throw new TlsException(Alert.MISSING_EXTENSION, "ServerHello has no key_share (PSK-only is not supported)");
        }
        TlsReader sr = new TlsReader(share.data, "ServerHello key_share");
        int group = sr.u16("group");
        byte[] serverPublic = sr.vector(2, 1, 0xffff, "key_exchange");
        sr.end();
        if (group != keyShare.group()) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerHello key_share is for " + Tls.groupName(group)
                    + ", the client sent " + Tls.groupName(keyShare.group()));
        }
        suite = cipherSuite;
        ks = new KeySchedule(suite);
        transcript.bytes(message);
        keyChangeBoundary("the ServerHello");
        keyShare.agree(serverPublic, shared -> guard(() -> {
            if (shared == null) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "server key share is not a valid "
                        + Tls.groupName(group) + " public key");
            }
            byte[] hs = ks.handshakeSecret(shared);
            byte[] th = ks.hash(transcript.toByteArray());
            clientHsSecret = ks.deriveSecret(hs, "c hs traffic", th);
            serverHsSecret = ks.deriveSecret(hs, "s hs traffic", th);
            byte[] master = ks.masterSecret(hs);
            masterSecret = master;
            readKeys = protection(serverHsSecret);
            writeKeys = protection(clientHsSecret); // our alerts from here on are encrypted, as the server expects
            state = State.WAIT_ENCRYPTED_EXTENSIONS;
            next();
        }));
    }

    private void helloRetryRequest(int cipherSuite, List<Extension> exts, byte[] message) {
        if (retried) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "second HelloRetryRequest");
        }
        for (Extension e : exts) {
            if (e.type != Tls.EXT_SUPPORTED_VERSIONS && e.type != Tls.EXT_KEY_SHARE && e.type != Tls.EXT_COOKIE) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "HelloRetryRequest carries extension " + e.type);
            }
        }
        Extension share = find(exts, Tls.EXT_KEY_SHARE);
        Extension cookieExt = find(exts, Tls.EXT_COOKIE);
        int group = keyShare.group();
        if (share != null) {
            TlsReader sr = new TlsReader(share.data, "HelloRetryRequest key_share");
            group = sr.u16("selected_group");
            sr.end();
            boolean accepted = false;
            for (int g : config.groups) {
                accepted |= g == group;
            }
            if (!accepted || group == keyShare.group() || !crypto.supportsGroup(group)) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "HelloRetryRequest asks for "
                        + Tls.groupName(group) + (group == keyShare.group() ? ", which the client already sent"
                        : ", which the client does not support"));
            }
        }
        if (cookieExt != null) {
            TlsReader cr = new TlsReader(cookieExt.data, "HelloRetryRequest cookie");
            cookie = cr.vector(2, 1, 0xffff, "cookie");
            cr.end();
        }
        if (share == null && cookieExt == null) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "HelloRetryRequest would not change the ClientHello");
        }
        keyChangeBoundary("the HelloRetryRequest");
        retried = true;
        hrrSuite = cipherSuite;
        // §4.4.1: the first ClientHello is replaced by message_hash(Hash(ClientHello1)).
        KeySchedule hk = new KeySchedule(cipherSuite);
        byte[] h1 = hk.hash(clientHello);
        transcript = new ByteWriter();
        transcript.bytes(handshakeMessage(Tls.MESSAGE_HASH, h1)).bytes(message);
        crypto.keyShare(group, ks2 -> guard(() -> {
            keyShare = ks2;
            clientHello = clientHello();
            transcript.bytes(clientHello);
            writeRecord(Tls.HANDSHAKE, clientHello);
            next();
        }));
    }

    private Protection protection(byte[] secret) {
        byte[] key = ks.expandLabel(secret, "key", new byte[0], Tls.keyLength(suite));
        byte[] iv = ks.expandLabel(secret, "iv", new byte[0], 12);
        return new Protection(crypto.aead(suite, key), iv);
    }

    // ---- the server's encrypted flight ---------------------------------------------------------------------

    private void encryptedExtensions(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "EncryptedExtensions");
        List<Extension> exts = extensions(r, "EncryptedExtensions", Tls.EXT_SUPPORTED_VERSIONS, Tls.EXT_KEY_SHARE,
                Tls.EXT_PRE_SHARED_KEY, Tls.EXT_COOKIE, Tls.EXT_SIGNATURE_ALGORITHMS);
        r.end();
        Extension sni = find(exts, Tls.EXT_SERVER_NAME);
        if (sni != null && sni.data.length != 0) {
            throw new TlsException(Alert.DECODE_ERROR, "EncryptedExtensions server_name is not empty");
        }
        Extension alpn = find(exts, Tls.EXT_ALPN);
        if (alpn != null) {
            TlsReader ar = new TlsReader(alpn.data, "ALPN");
            TlsReader list = ar.sub(2, 2, 0xffff, "protocol_name_list");
            ar.end();
            byte[] name = list.vector(1, 1, 255, "protocol name");
            String chosen = org.onionpeer.bytes.Text.latin1(name, 0, name.length);
            list.end();
            if (!config.alpn.contains(chosen)) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, "server chose ALPN protocol " + chosen
                        + ", which the client did not offer");
            }
            alpnProtocol = chosen;
        }
        transcript.bytes(message);
        state = State.WAIT_CERTIFICATE_OR_REQUEST;
        next();
    }

    private void certificateRequest(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "CertificateRequest");
        certificateRequestContext = r.vector(1, 0, 255, "certificate_request_context");
        r.sub(2, 2, 0xffff, "extensions"); // we answer with no certificate whatever it asks
        r.end();
        certificateRequested = true;
        transcript.bytes(message);
        state = State.WAIT_CERTIFICATE;
        next();
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
            if (certs.size() == MAX_CERTIFICATES) {
                throw new TlsException(Alert.BAD_CERTIFICATE, "server sent more than " + MAX_CERTIFICATES + " certificates");
            }
            byte[] der = list.vector(3, 1, 0xffffff, "cert_data");
            byte[] ext = list.vector(2, 0, 0xffff, "CertificateEntry extensions");
            if (ext.length != 0) {
                throw new TlsException(Alert.UNSUPPORTED_EXTENSION, "CertificateEntry carries extensions the client did not ask for");
            }
            certs.add(Certificate.parse(der));
        }
        if (certs.isEmpty()) {
            throw new TlsException(Alert.DECODE_ERROR, "server sent an empty certificate list");
        }
        serverCertificates = certs;
        transcript.bytes(message);
        ChainValidator.validate(certs, config.host, config.now, config.trust, crypto, problem -> guard(() -> {
            if (problem != null) {
                throw problem;
            }
            state = State.WAIT_CERTIFICATE_VERIFY;
            next();
        }));
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
        PublicKeyInfo key = serverCertificates.get(0).publicKey();
        if (!key.fits(scheme)) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "CertificateVerify uses " + Tls.schemeName(scheme)
                    + " with a " + key.type() + " certificate key");
        }
        byte[] signed = Bytes.concat(CV_PREFIX, ks.hash(transcript.toByteArray()));
        transcript.bytes(message);
        crypto.verify(scheme, key, signed, signature, ok -> guard(() -> {
            if (!ok) {
                throw new TlsException(Alert.DECRYPT_ERROR, "server's CertificateVerify signature does not verify");
            }
            state = State.WAIT_FINISHED;
            next();
        }));
    }

    private void finished(byte[] body, byte[] message) {
        byte[] expected = ks.finished(serverHsSecret, ks.hash(transcript.toByteArray()));
        if (body.length != expected.length || !Bytes.constantTimeEquals(body, expected)) {
            throw new TlsException(Alert.DECRYPT_ERROR, "server Finished does not verify");
        }
        transcript.bytes(message);
        keyChangeBoundary("the server Finished");
        byte[] th = ks.hash(transcript.toByteArray());
        clientApSecret = ks.deriveSecret(masterSecret, "c ap traffic", th);
        serverApSecret = ks.deriveSecret(masterSecret, "s ap traffic", th);
        readKeys = protection(serverApSecret);
        // Our second flight goes under the client handshake keys, already in place since the ServerHello.
        if (certificateRequested) {
            byte[] empty = handshakeMessage(Tls.CERTIFICATE, new ByteWriter().u8(certificateRequestContext.length)
                    .bytes(certificateRequestContext).u8(0).u16(0).toByteArray());
            transcript.bytes(empty);
            writeRecord(Tls.HANDSHAKE, empty);
        }
        byte[] verify = ks.finished(clientHsSecret, ks.hash(transcript.toByteArray()));
        byte[] fin = handshakeMessage(Tls.FINISHED, verify);
        transcript.bytes(fin);
        writeRecord(Tls.HANDSHAKE, fin);
        writeKeys = protection(clientApSecret);
        clientHsSecret = null;
        serverHsSecret = null;
        masterSecret = null;
        state = State.CONNECTED;
        List<byte[]> held = new ArrayList<>(pendingData);
        pendingData.clear();
        for (byte[] d : held) {
            send(d);
        }
        listener.connected();
        next();
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
        keyChangeBoundary("a KeyUpdate");
        serverApSecret = ks.nextTrafficSecret(serverApSecret);
        readKeys = protection(serverApSecret);
        keyUpdatesReceived++;
        if (body[0] == 1 && !closeSent) {
            updateWriteKeys();
        }
    }

    /** Sends KeyUpdate(update_not_requested) under the current keys, then switches to the next ones. */
    private void updateWriteKeys() {
        writeRecordNow(Tls.HANDSHAKE, handshakeMessage(Tls.KEY_UPDATE, new byte[] {0}));
        clientApSecret = ks.nextTrafficSecret(clientApSecret);
        writeKeys = protection(clientApSecret);
        keyUpdatesSent++;
    }

    // ---- records out -----------------------------------------------------------------------------------------

    private void writeRecord(int type, byte[] content) {
        if (writeKeys != null && state == State.CONNECTED && writeKeys.seq >= keyUpdateAfter) {
            updateWriteKeys();
        }
        writeRecordNow(type, content);
    }

    private void writeRecordNow(int type, byte[] content) {
        byte[][] slot = new byte[1][];
        outSlots.add(slot);
        if (writeKeys == null) {
            // The first ClientHello's record says TLS 1.0 for old middleboxes (§5.1); later ones TLS 1.2.
            int version = state == State.WAIT_SERVER_HELLO && !retried ? 0x0301 : Tls.TLS12;
            slot[0] = new ByteWriter(content.length + 5).u8(type).u16(version).u16(content.length).bytes(content)
                    .toByteArray();
            flush();
            return;
        }
        byte[] inner = new byte[content.length + 1];
        System.arraycopy(content, 0, inner, 0, content.length);
        inner[content.length] = (byte) type;
        byte[] header = new ByteWriter(5).u8(Tls.APPLICATION_DATA).u16(Tls.TLS12).u16(inner.length + Tls.AEAD_TAG)
                .toByteArray();
        Protection keys = writeKeys;
        keys.aead.seal(keys.nextNonce(), header, inner, sealed -> {
            if (sealed == null || sealed.length != inner.length + Tls.AEAD_TAG) {
                slot[0] = new byte[0];
                guard(() -> {
                    throw new TlsException(Alert.INTERNAL_ERROR, "record encryption failed");
                });
            } else {
                slot[0] = Bytes.concat(header, sealed);
            }
            flush();
        });
    }

    /** Hands over every finished record at the head of the queue, in one piece. */
    private void flush() {
        List<byte[]> ready = new ArrayList<>();
        while (!outSlots.isEmpty() && outSlots.peekFirst()[0] != null) {
            ready.add(outSlots.pollFirst()[0]);
        }
        if (!ready.isEmpty()) {
            listener.send(ready.size() == 1 ? ready.get(0) : Bytes.concat(ready.toArray(new byte[0][])));
        }
    }
}
