package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.testing.FfmpegMedia;
import org.openqa.selenium.By;

/**
 * ORDB sharing between pages, each in its own headless Chromium: page A shares a WebM with audio and video
 * through its file input; page B, a new tab, opens the link and plays the video before the download ends,
 * with the right SHA-256; A reloads and shares it again under the same link; A closes; page C, another new tab, opens the same link and gets it from B. Pages
 * D1 and D2 are the other pages of the network (ORDBs and relays, as every page is).
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OrdbInBrowserTest {
    static Bridge bridge;
    static Chromium a;
    static Chromium b;
    static final List<Chromium> others = new ArrayList<>();
    static Path media;
    static String sha;
    static long size;
    static String link;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg (apt-get install ffmpeg) makes the media");
        Path dir = Files.createTempDirectory("onionpeer-ordb");
        byte[] webm = FfmpegMedia.make(FfmpegMedia.format("vp9-opus.webm"), dir, 40, 640, 360);
        media = dir.resolve("clip.webm");
        Files.write(media, webm);
        size = webm.length;
        sha = Bytes.hex(MessageDigest.getInstance("SHA-256").digest(webm));
        bridge = new Bridge(TestBridges.options(3));
        a = page(bridge.server().url(""));
        others.add(page(bridge.server().url("")));
        others.add(page(bridge.server().url("")));
    }

    static Chromium page(String url) throws Exception {
        Chromium c = new Chromium();
        c.open(url);
        return c;
    }

    @AfterAll
    static void stop() throws Exception {
        for (Chromium c : others) {
            c.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    static Map<String, Object> await(Chromium page, String cond, int seconds) {
        return PeerNetworkInBrowserTest.await(page, cond, seconds);
    }

    /** Polls a JS expression until it is truthy; returns its value. */
    static Object poll(Chromium page, String expr, int seconds) {
        Object r = page.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now(); (function p() {"
                + " var v; try { v = (" + expr + "); } catch (e) { v = null; }"
                + " if (v) cb(v); else if (Date.now() - t0 > " + seconds * 1000 + ") cb('timeout');"
                + " else setTimeout(p, 20); })();");
        assertTrue(!"timeout".equals(r), "/" + expr + "/ within " + seconds + " s");
        return r;
    }

    static String shaOf(Chromium page, String url) {
        return String.valueOf(page.jsAsync(DownloadInBrowserTest.SHA_JS + "var cb = arguments[arguments.length - 1];"
                + " sha$(arguments[0], cb);", url));
    }

    /**
     * Waits until the page plays: currentTime > 0. Returns {seconds since the page's navigation start, the
     * share of the file downloaded at that moment (the page's progress bar)}.
     */
    @SuppressWarnings("unchecked")
    static List<Object> awaitPlaying(Chromium page, int seconds) {
        Object r = poll(page, "(function () { var v = document.getElementById('video');"
                + " return v.currentTime > 0 ? [performance.now() / 1000, document.getElementById('bar').value,"
                + " v.videoWidth, v.duration] : null; })()", seconds);
        return (List<Object>) r;
    }

    @Test
    @Order(1)
    void aSharedVideoPlaysInAnotherTabBeforeItIsDownloadedAndStaysAvailableFromTheDownloader() throws Exception {
        for (Chromium p : List.of(a, others.get(0), others.get(1))) {
            await(p, "s.state === 'ready' && s.peers.state === 'in the peer network' && s.peers.knownPeers >= 2", 90);
        }
        a.driver().findElement(By.id("share-file")).sendKeys(media.toString());
        link = String.valueOf(poll(a, "document.getElementById('share-link').value", 60));
        assertTrue(link.startsWith(bridge.server().url("") + "#get=") || link.startsWith(bridge.server().url("") + "/#get="),
                link);
        poll(a, "window.onionpeer.sharing().ordbs >= 2", 60);

        // B: a new tab opening the link; it joins the network and plays the video while it downloads.
        b = page(link);
        List<Object> playing = awaitPlaying(b, 120);
        double share = ((Number) playing.get(1)).doubleValue();
        assertTrue(share < 1.0, "the video played with " + share + " of the file downloaded");
        assertTrue(((Number) playing.get(2)).intValue() == 640, "the video track decodes: " + playing);
        poll(b, "document.getElementById('fetch-result').textContent.indexOf('Done') === 0", 120);
        assertEquals(size + " " + sha, shaOf(b, link), "B's copy: size and SHA-256");
        Object audio = b.js("var v = document.getElementById('video'); return v.mozHasAudio || (v.webkitAudioDecodedByteCount > 0)"
                + " || (v.audioTracks && v.audioTracks.length > 0);");
        System.out.println("OrdbInBrowserTest: B played at " + playing.get(0) + " s after opening the link, with "
                + Math.round(share * 100) + " % downloaded; audio decoded: " + audio + "; " + b.js(
                        "return JSON.stringify(window.onionpeer.sharing());"));
        assertEquals(Boolean.TRUE, audio, "the audio track decodes");

        // A reloads its tab: what it shared is shared again from its IndexedDB, under the same link.
        a.driver().navigate().refresh();
        Object again = poll(a, "window.onionpeer.sharing && window.onionpeer.sharing().shared.length === 1"
                + " && window.onionpeer.sharing().shared[0].link", 90);
        assertEquals(link, again, "the reloaded page shares the same file again");

        // A leaves; C, another new tab, gets the file from B (the downloader that seeds).
        a.close();
        a = null;
        long servedBefore = served(b);
        Chromium c = page(link);
        others.add(c);
        poll(c, "document.getElementById('fetch-result').textContent.indexOf('Done') === 0", 180);
        assertEquals(size + " " + sha, shaOf(c, link), "C's copy: size and SHA-256");
        long servedByB = served(b) - servedBefore;
        assertTrue(servedByB * 16384 >= size / 2, "B served C at least half the file: " + servedByB + " chunks");
        System.out.println("OrdbInBrowserTest: C got " + size + " bytes with B serving " + servedByB + " chunks");
    }

    static long served(Chromium page) {
        return ((Number) page.js("return window.onionpeer.sharing().server.servedChunks;")).longValue();
    }

    /**
     * Live: a page streams a fragmented MP4 (H.264 + AAC) as live, fragment by fragment in real time; B plays
     * it from the live edge, and stays inside the window: its playhead at most 4 windows (fragments) behind
     * what the publisher has put out, and moving.
     */
    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void aLiveStreamPlaysInAnotherTabInsideTheWindow() throws Exception {
        Path dir = Files.createTempDirectory("onionpeer-live");
        byte[] mp4 = FfmpegMedia.make(FfmpegMedia.format("h264-aac-fragmented.mp4"), dir, 60, 640, 360);
        Path file = dir.resolve("live.mp4");
        Files.write(file, mp4);
        Chromium pub = others.get(0);
        pub.js("document.getElementById('share-link').value = '';");
        pub.driver().findElement(By.id("live-file")).sendKeys(file.toString());
        String live = String.valueOf(poll(pub, "document.getElementById('share-link').value", 60));
        assertTrue(live.contains("/#live="), live);
        poll(pub, "window.onionpeer.sharing().ordbs >= 2", 60);

        b.js("var v = document.createElement('video'); v.id = 'live'; v.muted = true; document.body.appendChild(v);"
                + " window.liveErr = null; window.onionpeer.stream(arguments[0], v, {onDone: function (e) { window.liveErr = e; }});"
                + " v.play().catch(function () {});", live);
        poll(b, "window.liveErr || document.getElementById('live').currentTime > 0", 60);
        assertEquals(null, b.js("return window.liveErr;"), "B plays the live stream");
        double t1 = ((Number) b.js("return document.getElementById('live').currentTime;")).doubleValue();
        // Let it play a while, then compare B's playhead with the publisher's live edge.
        poll(b, "document.getElementById('live').currentTime > " + (t1 + 4), 30);
        List<Object> st = (List<Object>) pub.js("return window.onionpeer.sharing().live;");
        Map<String, Object> l = (Map<String, Object>) st.get(0);
        double edge = ((Number) l.get("mediaMillis")).doubleValue() / 1000;
        long window = ((Number) l.get("window")).longValue();
        Map<String, Object> v = (Map<String, Object>) b.js("var v = document.getElementById('live');"
                + " return {t: v.currentTime, w: v.videoWidth, a: v.webkitAudioDecodedByteCount || 0};");
        double t = ((Number) v.get("t")).doubleValue();
        double perWindow = edge / window;
        System.out.printf("OrdbInBrowserTest: live: B at %.1f s, the publisher's edge at %.1f s (window %d, %.1f s"
                + " each): %.1f windows behind%n", t, edge, window, perWindow, (edge - t) / perWindow);
        assertTrue(edge - t <= 4 * perWindow + 1, "B plays inside the 4-window span: " + t + " s against " + edge);
        assertEquals(640L, ((Number) v.get("w")).longValue(), "the video track decodes");
        assertTrue(((Number) v.get("a")).longValue() > 0, "the audio track decodes");
    }

    /**
     * A facilitator (the headless JVM peer, issue 11) keeps a WebM of its --keep directory alive: a page
     * opens its link and plays it, served by the facilitator, which no page can reach over WebRTC (its bridge
     * extends to it).
     */
    @Test
    @Order(3)
    void aPagePlaysAFileKeptByAFacilitator() throws Exception {
        Path dir = Files.createTempDirectory("onionpeer-keep");
        byte[] webm = FfmpegMedia.make(FfmpegMedia.format("vp8-vorbis.webm"),
                Files.createTempDirectory("onionpeer-make"), 20, 640, 360);
        Files.write(dir.resolve("kept.webm"), webm);
        String keptSha = Bytes.hex(MessageDigest.getInstance("SHA-256").digest(webm));
        org.onionpeer.jvm.Facilitator.Options fo = org.onionpeer.jvm.Facilitator.parse(
                new String[] {"--join", bridge.server().url(""), "--keep", dir.toString()});
        try (org.onionpeer.jvm.Facilitator f = new org.onionpeer.jvm.Facilitator(fo, line -> { })) {
            BridgeFederationTest.await(() -> f.kept().containsKey("kept.webm"), 60_000, "the facilitator keeps it");
            String kept = f.link(f.kept().get("kept.webm"));
            Chromium c = others.get(2);
            c.js("var v = document.createElement('video'); v.id = 'kept'; v.muted = true; document.body.appendChild(v);"
                    + " window.keptErr = null; window.onionpeer.stream(arguments[0], v, {onDone: function (e) {"
                    + " window.keptErr = e; window.keptDone = true; }}); v.play().catch(function () {});", kept);
            poll(c, "window.keptErr || document.getElementById('kept').currentTime > 0", 120);
            assertEquals(null, c.js("return window.keptErr;"), "the page plays the facilitator's file");
            poll(c, "window.keptDone", 120);
            assertEquals(webm.length + " " + keptSha, shaOf(c, kept), "size and SHA-256");
            long served = f.peer().call(() -> f.peer().ordb().server().stats().servedChunks);
            assertTrue(served > 0, "the facilitator served it: " + served + " chunks");
            System.out.println("OrdbInBrowserTest: a page played a facilitator's file; it served " + served + " chunks");
        }
    }

    /**
     * The bridge restarts (new keys, same port) under pages that share and fetch: each page's node rebuilds
     * by itself, a page shares again what it shared under the same link, and a page that opens the link after
     * the restart gets the file.
     */
    @Test
    @Order(4)
    void sharingRecoversWhenTheBridgeRestarts() throws Exception {
        Chromium sharer = others.get(1);
        byte[] file = new byte[700_000];
        new java.util.Random(7).nextBytes(file);
        Path dir = Files.createTempDirectory("onionpeer-restart");
        Path path = dir.resolve("notes.bin");
        Files.write(path, file);
        String sha256 = Bytes.hex(MessageDigest.getInstance("SHA-256").digest(file));
        sharer.js("document.getElementById('share-link').value = '';");
        sharer.driver().findElement(By.id("share-file")).sendKeys(path.toString());
        String shared = String.valueOf(poll(sharer, "document.getElementById('share-link').value", 60));

        int port = bridge.server().port();
        bridge.close();
        Bridge.Options o = TestBridges.options(3);
        o.port = port;
        bridge = new Bridge(o);
        long t0 = System.nanoTime();
        // Every page's new node registers with the new bridge (a page's state would still read "ready" from
        // before for a moment); the sharer's shares again and publishes.
        Bridge now = bridge;
        BridgeFederationTest.await(() -> {
            try {
                return now.bridgeRelay().loop().call(() -> now.peers().registeredCount(), 10) >= 4;
            } catch (Exception e) {
                return false;
            }
        }, 180_000, "the four pages register with the restarted bridge");
        poll(sharer, "window.onionpeer.sharing().ordbs >= 1", 120);
        Chromium fetcher = others.get(2);
        await(fetcher, "s.state === 'ready' && s.peers.state === 'in the peer network'", 60);
        Object got = fetcher.jsAsync(DownloadInBrowserTest.SHA_JS + "var cb = arguments[arguments.length - 1];"
                + " var u$ = arguments[0]; window.onionpeer.removeFile(u$, function () {"
                + " window.onionpeer.download(u$, {onDone: function (err) {"
                + " if (err) { cb('error: ' + err); return; } sha$(u$, cb); }}); });", shared);
        assertEquals(file.length + " " + sha256, String.valueOf(got), "fetched after the bridge restarted");
        System.out.printf("OrdbInBrowserTest: after a bridge restart, shared again and fetched in %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
    }
}
