package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;

/**
 * Downloads through 3 hops from the page (Downloads.java over onionpeer.httpStream), in headless
 * Chromium: stored in IndexedDB as they arrive, checked by a SHA-256 computed in the page over the stored
 * Blob; resumed with a Range request after a reload mid-download; played through Media Source while the
 * server still holds back the rest of the file.
 */
@Tag("browser")
class DownloadInBrowserTest {
    static final int SIZE = 20 * 1024 * 1024;
    static final int GATE_AT = 5 * 1024 * 1024;
    static byte[] file;
    static byte[] video;
    static HttpServer web;
    static Bridge bridge;
    static Chromium chromium;
    static final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    /** The first request without Range for gatePath waits on gate after gateAt bytes. */
    static volatile String gatePath = "";
    static volatile long gateAt = -1;
    static volatile CountDownLatch gate = new CountDownLatch(0);
    static volatile CountDownLatch gated = new CountDownLatch(1);

    // SHA-256 of a stored file, computed in the page over the Blob made of its IndexedDB records.
    static final String SHA_JS = "function sha$(url, cb) { window.onionpeer.fileBlob(url, function (e, blob) {"
            + " if (e) { cb('error: ' + e); return; }"
            + " blob.arrayBuffer().then(function (ab) { return crypto.subtle.digest('SHA-256', ab); })"
            + " .then(function (h) { cb(blob.size + ' ' + Array.from(new Uint8Array(h)).map(function (b) {"
            + "   return ('0' + b.toString(16)).slice(-2); }).join('')); }); }); }";

