package org.onionpeer.jvm.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.EndReason;
import org.onionpeer.exit.ExitPolicy;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.transport.Isolation;
import org.onionpeer.transport.StreamOpener;
import org.onionpeer.transport.Transport;

class Socks5ServerTest {
    private static final ExitPolicy LOCAL_OK = ExitPolicy.withDefault("accept 127.0.0.0/8:*, accept [::1]:*");

    private final EventLoop loop = new EventLoop("socks-test");
    private final SocketConnector connector = new SocketConnector(loop);

    @AfterEach
    void stop() {
        connector.close();
        loop.close();
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    // ---- the real curl binary through the proxy ----

    @Test
    void curlDownloadsFiveMegabytesThroughTheProxy() throws Exception {
        byte[] body = random(5 << 20, 7);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        http.createContext("/file", ex -> {
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        http.start();
        Path out = Files.createTempFile("socks-curl", ".bin");
        try (Socks5Server socks = new Socks5Server(loop, new DirectOpener(connector, LOCAL_OK), 0)) {
            Process p = new ProcessBuilder("curl", "-sS", "--max-time", "60", "--socks5-hostname",
                "127.0.0.1:" + socks.port(), "-o", out.toString(),
                "http://127.0.0.1:" + http.getAddress().getPort() + "/file")
                .redirectErrorStream(true).start();
            String curlOutput = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "curl did not finish");
            assertEquals(0, p.exitValue(), "curl failed: " + curlOutput);
            byte[] got = Files.readAllBytes(out);
            assertEquals(body.length, got.length);
            assertArrayEquals(sha256(body), sha256(got));
        } finally {
            http.stop(0);
            Files.deleteIfExists(out);
        }
    }

    @Test
    void curlSeesTheExitPolicyRefusal() throws Exception {
        // Default policy: loopback is refused, curl reports SOCKS reply 2 ("not allowed") as an error.
        try (ServerSocket target = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Socks5Server socks = new Socks5Server(loop,
                 new DirectOpener(connector, ExitPolicy.defaultPolicy()), 0)) {
            Process p = new ProcessBuilder("curl", "-sS", "--max-time", "30", "--socks5-hostname",
                "127.0.0.1:" + socks.port(), "http://127.0.0.1:" + target.getLocalPort() + "/")
                .redirectErrorStream(true).start();
            String curlOutput = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(97, p.exitValue(), curlOutput); // CURLE_PROXY: the proxy refused the request
        }
    }

    // ---- the protocol by hand ----

    /** A raw client socket with a read timeout so a missing answer fails rather than hangs. */
    private static Socket client(Socks5Server s) throws Exception {
        Socket c = new Socket(InetAddress.getLoopbackAddress(), s.port());
        c.setSoTimeout(10_000);
        return c;
    }

    private static byte[] read(Socket c, int n) throws Exception {
        byte[] b = new byte[n];
        new DataInputStream(c.getInputStream()).readFully(b);
        return b;
    }

    /** Asserts the server closed the connection without sending anything more. */
    private static void assertEnd(Socket c) throws Exception {
        InputStream in = c.getInputStream();
        int r;
        try {
            r = in.read();
        } catch (java.net.SocketException reset) {
            r = -1; // a reset is also an end
        }
        assertEquals(-1, r);
    }

    private static byte[] connectRequest(int atyp, byte[] addr, int port) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(5);
        b.write(1);
        b.write(0);
        b.write(atyp);
        if (atyp == 3) {
            b.write(addr.length);
        }
        b.writeBytes(addr);
        b.write(port >> 8);
        b.write(port);
        return b.toByteArray();
    }

    private static void greetNoAuth(Socket c) throws Exception {
        c.getOutputStream().write(new byte[] {5, 1, 0});
        assertArrayEquals(new byte[] {5, 0}, read(c, 2));
    }

    /** An opener that records the request and answers with a fixed failure. */
    private static final class Refusing implements StreamOpener {
        final CompletableFuture<String> asked = new CompletableFuture<>();
        final int reason;

        Refusing(int reason) {
            this.reason = reason;
        }

        @Override
        public void open(String host, int port, Isolation isolation, OpenCallback callback) {
            asked.complete(host + " " + port);
            callback.failed(reason, "test refusal");
        }
    }

    @Test
    void badVersionIsClosedWithoutAReply() throws Exception {
        try (Socks5Server s = new Socks5Server(loop, new Refusing(EndReason.MISC), 0); Socket c = client(s)) {
            c.getOutputStream().write(new byte[] {4, 1, 0, 80, 127, 0, 0, 1, 0}); // a SOCKS4 request
            assertEnd(c);
        }
    }

    @Test
    void noAcceptableMethodGetsFF() throws Exception {
        try (Socks5Server s = new Socks5Server(loop, new Refusing(EndReason.MISC), 0); Socket c = client(s)) {
            c.getOutputStream().write(new byte[] {5, 2, 1, 3}); // GSSAPI and a private method only
            assertArrayEquals(new byte[] {5, (byte) 0xff}, read(c, 2));
            assertEnd(c);
        }
    }

    @Test
    void bindAndUdpAssociateAreNotSupported() throws Exception {
        Refusing opener = new Refusing(EndReason.MISC);
        try (Socks5Server s = new Socks5Server(loop, opener, 0)) {
            for (int cmd : new int[] {2, 3, 0x7f}) {
                try (Socket c = client(s)) {
                    greetNoAuth(c);
                    byte[] req = connectRequest(1, new byte[] {1, 2, 3, 4}, 80);
                    req[1] = (byte) cmd;
                    c.getOutputStream().write(req);
                    byte[] rep = read(c, 10);
                    assertEquals(5, rep[0]);
                    assertEquals(Socks5Server.REP_COMMAND_NOT_SUPPORTED, rep[1]);
                    assertEnd(c);
                }
            }
            assertTrue(!opener.asked.isDone(), "the opener must not be asked");
        }
    }

    @Test
    void unknownAddressTypeAndEmptyNameAreRefused() throws Exception {
        try (Socks5Server s = new Socks5Server(loop, new Refusing(EndReason.MISC), 0)) {
            try (Socket c = client(s)) {
                greetNoAuth(c);
                c.getOutputStream().write(new byte[] {5, 1, 0, 9, 1, 2, 3, 4, 0, 80});
                assertEquals(Socks5Server.REP_ADDRESS_TYPE_NOT_SUPPORTED, read(c, 10)[1]);
                assertEnd(c);
            }
            try (Socket c = client(s)) {
                greetNoAuth(c);
                c.getOutputStream().write(connectRequest(3, new byte[0], 80));
                assertEquals(Socks5Server.REP_GENERAL_FAILURE, read(c, 10)[1]);
                assertEnd(c);
            }
            try (Socket c = client(s)) {
                greetNoAuth(c);
                c.getOutputStream().write(connectRequest(3, "bad name".getBytes(StandardCharsets.US_ASCII), 80));
                assertEquals(Socks5Server.REP_GENERAL_FAILURE, read(c, 10)[1]);
                assertEnd(c);
            }
        }
    }

    @Test
    void longestNamePassesIntactAndTruncatedRequestsAreDropped() throws Exception {
        Refusing opener = new Refusing(EndReason.RESOLVEFAILED);
        Socks5Server.Options o = new Socks5Server.Options();
        o.handshakeTimeoutMillis = 500;
        try (Socks5Server s = new Socks5Server(loop, opener, 0, o)) {
            byte[] name = new byte[255];
            Arrays.fill(name, (byte) 'a');
            name[254] = 'z';
            try (Socket c = client(s)) {
                greetNoAuth(c);
                c.getOutputStream().write(connectRequest(3, name, 443));
                assertEquals(Socks5Server.REP_HOST_UNREACHABLE, read(c, 10)[1]);
                assertEquals(new String(name, StandardCharsets.US_ASCII) + " 443",
                    opener.asked.get(10, TimeUnit.SECONDS));
            }
            // A name announced as 200 bytes with 10 sent, then end of stream: closed, no reply.
            try (Socket c = client(s)) {
                greetNoAuth(c);
                byte[] req = connectRequest(3, new byte[200], 80);
                c.getOutputStream().write(Arrays.copyOf(req, 15));
                c.shutdownOutput();
                assertEnd(c);
            }
            // The same truncation, but the client keeps the connection open: the handshake timeout closes it.
            try (Socket c = client(s)) {
                greetNoAuth(c);
                byte[] req = connectRequest(3, new byte[200], 80);
                c.getOutputStream().write(Arrays.copyOf(req, 15));
                long t0 = System.nanoTime();
                assertEnd(c);
                assertTrue(System.nanoTime() - t0 < 8_000_000_000L);
            }
            // A silent client is closed by the handshake timeout too.
            try (Socket c = client(s)) {
                assertEnd(c);
            }
        }
    }

    @Test
    void endReasonsMapToTorsSocksReplies() throws Exception {
        int[][] table = {{EndReason.EXITPOLICY, 2}, {EndReason.CONNECTREFUSED, 5}, {EndReason.RESOLVEFAILED, 4},
            {EndReason.TIMEOUT, 6}, {EndReason.NOROUTE, 4}, {EndReason.MISC, 1}, {EndReason.DONE, 5},
            {EndReason.CONNRESET, 5}, {EndReason.RESOURCELIMIT, 1}, {EndReason.TORPROTOCOL, 1}, {99, 1}};
        for (int[] row : table) {
            assertEquals(row[1], Socks5Server.replyFor(row[0]), EndReason.name(row[0]));
        }
        try (Socks5Server s = new Socks5Server(loop, new Refusing(EndReason.EXITPOLICY), 0); Socket c = client(s)) {
            greetNoAuth(c);
            c.getOutputStream().write(connectRequest(1, new byte[] {10, 0, 0, 1}, 22));
            byte[] rep = read(c, 10);
            assertArrayEquals(new byte[] {5, 2, 0, 1, 0, 0, 0, 0, 0, 0}, rep);
            assertEnd(c);
        }
    }

    @Test
    void silentOrThrowingOpenersStillGetTheClientAnAnswer() throws Exception {
        Socks5Server.Options o = new Socks5Server.Options();
        o.openTimeoutMillis = 300;
        try (Socks5Server s = new Socks5Server(loop, (h, p, iso, cb) -> { }, 0, o); Socket c = client(s)) {
            greetNoAuth(c);
            c.getOutputStream().write(connectRequest(1, new byte[] {1, 2, 3, 4}, 80));
            assertEquals(Socks5Server.REP_TTL_EXPIRED, read(c, 10)[1]);
            assertEnd(c);
        }
        StreamOpener throwing = (h, p, iso, cb) -> {
            throw new IllegalStateException("boom");
        };
        try (Socks5Server s = new Socks5Server(loop, throwing, 0); Socket c = client(s)) {
            greetNoAuth(c);
            c.getOutputStream().write(connectRequest(1, new byte[] {1, 2, 3, 4}, 80));
            assertEquals(Socks5Server.REP_GENERAL_FAILURE, read(c, 10)[1]);
            assertEnd(c);
        }
    }

    /** Echo server on {@code bind}: everything it reads it writes back, until end of stream. */
    private static ServerSocket echo(InetAddress bind) throws Exception {
        ServerSocket ss = new ServerSocket(0, 5, bind);
        Thread t = new Thread(() -> {
            try (Socket s = ss.accept()) {
                s.getInputStream().transferTo(s.getOutputStream());
            } catch (Exception ignored) {
                // test teardown
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    @Test
    void ipv6RequestWithUsernamePasswordAuthReachesAnIpv6Server() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        CompletableFuture<String> asked = new CompletableFuture<>();
        CompletableFuture<Isolation> isolation = new CompletableFuture<>();
        StreamOpener direct = new DirectOpener(connector, LOCAL_OK);
        StreamOpener recording = (host, port, iso, cb) -> {
            asked.complete(host);
            isolation.complete(iso);
            direct.open(host, port, cb);
        };
        try (ServerSocket server = echo(v6); Socks5Server s = new Socks5Server(loop, recording, 0);
             Socket c = client(s)) {
            OutputStream out = c.getOutputStream();
            out.write(new byte[] {5, 2, 0, 2}); // offers none and username/password: like tor, we pick 2
            assertArrayEquals(new byte[] {5, 2}, read(c, 2));
            out.write(new byte[] {1, 3, 'b', 'o', 'b', 2, 'p', 'w'});
            assertArrayEquals(new byte[] {1, 0}, read(c, 2));
            out.write(connectRequest(4, v6.getAddress(), server.getLocalPort()));
            byte[] rep = read(c, 10);
            assertEquals(0, rep[1], "reply " + rep[1]);
            assertEquals("::1", asked.get(10, TimeUnit.SECONDS));
            assertEquals(Isolation.socksAuth("bob".getBytes(), "pw".getBytes()), isolation.get(10, TimeUnit.SECONDS));
            byte[] msg = random(100_000, 9);
            out.write(msg);
            assertArrayEquals(msg, read(c, msg.length));
        }
    }

    /** Like tor's IsolateSOCKSAuth: each username/password pair its own isolation, no credentials another. */
    @Test
    void credentialsReachTheOpenerAsTheStreamsIsolation() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<Isolation> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        StreamOpener recording = (h, p, iso, cb) -> {
            seen.add(iso);
            cb.failed(EndReason.MISC, "recorded");
        };
        byte[][] creds = {{1, 3, 'b', 'o', 'b', 2, 'p', 'w'}, {1, 3, 'b', 'o', 'b', 2, 'p', 'w'},
            {1, 2, 'b', 'o', 3, 'b', 'p', 'w'}, {1, 0, 0}, null};
        try (Socks5Server s = new Socks5Server(loop, recording, 0)) {
            for (byte[] cred : creds) {
                try (Socket c = client(s)) {
                    OutputStream out = c.getOutputStream();
                    if (cred == null) {
                        greetNoAuth(c);
                    } else {
                        out.write(new byte[] {5, 1, 2});
                        assertArrayEquals(new byte[] {5, 2}, read(c, 2));
                        out.write(cred);
                        assertArrayEquals(new byte[] {1, 0}, read(c, 2));
                    }
                    out.write(connectRequest(1, new byte[] {1, 2, 3, 4}, 80));
                    assertEquals(Socks5Server.REP_GENERAL_FAILURE, read(c, 10)[1]);
                }
            }
            Isolation[] got = new Isolation[creds.length];
            for (int i = 0; i < got.length; i++) {
                got[i] = seen.poll(10, TimeUnit.SECONDS);
            }
            assertEquals(Isolation.socksAuth("bob".getBytes(), "pw".getBytes()), got[0]);
            assertEquals(got[0], got[1], "the same pair: the same isolation");
            assertNotEquals(got[0], got[2], "(\"bo\", \"bpw\") is another pair than (\"bob\", \"pw\")");
            assertEquals(Isolation.socksAuth(new byte[0], new byte[0]), got[3]);
            assertNotEquals(Isolation.NONE, got[3], "empty credentials are still credentials, as in tor");
            assertEquals(Isolation.NONE, got[4]);
            assertEquals("SOCKS credentials", got[0].toString(), "no credential in what may be logged");
        }
    }

    @Test
    void optimisticDataSentWithTheRequestIsForwarded() throws Exception {
        try (ServerSocket server = echo(InetAddress.getLoopbackAddress());
             Socks5Server s = new Socks5Server(loop, new DirectOpener(connector, LOCAL_OK), 0);
             Socket c = client(s)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(new byte[] {5, 1, 0});
            all.writeBytes(connectRequest(3, "127.0.0.1".getBytes(StandardCharsets.US_ASCII), server.getLocalPort()));
            all.writeBytes("early bytes".getBytes(StandardCharsets.US_ASCII));
            c.getOutputStream().write(all.toByteArray()); // greeting, request and data in one segment
            assertArrayEquals(new byte[] {5, 0}, read(c, 2));
            assertEquals(0, read(c, 10)[1]);
            assertArrayEquals("early bytes".getBytes(StandardCharsets.US_ASCII), read(c, 11));
        }
    }

    @Test
    void uploadIsPausedWhileTheStreamIsBacklogged() throws Exception {
        Socks5Server.Options o = new Socks5Server.Options();
        o.highWater = 128 * 1024;
        o.lowWater = 32 * 1024;
        byte[] upload = random(8 << 20, 11);
        AtomicLong maxQueued = new AtomicLong();
        CompletableFuture<Void> backlogged = new CompletableFuture<>();
        StreamOpener direct = new DirectOpener(connector, LOCAL_OK);
        // Wrap the opened stream to watch its queue after every send.
        StreamOpener watching = (host, port, iso, cb) -> direct.open(host, port, new StreamOpener.OpenCallback() {
            @Override
            public void opened(Transport t) {
                cb.opened(new Transport() {
                    @Override
                    public void send(byte[] data) {
                        t.send(data);
                        long q = t.bufferedAmount();
                        maxQueued.accumulateAndGet(q, Math::max);
                        if (q > o.highWater) {
                            backlogged.complete(null);
                        }
                    }

                    @Override
                    public void close(String reason) {
                        t.close(reason);
                    }

                    @Override
                    public long bufferedAmount() {
                        return t.bufferedAmount();
                    }

                    @Override
                    public void setListener(Listener l) {
                        t.setListener(l);
                    }
                });
            }

            @Override
            public void failed(int endReason, String message) {
                cb.failed(endReason, message);
            }
        });
        try (ServerSocket sink = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Socks5Server s = new Socks5Server(loop, watching, 0, o); Socket c = client(s)) {
            greetNoAuth(c);
            c.getOutputStream().write(connectRequest(1, new byte[] {127, 0, 0, 1}, sink.getLocalPort()));
            try (Socket server = sink.accept()) {
                assertEquals(0, read(c, 10)[1]);
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                    try {
                        c.getOutputStream().write(upload);
                        c.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                // The sink reads nothing until the stream's queue has passed the high-water mark.
                backlogged.get(20, TimeUnit.SECONDS);
                server.setSoTimeout(20_000);
                byte[] got = server.getInputStream().readAllBytes();
                sent.get(20, TimeUnit.SECONDS);
                assertArrayEquals(sha256(upload), sha256(got));
            }
        }
        // Paused at the mark: beyond it, the chunk that crossed it plus what the client transport had read and
        // not yet delivered (under MAX_UNDELIVERED + one 32 KiB read).
        long bound = o.highWater + TcpTransport.MAX_UNDELIVERED + 2 * 32 * 1024;
        assertTrue(maxQueued.get() <= bound, "max queued " + maxQueued.get() + " > " + bound);
    }

    @Test
    void downloadToASlowClientIsPausedNotBufferedWithoutLimit() throws Exception {
        // 32 MiB is more than every socket buffer on the way plus the client transport's 16 MiB queue bound:
        // without the pause the proxy would either buffer it all (the source's write completes though the
        // client reads nothing) or overflow and cut the connection.
        byte[] download = random(32 << 20, 13);
        try (ServerSocket source = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Socks5Server s = new Socks5Server(loop, new DirectOpener(connector, LOCAL_OK), 0); Socket c = client(s)) {
            greetNoAuth(c);
            c.getOutputStream().write(connectRequest(1, new byte[] {127, 0, 0, 1}, source.getLocalPort()));
            try (Socket server = source.accept()) {
                assertEquals(0, read(c, 10)[1]);
                CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                    try {
                        server.getOutputStream().write(download);
                        server.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                // Negative check with a bounded wait: the source cannot finish while the client reads nothing.
                assertThrows(java.util.concurrent.TimeoutException.class,
                    () -> written.get(500, TimeUnit.MILLISECONDS));
                c.setSoTimeout(30_000);
                byte[] got = c.getInputStream().readAllBytes();
                written.get(30, TimeUnit.SECONDS);
                assertArrayEquals(sha256(download), sha256(got));
            }
        }
    }

    @Test
    void maxClientsIsEnforcedAndCloseShutsEverything() throws Exception {
        Socks5Server.Options o = new Socks5Server.Options();
        o.maxClients = 1;
        Socks5Server s = new Socks5Server(loop, new Refusing(EndReason.MISC), 0, o);
        try (Socket first = client(s)) {
            greetNoAuth(first); // the first is registered and mid-handshake
            try (Socket second = client(s)) {
                assertEnd(second);
            }
            assertEquals(1, s.activeClients());
            s.close();
            assertEnd(first);
            assertEquals(0, s.activeClients());
        }
        try (Socket late = new Socket()) {
            late.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.port()), 2000);
            assertEnd(late);
        } catch (java.net.SocketException gone) {
            // Expected: nothing listens any more. Refused, or reset when the connection was in the closed
            // listener's backlog (seen once in CI: "Connection reset by peer" from connect).
            assertTrue(gone instanceof java.net.ConnectException
                    || String.valueOf(gone.getMessage()).contains("Connection reset"), gone.toString());
        }
    }
}
