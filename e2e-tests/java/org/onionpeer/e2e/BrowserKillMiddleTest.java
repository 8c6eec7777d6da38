package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.jvm.JvmRelay;

/**
 * Kills the middle relay of the circuit carrying a browser download while the server holds back the rest
 * of the file: the page (Downloads.java) must notice the broken stream, wait for a rebuilt circuit and
 * resume with a Range request by itself, ending with the whole file (checked by a SHA-256 computed in the
 * page over the stored Blob). And when a server keeps breaking its answers, the page retries five times with
 * growing pauses and then says in words that it gave up, keeping what it stored.
 */
@Tag("browser")
class BrowserKillMiddleTest {
    static final int SIZE = 20 * 1024 * 1024;
    static final int GATE_AT = 5 * 1024 * 1024;
    static byte[] file;
    static HttpServer web;
    static Bridge bridge;
    static Chromium chromium;
    static final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    static final CountDownLatch gate = new CountDownLatch(1);
    static final CountDownLatch gated = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        file = new byte[SIZE];
        new Random(11).nextBytes(file);
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        web.createContext("/file", BrowserKillMiddleTest::serve);
        broken = new java.net.ServerSocket(0, 8, java.net.InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(BrowserKillMiddleTest::serveBroken, "broken-server");
        t.setDaemon(true);
        t.start();
        web.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        web.start();
        // relay1..relay3 are middles, relay4 the only exit; the page's first hop is the bridge's own relay.
        Bridge.Options o = TestBridges.options(4);
        bridge = new Bridge(o);
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() {
        gate.countDown();
        if (chromium != null) {
            chromium.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (web != null) {
            web.stop(0);
        }
        if (broken != null) {
            try {
                broken.close();
            } catch (IOException e) {
                // Nothing left to do.
            }
        }
    }

    /** Serves the file, honouring "Range: bytes=N-" with 206; the first full request waits at GATE_AT. */
    static void serve(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(range == null ? "full" : range);
        int from = 0;
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        if (from > 0) {
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (SIZE - 1) + "/" + SIZE);
            ex.sendResponseHeaders(206, SIZE - from);
        } else {
            ex.sendResponseHeaders(200, SIZE);
        }
        boolean mayGate = from == 0 && gated.getCount() > 0;
        try (OutputStream o = ex.getResponseBody()) {
            for (int p = from; p < SIZE; p += 65536) {
                if (mayGate && p >= GATE_AT) {
                    mayGate = false;
                    o.flush();
                    gated.countDown();
                    gate.await(50, TimeUnit.SECONDS);
                }
                o.write(file, p, Math.min(65536, SIZE - p));
            }
        } catch (IOException | InterruptedException e) {
            // The circuit that carried this response is gone, or the test is over.
        }
    }

    static final List<String> brokenRequests = Collections.synchronizedList(new ArrayList<>());

    static java.net.ServerSocket broken;

    /**
     * A raw server (so a connection really closes short): it promises 2 MB but sends 1 MB, then answers
     * every Range request with a head and no bytes.
     */
    static void serveBroken() {
        while (!broken.isClosed()) {
            try (java.net.Socket s = broken.accept()) {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
                String range = null;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("range:")) {
                        range = line.substring(6).trim();
                    }
                }
                brokenRequests.add(range == null ? "full" : range);
                int half = 1 << 20;
                OutputStream o = s.getOutputStream();
                if (range == null) {
                    o.write(("HTTP/1.0 200 OK\r\nContent-Length: " + 2 * half + "\r\n\r\n").getBytes());
                    o.write(file, 0, half);
                } else {
                    o.write(("HTTP/1.0 206 Partial Content\r\nContent-Length: " + half + "\r\nContent-Range: bytes "
                            + half + "-" + (2 * half - 1) + "/" + 2 * half + "\r\n\r\n").getBytes());
                }
                o.flush();
            } catch (IOException e) {
                // Closed at the end of the test, or the client went away.
            }
        }
    }

    @Test
    void givesUpInWordsAfterFiveRetriesWithBackoff() {
        chromium.open(bridge.server().url(""));
        String url = "http://127.0.0.1:" + broken.getLocalPort() + "/broken";
        long t0 = System.nanoTime();
        Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var u$ = arguments[0]; var notes$ = [];"
                + "(function go() { var s = window.onionpeer && window.onionpeer.status && window.onionpeer.status();"
                + " if (!s || s.circuits.length === 0) { setTimeout(go, 50); return; }"
                + " window.onionpeer.download(u$, {"
                + "  onProgress: function (g, t, r, l, note) { if (note) notes$.push(note); },"
                + "  onDone: function (e, info) { cb(e + ' | ' + (info && info.received) + ' | ' + notes$.join(' | ')); }});"
                + "})();", url);
        double secs = (System.nanoTime() - t0) / 1e9;
        String res = String.valueOf(r);
        assertTrue(res.matches("(?s)the stream closed after 0 of 1048576 bytes .* \\(gave up after 5 retries\\) \\| 1048576 \\|.*"),
                "a final failure in words, the first MB kept: " + res);
        assertTrue(res.contains("retry 5 of 5") && !res.contains("retry 6"), "five retries reported: " + res);
        List<String> seen;
        synchronized (brokenRequests) {
            seen = new ArrayList<>(brokenRequests);
        }
        assertEquals(List.of("full", "bytes=1048576-", "bytes=1048576-", "bytes=1048576-", "bytes=1048576-",
                "bytes=1048576-"), seen, "one request, then five resumes");
        // Backoff 0.5 + 1 + 2 + 4 + 8 s: never a tight loop.
        assertTrue(secs >= 15, "retries were spaced out: " + secs + " s");
        System.out.printf("gave up after 5 retries in %.1f s: %s%n", secs, res.split(" \\| ")[0]);
    }

    @Test
    void pageRebuildsItsCircuitAndCompletesAfterTheMiddleRelayDies() throws Exception {
        long t0 = System.nanoTime();
        chromium.open(bridge.server().url(""));
        Object ready = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { var s = window.onionpeer && window.onionpeer.status && window.onionpeer.status();"
                + " if (s && s.circuits.length > 0) cb('ready'); else if (Date.now() - t0 > 30000) cb(JSON.stringify(s));"
                + " else setTimeout(poll, 50); })();");
        assertEquals("ready", ready, "the page built a circuit");
        String url = "http://127.0.0.1:" + web.getAddress().getPort() + "/file";
        chromium.js("window.notes$ = []; window.onionpeer.download(arguments[0], {"
                + " onProgress: function (g, t, r, l, note) { if (note) window.notes$.push(note); },"
                + " onDone: function (e) { window.done$ = e || 'ok'; }});", url);
        assertTrue(gated.await(30, TimeUnit.SECONDS), "the server reached the gate");

        // The circuit carrying the download, as the page sees it; its middle hop is the victim.
        Object middle = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { var c$ = window.onionpeer.status().circuits.filter(function (c) {"
                + "  return c.streams > 0 && c.hops.length === 3; })[0];"
                + " if (c$) cb(c$.hops[1].nickname); else if (Date.now() - t0 > 10000)"
                + "  cb('none: ' + JSON.stringify(window.onionpeer.status().circuits)); else setTimeout(poll, 50); })();");
        JvmRelay victim = null;
        for (JvmRelay r : bridge.relays()) {
            if (r.nickname().equals(middle)) {
                victim = r;
            }
        }
        assertNotNull(victim, "the middle hop (" + middle + ") is an embedded relay");
        String dead = victim.nickname();
        victim.close();
        gate.countDown();

        Object done = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { if (window.done$) cb(window.done$); else if (Date.now() - t0 > 45000)"
                + "  cb('timeout; notes: ' + window.notes$.join(' | ')); else setTimeout(poll, 100); })();");
        assertEquals("ok", done, "the page finished the download by itself");
        Object notes = chromium.js("return window.notes$.join(' | ');");
        assertTrue(String.valueOf(notes).contains("retry 1 of 5"), "the retry was reported: " + notes);

        Object hash = chromium.jsAsync(DownloadInBrowserTest.SHA_JS + "var cb = arguments[arguments.length - 1];"
                + "sha$(arguments[0], cb);", url);
        assertEquals(SIZE + " " + DownloadInBrowserTest.sha(file), hash, "size and SHA-256 of the stored Blob");

        List<String> seen;
        synchronized (requests) {
            seen = new ArrayList<>(requests);
        }
        assertEquals("full", seen.get(0), "the first request: " + seen);
        assertTrue(seen.stream().anyMatch(r -> r.matches("bytes=[1-9][0-9]*-")), "resumed with Range: " + seen);

        Object fresh = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var d$ = arguments[0];"
                + "var t0 = Date.now(); (function poll() { var c$ = window.onionpeer.status().circuits.filter("
                + "  function (c) { return c.hops.every(function (h) { return h.nickname !== d$; }); })[0];"
                + " if (c$) cb(c$.hops.map(function (h) { return h.nickname; }).join(' > ')); else if (Date.now() - t0 > 10000) cb('none');"
                + " else setTimeout(poll, 50); })();", dead);
        assertTrue(!"none".equals(fresh) && !String.valueOf(fresh).contains(dead), "a circuit without " + dead
                + ": " + fresh);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("killed middle %s at 5 MB; page resumed (%s) and finished in %.1f s overall; now via %s%n",
                dead, seen, secs, fresh);
        System.out.println("notes: " + notes);
        assertTrue(secs < 60, "under 60 s: " + secs);
    }
}
