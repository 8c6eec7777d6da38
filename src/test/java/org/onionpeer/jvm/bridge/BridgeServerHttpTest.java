package org.onionpeer.jvm.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onionpeer.jvm.EventLoop;

class BridgeServerHttpTest {
    private static final String SECRET = "top-secret-outside-the-web-root";

    @TempDir
    Path tmp;
    private Path root;
    private EventLoop loop;
    private BridgeServer server;
    private final AtomicReference<String> directory = new AtomicReference<>("relay list v1\n");
    private final AtomicBoolean directoryOffLoop = new AtomicBoolean();

    @BeforeEach
    void start() throws Exception {
        root = tmp.resolve("web");
        Files.createDirectories(root.resolve("sub"));
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve("index.html"), "<!doctype html><title>bridge</title>");
        Files.writeString(root.resolve("app.js"), "console.log(1);");
        Files.writeString(root.resolve("style.css"), "body{}");
        Files.writeString(root.resolve("pic.svg"), "<svg/>");
        Files.write(root.resolve("clip.webm"), new byte[] {0x1a, 0x45, (byte) 0xdf, (byte) 0xa3});
        Files.write(root.resolve("clip.mp4"), new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p'});
        Files.writeString(root.resolve("sub/page.html"), "<p>sub</p>");
        Files.writeString(tmp.resolve("secret.txt"), SECRET);
        loop = new EventLoop("test-loop");
        server = new BridgeServer(new BridgeServer.Options().port(0).webappDir(root), loop, () -> {
            if (!loop.inLoop()) {
                directoryOffLoop.set(true);
            }
            return directory.get();
        }, t -> t.close("no links in this test"));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
        loop.close();
    }

    private RawHttp get(String target) throws Exception {
        return RawHttp.request(server.port(), "GET", target);
    }

    @Test
    void servesFilesWithTypesAndHeaders() throws Exception {
        assertTrue(server.port() > 0);
        String[][] cases = {
            {"/", "text/html; charset=utf-8", "<!doctype html><title>bridge</title>"},
            {"/index.html", "text/html; charset=utf-8", "<!doctype html><title>bridge</title>"},
            {"/app.js", "text/javascript; charset=utf-8", "console.log(1);"},
            {"/style.css", "text/css; charset=utf-8", "body{}"},
            {"/pic.svg", "image/svg+xml", "<svg/>"},
            {"/sub/page.html", "text/html; charset=utf-8", "<p>sub</p>"},
        };
        for (String[] c : cases) {
            RawHttp r = get(c[0]);
            assertEquals(200, r.status, c[0]);
            assertEquals(c[1], r.header("Content-Type"), c[0]);
            assertEquals("no-store", r.header("Cache-Control"), c[0]);
            assertEquals("nosniff", r.header("X-Content-Type-Options"), c[0]);
            assertEquals(c[2], r.text(), c[0]);
            assertEquals(String.valueOf(c[2].length()), r.header("Content-Length"), c[0]);
        }
        RawHttp webm = get("/clip.webm");
        assertEquals("video/webm", webm.header("Content-Type"));
        assertEquals(4, webm.body.length);
        assertEquals("video/mp4", get("/clip.mp4").header("Content-Type"));
    }

    @Test
    void headHasLengthButNoBody() throws Exception {
        RawHttp r = RawHttp.request(server.port(), "HEAD", "/app.js");
        assertEquals(200, r.status);
        assertEquals("15", r.header("Content-Length"));
        assertEquals(0, r.body.length);
    }

    @Test
    void missingFilesDirectoriesAndOtherMethods() throws Exception {
        assertEquals(404, get("/nothing.html").status);
        assertEquals(404, get("/sub").status); // a directory is not a file
        assertEquals(404, get("/sub/").status); // and there is no listing
        assertEquals(404, get("/empty/").status);
        assertEquals(404, get("/link").status); // the link path without an upgrade is nothing
        RawHttp post = RawHttp.request(server.port(), "POST", "/index.html");
        assertEquals(405, post.status);
        assertEquals("GET, HEAD", post.header("Allow"));
        assertEquals(405, RawHttp.request(server.port(), "PUT", "/new.html").status);
        assertFalse(Files.exists(root.resolve("new.html")));
    }

    @Test
    void pathsCannotEscapeTheRoot() throws Exception {
        String[] escapes = {
            "/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
            "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt",
            "/sub/..%5c..%5csecret.txt", "/%5c..%5csecret.txt", "//secret.txt", "/" + tmp.resolve("secret.txt"),
            "/.%2e/secret.txt", "/sub/.%2e/.%2e/secret.txt", "/%00/../secret.txt", "/web/../secret.txt",
            "/C:/secret.txt", "/sub%2f..%2f..%2fsecret.txt",
        };
        for (String e : escapes) {
            RawHttp r = get(e);
            assertNotEquals(200, r.status, e);
            assertFalse(r.text().contains(SECRET), e);
        }
    }

