package org.onionpeer.tls;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A real TLS 1.3 (or, with {@link #protocols}, TLS 1.2) server for the tests: the JDK's own SSLServerSocket on 127.0.0.1, answering each HTTP
 * request with {@code body} and closing (close_notify). Runs on its own thread; the client under test does not.
 */
final class JdkTlsServer implements AutoCloseable {
    final SSLServerSocket socket;
    final byte[] body;
    volatile String lastError;
    volatile String lastSuite;
    volatile String lastProtocol;
    volatile String lastRequest;
    /** When positive: the body goes out in pieces this big with a KeyUpdate (startHandshake) between. */
    volatile int keyUpdateEvery;
    /** When set: the server's enabled protocols (e.g. TLSv1.2 only). */
    volatile String[] protocols;
    private final Thread thread;

    JdkTlsServer(KeyStore keys, byte[] body, String... cipherSuites) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        socket = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 10,
                java.net.InetAddress.getByName("127.0.0.1"));
        socket.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        if (cipherSuites.length > 0) {
            socket.setEnabledCipherSuites(cipherSuites);
        }
        this.body = body;
        thread = new Thread(this::serve, "jdk-tls-server");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (SSLSocket s = (SSLSocket) socket.accept()) {
                s.setSoTimeout(10000);
                if (protocols != null) {
                    s.setEnabledProtocols(protocols);
                }
                try {
                    s.startHandshake();
                    lastSuite = s.getSession().getCipherSuite();
                    lastProtocol = s.getSession().getProtocol();
                    InputStream in = s.getInputStream();
                    ByteArrayOutputStream req = new ByteArrayOutputStream();
                    while (true) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        req.write(b);
                        byte[] r = req.toByteArray();
                        int n = r.length;
                        if (n >= 4 && r[n - 4] == '\r' && r[n - 3] == '\n' && r[n - 2] == '\r' && r[n - 1] == '\n') {
                            break;
                        }
                    }
                    lastRequest = req.toString("ISO-8859-1");
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes("ISO-8859-1"));
                    if (keyUpdateEvery > 0) {
                        for (int off = 0; off < body.length; off += keyUpdateEvery) {
                            out.write(body, off, Math.min(keyUpdateEvery, body.length - off));
                            out.flush();
                            s.startHandshake(); // TLS 1.3: sends KeyUpdate(update_requested)
                        }
                    } else {
                        out.write(body);
                    }
                    out.flush();
                    // Half-close (close_notify), then read until the client hangs up, so that late records
                    // from it (KeyUpdate answers, its close_notify) never meet a closed socket and a reset.
                    s.shutdownOutput();
                    try {
                        while (in.read() >= 0) {
                            // discard
                        }
                    } catch (javax.net.ssl.SSLException e) {
                        lastError = "after the response: " + e; // e.g. a record under wrong keys
                    } catch (Exception ignored) {
                        // the client closed the TCP connection
                    }
                } catch (Exception e) {
                    lastError = e.toString();
                }
            } catch (Exception e) {
                if (!socket.isClosed()) {
                    lastError = e.toString();
                }
            }
        }
    }

    /**
     * A server in a JVM of its own, for the JDK settings read once per JVM (jdk.tls.useExtendedMasterSecret):
     * args are a PKCS#12 key store (password "pw"), the body length (random bytes, seed 12) and the enabled
     * protocols, comma-separated. Prints its port, serves until its standard input closes.
     */
    public static void main(String[] args) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new java.io.FileInputStream(args[0])) {
            keys.load(in, "pw".toCharArray());
        }
        byte[] body = new byte[Integer.parseInt(args[1])];
        new java.util.Random(12).nextBytes(body);
        try (JdkTlsServer server = new JdkTlsServer(keys, body)) {
            server.protocols = args[2].split(",");
            System.out.println(server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our input
            }
        }
    }

    @Override
    public void close() throws Exception {
        socket.close();
        thread.join(5000);
    }
}
