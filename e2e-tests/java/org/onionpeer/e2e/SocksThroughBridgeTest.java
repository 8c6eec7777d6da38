package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.JvmRelay;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.jvm.bridge.WebSocketTransport;
import org.onionpeer.transport.Transport;

/**
 * The bridge end to end on the JVM, with the real curl as the application: curl -> our SOCKS5 port -> our
 * onion proxy -> the bridge's relay (WebSocket link) -> an embedded relay (TLS) -> the exit (TLS) -> a web
 * server on 127.0.0.1. Then the middle relay is killed mid-download and the download resumes (HTTP Range)
 * over a new circuit.
 */
@Tag("e2e")
class SocksThroughBridgeTest {
    static final int SIZE = 50 * 1024 * 1024;
    static final int GATE_AT = 8 * 1024 * 1024;

    static byte[] file;
    static HttpServer web;
    static Bridge bridge;
    static final AtomicInteger gatedRequests = new AtomicInteger();
    static volatile CountDownLatch reachedGate = new CountDownLatch(1);
    static volatile CountDownLatch openGate = new CountDownLatch(1);
    static final List<String> ranges = new ArrayList<>();
    /** /hold answers once {@link #release} opens; each request counts {@link #held} down on arrival. */
    static volatile CountDownLatch held = new CountDownLatch(0);
    static volatile CountDownLatch release = new CountDownLatch(0);

