package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;

/**
 * The bookmarklet in Chromium: a plain page on another origin (its own server and port) runs the code of
 * the bridge's /bookmarklet link; the node loads from the bridge, an overlay appears on the page and the
 * node builds a 3-hop circuit whose first hop is the bridge.
 */
@Tag("browser")
class BookmarkletTest {
    static Bridge bridge;
    static HttpServer host;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Bridge.Options o = TestBridges.options(3);
        bridge = new Bridge(o);
        host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        host.createContext("/", ex -> {
            byte[] b = "<!DOCTYPE html><html><head><title>Some site</title></head><body><h1>Some site</h1></body></html>"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        host.start();
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (host != null) {
            host.stop(0);
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    static String bridgeOrigin() {
        String u = bridge.server().url("");
        return u.substring(0, u.length() - 1);
    }

    /** The decoded javascript: body of the install page's link. */
    static String bookmarkletCode() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(bridge.server().url("bookmarklet"))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        Matcher m = Pattern.compile("id=\"bookmarklet\" href=\"javascript:([^\"]*)\"").matcher(r.body());
        assertTrue(m.find(), "the install page has the javascript: link: " + r.body());
        // The code is percent-encoded as encodeURIComponent does ('+' never appears unencoded).
        return URLDecoder.decode(m.group(1).replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Test
    void directoryAndScriptsMayBeReadFromAnyOrigin() throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        for (String path : new String[] {"tor/directory", "onionpeer.js"}) {
            HttpResponse<Void> r = c.send(HttpRequest.newBuilder(URI.create(bridge.server().url(path)))
                    .header("Origin", "http://elsewhere.example").build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, r.statusCode(), path);
            assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null), path);
        }
        HttpResponse<Void> page = c.send(HttpRequest.newBuilder(URI.create(bridge.server().url(""))).build(),
                HttpResponse.BodyHandlers.discarding());
        assertTrue(page.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), "not on pages");
    }

    @Test
    void installPageWorksUnderItsPolicy() throws Exception {
        chromium.open(bridge.server().url("bookmarklet"));
        assertEquals(bridgeOrigin(), chromium.js("return document.getElementById('bridge').textContent;"));
        // Its stylesheet (from 'self') applied: style.css gives the header a background.
        assertNotEquals("rgba(0, 0, 0, 0)", chromium.js(
                "return getComputedStyle(document.querySelector('header')).backgroundColor;"));
        chromium.assertCspInForceWithoutViolations();
    }

    @Test
    @SuppressWarnings("unchecked")
    void bookmarkletOnAnotherOriginBuildsACircuitAndShowsTheOverlay() throws Exception {
        String code = bookmarkletCode();
        assertTrue(code.contains("'" + bridgeOrigin() + "'"), "the code names the bridge's origin: " + code);
        String site = "http://127.0.0.1:" + host.getAddress().getPort() + "/";
        chromium.open(site);
        assertNotEquals(bridgeOrigin(), chromium.js("return location.origin;"), "the host page is another origin");
        assertEquals(Boolean.FALSE, chromium.js("return !!window.onionpeer;"), "no node before the bookmarklet");
        chromium.js(code);
        Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { var s = window.onionpeer && window.onionpeer.status && window.onionpeer.status();"
                + " var box = document.getElementById('onionpeer-overlay');"
                + " if (s && s.circuits.length > 0 && box && box.textContent.indexOf('circuits: 0') < 0)"
                + "  cb({status: s, overlay: box.textContent, fixed: getComputedStyle(box).position});"
                + " else if (Date.now() - t0 > 60000) cb({status: s, overlay: box && box.textContent});"
                + " else setTimeout(poll, 50); })();");
        Map<String, Object> res = (Map<String, Object>) r;
        Map<String, Object> status = (Map<String, Object>) res.get("status");
        String overlay = String.valueOf(res.get("overlay"));
        List<Map<String, Object>> circuits = status == null ? null : (List<Map<String, Object>>) status.get("circuits");
        assertTrue(circuits != null && !circuits.isEmpty(), "a circuit was built: " + res);
        List<Map<String, Object>> hops = (List<Map<String, Object>>) circuits.get(0).get("hops");
        assertEquals(3, hops.size(), "three hops: " + hops);
        assertEquals("bridge", hops.get(0).get("nickname"), "the first hop is the bridge, over WebSocket");
        assertEquals("bridge", hops.get(0).get("kind"), "its kind: " + hops.get(0));
        assertEquals("relay", hops.get(2).get("kind"), "the exit is a relay: " + hops.get(2));
        assertEquals("fixed", res.get("fixed"), "the overlay floats over the page");
        assertTrue(overlay.contains(bridgeOrigin()) && overlay.contains("bridge > "), "overlay: " + overlay);
        assertEquals(site, chromium.js("return location.href;"), "still the host page");
        System.out.println("overlay on " + site + ":\n" + overlay);
    }
}
