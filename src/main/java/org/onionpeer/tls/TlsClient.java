package org.onionpeer.tls;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * A sans-I/O TLS client, TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246): the caller feeds it the bytes that arrive
 * from the server ({@link #receive}) and writes out whatever it hands to {@link Listener#send}; application
 * data goes in through {@link #send} and comes out through {@link Listener#received}. It never blocks, never
 * starts a thread and never reads a clock: the node's scheduler drives it, and its crypto answers through
 * callbacks ({@link TlsCrypto}), so the same code runs on the JVM and on WebCrypto in a page.
 *
 * <p>This class is the hub: the public API, the pump that works on one record or handshake message at a
 * time, alerts. {@link Hello} writes the ClientHello and takes the first look at the ServerHello, whose
 * version picks the handshake that takes over: {@link Tls13Handshake} or {@link Tls12Handshake} (ECDHE + AEAD suites only,
 * extended master secret required, no renegotiation, checked for the RFC 8446 downgrade sentinel). Records
 * are cut, protected and queued by the {@link RecordLayer}; certificate chains are checked by
 * {@link ChainValidator} the same way under both versions.
 *
 * <p>What it refuses, each with its own {@link TlsException} and alert: records over 2^14 bytes of
 * plaintext (2^14 + 256 of ciphertext), a record that does not decrypt, messages out of order or in the
 * wrong kind of record, handshake messages that straddle a key change, extensions it did not ask for, TLS
 * 1.1 and older (and TLS 1.2 when {@link TlsConfig#withMinimumVersion} says so), a certificate chain that
 * does not validate, a signature or Finished that does not verify.
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

        /**
         * Application data from the server: {@code len} bytes of {@code data} from {@code off}; the array is
         * the listener's (the client keeps no reference). For listeners that can take a range without a copy.
         */
        default void received(byte[] data, int off, int len) {
            received(off == 0 && len == data.length ? data : Bytes.slice(data, off, len));
        }

        /** The server sent close_notify: it will send nothing more. */
        void closed();

        /** The connection failed; if we found the problem, the alert has been handed to {@link #send}. */
        void failed(TlsException e);
    }

    /** Handshake progress; WAIT_SERVER_KEY_EXCHANGE, WAIT_SERVER_HELLO_DONE and WAIT_CHANGE_CIPHER_SPEC are TLS 1.2's. */
    public enum State {
        START, WAIT_SERVER_HELLO, WAIT_ENCRYPTED_EXTENSIONS, WAIT_CERTIFICATE_OR_REQUEST, WAIT_CERTIFICATE,
        WAIT_CERTIFICATE_VERIFY, WAIT_FINISHED, CONNECTED, CLOSED, FAILED,
        WAIT_SERVER_KEY_EXCHANGE, WAIT_SERVER_HELLO_DONE, WAIT_CHANGE_CIPHER_SPEC
    }

    /** Largest handshake message accepted (certificate chains are the big ones). */
    static final int MAX_HANDSHAKE_MESSAGE = 1 << 17;
    /** Largest number of certificates accepted in a chain. */
    static final int MAX_CERTIFICATES = 10;
    /** Client records per key before it sends a KeyUpdate (RFC 8446 §5.5 allows 2^24.5 for AES-GCM). */
    static final long KEY_UPDATE_AFTER = 1L << 23;

    final TlsConfig config;
    final TlsCrypto crypto;
    final Listener listener;

    State state = State.START;
    private TlsException failure;

    // Input: handshake bytes not yet made into messages (records are the record layer's).
    private byte[] hs = new byte[256];
    private int hsStart;
    private int hsEnd;
    private boolean busy;
    private boolean pumping;
    private boolean inputClosed;
    private boolean transportEnded;

    final RecordLayer records;
    private final List<byte[]> pendingData = new ArrayList<>();
    boolean closeSent;

    // Handshake state shared by both versions.
    byte[] clientRandom;
    byte[] clientHello;
    TlsCrypto.KeyShare keyShare;
    byte[] cookie;
    boolean retried;
    int suite = -1;
    ByteWriter transcript = new ByteWriter();
    List<Certificate> serverCertificates;
    String alpnProtocol;
    final Hello hello;
    Tls13Handshake tls13; // the handshake that took over after the ServerHello: one of these two
    Tls12Handshake tls12;

    /** Records under one client key before it sends a KeyUpdate (TLS 1.3); lowered by tests. */
    long keyUpdateAfter = KEY_UPDATE_AFTER;

    public TlsClient(TlsConfig config, TlsCrypto crypto, Listener listener) {
        this.config = config;
        this.crypto = crypto;
        this.listener = listener;
        this.hello = new Hello(this); // after config: it reads it
        this.records = new RecordLayer(new RecordLayer.Sink() {
            public void send(byte[] out) {
                listener.send(out);
            }

            public void sealFailed(TlsException e) {
                guard(() -> {
                    throw e;
                });
            }
        });
    }

    public State state() {
        return state;
    }

    /** The failure that ended the connection, or null. */
    public TlsException failure() {
        return failure;
    }

    /** The negotiated protocol version ({@link Tls#TLS13} or {@link Tls#TLS12}), or -1 before the ServerHello. */
    public int version() {
        return tls13 != null ? Tls.TLS13 : tls12 != null ? Tls.TLS12 : -1;
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

    /** KeyUpdates this client sent (asked for by the server, or at its own limit; TLS 1.3 only). */
    public int keyUpdatesSent() {
        return tls13 == null ? 0 : tls13.keyUpdatesSent;
    }

    /** KeyUpdates received from the server (TLS 1.3 only). */
    public int keyUpdatesReceived() {
        return tls13 == null ? 0 : tls13.keyUpdatesReceived;
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
        if (!config.offersTls13() && !config.offersTls12()) {
            throw new IllegalStateException("the TLS configuration leaves no cipher suite to offer");
        }
        state = State.WAIT_SERVER_HELLO;
        busy = true;
        clientRandom = new byte[32];
        crypto.random(clientRandom);
        sendClientHello(config.groups[0]);
    }

    /** Bytes from the server, in order. */
    public void receive(byte[] data) {
        receive(data, 0, data.length);
    }

    public void receive(byte[] data, int off, int len) {
        if (state == State.FAILED || inputClosed) {
            return;
        }
        records.append(data, off, len);
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
        if (transportEnded && !busy && ahead.isEmpty() && heldBack == null && state != State.FAILED && !inputClosed) {
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
    void next() {
        busy = false;
        pump();
    }

    /** Runs a continuation from a crypto callback, turning any error into a failure of the connection. */
    void guard(Runnable r) {
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

    /**
     * Records being decrypted at once once connected. One at a time, each record waits a whole round trip
     * of the page's event loop for WebCrypto's answer (about 5 ms on a busy page: 3 MB/s with 16 KB records,
     * measured); several in flight hide it. Their answers are still handled strictly in order. 32 rather
     * than 8: WebCrypto answers from its own thread, which on a loaded machine waits for a core, so a deeper
     * queue keeps it busy (at most 32 records of 16 KB, 0.5 MB, are held).
     */
    static final int READ_AHEAD = 32;

    /** A record whose decryption was started ahead, under the keys of that moment. */
    private static final class Ahead {
        final RecordLayer.Record record;
        final RecordLayer.Protection keys;
        byte[] plain;
        boolean answered;

        Ahead(RecordLayer.Record record, RecordLayer.Protection keys) {
            this.record = record;
            this.keys = keys;
        }
    }

    private final ArrayDeque<Ahead> ahead = new ArrayDeque<>();
    /** A record taken from the input that cannot go ahead (not application_data): handled after those that did. */
    private RecordLayer.Record heldBack;

    private boolean nextRecord() {
        fillAhead();
        Ahead head = ahead.peekFirst();
        if (head != null) {
            if (!head.answered) {
                return false; // its answer pumps again
            }
            ahead.pollFirst();
            if (head.keys != records.read) {
                // A KeyUpdate handled since changed the read keys: this record and those behind it were opened
                // under the old ones. Open them again, in order, under the new.
                List<Ahead> again = new ArrayList<>();
                again.add(head);
                again.addAll(ahead);
                ahead.clear();
                for (Ahead a : again) {
                    startAhead(a.record);
                }
                return true;
            }
            busy = true;
            opened(head.keys, head.record, head.plain);
            return true;
        }
        RecordLayer.Record r = heldBack != null ? heldBack : records.next();
        heldBack = null;
        if (r == null) {
            return false;
        }
        busy = true;
        handleRecord(r);
        return true;
    }

    /** Connected, with no handshake message half read: starts decrypting the records that are in. */
    private void fillAhead() {
        while (heldBack == null && ahead.size() < READ_AHEAD && state == State.CONNECTED && records.read != null
                && hsStart == hsEnd) {
            RecordLayer.Record r = records.next();
            if (r == null) {
                return;
            }
            if (r.type != Tls.APPLICATION_DATA) {
                heldBack = r; // an alert or handshake record of TLS 1.2, a stray change_cipher_spec: in turn
                return;
            }
            startAhead(r);
        }
    }

    private void startAhead(RecordLayer.Record r) {
        Ahead a = new Ahead(r, records.read);
        ahead.addLast(a);
        a.keys.open(r, plain -> {
            a.plain = plain;
            a.answered = true;
            if (state != State.FAILED) {
                pump();
            }
        });
    }

    /** Handles a record's decrypted body: refused if it did not authenticate, else its content. */
    private void opened(RecordLayer.Protection keys, RecordLayer.Record r, byte[] plain) {
        if (plain == null) {
            throw new TlsException(Alert.BAD_RECORD_MAC, "record failed to decrypt (bad_record_mac)");
        }
        RecordLayer.Record c = keys.content(r, plain);
        content(c.type, c.body, c.length);
    }

    private void handleRecord(RecordLayer.Record r) {
        if (r.type == Tls.CHANGE_CIPHER_SPEC) {
            if (tls12 != null) {
                tls12.changeCipherSpec(r.body); // TLS 1.2: the server's switch to its new keys
                return;
            }
            // TLS 1.3 §5: one dummy change_cipher_spec (a single 0x01) may arrive during the handshake; drop it.
            if (state == State.CONNECTED || r.body.length != 1 || r.body[0] != 1) {
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "unexpected change_cipher_spec record");
            }
            next();
            return;
        }
        RecordLayer.Protection keys = records.read;
        if (keys == null) {
            if (r.type == Tls.APPLICATION_DATA) {
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, tls12 == null
                        ? "encrypted record before the ServerHello" : "application data before the handshake completed");
            }
            content(r.type, r.body);
            return;
        }
        if (r.type != Tls.APPLICATION_DATA && !keys.protectsEveryType()) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE,
                    "unencrypted " + (r.type == Tls.ALERT ? "alert" : "handshake") + " record after the ServerHello");
        }
        keys.open(r, plain -> guard(() -> opened(keys, r, plain)));
    }

    private void content(int type, byte[] data) {
        content(type, data, data.length);
    }

    /** The content of a record: the first {@code length} bytes of {@code data}. */
    private void content(int type, byte[] data, int length) {
        if (type != Tls.APPLICATION_DATA && length != data.length) {
            data = Bytes.slice(data, 0, length);
        }
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
                if (length > 0) {
                    listener.received(data, 0, length);
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
        if (tls12 != null && data[0] == 1) {
            // TLS 1.2 warnings (unrecognized_name, ...) leave the decision to us (RFC 5246 §7.2.2): go on; the
            // handshake's own checks still decide. TLS 1.3 has no warnings but close_notify and user_canceled.
            next();
            return;
        }
        if (desc == Alert.PROTOCOL_VERSION && state == State.WAIT_SERVER_HELLO) {
            throw TlsException.received(desc, config.offersTls12() ? "it speaks neither TLS 1.3 nor TLS 1.2"
                    : "it does not speak TLS 1.3, and TLS 1.2 is turned off in this client");
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

    boolean handshakeBufferEmpty() {
        return hsEnd == hsStart;
    }

    /** A key change must fall on a record boundary (§5.1): nothing may be left over in the buffer. */
    void keyChangeBoundary(String after) {
        if (hsEnd != hsStart) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "handshake data after " + after + " in the same record");
        }
    }

    private void handshake(int type, byte[] body, byte[] message) {
        if (state == State.WAIT_SERVER_HELLO) {
            expect(type, Tls.SERVER_HELLO);
            hello.serverHello(body, message);
        } else if (tls12 != null) {
            tls12.handshake(type, body, message);
        } else {
            tls13.handshake(type, body, message);
        }
    }

    static void expect(int type, int wanted) {
        if (type != wanted) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "expected " + Tls.messageName(wanted) + ", got "
                    + Tls.messageName(type));
        }
    }

    /** The handshake is complete: held-back data goes out, and the listener hears of it. */
    void connectedNow() {
        state = State.CONNECTED;
        List<byte[]> held = new ArrayList<>(pendingData);
        pendingData.clear();
        for (byte[] d : held) {
            send(d);
        }
        listener.connected();
    }

    // ---- ClientHello -----------------------------------------------------------------------------------

    /** Makes a key share for {@code group}, then sends a ClientHello with it (also the answer to a HelloRetryRequest). */
    void sendClientHello(int group) {
        crypto.keyShare(group, share -> guard(() -> {
            keyShare = share;
            clientHello = hello.clientHello();
            transcript.bytes(clientHello);
            writeRecord(Tls.HANDSHAKE, clientHello);
            next();
        }));
    }

    static byte[] handshakeMessage(int type, byte[] body) {
        return new ByteWriter(body.length + 4).u8(type).u8(body.length >>> 16).u16(body.length & 0xffff).bytes(body)
                .toByteArray();
    }

    // ---- shared by both handshakes ----------------------------------------------------------------------

    /** Reads one certificate (DER) into the chain being built, keeping to the chain's size limit. */
    static void addCertificate(List<Certificate> certs, byte[] der) {
        if (certs.size() == MAX_CERTIFICATES) {
            throw new TlsException(Alert.BAD_CERTIFICATE, "server sent more than " + MAX_CERTIFICATES + " certificates");
        }
        certs.add(Certificate.parse(der));
    }

    /** Validates the server's chain (path, validity, names: the same under both versions), then {@code then}. */
    void checkChain(List<Certificate> certs, byte[] message, State after) {
        if (certs.isEmpty()) {
            throw new TlsException(Alert.DECODE_ERROR, "server sent an empty certificate list");
        }
        serverCertificates = certs;
        transcript.bytes(message);
        ChainValidator.validate(certs, config.host, config.now, config.trust, crypto, problem -> guard(() -> {
            if (problem != null) {
                throw problem;
            }
            state = after;
            next();
        }));
    }

    // ---- records out -----------------------------------------------------------------------------------------

    void writeRecord(int type, byte[] content) {
        if (tls13 != null && state == State.CONNECTED && records.write != null && records.write.seq >= keyUpdateAfter) {
            tls13.updateWriteKeys();
        }
        writeRecordNow(type, content);
    }

    void writeRecordNow(int type, byte[] content) {
        // The first ClientHello's record says TLS 1.0 for old middleboxes (§5.1); later ones TLS 1.2.
        records.write(type, content, state == State.WAIT_SERVER_HELLO && !retried ? 0x0301 : Tls.TLS12);
    }
}