    @BeforeAll
    static void start() throws Exception {
        file = new byte[SIZE];
        new Random(5).nextBytes(file);
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        web.createContext("/file", ex -> serve(ex, file, "application/octet-stream"));
        web.createContext("/norange", ex -> serve(ex, file, "application/octet-stream"));
        web.createContext("/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        web.createContext("/video.webm", ex -> serve(ex, video, "video/webm; codecs=\"vp8\""));
        web.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        web.start();
        Bridge.Options o = TestBridges.options(3);
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
    }

    /** Serves body, honouring "Range: bytes=N-" with 206 (RFC 9110 §14.2), gating when asked to. */
    static void serve(HttpExchange ex, byte[] body, String type) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        String path = ex.getRequestURI().getPath();
        requests.add(path + " " + range);
        int from = 0;
        // "/norange" ignores Range, as a server without range support does: it answers 200 with everything.
        if (range != null && range.startsWith("bytes=") && range.endsWith("-") && !path.equals("/norange")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
        }
        ex.getResponseHeaders().set("Content-Type", type);
        if (from > 0) {
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        boolean mayGate = from == 0 && path.equals(gatePath) && gated.getCount() > 0;
        try (OutputStream o = ex.getResponseBody()) {
            for (int p = from; p < body.length; p += 65536) {
                if (mayGate && p >= gateAt) {
                    mayGate = false;
                    gated.countDown();
                    o.flush();
                    gate.await(50, TimeUnit.SECONDS);
                }
                o.write(body, p, Math.min(65536, body.length - p));
            }
        } catch (IOException | InterruptedException e) {
            // The page went away (reload) or the test is over.
        }
    }

    static void gateFirst(String path, long at) {
        gatePath = path;
        gateAt = at;
        gate = new CountDownLatch(1);
        gated = new CountDownLatch(1);
    }

    static String base() {
        return "http://127.0.0.1:" + web.getAddress().getPort();
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Loads the page and waits (polling in the page) for its first circuit. */
    static void openAndWaitForCircuit() {
        openAndWaitForCircuit(chromium);
    }

    @SuppressWarnings("unchecked")
    static void openAndWaitForCircuit(Chromium chromium) {
        long t0 = System.nanoTime();
        Object s = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { var s = window.onionpeer && window.onionpeer.status && window.onionpeer.status();"
                + " if (s && s.circuits.length > 0) cb(s); else if (Date.now() - t0 > 30000) cb(s || 'no node');"
                + " else setTimeout(poll, 50); })();");
        assertTrue(s instanceof Map && !((List<Object>) ((Map<String, Object>) s).get("circuits")).isEmpty(),
                "a circuit was built: " + s);
        System.out.printf("page ready with a circuit in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Downloads url in the page and returns "error: ..." or "size sha256 seconds". */
    static String downloadAndHash(String url) {
        return downloadAndHash(chromium, url);
    }

    static String downloadAndHash(Chromium chromium, String url) {
        Object r = chromium.jsAsync(SHA_JS + "var cb = arguments[arguments.length - 1]; var u$ = arguments[0];"
                + "var t0 = performance.now();"
                + "window.onionpeer.download(u$, {onDone: function (err, info) {"
                + " if (err) { cb('error: ' + err); return; } var s$ = (performance.now() - t0) / 1000;"
                + " sha$(u$, function (h) { cb(h + ' ' + s$); }); }});", url);
        return String.valueOf(r);
    }

    @Test
    void downloads20MBIntoIndexedDbThroughThreeHops() throws Exception {
        chromium.open(bridge.server().url(""));
        openAndWaitForCircuit();
        String url = base() + "/file?a";
        String[] r = downloadAndHash(url).split(" ");
        assertEquals(sha(file), r.length == 3 ? r[1] : String.join(" ", r), "SHA-256 of the stored Blob");
        assertEquals(String.valueOf(SIZE), r[0]);
        double secs = Double.parseDouble(r[2]);
        System.out.printf("browser download: 20 MB through 3 hops into IndexedDB in %.1f s (%.2f MB/s)%n", secs,
                SIZE / 1e6 / secs);
        Object listed = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var u$ = arguments[0];"
                + "window.onionpeer.files(function (e, l) { cb(JSON.stringify(l.filter(function (f) {"
                + " return f.url === u$; }))); });", url);
        assertTrue(String.valueOf(listed).contains("\"done\":true"), "listed as done: " + listed);
    }

    @Test
    void theFormShowsProgressAndOffersTheStoredFile() throws Exception {
        chromium.open(bridge.server().url(""));
        chromium.driver().manage().window().setSize(new org.openqa.selenium.Dimension(900, 1300));
        openAndWaitForCircuit();
        chromium.driver().findElement(org.openqa.selenium.By.id("url")).sendKeys(base() + "/file?ui");
        chromium.driver().findElement(org.openqa.selenium.By.cssSelector("#fetch-form button[type=submit]")).click();
        // Watch the page: the progress figures must show bytes, a rate and time left before the end.
        Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now(); var seen$ = '';"
                + "(function poll() { var f$ = document.getElementById('figures').textContent;"
                + " var out$ = document.getElementById('fetch-result'); var a$ = out$.querySelector('a');"
                + " if (!seen$ && /MB of 20.0 MB . (?!0\\.00 )[0-9.]+ MB\\/s . [0-9]+ s left/.test(f$) && !/^Done/.test(out$.textContent)) seen$ = f$;"
                + " var li$ = document.querySelector('#files li[data-url$=\"?ui\"] a');"
                + " if (/^Error/.test(out$.textContent)) cb(out$.textContent);"
                + " else if (a$ && li$) cb(seen$ + '|' + out$.textContent + '|' + a$.download + '|' + a$.href.slice(0, 5)"
                + "  + '|' + document.getElementById('bar').value);"
                + " else if (Date.now() - t0 > 40000) cb('timeout: ' + out$.textContent);"
                + " else setTimeout(poll, 20); })();");
        String[] parts = String.valueOf(r).split("\\|");
        assertEquals(5, parts.length, "progress seen, then done with a link: " + r);
        assertTrue(parts[0].contains("MB/s"), "progress figures while downloading: " + r);
        assertTrue(parts[1].startsWith("Done: file, 20.0 MB"), "done in words: " + r);
        assertEquals("file", parts[2]);
        assertEquals("blob:", parts[3], "the link is an object URL of the stored Blob");
        assertEquals("1", parts[4], "the bar is full");
        Files.write(Paths.get("target", "download-page-done.png"),
                chromium.driver().getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
        System.out.println("form: " + parts[0]);
        chromium.assertCspInForceWithoutViolations(); // progress, storage and the blob: link under the policy
    }

    @Test
    void resumesWithARangeRequestAfterAReload() throws Exception {
        String[] r = reloadMidDownloadThenDownloadAgain("/file", "?b");
        long kept = Long.parseLong(r[3]);
        assertTrue(requests.contains("/file bytes=" + kept + "-"), "the server saw Range: bytes=" + kept
                + "-: " + requests);
        System.out.printf("resumed at %.1f MB after a reload; rest in %.1f s%n", kept / 1048576.0,
                Double.parseDouble(r[2]));
    }

    @Test
    void restartsCleanlyWhenTheServerIgnoresRange() throws Exception {
        String[] r = reloadMidDownloadThenDownloadAgain("/norange", "?c");
        long kept = Long.parseLong(r[3]);
        assertTrue(requests.contains("/norange bytes=" + kept + "-"), "asked for the rest: " + requests);
        System.out.printf("server ignored Range at %.1f MB; whole file again in %.1f s%n", kept / 1048576.0,
                Double.parseDouble(r[2]));
    }

    @Test
    void errorsAreShownInWords() {
        chromium.open(bridge.server().url(""));
        openAndWaitForCircuit();
        String script = "var cb = arguments[arguments.length - 1];"
                + "window.onionpeer.download(arguments[0], {onDone: function (e, info) { cb(String(e)); }});";
        assertEquals("the server answered HTTP 404", chromium.jsAsync(script, base() + "/missing"));
        Object refused = chromium.jsAsync(script, "http://127.0.0.1:1/nothing-listens-here");
        assertTrue(String.valueOf(refused).startsWith("could not open a stream to 127.0.0.1:1"), "refused: " + refused);
        assertTrue(String.valueOf(chromium.jsAsync(script, "ftp://example.org/")).startsWith("only http://"));
    }

    /**
     * Gates the first request for path after 5 MB, reloads the page once most of that is stored, releases
     * the gate and downloads again: returns {size, sha256, seconds, bytes kept across the reload}, having
     * checked the SHA-256 of the result.
     */
    @SuppressWarnings("unchecked")
    static String[] reloadMidDownloadThenDownloadAgain(String path, String query) throws Exception {
        String url = base() + path + query;
        gateFirst(path, GATE_AT);
        requests.clear();
        chromium.open(bridge.server().url(""));
        openAndWaitForCircuit();
        chromium.js("window.onionpeer.download(arguments[0], {onDone: function (e) { window.first$ = e || 'ok'; }});",
                url);
        assertTrue(gated.await(30, TimeUnit.SECONDS), "the server reached the gate");
        // Wait until the page has stored most of what was sent before the gate (it stores at least once a second).
        Object stored = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var u$ = arguments[0];"
                + "var t0 = Date.now(); (function poll() { window.onionpeer.files(function (e, l) {"
                + " var f$ = (l || []).filter(function (f) { return f.url === u$; })[0];"
                + " if (f$ && f$.received >= 4 * 1048576) cb(f$); else if (Date.now() - t0 > 20000) cb(f$ || e);"
                + " else setTimeout(poll, 100); }); })();", url);
        assertTrue(stored instanceof Map, "stored before the reload: " + stored);
        long before = ((Number) ((Map<String, Object>) stored).get("received")).longValue();
        assertTrue(before >= 4 << 20 && before <= GATE_AT, "stored " + before);
        chromium.driver().navigate().refresh();
        gate.countDown();
        openAndWaitForCircuit();
        Object after = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var u$ = arguments[0];"
                + "window.onionpeer.files(function (e, l) { cb(l.filter(function (f) { return f.url === u$; })[0]); });",
                url);
        Map<String, Object> meta = (Map<String, Object>) after;
        long kept = ((Number) meta.get("received")).longValue();
        assertEquals(Boolean.FALSE, meta.get("done"), "incomplete after the reload: " + meta);
        assertTrue(kept >= before, "kept " + kept + " bytes across the reload (had " + before + ")");
        // The page lists it, in words, as incomplete.
        Object shown = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { var li$ = document.querySelector('#files li[data-url]');"
                + " if (li$) cb(li$.textContent); else if (Date.now() - t0 > 10000) cb('nothing listed');"
                + " else setTimeout(poll, 50); })();");
        assertTrue(String.valueOf(shown).contains("incomplete"), "listed as incomplete: " + shown);
        Files.write(Paths.get("target", "download-page.png"),
                chromium.driver().getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

        String[] r = downloadAndHash(url).split(" ");
        assertEquals(sha(file), r.length == 3 ? r[1] : String.join(" ", r), "SHA-256 after downloading again");
        assertEquals(String.valueOf(SIZE), r[0]);
        return new String[] {r[0], r[1], r[2], String.valueOf(kept)};
    }

    @Test
    void playsWhileDownloading() throws Exception {
        Path ffmpeg = Paths.get("/usr/bin/ffmpeg");
        Assumptions.assumeTrue(Files.isExecutable(ffmpeg), "ffmpeg (apt-get install ffmpeg) makes the test WebM");
        Path out = Files.createTempFile("onionpeer", ".webm");
        Process p = new ProcessBuilder(ffmpeg.toString(), "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                "testsrc=duration=20:size=320x240:rate=25", "-c:v", "libvpx", "-b:v", "800k", "-deadline",
                "realtime", "-cpu-used", "8", "-f", "webm", out.toString()).inheritIO().start();
        assertTrue(p.waitFor(40, TimeUnit.SECONDS) && p.exitValue() == 0, "ffmpeg made a WebM");
        video = Files.readAllBytes(out);
        Files.delete(out);
        long t0 = System.nanoTime();
        gateFirst("/video.webm", video.length / 2);
        chromium.open(bridge.server().url(""));
        openAndWaitForCircuit();
        String url = base() + "/video.webm";
        chromium.js("var v$ = document.getElementById('video'); v$.hidden = false; v$.muted = true;"
                + "window.onionpeer.stream(arguments[0], v$, {onDone: function (e) { window.done$ = e || 'ok'; }});"
                + "v$.play().catch(function () {});", url);
        assertTrue(gated.await(30, TimeUnit.SECONDS), "the server reached the gate");
        long tGate = System.nanoTime();
        Object t = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var v$ = document.getElementById('video');"
                + "var t0 = Date.now(); (function poll() {"
                + " if (v$.currentTime > 1) cb('playing ' + v$.currentTime + ' done=' + (window.done$ || 'no'));"
                + " else if (Date.now() - t0 > 20000) cb('stuck at ' + v$.currentTime + ' ' + (v$.error && v$.error.message)"
                + "  + ' done=' + window.done$); else setTimeout(poll, 100); })();");
        assertTrue(String.valueOf(t).startsWith("playing") && String.valueOf(t).endsWith("done=no"),
                "the video plays before the download ends: " + t);
        long tPlay = System.nanoTime();
        gate.countDown();
        Object end = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { if (window.done$) cb(window.done$); else if (Date.now() - t0 > 30000) cb('timeout');"
                + " else setTimeout(poll, 100); })();");
        assertEquals("ok", end, "the download finished");
        long tDone = System.nanoTime();
        // After a reload, the stored file plays from IndexedDB alone (the server would gate nothing now).
        int before = requests.size();
        chromium.driver().navigate().refresh();
        Object replay = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var u$ = arguments[0];"
                + "var v$ = document.getElementById('video'); v$.hidden = false; v$.muted = true; var t0 = Date.now();"
                + "window.onionpeer.stream(u$, v$, {onDone: function (e) { window.done$ = e || 'ok'; }});"
                + "v$.play().catch(function () {});"
                + "(function poll() { if (v$.currentTime > 0.5) cb('playing ' + window.done$);"
                + " else if (Date.now() - t0 > 20000) cb('stuck at ' + v$.currentTime + ' ' + window.done$);"
                + " else setTimeout(poll, 100); })();", url);
        assertEquals("playing ok", replay, "the stored video plays after a reload");
        assertEquals(before, requests.size(), "from storage, without asking the server");
        System.out.printf("media: %s of a %d-byte WebM, gated at half; gate reached %.1f s after ffmpeg,"
                + " playing %.1f s later, done %.1f s after release%n", t, video.length, (tGate - t0) / 1e9,
                (tPlay - tGate) / 1e9, (tDone - tPlay) / 1e9);
        chromium.assertCspInForceWithoutViolations(); // Media Source playback (blob: media) under the policy
    }
}
