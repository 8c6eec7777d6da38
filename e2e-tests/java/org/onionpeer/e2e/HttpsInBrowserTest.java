package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.tls.TestPki;

/**
 * HTTPS end to end from the page (issue 12): the page's own TLS client (tls.js, loaded on first use, on
 * WebCrypto) talks to a local HTTPS server through 3 hops, over TLS 1.3 and, with a server that has only it,
 * TLS 1.2. The exit's connection to the site goes through a
 * recording relay here, so the test sees exactly what the exit's socket carried: TLS records only, and
 * neither the response body nor the request. Bad certificates fail with a message that says which way.
 * The trust anchor is the test's CA, given as {@code onionpeer.start({trustAnchors: [pem]})}.
 */
@Tag("browser")
class HttpsInBrowserTest {
    static final int SIZE = 20 * 1024 * 1024;
    static final long DAY = 86400;
    static byte[] file;
    static TestPki.Issued ca;
    static HttpsServer good;
    static HttpsServer wrongHost;
    static HttpsServer expired;
    static HttpsServer unknownCa;
    static HttpsServer tls12;
    static HttpServer plain;
    static Recorder recorder;
    static Bridge bridge;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        file = new byte[SIZE];
        new Random(12).nextBytes(file);
        long now = System.currentTimeMillis() / 1000;
        TestPki.Spec valid = new TestPki.Spec().validity(now - 30 * DAY, now + 30 * DAY);
        ca = TestPki.selfSigned(new TestPki.Spec().cn("Onionpeer Test CA").ca().validity(now - 30 * DAY, now + 365 * DAY));
        TestPki.Issued other = TestPki.selfSigned(new TestPki.Spec().cn("Unknown CA").ca()
                .validity(now - 30 * DAY, now + 365 * DAY));
        good = https(TestPki.issue(valid.cn("127.0.0.1").ip("127.0.0.1"), ca));
        wrongHost = https(TestPki.issue(new TestPki.Spec().cn("other.test").dns("other.test")
                .validity(now - 30 * DAY, now + 30 * DAY), ca));
        expired = https(TestPki.issue(new TestPki.Spec().cn("127.0.0.1").ip("127.0.0.1")
                .validity(now - 60 * DAY, now - 2 * DAY), ca));
        unknownCa = https(TestPki.issue(new TestPki.Spec().cn("127.0.0.1").ip("127.0.0.1")
                .validity(now - 30 * DAY, now + 30 * DAY), other));
        tls12 = https(TestPki.issue(new TestPki.Spec().cn("127.0.0.1").ip("127.0.0.1")
                .validity(now - 30 * DAY, now + 30 * DAY), ca), "TLSv1.2");
        plain = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        plain.createContext("/", ex -> DownloadInBrowserTest.serve(ex, file, "application/octet-stream"));
        plain.setExecutor(Executors.newCachedThreadPool());
        plain.start();
        recorder = new Recorder(good.getAddress().getPort());
        bridge = new Bridge(TestBridges.options(3));
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        for (HttpServer s : new HttpServer[] {good, wrongHost, expired, unknownCa, tls12, plain}) {
            if (s != null) {
                s.stop(0);
            }
        }
        if (recorder != null) {
            recorder.close();
        }
    }

    /** An HTTPS server for leaf; protocols, when given, are all it speaks (e.g. "TLSv1.2"). */
    static HttpsServer https(TestPki.Issued leaf, String... protocols) throws Exception {
        KeyStore ks = TestPki.keyStore(leaf);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(com.sun.net.httpserver.HttpsParameters p) {
                javax.net.ssl.SSLParameters params = ctx.getDefaultSSLParameters();
                if (protocols.length > 0) {
                    params.setProtocols(protocols);
                }
                p.setSSLParameters(params);
            }
        });
        s.createContext("/", ex -> DownloadInBrowserTest.serve(ex, file, "application/octet-stream"));
        s.setExecutor(Executors.newCachedThreadPool());
        s.start();
        return s;
    }

    static String url(HttpServer s, String path) {
        return (s instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + s.getAddress().getPort() + path;
    }

    /** Opens the bridge's page and gives the page's TLS client the test CA as a trust anchor. */
    static void openWithTestCa() {
        chromium.open(bridge.server().url(""));
        chromium.js("window.onionpeer.start({trustAnchors: [arguments[0]]});", ca.pem());
        DownloadInBrowserTest.openAndWaitForCircuit(chromium);
    }

    @Test
    void downloads20MBOverHttpsAndTheExitSeesOnlyTlsRecords() throws Exception {
        openWithTestCa();
        // A first https fetch loads tls.js and parses the roots (about a second): not part of the timed transfer.
        Object warm = chromium.jsAsync("var cb = arguments[arguments.length - 1];"
                + "window.onionpeer.fetch(arguments[0], function () {}, function (e, status, body) {"
                + " cb(e ? 'error: ' + e : String(status)); });", url(good, "/warm-up"));
        assertEquals("200", String.valueOf(warm));
        String secretPath = "/private-" + Long.toHexString(new Random().nextLong());
        String[] r = DownloadInBrowserTest.downloadAndHash(chromium, "https://127.0.0.1:" + recorder.port() + secretPath)
                .split(" ");
        assertEquals(DownloadInBrowserTest.sha(file), r.length == 3 ? r[1] : String.join(" ", r),
                "SHA-256 of what the page stored");
        double httpsSecs = Double.parseDouble(r[2]);

        byte[] fromSite = recorder.fromSite();
        byte[] toSite = recorder.toSite();
        assertTrue(fromSite.length > SIZE, "the exit relayed the whole response: " + fromSite.length);
        assertEquals("", tlsRecordsOnly(fromSite), "from the site");
        assertEquals("", tlsRecordsOnly(toSite), "to the site");
        // The plaintext never crossed the exit: no slice of the body, not the request's path or method.
        Random pick = new Random(3);
        for (int i = 0; i < 8; i++) {
            int at = pick.nextInt(SIZE - 32);
            assertEquals(-1, indexOf(fromSite, java.util.Arrays.copyOfRange(file, at, at + 32)),
                    "body bytes at " + at + " in clear on the exit's socket");
        }
        assertEquals(-1, indexOf(toSite, secretPath.getBytes("ISO-8859-1")), "the request path in clear");
        assertEquals(-1, indexOf(toSite, "GET ".getBytes("ISO-8859-1")), "an HTTP request in clear");

        // The same 20 MB over plain HTTP on the same page and circuits, for the ratio the issue asks about.
        String[] h = DownloadInBrowserTest.downloadAndHash(chromium, url(plain, "/same-file")).split(" ");
        assertEquals(DownloadInBrowserTest.sha(file), h.length == 3 ? h[1] : String.join(" ", h));
        double httpSecs = Double.parseDouble(h[2]);
        System.out.printf("https: 20 MB in %.1f s (%.2f MB/s); http: %.1f s (%.2f MB/s); https/http %.2fx%n",
                httpsSecs, SIZE / 1e6 / httpsSecs, httpSecs, SIZE / 1e6 / httpSecs, httpSecs / httpsSecs);
    }

    @Test
    void badCertificatesFailWithWhatIsWrong() {
        openWithTestCa();
        String script = "var cb = arguments[arguments.length - 1];"
                + "window.onionpeer.download(arguments[0], {onDone: function (e, info) { cb(String(e)); }});";
        assertEquals("bad certificate from 127.0.0.1: certificate for other.test does not match host 127.0.0.1",
                chromium.jsAsync(script, url(wrongHost, "/a")));
        String exp = String.valueOf(chromium.jsAsync(script, url(expired, "/b")));
        assertTrue(exp.startsWith("bad certificate from 127.0.0.1: certificate expired on "), exp);
        assertEquals("bad certificate from 127.0.0.1: no trust anchor for issuer CN=Unknown CA",
                chromium.jsAsync(script, url(unknownCa, "/c")));
        // And fetch(): the same client, the same words; a good one works beside them.
        Object ok = chromium.jsAsync("var cb = arguments[arguments.length - 1];"
                + "window.onionpeer.fetch(arguments[0], function () {}, function (e, status, body) {"
                + " cb(e ? 'error: ' + e : status + ' ' + body.length); });", url(good, "/small"));
        assertEquals("200 " + SIZE, String.valueOf(ok));
        // A server that speaks only TLS 1.2 (ECDHE, AES-GCM, extended master secret): the same page, the same API.
        Object ok12 = chromium.jsAsync("var cb = arguments[arguments.length - 1];"
                + "window.onionpeer.fetch(arguments[0], function () {}, function (e, status, body) {"
                + " cb(e ? 'error: ' + e : status + ' ' + body.length); });", url(tls12, "/tls12"));
        assertEquals("200 " + SIZE, String.valueOf(ok12));
    }

    /** "" when b is a whole sequence of TLS records (RFC 8446 §5.1 headers); else where it stops being one. */
    static String tlsRecordsOnly(byte[] b) {
        int p = 0;
        int records = 0;
        while (p < b.length) {
            if (p + 5 > b.length) {
                return "a partial record header at " + p;
            }
            int type = b[p] & 0xff;
            if (type < 20 || type > 23 || b[p + 1] != 3 || (b[p + 2] & 0xff) > 4) {
                return "not a TLS record header at " + p + " (after " + records + " records)";
            }
            int len = ((b[p + 3] & 0xff) << 8) | (b[p + 4] & 0xff);
            if (len > (1 << 14) + 256) {
                return "record of " + len + " bytes at " + p;
            }
            p += 5 + len;
            records++;
        }
        return p == b.length ? "" : "a record runs past the end";
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

    /**
     * A TCP relay between the exit and the HTTPS server that keeps every byte in each direction: what the
     * exit's socket to the site carried, since that socket ends here.
     */
    static final class Recorder implements AutoCloseable {
        final ServerSocket server;
        final ByteArrayOutputStream up = new ByteArrayOutputStream();
        final ByteArrayOutputStream down = new ByteArrayOutputStream();
        final List<Socket> sockets = new ArrayList<>();

        Recorder(int target) throws Exception {
            server = new ServerSocket(0, 8, java.net.InetAddress.getByName("127.0.0.1"));
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket a = server.accept();
                        Socket b = new Socket("127.0.0.1", target);
                        synchronized (sockets) {
                            sockets.add(a);
                            sockets.add(b);
                        }
                        pump(a.getInputStream(), b.getOutputStream(), up, b);
                        pump(b.getInputStream(), a.getOutputStream(), down, a);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "recorder");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private static void pump(InputStream in, OutputStream out, ByteArrayOutputStream log, Socket other) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[65536];
                try {
                    for (int n; (n = in.read(buf)) > 0;) {
                        synchronized (log) {
                            log.write(buf, 0, n);
                        }
                        out.write(buf, 0, n);
                    }
                    other.shutdownOutput();
                } catch (Exception e) {
                    // one side went away; the other notices on its own
                }
            }, "recorder-pump");
            t.setDaemon(true);
            t.start();
        }

        byte[] toSite() {
            synchronized (up) {
                return up.toByteArray();
            }
        }

        byte[] fromSite() {
            synchronized (down) {
                return down.toByteArray();
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