    @BeforeAll
    static void start() throws Exception {
        file = new byte[SIZE];
        new Random(7).nextBytes(file);
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        web.createContext("/file", ex -> serve(ex, false));
        web.createContext("/gated", ex -> serve(ex, true));
        web.createContext("/hold", ex -> {
            try (ex) {
                held.countDown();
                release.await(60, TimeUnit.SECONDS);
                ex.sendResponseHeaders(200, 4);
                ex.getResponseBody().write("held".getBytes());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        web.setExecutor(Executors.newCachedThreadPool()); // held requests wait together
        web.start();

        Bridge.Options o = TestBridges.options(5);
        o.socksPort = 0;
        // First hops through the bridge's own relay, so the path has a WebSocket link and TLS links.
        o.proxy.firstHopFilter = r -> r.hasFlag(RelayInfo.FLAG_BRIDGE);
        bridge = new Bridge(o);
    }

    @AfterAll
    static void stop() {
        if (bridge != null) {
            bridge.close();
        }
        if (web != null) {
            web.stop(0);
        }
    }

    /** Serves {@link #file}, honouring "Range: bytes=N-"; the gated path stops at GATE_AT once. */
    static void serve(com.sun.net.httpserver.HttpExchange ex, boolean gated) throws IOException {
        try (ex) {
            int from = 0;
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                synchronized (ranges) {
                    ranges.add(range);
                }
                from = Integer.parseInt(range.replace("bytes=", "").replace("-", "").trim());
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (SIZE - 1) + "/" + SIZE);
                ex.sendResponseHeaders(206, SIZE - from);
            } else {
                ex.sendResponseHeaders(200, SIZE);
            }
            boolean gate = gated && range == null && gatedRequests.getAndIncrement() == 0;
            try (OutputStream out = ex.getResponseBody()) {
                int pos = from;
                while (pos < SIZE) {
                    if (gate && pos >= GATE_AT) {
                        out.flush();
                        reachedGate.countDown();
                        openGate.await(60, TimeUnit.SECONDS);
                        gate = false;
                    }
                    int n = Math.min(64 * 1024, SIZE - pos);
                    out.write(file, pos, n);
                    pos += n;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } catch (IOException e) {
            // the client went away (the killed-relay test makes it do so)
        }
    }

    static Process curl(Path out, String path, boolean resume) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "120", "--socks5-hostname",
                "127.0.0.1:" + bridge.socksPort(), "-o", out.toString()));
        if (resume) {
            cmd.add("-C");
            cmd.add("-");
        }
        cmd.add("http://127.0.0.1:" + web.getAddress().getPort() + path);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** A GET of {@code path} through our SOCKS port with SOCKS5 username {@code user} (password "x"). */
    static Process curlAs(String user, String path) throws IOException {
        return new ProcessBuilder("curl", "-sS", "--max-time", "120", "--proxy", "socks5h://" + user + ":x@127.0.0.1:"
                + bridge.socksPort(), "http://127.0.0.1:" + web.getAddress().getPort() + path)
                .redirectErrorStream(true).start();
    }

    /**
     * curl's SOCKS5 credentials isolate its streams, as in tor (IsolateSOCKSAuth): three held requests of three
     * users are on three circuits, one stream each. Without isolation the pool's two circuits would take them
     * (the proxy spreads streams over the circuits it has and builds no third for them).
     */
    @Test
    void eachSocksUsernameGetsCircuitsOfItsOwn() throws Exception {
        held = new CountDownLatch(3);
        release = new CountDownLatch(1);
        List<Process> curls = new ArrayList<>();
        try {
            for (String user : List.of("site-a", "site-b", "site-c")) {
                curls.add(curlAs(user, "/hold"));
            }
            if (!held.await(60, TimeUnit.SECONDS)) {
                String state = onLoop(bridge.proxyLoop(), () -> {
                    StringBuilder b = new StringBuilder("pending " + bridge.proxy().pendingStreams() + "; ");
                    for (ClientCircuit c : bridge.proxy().circuits()) {
                        b.append(c.isOpen()).append('/').append(c.streamCount()).append(' ');
                        for (RelayInfo r : c.path()) {
                            b.append(r.nickname()).append(',');
                        }
                        b.append("; ");
                    }
                    return b.toString();
                });
                throw new AssertionError("the three requests did not all reach the server: " + state);
            }
            List<Integer> perCircuit = onLoop(bridge.proxyLoop(), () -> {
                List<Integer> n = new ArrayList<>();
                for (ClientCircuit c : bridge.proxy().circuits()) {
                    if (c.streamCount() > 0) {
                        n.add(c.streamCount());
                    }
                }
                return n;
            });
            assertEquals(List.of(1, 1, 1), perCircuit, "streams per circuit carrying any");
        } finally {
            release.countDown();
        }
        for (Process p : curls) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.exitValue(), "curl: " + out);
            assertEquals("held", out);
        }
    }

    static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> c) throws Exception {
        return loop.call(c, 30);
    }

    @Test
    void fiftyMegabytesThroughThreeHopsArriveIntact() throws Exception {
        Path out = Files.createTempFile("onionpeer-50mb", ".bin");
        long t0 = System.nanoTime();
        Process p = curl(out, "/file", false);
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "curl finished");
        double secs = (System.nanoTime() - t0) / 1e9;
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), "curl: " + log);
        byte[] got = Files.readAllBytes(out);
        assertEquals(SIZE, got.length);
        assertArrayEquals(sha256(file), sha256(got), "SHA-256 of the 50 MB file");
        System.out.printf("50 MB through 3 hops in %.1f s (%.1f MB/s)%n", secs, SIZE / 1e6 / secs);
        assertTrue(bridge.server().sessionCount() >= 1, "the first hop is a WebSocket link to the bridge");
        Files.delete(out);
    }

    @Test
    void killedMiddleRelayIsRoutedAroundAndTheDownloadResumes() throws Exception {
        Path out = Files.createTempFile("onionpeer-resume", ".bin");
        Process first = curl(out, "/gated", false);
        assertTrue(reachedGate.await(60, TimeUnit.SECONDS), "the download got going");
        // Which circuit carries it? Kill its middle relay.
        String middle = onLoop(bridge.proxyLoop(), () -> {
            for (ClientCircuit c : bridge.proxy().circuits()) {
                if (c.streamCount() > 0 && c.path().size() == 3) {
                    return c.path().get(1).nickname();
                }
            }
            return null;
        });
        assertNotNull(middle, "a circuit carries the stream");
        JvmRelay victim = null;
        for (JvmRelay r : bridge.relays()) {
            if (r.nickname().equals(middle)) {
                victim = r;
            }
        }
        assertNotNull(victim, "middle " + middle + " is an embedded relay");
        victim.close();
        // A link to the dead relay's path ends at once (the bridge refuses it with 404), so whoever extends to it
        // fails now rather than at its extend timeout.
        CompletableFuture<String> closedAt = new CompletableFuture<>();
        try (WebSocketConnector ws = new WebSocketConnector()) {
            ws.connect(URI.create(bridge.server().linkAddress() + "/" + middle), bridge.proxyLoop(),
                    new WebSocketConnector.Callback() {
                        @Override
                        public void connected(WebSocketTransport t) {
                            t.setListener(new Transport.Listener() {
                                @Override
                                public void onData(byte[] data) {
                                    closedAt.completeExceptionally(new AssertionError("bytes from a dead relay"));
                                }

                                @Override
                                public void onClosed(String reason) {
                                    closedAt.complete(reason);
                                }
                            });
                        }

                        @Override
                        public void failed(String message, int httpStatus) {
                            closedAt.complete("refused: " + message);
                        }
                    });
            assertNotNull(closedAt.get(5, TimeUnit.SECONDS), "a link to the dead relay ended");
        }
        openGate.countDown();
        assertTrue(first.waitFor(120, TimeUnit.SECONDS));
        assertNotEquals(0, first.exitValue(), "the first transfer broke when its middle relay died");
        long partial = Files.size(out);
        // Some of what the server wrote before the gate was still in socket buffers and windows on the way.
        assertTrue(partial > 0 && partial < SIZE, "partial file: " + partial);

        Process second = curl(out, "/gated", true);
        assertTrue(second.waitFor(150, TimeUnit.SECONDS));
        String log = new String(second.getInputStream().readAllBytes());
        assertEquals(0, second.exitValue(), "resumed curl: " + log);
        byte[] got = Files.readAllBytes(out);
        assertEquals(SIZE, got.length);
        assertArrayEquals(sha256(file), sha256(got), "SHA-256 after the resume");
        synchronized (ranges) {
            assertTrue(ranges.contains("bytes=" + partial + "-"), "resumed with a Range request: " + ranges);
        }
        String middleNow = onLoop(bridge.proxyLoop(), () -> {
            for (ClientCircuit c : bridge.proxy().circuits()) {
                for (RelayInfo r : c.path()) {
                    if (r.nickname().equals(middle) && c.isOpen()) {
                        return r.nickname();
                    }
                }
            }
            return null;
        });
        assertEquals(null, middleNow, "no open circuit goes through the dead relay");
        Files.delete(out);
    }
}
