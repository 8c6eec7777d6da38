package org.onionpeer.jvm.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onionpeer.jvm.Bookmarklet;
import org.onionpeer.jvm.EventLoop;

/** The pages' security headers, and the origin the bookmarklet carries whatever the request says. */
class SecurityHeadersTest {
    /** The web app as the build makes it (process-classes). */
    static final Path BUILT = Path.of("target", "webapp");

    @TempDir
    Path tmp;
    private final EventLoop loop = new EventLoop("headers-test-loop");
    private BridgeServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
        loop.close();
    }

    private BridgeServer start(BridgeServer.Options o) throws Exception {
        server = new BridgeServer(o.port(0), loop, () -> "dir\n", t -> t.close("no links here"));
        Bookmarklet.install(server);
        server.start();
        return server;
    }

    private String policy(String scriptHashes, String styleHashes) {
        return "default-src 'none'; script-src 'self'" + scriptHashes + "; style-src 'self'" + styleHashes
                + "; img-src 'self' data: blob:; media-src 'self' blob:; worker-src blob:;"
                + " connect-src 'self' ws://127.0.0.1:"
                + server.port() + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    }

    private static void assertPageHeaders(RawHttp r, String csp, String what) {
        assertEquals(200, r.status, what);
        assertEquals(csp, r.header("Content-Security-Policy"), what);
        assertEquals("DENY", r.header("X-Frame-Options"), what);
        assertEquals("no-referrer", r.header("Referrer-Policy"), what);
        assertEquals("nosniff", r.header("X-Content-Type-Options"), what);
    }

    @Test
    void inlineScriptsAndStylesAreAllowedByHashOnly() throws Exception {
        Files.writeString(tmp.resolve("index.html"), "<!doctype html><title>x</title>");
        Files.writeString(tmp.resolve("inline.html"), "<!doctype html><style>p{}</style><SCRIPT src=\"app.js\">"
                + "</SCRIPT><script>main([]);</script >");
        start(new BridgeServer.Options().webappDir(tmp));
        assertPageHeaders(RawHttp.request(server.port(), "GET", "/"), policy("", ""), "/");
        // Hashes from openssl dgst -sha256 -binary | base64 of "main([]);" and "p{}".
        assertPageHeaders(RawHttp.request(server.port(), "GET", "/inline.html"),
                policy(" 'sha256-y18gVsJYfeyG5mj/7s++YysSzntRb5E2a06jiRCBGt8='",
                        " 'sha256-gG2yISYereRMiG2lMXrbiUgi0Ubw9p7QCeWcroOvy9Y='"), "/inline.html");
    }

    @Test
    void theRealPagesGetTheirPolicy() throws Exception {
        start(new BridgeServer.Options().webappDir(BUILT));
        assertPageHeaders(RawHttp.request(server.port(), "GET", "/"),
                policy(" 'sha256-" + inlineScriptHash("index.html") + "'", ""), "/");
        assertPageHeaders(RawHttp.request(server.port(), "GET", "/selftest.html"),
                policy(" 'sha256-" + inlineScriptHash("selftest.html") + "'",
                        " 'sha256-" + hash("body{font:14px/1.4 system-ui,sans-serif;margin:2em}"
                                + "pre{background:#f4f4f4;padding:1em;overflow:auto}") + "'"),
                "/selftest.html");
        assertPageHeaders(RawHttp.request(server.port(), "GET", "/bookmarklet"), policy("", ""), "/bookmarklet");
    }

    @Test
    void scriptsAndTheDirectoryStayOpenToOtherOrigins() throws Exception {
        start(new BridgeServer.Options().webappDir(BUILT));
        for (String path : new String[] {"/onionpeer.js", "/tor/directory"}) {
            RawHttp r = RawHttp.request(server.port(), "GET", path);
            assertEquals(200, r.status, path);
            assertNull(r.header("Content-Security-Policy"), path);
            assertNull(r.header("X-Frame-Options"), path);
            assertEquals("*", r.header("Access-Control-Allow-Origin"), path);
            assertEquals("no-referrer", r.header("Referrer-Policy"), path);
        }
    }

    @Test
    void theBookmarkletNamesTheBridgeNotTheHostHeader() throws Exception {
        start(new BridgeServer.Options());
        String own = "http://127.0.0.1:" + server.port();
        RawHttp r = RawHttp.request(server.port(), "GET", "/bookmarklet", "evil.example");
        assertEquals(200, r.status);
        assertFalse(r.text().contains("evil.example"), r.text());
        assertTrue(r.text().contains("<code id=\"bridge\">" + own + "</code>"), r.text());
        assertTrue(r.text().contains("href=\"" + Bookmarklet.href(own) + "\""), r.text());
    }

    @Test
    void thePublicUrlIsWhatPagesAndLinksName() throws Exception {
        start(new BridgeServer.Options().publicUrl("https://Bridge.Example.org/"));
        assertEquals("https://bridge.example.org", server.origin());
        assertEquals("wss://bridge.example.org:443/link", server.linkAddress());
        RawHttp r = RawHttp.request(server.port(), "GET", "/bookmarklet", "evil.example");
        assertTrue(r.text().contains("<code id=\"bridge\">https://bridge.example.org</code>"), r.text());
        assertTrue(r.text().contains("href=\"" + Bookmarklet.href("https://bridge.example.org") + "\""));
        assertFalse(r.text().contains("evil.example"));
        assertEquals("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                + "media-src 'self' blob:; worker-src blob:; connect-src 'self' wss://bridge.example.org;"
                + " form-action 'self'; "
                + "base-uri 'none'; frame-ancestors 'none'", r.header("Content-Security-Policy"));
    }

    @Test
    void publicUrlsAreChecked() {
        assertEquals("http://bridge.example.org:8080", BridgeServer.publicOrigin("http://bridge.example.org:8080"));
        assertEquals("https://[::1]:8443", BridgeServer.publicOrigin("https://[::1]:8443/"));
        String[][] bad = {
            {"ftp://bridge.example.org/", "must be http:// or https://: ftp://bridge.example.org/"},
            {"bridge.example.org", "must be http:// or https://: bridge.example.org"},
            {"https://bridge.example.org/onionpeer/", "no path allowed (the bridge serves from /): "
                    + "https://bridge.example.org/onionpeer/"},
            {"https://bridge.example.org/?a=1", "no query or fragment allowed: https://bridge.example.org/?a=1"},
            {"https://bridge.example.org/#x", "no query or fragment allowed: https://bridge.example.org/#x"},
            {"https://user@bridge.example.org/", "needs a plain host name or address: https://user@bridge.example.org/"},
            {"https://bad host/", "not a URL: https://bad host/"},
        };
        for (String[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BridgeServer.publicOrigin(b[0]), b[0]);
            assertEquals(b[1], e.getMessage());
        }
    }

    /** The last inline script of a page of the built web app, hashed as CSP does. */
    private static String inlineScriptHash(String page) throws Exception {
        String html = Files.readString(BUILT.resolve(page));
        int open = html.lastIndexOf("<script>") + "<script>".length();
        return hash(html.substring(open, html.indexOf("</script>", open)));
    }

    private static String hash(String s) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
