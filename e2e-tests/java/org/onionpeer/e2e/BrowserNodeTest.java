package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;

/**
 * The page as an onion proxy, in headless Chromium: it loads from the bridge, fetches the signed
 * directory, links to the bridge's relay over WebSocket, builds 3-hop circuits with ntor, and downloads a
 * file from a local web server through them; the SHA-256 computed in the page (WebCrypto) must equal the
 * file's.
 */
@Tag("browser")
class BrowserNodeTest {
    static final int SIZE = 5 * 1024 * 1024;
    static byte[] file;
    static HttpServer web;
    static Bridge bridge;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        file = new byte[SIZE];
        new Random(3).nextBytes(file);
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        web.createContext("/file", ex -> {
            ex.sendResponseHeaders(200, SIZE);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(file);
            }
        });
        web.start();
        Bridge.Options o = TestBridges.options(3);
        bridge = new Bridge(o);
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (web != null) {
            web.stop(0);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void pageBuildsCircuitsAndDownloadsThroughThem() throws Exception {
        long t0 = System.nanoTime();
        chromium.open(bridge.server().url(""));
        // Wait (in the page, polling its own state) until a circuit is built; fails after 60 s.
        Object ready = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { var s = window.onionpeer && window.onionpeer.status();"
                + " if (s && s.circuits.length > 0) cb(s); else if (Date.now() - t0 > 60000) cb(s);"
                + " else setTimeout(poll, 50); })();");
        Map<String, Object> status = (Map<String, Object>) ready;
        double openToCircuit = (System.nanoTime() - t0) / 1e6;
        List<Map<String, Object>> circuits = (List<Map<String, Object>>) status.get("circuits");
        assertTrue(circuits != null && !circuits.isEmpty(), "a circuit was built: " + status);
        List<Map<String, Object>> hops = (List<Map<String, Object>>) circuits.get(0).get("hops");
        assertEquals(3, hops.size(), "three hops: " + hops);
        assertEquals("bridge", hops.get(0).get("nickname"), "the first hop is the bridge, over WebSocket");
        assertEquals("bridge", hops.get(0).get("kind"), "of kind bridge: " + hops.get(0));
        assertTrue(String.valueOf(hops.get(0).get("id")).matches("[0-9a-f]{40}"), "with its ID: " + hops.get(0));
        System.out.printf("page open -> first circuit: %.0f ms, hops %s%n", openToCircuit, hops);

        String url = "http://127.0.0.1:" + web.getAddress().getPort() + "/file";
        long t1 = System.nanoTime();
        Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1];"
                + "window.onionpeer.fetch(arguments[0], function () {}, function (err, status, body) {"
                + " if (err) { cb('error: ' + err); return; }"
                + " crypto.subtle.digest('SHA-256', body).then(function (h) {"
                + "  cb(status + ' ' + body.length + ' ' + Array.from(new Uint8Array(h)).map(function (b) {"
                + "   return ('0' + b.toString(16)).slice(-2); }).join('')); }); });", url);
        double secs = (System.nanoTime() - t1) / 1e9;
        String want = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        assertEquals("200 " + SIZE + " " + want, r, "status, size and SHA-256 computed in the page");
        System.out.printf("browser: %d MB through 3 hops in %.1f s (%.1f MB/s)%n", SIZE >> 20, secs,
                SIZE / 1e6 / secs);
        chromium.assertCspInForceWithoutViolations(); // linked, built circuits and fetched under its policy
    }
}
