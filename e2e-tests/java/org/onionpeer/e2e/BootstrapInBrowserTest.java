package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.bridge.BridgeServer;

/**
 * The browser node waits and recovers by itself (node/Bootstrap), in headless Chromium: the page API called
 * at load, before the node is ready (even before start()), completes once it is; a page opened while its
 * bridge's directory answers 503 becomes ready when the relays are up; a page whose bridge is stopped and
 * started again on the same port, with new relay keys, becomes ready again. Nothing sleeps: the page's
 * status is polled with a deadline.
 */
@Tag("browser")
class BootstrapInBrowserTest {
    static SeededHttpServer web;
    static Chromium chromium;
    static Path webapp;
    Bridge bridge;

    /**
     * A page whose own script calls onionpeer.fetch and onionpeer.download as it loads, without start(): the
     * URLs come in the fragment (fetch|download); results land in window.early.
     */
    static final String EARLY_PAGE = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>early</title></head>"
            + "<body><p id=\"status\"></p><p id=\"events\"></p>\n<script src=\"onionpeer.js\"></script>\n<script>\n"
            + "main([]);\n"
            + "var early = window.early = {notes: []};\n"
            + "var urls = decodeURIComponent(location.hash.slice(1)).split('|');\n"
            + "early.stateAtCall = window.onionpeer.status().state;\n"
            + "window.onionpeer.fetch(urls[0], function () {}, function (err, status, body) {\n"
            + "  if (err) { early.fetch = 'error: ' + err; return; }\n"
            + "  crypto.subtle.digest('SHA-256', body).then(function (h) {\n"
            + "    early.fetch = status + ' ' + body.length + ' ' + Array.from(new Uint8Array(h)).map(function (b) {\n"
            + "      return ('0' + b.toString(16)).slice(-2); }).join(''); }); });\n"
            + "window.onionpeer.download(urls[1], {onProgress: function (r, t, rate, left, note) {\n"
            + "  if (note) { early.notes.push(note); } },\n"
            + "  onDone: function (err) { early.download = err ? 'error: ' + err : 'done'; }});\n"
            + "</script></body></html>\n";

