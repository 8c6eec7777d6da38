package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.peer.Facilitators;
import org.onionpeer.testing.FfmpegMedia;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Issue 11's proof, on loopback only: a real BitTorrent swarm (opentracker, aria2c seeding a 30 MB WebM with
 * VP8 video and Vorbis audio that ffmpeg makes here, under two names: two torrents) and two facilitators, each its own JVM ({@code
 * org.onionpeer.jvm.Main facilitator --join}) with its own temp dir. A headless Chromium page is given the
 * magnet link in its field: a facilitator fetches the torrent and relays it through circuits, and the page
 * plays it through Media Source while it arrives, with the right SHA-256; afterwards the facilitators' temp
 * dirs hold nothing and the seeder's log shows no piece from them. Then: a magnet nobody seeds (the page's
 * error, exact, in bounded time); a swarm with a seeder of corrupt pieces (the page still gets the right
 * bytes); the second torrent, with the facilitator serving most killed at 30 % (the other one finishes the
 * file, SHA-256 checked). One swarm, bridge, facilitator pair and page for all, in this order (the kill is
 * last: it leaves one facilitator).
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TorrentInBrowserTest {
    static final int PIECE_KIB = 256;
    /** Whitelisted at the tracker, seeded by nobody. */
    static final String NOBODY = "0123456789abcdef0123456789abcdef01234567";
    /**
     * What the page says when nobody seeds a torrent: the n facilitators it asked (those its DHT lookup found)
     * all answered UNAVAILABLE after their bounded wait for a peer (TorrentBridge.Options.peerWaitMillis, 20 s).
     */
    static String nobodySeeds(int n) {
        return "nobody seeds this torrent now: " + n + " facilitator" + (n == 1 ? "" : "s")
                + " asked, none found a peer with it";
    }

    @TempDir
    static Path tmp;
    static LocalSwarm swarm;
    static LocalSwarm.Seeder seeder;
    /** The same bytes under another name: another torrent, new to the page for the kill test. */
    static LocalSwarm.Seeder reelSeeder;
    static String reelMagnet;
    static byte[] film;
    static String sha;
    static String magnet;
    static Bridge bridge;
    static final List<FacilitatorProcess> facilitators = new ArrayList<>();
    static final List<String> names = new ArrayList<>();
    static Chromium page;

    /**
     * A WebM of VP8 + Vorbis at a constant 4 Mbit/s (noise on the test pattern, so the encoder cannot
     * undershoot): about 0.5 MB per second, so 62 s make about 30 MB.
     */
    static final FfmpegMedia.Format FILM = new FfmpegMedia.Format("film.webm", true, true, "libvpx libvorbis",
            "-c:v libvpx -deadline realtime -cpu-used 8 -b:v 4M -minrate 4M -maxrate 4M -g 50"
                    + " -vf noise=alls=20:allf=t -c:a libvorbis");

    static byte[] makeFilm(Path dir, double seconds) throws Exception {
        String missing = FfmpegMedia.missing(FILM);
        Assumptions.assumeTrue(missing == null, missing);
        return FfmpegMedia.make(FILM, dir, seconds, 640, 360);
    }

    static String sha256(byte[] b) throws Exception {
        return Bytes.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @BeforeAll
    static void start() throws Exception {
        LocalSwarm.assumeTools();
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg (apt-get install ffmpeg) makes the media");
        Path good = Files.createDirectories(tmp.resolve("good"));
        film = makeFilm(good, 62);
        sha = sha256(film);
        System.out.println("TorrentInBrowserTest: " + film.length + " bytes of WebM, SHA-256 " + sha);
        swarm = new LocalSwarm(tmp.resolve("swarm"));
        LocalSwarm.Torrent torrent = swarm.createTorrent(good.resolve(FILM.name), PIECE_KIB);
        Files.write(good.resolve("reel.webm"), film);
        LocalSwarm.Torrent reel = swarm.createTorrent(good.resolve("reel.webm"), PIECE_KIB);
        swarm.allow(NOBODY);
        swarm.startTracker();
        seeder = swarm.seed(torrent, good, true);
        reelSeeder = swarm.seed(reel, good, true);
        swarm.awaitSeeders(torrent.infoHash(), 1, Duration.ofSeconds(90));
        swarm.awaitSeeders(reel.infoHash(), 1, Duration.ofSeconds(90));
        magnet = swarm.magnet(torrent.infoHash());
        reelMagnet = swarm.magnet(reel.infoHash());

        bridge = new Bridge(TestBridges.options(3));
        page = new Chromium();
        page.open(bridge.server().url(""));
        // The page joins first: a facilitator announces itself until one DHT node stored its record, and a page
        // that joins later may hold (and find) only one facilitator's record (see the README, "Not done").
        OrdbInBrowserTest.await(page, "s.state === 'ready' && s.peers.state === 'in the peer network'", 90);
        for (int i = 0; i < 2; i++) {
            facilitators.add(new FacilitatorProcess(bridge.server().url(""), tmp.resolve("facilitator" + i),
                        "--allow-private-trackers"));
        }
        for (FacilitatorProcess f : facilitators) {
            names.add(f.awaitJoined(120_000));
        }
        awaitFacilitatorsInDht(bridge, 2, Duration.ofSeconds(120));
        // Keeps the last sources report of the torrent being fetched (the status forgets a finished fetch).
        // And, each second, the bytes in so far from all of them (printed after the kill).
        page.js("window.timeline = []; setInterval(function () { var f = window.onionpeer.sharing().fetching.filter("
                + "function (x) { return x.torrent; })[0]; if (f) { window.lastSources = f.sources; } }, 100);"
                + " setInterval(function () { var s = window.lastSources || []; window.timeline.push([performance.now(),"
                + " s.reduce(function (a, x) { return a + x.bytes; }, 0)]); }, 1000);");
    }

    @AfterAll
    static void stop() {
        if (page != null) {
            page.close();
        }
        for (FacilitatorProcess f : facilitators) {
            f.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (swarm != null) {
            swarm.close();
        }
    }

    /**
     * Waits (bounded) until a DHT lookup from the bridge finds {@code n} facilitator records under {@link
     * Facilitators#KEY}: a facilitator announces itself with backoff once it joined, and a page given a magnet
     * before that is told "no facilitator in the network".
     */
    static void awaitFacilitatorsInDht(Bridge b, int n, Duration bound) {
        LocalSwarm.pollUntil(bound, n + " facilitators in the DHT", () -> {
            try {
                java.util.concurrent.CompletableFuture<org.onionpeer.dht.LookupResult> found =
                        new java.util.concurrent.CompletableFuture<>();
                b.bridgeRelay().loop().execute(() -> b.peers().dht().findValue(
                        org.onionpeer.peer.OrdbSource.keyOf(Facilitators.KEY), found::complete));
                return found.get(30, java.util.concurrent.TimeUnit.SECONDS).values().size() >= n;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /**
     * Polls a JS expression in the page until it is truthy (its value), for up to {@code seconds}, in WebDriver
     * calls of at most 60 s each: one call over Selenium's 180 s read timeout fails with a bare TimeoutException.
     */
    static Object poll(String expr, int seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            long left = Math.max(1, (end - System.nanoTime()) / 1_000_000_000L);
            Object r = page.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now(); (function p() {"
                    + " var v; try { v = (" + expr + "); } catch (e) { v = null; }"
                    + " if (v) cb(v); else if (Date.now() - t0 > " + Math.min(60, left) * 1000 + ") cb('timeout');"
                    + " else setTimeout(p, 20); })();");
            if (!"timeout".equals(r)) {
                return r;
            }
            assertTrue(System.nanoTime() < end, "/" + expr + "/ within " + seconds + " s; the page says: " + result());
        }
    }

    static String result() {
        return String.valueOf(page.js("return document.getElementById('fetch-result').textContent;"));
    }

    /** Waits (bounded) until the page's result line says Done or Error; returns it. */
    static String awaitResult(int seconds) {
        return String.valueOf(poll("(function () { var t = document.getElementById("
                + "'fetch-result').textContent; return /^(Done|Error)/.test(t) ? t : null; })()", seconds));
    }

    static void enterMagnet(String m) {
        WebElement field = page.driver().findElement(By.id("magnet"));
        field.clear();
        field.sendKeys(m);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> lastSources() {
        Object s = page.js("return window.lastSources || [];");
        return (List<Map<String, Object>>) s;
    }

    static long bytesOf(List<Map<String, Object>> sources, String name) {
        long n = 0;
        for (Map<String, Object> s : sources) {
            if (name.equals(s.get("name"))) {
                n += ((Number) s.get("bytes")).longValue();
            }
        }
        return n;
    }

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void aMagnetPlaysInThePageWhileAFacilitatorFetchesItAndNothingIsKeptOrUploaded() throws Exception {
        enterMagnet(magnet);
        long t0 = System.nanoTime();
        page.driver().findElement(By.id("magnet-play")).click();
        @SuppressWarnings("unchecked")
        List<Object> playing = (List<Object>) poll("(function () { var v = document.getElementById('video');"
                + " return v.currentTime > 0 ? [performance.now() / 1000, document.getElementById('bar').value,"
                + " v.videoWidth, v.duration] : null; })()", 240);
        double firstFrame = (System.nanoTime() - t0) / 1e9;
        double share = ((Number) playing.get(1)).doubleValue();
        String sourcesShown = String.valueOf(page.js("return document.getElementById('sources').textContent;"));
        assertTrue(share < 1.0, "the video played with " + share + " of the file downloaded");
        assertEquals(640, ((Number) playing.get(2)).intValue(), "the video track decodes: " + playing);
        assertTrue(Pattern.compile("facilitator peer[0-9a-f]{8}: [0-9.]+ MB at \\d+ kB/s \\(").matcher(sourcesShown)
                .find(), "the page shows which facilitators serve, at what rate: " + sourcesShown);
        String done = awaitResult(300);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(done.startsWith("Done: " + FILM.name + ", "), done);
        assertEquals(film.length + " " + sha, OrdbInBrowserTest.shaOf(page, magnet), "the stored copy: size and SHA-256");
        Object audio = page.js("var v = document.getElementById('video');"
                + " return v.webkitAudioDecodedByteCount > 0 || (v.audioTracks && v.audioTracks.length > 0);");
        assertEquals(Boolean.TRUE, audio, "the audio track decodes");
        List<Map<String, Object>> sources = lastSources();
        long fromFacilitators = 0;
        for (String n : names) {
            fromFacilitators += bytesOf(sources, n);
        }
        System.out.printf("TorrentInBrowserTest: first frame %.1f s after Play, with %d %% downloaded; %d bytes"
                + " in %.1f s (%.2f MB/s); shown while playing: %s; sources at the end: %s%n", firstFrame,
                Math.round(share * 100), film.length, seconds, film.length / seconds / 1e6, sourcesShown, sources);
        assertTrue(fromFacilitators > 0, "bytes came from the facilitators " + names + ": " + sources);

        // Nothing of the torrent stays on a facilitator's disk (bounded: it may keep a torrent open a while).
        for (FacilitatorProcess f : facilitators) {
            LocalSwarm.pollUntil(Duration.ofSeconds(120), "nothing left in " + f.tmp, () -> {
                try {
                    return f.filesInTmp().isEmpty();
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        }
        assertEquals(0, LocalSwarm.received(seeder, "piece"), "piece messages the seeder got from the facilitators");
        assertTrue(LocalSwarm.received(seeder, "request") > 0 || LocalSwarm.received(seeder, "interested") > 0,
                "the seeder's log does show the facilitators asking (so it logs what it gets)");
    }

    @Test
    @Order(2)
    void aMagnetNobodySeedsGivesAClearErrorInBoundedTime() {
        page.js("window.lastSources = null;");
        enterMagnet(swarm.magnet(NOBODY));
        long t0 = System.nanoTime();
        page.driver().findElement(By.id("magnet-play")).click();
        String error = awaitResult(150);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int asked = lastSources().size();
        System.out.printf("TorrentInBrowserTest: nobody seeds: \"%s\" after %.1f s (%d facilitators asked)%n",
                error, seconds, asked);
        assertTrue(asked >= 1, "the page asked a facilitator");
        assertEquals("Error: " + nobodySeeds(asked), error);
        assertTrue(seconds < 60, "bounded: " + seconds + " s");
    }

    @Test
    @Order(3)
    void aSwarmPeerSendingBadPiecesIsDroppedAndThePageGetsTheRightBytes() throws Exception {
        Path good = Files.createDirectories(tmp.resolve("good2"));
        Path bad = Files.createDirectories(tmp.resolve("bad2"));
        byte[] clip = makeFilm(good, 12);
        byte[] corrupt = clip.clone();
        for (int i = 0; i < corrupt.length; i += PIECE_KIB * 1024) {
            corrupt[Math.min(corrupt.length - 1, i + 1000)] ^= 0x5a; // every piece is wrong
        }
        Files.write(bad.resolve(FILM.name), corrupt);
        try (LocalSwarm s = new LocalSwarm(tmp.resolve("swarm2"))) {
            LocalSwarm.Torrent t = s.createTorrent(good.resolve(FILM.name), PIECE_KIB);
            s.startTracker();
            LocalSwarm.Seeder liar = s.seed(t, bad, false);
            s.awaitSeeders(t.infoHash(), 1, Duration.ofSeconds(30));
            s.seed(t, good, true);
            s.awaitSeeders(t.infoHash(), 2, Duration.ofSeconds(60));
            String m = s.magnet(t.infoHash());
            // Through the page's #magnet= link this time (a fragment change: the page plays it at once).
            page.js("document.getElementById('fetch-result').textContent = '';");
            page.open(bridge.server().url("") + "#magnet=" + URLEncoder.encode(m, StandardCharsets.UTF_8));
            String done = awaitResult(240);
            assertTrue(done.startsWith("Done: "), done);
            assertEquals(clip.length + " " + sha256(clip), OrdbInBrowserTest.shaOf(page, m), "size and SHA-256");
            long badBlocks = LocalSwarm.sent(liar, "piece");
            System.out.printf("TorrentInBrowserTest: with a seeder of bad pieces in the swarm: right bytes; the bad"
                    + " seeder sent %d blocks to the facilitators; %s%n", badBlocks, lastSources());
            assertTrue(badBlocks > 0, "the bad seeder's pieces did reach the facilitators");
        }
    }

    @Test
    @Order(4)
    void aFacilitatorKilledMidTransferIsReplacedAndTheFileCompletes() throws Exception {
        // Another torrent of the same bytes: the page holds nothing of it (it serves what it fetched, and would
        // be its own source the second time).
        page.js("window.lastSources = null;");
        enterMagnet(reelMagnet);
        page.driver().findElement(By.id("magnet-download")).click();
        // 30 % of this download's bytes in from the facilitators (its sources' report, not the progress bar).
        poll("(function () { var f = window.onionpeer.sharing().fetching.filter(function (x) {"
                + " return x.link === '" + reelMagnet + "'; })[0]; return f && f.sources.reduce(function (a, s) {"
                + " return a + s.bytes; }, 0) >= " + (long) (film.length * 0.3) + "; })()", 240);
        List<Map<String, Object>> before = lastSources();
        // The facilitator that served the most so far dies without a word.
        int victim = bytesOf(before, names.get(0)) >= bytesOf(before, names.get(1)) ? 0 : 1;
        String survivor = names.get(1 - victim);
        assertTrue(bytesOf(before, names.get(victim)) > 0, "the facilitator to kill is serving: " + before);
        double at = ((Number) page.js("return document.getElementById('bar').value;")).doubleValue();
        double killedAt = ((Number) page.js("return performance.now();")).doubleValue();
        facilitators.get(victim).kill();
        long t0 = System.nanoTime();
        String done = awaitResult(300);
        assertTrue(done.startsWith("Done: "), done);
        assertEquals(film.length + " " + sha, OrdbInBrowserTest.shaOf(page, reelMagnet), "size and SHA-256 after the kill");
        List<Map<String, Object>> after = lastSources();
        Object timeline = page.js("var k = arguments[0]; return window.timeline.filter(function (e, i) {"
                + " return e[0] >= k && i % 5 === 0; }).map(function (e) { return Math.round((e[0] - k) / 1000) + ' s: '"
                + " + (e[1] / 1e6).toFixed(1) + ' MB'; }).join(', ');", killedAt);
        System.out.printf("TorrentInBrowserTest: killed %s at %d %% (sources then: %s); done %.1f s later; sources"
                + " at the end: %s; bytes in after the kill: %s%n", names.get(victim), Math.round(at * 100), before,
                (System.nanoTime() - t0) / 1e9, after, timeline);
        assertTrue(bytesOf(after, survivor) > 0, "the other facilitator " + survivor + " served the rest: " + after);
        assertEquals(0, LocalSwarm.received(reelSeeder, "piece"), "piece messages the seeder got from the facilitators");
    }
}
