package org.onionpeer.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.testing.FfmpegMedia;

/**
 * Issue 11's figures, on loopback: the swarm of {@link TorrentInBrowserTest} (opentracker, aria2c seeders of a
 * 30 MB VP8 + Vorbis WebM), a bridge, two facilitator JVMs and a ready page. The same bytes are seeded as
 * {@value #RUNS} torrents (copies under other names, so other infohashes): each run fetches a torrent new to
 * the page and to the facilitators (a page serves what it fetched, and would be its own source the second
 * time; a facilitator keeps a torrent open for a minute after its last request).
 * <ul>
 * <li>magnet entered -> first frame: the magnet put in the page's field and Play pressed, until the video's
 * currentTime > 0 (a facilitator gets the metadata and the first pieces from the swarm, the page its manifest
 * and first chunks through a circuit, media.js and Media Source start); median of {@value #RUNS};</li>
 * <li>MB/s from the swarm to the page: the same runs, Play pressed to "Done" (the whole file stored in
 * IndexedDB), against aria2c alone fetching the same magnets from the same seeders on the same machine
 * (start, metadata included, to exit); medians of {@value #RUNS} and their ratio.</li>
 * </ul>
 * Run by {@link Bench} (switch {@code onionpeer.bench.torrent}), or alone with its main.
 */
public final class TorrentPageBench {
    static final int RUNS = 5;

    private TorrentPageBench() {
    }

    public static void main(String[] args) throws Exception {
        run();
    }

