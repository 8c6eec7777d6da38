package org.onionpeer.tls;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Drives a {@link TlsClient} over a plain TCP socket on the test's thread, as a node's event loop would:
 * bytes read are fed in, records handed out are written. With {@link Deferred} crypto, every callback is
 * queued and run later in a shuffled order, the way promises from WebCrypto may resolve.
 */
final class Fetch implements TlsClient.Listener {
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    final ByteArrayOutputStream wire = new ByteArrayOutputStream(); // what the server sent, as seen on the wire
    TlsException failure;
    String writeError;
    boolean connected;
    boolean closed;
    TlsClient client;
    private OutputStream out;
    private final byte[] request;
    /** When set: changes what the server sent before the client sees it (an active attacker). */
    java.util.function.UnaryOperator<byte[]> tamper;
    /** When set: changes what the client sent before the server sees it (an active attacker). */
    java.util.function.UnaryOperator<byte[]> tamperSent;
    /** When positive: the client's KeyUpdate threshold (records per key). */
    long keyUpdateAfter;
    /** When set: once connected, the crypto's answers wait until the server has closed (slow WebCrypto). */
    boolean drainAtEof;

    Fetch(byte[] request) {
        this.request = request;
    }

    static Fetch get(int port, TlsConfig config, TlsCrypto crypto, Deferred deferred) throws Exception {
        Fetch f = new Fetch(("GET / HTTP/1.1\r\nHost: " + config.host() + "\r\nConnection: close\r\n\r\n")
                .getBytes("ISO-8859-1"));
        f.run(port, config, crypto, deferred);
        return f;
    }

    void run(int port, TlsConfig config, TlsCrypto crypto, Deferred deferred) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15000);
            out = s.getOutputStream();
            InputStream in = s.getInputStream();
            client = new TlsClient(config, crypto, this);
            if (keyUpdateAfter > 0) {
                client.keyUpdateAfter = keyUpdateAfter;
            }
            client.start();
            client.send(request); // held until the handshake completes
            drain(deferred);
            byte[] buf = new byte[8192];
            while (failure == null && !closed) {
                int n;
                try {
                    n = in.read(buf);
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("read timed out: state " + client.state() + ", " + data.size()
                            + " bytes of data, " + wire.size() + " on the wire, key updates in/out "
                            + client.keyUpdatesReceived() + "/" + client.keyUpdatesSent() + ", write error " + writeError);
                }
                if (n < 0) {
                    client.transportClosed();
                    drain(deferred);
                    break;
                }
                byte[] got = java.util.Arrays.copyOf(buf, n);
                if (tamper != null) {
                    got = tamper.apply(got);
                }
                wire.write(got, 0, got.length);
                client.receive(got, 0, got.length);
                if (!(drainAtEof && connected)) {
                    drain(deferred);
                }
            }
            if (closed) {
                client.close(); // our close_notify in answer
                drain(deferred);
            }
        }
    }

    private static void drain(Deferred d) {
        if (d != null) {
            d.runAll();
        }
    }

    @Override
    public void send(byte[] records) {
        try {
            out.write(tamperSent == null ? records : tamperSent.apply(records.clone()));
            out.flush();
        } catch (Exception e) {
            // The server may close as soon as its response is out, while we still answer a KeyUpdate:
            // a transport matter, reported beside the TLS outcome.
            writeError = e.toString();
        }
    }

    @Override
    public void connected() {
        connected = true;
    }

    @Override
    public void received(byte[] d) {
        data.write(d, 0, d.length);
    }

    @Override
    public void closed() {
        closed = true;
    }

    @Override
    public void failed(TlsException e) {
        failure = e;
    }

    /** The HTTP body after the blank line. */
    byte[] body() {
        byte[] all = data.toByteArray();
        for (int i = 0; i + 3 < all.length; i++) {
            if (all[i] == '\r' && all[i + 1] == '\n' && all[i + 2] == '\r' && all[i + 3] == '\n') {
                return java.util.Arrays.copyOfRange(all, i + 4, all.length);
            }
        }
        return new byte[0];
    }

    /** A TlsCrypto whose every callback is queued, to run later in a shuffled order. */
    static class Deferred implements TlsCrypto {
        private final TlsCrypto inner;
        private final Random random;
        private final List<Runnable> queue = new ArrayList<>();
        int ran;
        /** Decryptions asked for and not yet answered: now, and the most at any time. */
        int opensWaiting;
        int maxOpensWaiting;

        Deferred(TlsCrypto inner, long seed) {
            this.inner = inner;
            this.random = new Random(seed);
        }

        void runAll() {
            while (!queue.isEmpty()) {
                Collections.shuffle(queue, random);
                Runnable r = queue.remove(queue.size() - 1);
                ran++;
                r.run();
            }
        }

        private <T> Done<T> later(Done<T> done) {
            return v -> queue.add(() -> done.done(v));
        }

        public void random(byte[] out) {
            inner.random(out);
        }

        public boolean supportsGroup(int group) {
            return inner.supportsGroup(group);
        }

        public void keyShare(int group, Done<KeyShare> done) {
            inner.keyShare(group, later(ks -> done.done(new KeyShare() {
                public int group() {
                    return ks.group();
                }

                public byte[] publicKey() {
                    return ks.publicKey();
                }

                public void agree(byte[] peer, Done<byte[]> d) {
                    ks.agree(peer, later(d));
                }
            })));
        }

        public Aead aead(int suite, byte[] key) {
            Aead a = inner.aead(suite, key);
            return new Aead() {
                public void seal(byte[] nonce, byte[] aad, byte[] plaintext, Done<byte[]> done) {
                    a.seal(nonce, aad, plaintext, later(done));
                }

                public void open(byte[] nonce, byte[] aad, byte[] ciphertext, Done<byte[]> done) {
                    opensWaiting++;
                    maxOpensWaiting = Math.max(maxOpensWaiting, opensWaiting);
                    a.open(nonce, aad, ciphertext, later(v -> {
                        opensWaiting--;
                        done.done(v);
                    }));
                }
            };
        }

        public void verify(int scheme, PublicKeyInfo key, byte[] message, byte[] signature, Done<Boolean> done) {
            inner.verify(scheme, key, message, signature, later(done));
        }
    }
}
