package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onionpeer.jvm.torrent.RangeFetch;
import org.onionpeer.jvm.torrent.TorrentFetcher;
import org.onionpeer.torrent.TorrentSink;

/**
 * The BitTorrent bridge's fetcher against a real swarm on loopback (opentracker + aria2c): a whole 30 MB
 * file and a range arrive exactly, in order, with nothing uploaded and nothing left on disk; a torrent
 * nobody seeds fails with a clear error in bounded time; a seeder of bad pieces is survived.
 */
@Tag("slow")
class TorrentFetcherTest {
    private static final int PIECE = 256 * 1024;
    private static final int SIZE = 30 * 1024 * 1024;

    @TempDir
    static Path tmp;
    private static LocalSwarm swarm;
    private static byte[] content;
    private static LocalSwarm.Torrent torrent;
    private static LocalSwarm.Seeder seeder;
    private static final String NOBODY = "0123456789abcdef0123456789abcdef01234567";

    @BeforeAll
    static void swarm() throws Exception {
        LocalSwarm.assumeTools();
        long seed = System.nanoTime();
        System.out.println("TorrentFetcherTest: content seed " + seed);
        content = new byte[SIZE];
        new Random(seed).nextBytes(content);
        Path good = Files.createDirectories(tmp.resolve("good"));
        Files.write(good.resolve("video.webm"), content);
        swarm = new LocalSwarm(tmp.resolve("swarm"));
        torrent = swarm.createTorrent(good.resolve("video.webm"), PIECE / 1024);
        swarm.allow(NOBODY);
        swarm.startTracker();
        seeder = swarm.seed(torrent, good, true);
        swarm.awaitSeeders(torrent.infoHash(), 1, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (swarm != null) {
            swarm.close();
        }
    }

    /** Collects what a sink hears on one thread, as an event loop would. */
    static final class Collector implements TorrentSink {
        final ExecutorService loop = Executors.newSingleThreadExecutor();
        final List<Integer> pieces = new ArrayList<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<String> end = new CompletableFuture<>(); // null on success, else the error
        int firstPiece = -1;
        int lastPiece = -1;
        long length;

        @Override
        public void onMetadata(String name, long length, int pieceLength, byte[][] hashes, int first, int last) {
            this.length = length;
            firstPiece = first;
            lastPiece = last;
        }

        @Override
        public void onPiece(int index, byte[] piece) {
            pieces.add(index);
            bytes.writeBytes(piece);
        }

        @Override
        public void onDone() {
            end.complete(null);
        }

        @Override
        public void onError(String message) {
            end.complete(message);
        }
    }

    private static TorrentFetcher.Options options(long waitMillis) {
        TorrentFetcher.Options o = new TorrentFetcher.Options();
        o.tempParent = tmp;
        o.listenInterfaces = "127.0.0.1:0";
        o.peerWaitMillis = waitMillis;
        return o;
    }

    private static List<Integer> range(int first, int last) {
        List<Integer> l = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void wholeFileArrivesInOrderWithNothingUploadedOrKept() throws Exception {
        long t0 = System.nanoTime();
        Collector c = new Collector();
        Path dir;
        long uploaded;
        try (TorrentFetcher fetcher = new TorrentFetcher(options(60_000))) {
            RangeFetch f = fetcher.fetch(swarm.magnet(torrent.infoHash()), 0, Long.MAX_VALUE, c, c.loop);
            dir = f.tempDir();
            assertNull(c.end.get(120, TimeUnit.SECONDS));
            f.close();
            uploaded = f.uploadedPayloadBytes();
            assertFalse(Files.exists(dir), "the temp dir is gone after close");
        }
        System.out.printf("TorrentFetcherTest: 30 MB in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals(range(0, SIZE / PIECE - 1), c.pieces);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertArrayEquals(sha.digest(content), sha.digest(c.bytes.toByteArray()));
        assertEquals(0, uploaded, "payload bytes uploaded to the swarm");
        assertEquals(0, LocalSwarm.received(seeder, "piece"), "piece messages the seeder got from us");
        assertEquals(List.of(), leftovers(), "nothing of the torrent left under the temp parent");
        c.loop.shutdown();
    }

    @Test
    void aRangeFromTheMiddleArrivesExactly() throws Exception {
        long from = 12_345_678;
        long to = from + 3_000_001;
        Collector c = new Collector();
        try (TorrentFetcher fetcher = new TorrentFetcher(options(60_000))) {
            RangeFetch f = fetcher.fetch(swarm.magnet(torrent.infoHash()), from, to, c, c.loop);
            assertNull(c.end.get(120, TimeUnit.SECONDS));
            f.close();
            assertFalse(Files.exists(f.tempDir()), () -> "left: " + listing(f.tempDir()));
            System.out.printf("TorrentFetcherTest: range of %d pieces cost %d bytes%n", c.pieces.size(),
                f.downloadedPayloadBytes());
        }
        assertEquals((int) (from / PIECE), c.firstPiece);
        assertEquals((int) ((to - 1) / PIECE), c.lastPiece);
        assertEquals(range(c.firstPiece, c.lastPiece), c.pieces);
        byte[] got = c.bytes.toByteArray();
        int skip = (int) (from - (long) c.firstPiece * PIECE);
        assertArrayEquals(Arrays.copyOfRange(content, (int) from, (int) to),
            Arrays.copyOfRange(got, skip, skip + (int) (to - from)));
        c.loop.shutdown();
    }

    @Test
    void aTorrentNobodySeedsFailsClearlyInBoundedTime() throws Exception {
        Collector c = new Collector();
        long t0 = System.nanoTime();
        try (TorrentFetcher fetcher = new TorrentFetcher(options(3_000))) {
            RangeFetch f = fetcher.fetch(swarm.magnet(NOBODY), 0, Long.MAX_VALUE, c, c.loop);
            assertEquals("no peer in the swarm has this torrent after 3 s", c.end.get(20, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 3_000 && ms < 10_000, "failed after " + ms + " ms");
            f.close();
            assertFalse(Files.exists(f.tempDir()));
        }
        assertEquals(List.of(), c.pieces);
        c.loop.shutdown();
    }

    @Test
    void aSeederOfBadPiecesIsSurvived() throws Exception {
        // Its own torrent, so that the bad seeder cannot disturb the other tests.
        byte[] data = Arrays.copyOf(content, 8 * 1024 * 1024);
        Path good = Files.createDirectories(tmp.resolve("good2"));
        Path bad = Files.createDirectories(tmp.resolve("bad2"));
        Files.write(good.resolve("small.webm"), data);
        byte[] corrupt = data.clone();
        for (int i = 0; i < corrupt.length; i += PIECE) {
            corrupt[i + 1000] ^= 0x5a; // every piece is wrong
        }
        Files.write(bad.resolve("small.webm"), corrupt);
        try (LocalSwarm s = new LocalSwarm(tmp.resolve("swarm2"))) {
            LocalSwarm.Torrent t = s.createTorrent(good.resolve("small.webm"), PIECE / 1024);
            s.startTracker();
            s.seed(t, bad, false);
            s.awaitSeeders(t.infoHash(), 1, Duration.ofSeconds(30));
            s.seed(t, good, true);
            s.awaitSeeders(t.infoHash(), 2, Duration.ofSeconds(60));
            Collector c = new Collector();
            try (TorrentFetcher fetcher = new TorrentFetcher(options(60_000))) {
                RangeFetch f = fetcher.fetch(s.magnet(t.infoHash()), 0, Long.MAX_VALUE, c, c.loop);
                assertNull(c.end.get(120, TimeUnit.SECONDS));
                f.close();
                System.out.println("TorrentFetcherTest: hash failures " + f.hashFailures());
                assertTrue(f.hashFailures() > 0, "the bad seeder's pieces were seen and rejected");
            }
            assertArrayEquals(data, c.bytes.toByteArray());
            c.loop.shutdown();
        }
    }

    @Test
    void aLeecherAskingUsGetsNothing() throws Exception {
        byte[] data = Arrays.copyOf(content, 4 * 1024 * 1024);
        Path good = Files.createDirectories(tmp.resolve("good3"));
        Files.write(good.resolve("held.webm"), data);
        try (LocalSwarm s = new LocalSwarm(tmp.resolve("swarm3"))) {
            LocalSwarm.Torrent t = s.createTorrent(good.resolve("held.webm"), PIECE / 1024);
            s.startTracker();
            LocalSwarm.Seeder only = s.seed(t, good, true);
            s.awaitSeeders(t.infoHash(), 1, Duration.ofSeconds(60));
            Collector c = new Collector();
            // The caller takes nothing yet, so the fetch holds every piece while the leecher asks for them.
            List<Runnable> held = new ArrayList<>();
            boolean[] released = {false};
            java.util.concurrent.Executor gate = r -> {
                synchronized (held) {
                    if (released[0]) {
                        c.loop.execute(r);
                    } else {
                        held.add(r);
                    }
                }
            };
            try (TorrentFetcher fetcher = new TorrentFetcher(options(60_000))) {
                RangeFetch f = fetcher.fetch(s.magnet(t.infoHash()), 0, Long.MAX_VALUE, c, gate);
                LocalSwarm.pollUntil(Duration.ofSeconds(60), "all pieces on disk", () -> f.piecesOnDisk() == 16);
                only.process().destroy();
                assertTrue(only.process().waitFor(10, TimeUnit.SECONDS));
                LocalSwarm.Seeder leecher = s.leech(t, Files.createDirectories(tmp.resolve("leech3")));
                LocalSwarm.pollUntil(Duration.ofSeconds(60), "the leecher hears which pieces we have",
                    () -> LocalSwarm.received(leecher, "have") + LocalSwarm.received(leecher, "bitfield") > 0);
                // Proving a negative needs a window: 35 s spans libtorrent's optimistic unchoke round (30 s).
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(35);
                while (System.nanoTime() < end) {
                    assertEquals(0, LocalSwarm.received(leecher, "piece"), "pieces the leecher got from us");
                    assertEquals(0, LocalSwarm.received(leecher, "unchoke"), "unchokes the leecher got from us");
                    assertEquals(0, LocalSwarm.received(leecher, "allowed"), "allowed-fast pieces we offered");
                    assertEquals(0, f.uploadedPayloadBytes());
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                }
                synchronized (held) {
                    released[0] = true;
                    held.forEach(c.loop::execute);
                }
                assertNull(c.end.get(60, TimeUnit.SECONDS));
                f.close();
            }
            assertArrayEquals(data, c.bytes.toByteArray());
            c.loop.shutdown();
        }
    }

    private static String listing(Path dir) {
        try (var s = Files.walk(dir)) {
            return s.map(p -> p + " " + p.toFile().length()).toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<Path> leftovers() throws IOException {
        try (var s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("onionpeer-bt-")).toList();
        }
    }
}