    public static void run() throws Exception {
        if (!FfmpegMedia.available() || FfmpegMedia.missing(TorrentInBrowserTest.FILM) != null
                || !Files.isExecutable(Path.of("/usr/bin/aria2c")) || !Files.isExecutable(Path.of("/usr/bin/opentracker"))
                || !Files.isExecutable(Path.of("/usr/bin/transmission-create"))) {
            System.out.println("torrent page bench skipped: needs ffmpeg, aria2, opentracker and transmission-cli");
            return;
        }
        Path tmp = Files.createTempDirectory("onionpeer-torrent-bench");
        Path good = Files.createDirectories(tmp.resolve("good"));
        byte[] film = FfmpegMedia.make(TorrentInBrowserTest.FILM, good, 62, 640, 360);
        double mb = film.length / 1e6;
        List<FacilitatorProcess> facilitators = new ArrayList<>();
        Chromium page = null;
        Bridge bridge = null;
        try (LocalSwarm swarm = new LocalSwarm(tmp.resolve("swarm"))) {
            List<LocalSwarm.Torrent> torrents = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                Path copy = good.resolve("film-" + i + ".webm");
                Files.write(copy, film);
                torrents.add(swarm.createTorrent(copy, TorrentInBrowserTest.PIECE_KIB));
            }
            swarm.startTracker();
            for (LocalSwarm.Torrent t : torrents) {
                swarm.seed(t, good, true);
            }
            for (LocalSwarm.Torrent t : torrents) {
                swarm.awaitSeeders(t.infoHash(), 1, Duration.ofSeconds(90));
            }
            bridge = new Bridge(TestBridges.options(3));
            page = new Chromium();
            page.open(bridge.server().url(""));
            // The page joins before the facilitators announce themselves (as in TorrentInBrowserTest).
            PeerNetworkInBrowserTest.await(page, "s.state === 'ready' && s.peers.state === 'in the peer network'", 90);
            for (int i = 0; i < 2; i++) {
                facilitators.add(new FacilitatorProcess(bridge.server().url(""), tmp.resolve("facilitator" + i),
                        "--allow-private-trackers"));
            }
            for (FacilitatorProcess f : facilitators) {
                f.awaitJoined(120_000);
            }
            TorrentInBrowserTest.awaitFacilitatorsInDht(bridge, 2, Duration.ofSeconds(120));
            page.js("setInterval(function () { var f = window.onionpeer.sharing().fetching.filter(function (x) {"
                    + " return x.torrent; })[0]; if (f) { window.lastSources = f.sources; } }, 100);");

            // aria2c alone first (seconds), so its figure is printed even if a page run fails later.
            double[] ariaRate = new double[RUNS];
            for (int i = 0; i < RUNS; i++) {
                Path into = Files.createDirectories(tmp.resolve("aria2c-" + i));
                long t0 = System.nanoTime();
                LocalSwarm.Seeder fetch = swarm.fetchMagnet(swarm.magnet(torrents.get(i).infoHash()), into);
                if (!fetch.process().waitFor(300, TimeUnit.SECONDS)) {
                    throw new AssertionError("aria2c did not finish within 300 s");
                }
                ariaRate[i] = mb / ((System.nanoTime() - t0) / 1e9);
                if (Files.size(into.resolve("film-" + i + ".webm")) != film.length) {
                    throw new AssertionError("aria2c's copy is not whole");
                }
            }
            double a = median(ariaRate);
            System.out.printf(Locale.ROOT, "torrent: aria2c alone, the same magnets and seeders (start, metadata"
                    + " included, to exit): median %.2f MB/s of %s%n", a, rates(ariaRate));

            // A failed run is said and left out of the medians (which then say of how many).
            List<Double> firstFrame = new ArrayList<>();
            List<Double> pageRate = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                try {
                    double[] r = playMillis(page, swarm.magnet(torrents.get(i).infoHash()));
                    firstFrame.add(r[0]);
                    pageRate.add(mb / (r[1] / 1000));
                } catch (AssertionError e) {
                    System.out.println("torrent bench run " + (i + 1) + " failed: " + e.getMessage());
                }
            }
            if (firstFrame.isEmpty()) {
                System.out.println("torrent: no page run succeeded");
                return;
            }
            double[] ff = firstFrame.stream().mapToDouble(Double::doubleValue).toArray();
            double[] pr = pageRate.stream().mapToDouble(Double::doubleValue).toArray();
            System.out.printf(Locale.ROOT, "torrent: magnet entered -> first frame (a ready page, the magnet in its"
                    + " field, Play -> currentTime > 0; %.1f MB WebM, a torrent new to page and facilitators each"
                    + " run): median %.0f ms of %d %s%n", mb, median(ff), ff.length,
                    Arrays.toString(Arrays.stream(ff).mapToLong(Math::round).toArray()));
            double p = median(pr);
            System.out.printf(Locale.ROOT, "torrent: swarm -> facilitator -> circuit -> page (Play to Done, stored in"
                    + " IndexedDB): median %.2f MB/s of %s; aria2c alone median %.2f MB/s; page/aria2c %.3f%n",
                    p, rates(pr), a, p / a);
        } finally {
            if (page != null) {
                page.close();
            }
            for (FacilitatorProcess f : facilitators) {
                f.close();
            }
            if (bridge != null) {
                bridge.close();
            }
            // Six copies of the file and the swarm's files: not left behind.
            try (java.util.stream.Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static String rates(double[] x) {
        StringBuilder b = new StringBuilder("[");
        for (double r : x) {
            b.append(b.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.2f", r));
        }
        return b.append("]").toString();
    }

    /**
     * Puts the magnet in the page's field and presses Play: milliseconds to currentTime > 0, and to "Done"
     * (the whole file stored). The page times itself; this side looks every half second (bounded), so no
     * WebDriver call lasts long.
     */
    static double[] playMillis(Chromium page, String magnet) {
        page.js("var m = arguments[0], v = document.getElementById('video'), out = document.getElementById('fetch-result');"
                + " v.removeAttribute('src'); v.load(); out.textContent = '';"
                + " document.getElementById('magnet').value = m;"
                + " var r = window.benchRun = {t0: performance.now(), first: -1, end: -1, text: ''};"
                + " document.getElementById('magnet-play').click();"
                + " (function p() { var now = performance.now();"
                + "  if (r.first < 0 && v.currentTime > 0) { r.first = now - r.t0; }"
                + "  if (/^(Done|Error)/.test(out.textContent)) { r.end = now - r.t0; r.text = out.textContent; return; }"
                + "  setTimeout(p, 5); })();", magnet);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (true) {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> r = (java.util.Map<String, Object>) page.js("return window.benchRun;");
            double first = ((Number) r.get("first")).doubleValue();
            double done = ((Number) r.get("end")).doubleValue();
            if (done >= 0 && first >= 0 || done >= 0 && String.valueOf(r.get("text")).startsWith("Error")) {
                if (first < 0) {
                    throw new AssertionError("play " + magnet + ": " + r.get("text"));
                }
                System.out.printf(Locale.ROOT, "torrent bench run: first frame %.0f ms, done %.1f s; sources %s%n",
                        first, done / 1000, page.js("return JSON.stringify(window.lastSources);"));
                return new double[] {first, done};
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("play " + magnet + ": not done within 600 s: " + r);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
    }
}