    @BeforeAll
    static void start() throws Exception {
        web = new SeededHttpServer();
        // The built web app plus the early page, served by the bridges of these tests.
        webapp = Files.createTempDirectory("onionpeer-webapp");
        try (Stream<Path> files = Files.list(WebappServer.webappDir())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, webapp.resolve(f.getFileName()));
            }
        }
        Files.writeString(webapp.resolve("early.html"), EARLY_PAGE);
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (web != null) {
            web.close();
        }
        if (webapp != null) {
            try (Stream<Path> files = Files.list(webapp)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(webapp);
        }
    }

    @AfterEach
    void closeBridge() {
        if (bridge != null) {
            bridge.close();
        }
    }

    static Bridge.Options options(int port) {
        Bridge.Options o = TestBridges.options(3);
        o.port = port;
        o.webappDir = webapp;
        return o;
    }

    String blob(long seed, long size) {
        return "http://127.0.0.1:" + web.port() + SeededHttpServer.path(seed, size);
    }

    /** Polls the page's onionpeer.status() until its state matches {@code regex}; returns the status. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> awaitState(String regex, int seconds) {
        Object s = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var re = new RegExp(arguments[0]);"
                + " var secs = arguments[1]; var t0 = Date.now(); (function poll() {"
                + " var s = window.onionpeer && window.onionpeer.status && window.onionpeer.status();"
                + " if (s && re.test(s.state)) cb(s); else if (Date.now() - t0 > secs * 1000) cb({timeout: s || 'no node'});"
                + " else setTimeout(poll, 50); })();", regex, seconds);
        assertTrue(s instanceof Map && ((Map<String, Object>) s).get("state") != null,
                "state /" + regex + "/ within " + seconds + " s: " + s);
        return (Map<String, Object>) s;
    }

    /** Downloads url in the page; "size sha256" or "error: ...". */
    static String downloadAndHash(String url) {
        Object r = chromium.jsAsync(DownloadInBrowserTest.SHA_JS + "var cb = arguments[arguments.length - 1];"
                + " var u$ = arguments[0]; window.onionpeer.download(u$, {onDone: function (err) {"
                + " if (err) { cb('error: ' + err); return; } sha$(u$, cb); }});", url);
        return String.valueOf(r);
    }

    @Test
    void theApiCalledAtLoadBeforeStartWaitsForTheNodeAndCompletes() throws Exception {
        bridge = new Bridge(options(0));
        String small = blob(11, 200_000);
        String big = blob(12, 3_000_000);
        chromium.open(bridge.server().url("early.html") + "#" + small + "|" + big);
        Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { var e = window.early;"
                + " if (e && e.fetch && e.download) cb(JSON.stringify(e));"
                + " else if (Date.now() - t0 > 90000) cb('timeout: ' + JSON.stringify(e));"
                + " else setTimeout(poll, 50); })();");
        System.out.println("early page: " + r);
        @SuppressWarnings("unchecked")
        Map<String, Object> early = (Map<String, Object>) chromium.js("return window.early;");
        assertEquals("not started (call onionpeer.start())", early.get("stateAtCall"), String.valueOf(r));
        assertEquals("200 200000 " + SeededHttpServer.sha256(11, 200_000), early.get("fetch"), String.valueOf(r));
        assertEquals("done", early.get("download"), String.valueOf(r));
        @SuppressWarnings("unchecked")
        List<String> notes = (List<String>) early.get("notes");
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("waiting for the node: ")), "notes: " + notes);
        Object sha = chromium.jsAsync(DownloadInBrowserTest.SHA_JS + "sha$(arguments[0], arguments[1]);", big);
        assertEquals("3000000 " + SeededHttpServer.sha256(12, 3_000_000), sha);
        assertEquals("ready", awaitState("^ready$", 5).get("state"));
    }

    @Test
    void aPageOpenedWhileTheDirectoryAnswers503BecomesReadyByItself() throws Exception {
        // The bridge's HTTP server up before its relays: the real BridgeServer, whose directory route answers
        // 503 while it has no document; then the full bridge on the same port.
        EventLoop loop = new EventLoop("early-server");
        BridgeServer early = new BridgeServer(new BridgeServer.Options().port(0).webappDir(webapp), loop,
                () -> null, t -> t.close("no relays yet"));
        early.start();
        int port = early.port();
        try {
            chromium.open(early.url(""));
            Map<String, Object> s = awaitState("^waiting for the bridge: HTTP 503, retry in [0-9]+ s$", 30);
            System.out.println("page on a 503 directory: " + s.get("state"));
            // Seen twice: it keeps retrying (attempt 2 or later).
            awaitState("^fetching the directory \\(attempt [2-9]\\)$|^waiting for the bridge: HTTP 503, retry in [2-9] s$", 30);
        } finally {
            early.close();
            loop.close();
        }
        bridge = new Bridge(options(port));
        long t0 = System.nanoTime();
        awaitState("^ready$", 90);
        System.out.printf("ready %.1f s after the bridge came up%n", (System.nanoTime() - t0) / 1e9);
        assertEquals("1500000 " + SeededHttpServer.sha256(21, 1_500_000), downloadAndHash(blob(21, 1_500_000)));
    }

    @Test
    void aPageWhoseBridgeRestartsWithNewKeysBecomesReadyAgain() throws Exception {
        bridge = new Bridge(options(0));
        int port = bridge.server().port();
        chromium.open(bridge.server().url(""));
        awaitState("^ready$", 60);
        assertEquals("500000 " + SeededHttpServer.sha256(31, 500_000), downloadAndHash(blob(31, 500_000)));

        bridge.close();
        bridge = null;
        Map<String, Object> down = awaitState("^(building circuits|waiting for the bridge|fetching the directory)", 60);
        System.out.println("bridge stopped; the page says: " + down.get("state"));
        bridge = new Bridge(options(port));
        long t0 = System.nanoTime();
        Map<String, Object> up = awaitState("^ready$", 120);
        System.out.printf("ready again %.1f s after the bridge restarted%n", (System.nanoTime() - t0) / 1e9);
        @SuppressWarnings("unchecked")
        List<String> events = (List<String>) up.get("events");
        assertTrue(events.stream().anyMatch(e -> e.matches("the bridge's directory changed \\([0-9]+ relays\\): rebuilding circuits")),
                "events: " + events);
        assertEquals("700000 " + SeededHttpServer.sha256(32, 700_000), downloadAndHash(blob(32, 700_000)));
    }
}