    @Test
    void symbolicLinksOutOfTheRootAreNotFollowed() throws Exception {
        try {
            Files.createSymbolicLink(root.resolve("leak.txt"), tmp.resolve("secret.txt"));
        } catch (UnsupportedOperationException | java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no symbolic links here: " + e);
        }
        RawHttp r = get("/leak.txt");
        assertEquals(404, r.status);
        assertFalse(r.text().contains(SECRET));
    }

    @Test
    void directoryDocumentComesFromTheNodeOnItsLoop() throws Exception {
        RawHttp r = get("/tor/directory");
        assertEquals(200, r.status);
        assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals("relay list v1\n", r.text());
        directory.set("relay list v2 \u00e9\n");
        RawHttp r2 = get("/tor/directory");
        assertEquals("relay list v2 \u00e9\n", new String(r2.body, StandardCharsets.UTF_8));
        assertEquals(String.valueOf("relay list v2 \u00e9\n".getBytes(StandardCharsets.UTF_8).length),
                r2.header("Content-Length"));
        assertFalse(directoryOffLoop.get());
        directory.set(null);
        assertEquals(503, get("/tor/directory").status);
        assertEquals(405, RawHttp.request(server.port(), "POST", "/tor/directory").status);
    }

    /** Tor documents are passed on as bytes (signatures cover bytes): no charset conversion, any origin. */
    @Test
    void bytesPrefixRoutesPassBytesThrough() throws Exception {
        byte[] doc = {'r', 'o', 'u', 't', 'e', 'r', ' ', (byte) 0xe9, (byte) 0xff, '\n'};
        server.addBytesPrefixRoute("/tor/server/d/", path -> path.equals("/tor/server/d/AB+CD") ? doc : null);
        RawHttp r = get("/tor/server/d/AB+CD");
        assertEquals(200, r.status);
        assertEquals("text/plain", r.header("Content-Type"));
        assertEquals("*", r.header("Access-Control-Allow-Origin"));
        assertEquals(java.util.Arrays.toString(doc), java.util.Arrays.toString(r.body));
        assertEquals(404, get("/tor/server/d/EF").status);
        assertEquals(405, RawHttp.request(server.port(), "POST", "/tor/server/d/AB+CD").status);
    }

    @Test
    void routesCanBeAdded() throws Exception {
        server.addTextRoute("/bookmarklet", "text/javascript; charset=utf-8", () -> "javascript:void(0)");
        server.addRoute("/raw", (request, response, callback) -> {
            response.setStatus(204);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            callback.succeeded();
            return true;
        });
        server.addRoute("/app.js", (request, response, callback) -> {
            Response.writeError(request, response, callback, 410);
            return true;
        });
        RawHttp b = get("/bookmarklet");
        assertEquals(200, b.status);
        assertEquals("text/javascript; charset=utf-8", b.header("Content-Type"));
        assertEquals("javascript:void(0)", b.text());
        assertEquals(204, get("/raw").status);
        assertEquals(410, get("/app.js").status); // routes win over files
    }

    @Test
    void servesFromTheClasspathWhenNoDirectoryIsGiven() throws Exception {
        BridgeServer cp = new BridgeServer(new BridgeServer.Options().port(0)
                .classpathRoot("/org/onionpeer/jvm/bridge/webapp"), loop, null, t -> t.close("no"));
        cp.start();
        try {
            RawHttp r = RawHttp.request(cp.port(), "GET", "/");
            assertEquals(200, r.status);
            assertTrue(r.text().contains("cp index"));
            RawHttp js = RawHttp.request(cp.port(), "GET", "/sub/app.js");
            assertEquals("text/javascript; charset=utf-8", js.header("Content-Type"));
            assertEquals("nosniff", js.header("X-Content-Type-Options"));
            assertEquals(404, RawHttp.request(cp.port(), "GET", "/sub/").status);
            assertEquals(404, RawHttp.request(cp.port(), "GET", "/sub").status);
            assertEquals(404, RawHttp.request(cp.port(), "GET", "/tor/directory").status); // none given
            assertNotEquals(200, RawHttp.request(cp.port(), "GET", "/../jvm/bridge/webapp/index.html").status);
            assertNotEquals(200, RawHttp.request(cp.port(), "GET",
                    "/%2e%2e/BridgeServerHttpTest.class").status);
        } finally {
            cp.stop();
        }
    }
}
