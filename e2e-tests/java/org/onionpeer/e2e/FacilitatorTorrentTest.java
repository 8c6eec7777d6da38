package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.jvm.Facilitator;
import org.onionpeer.jvm.JvmPeer;
import org.onionpeer.jvm.torrent.TorrentBridge;
import org.onionpeer.ordb.DownloadListener;
import org.onionpeer.torrent.Magnet;

/**
 * The whole way: a JVM page asks for a magnet link; a facilitator (the real one, {@link Facilitator}, found in
 * the DHT) fetches it from a BitTorrent swarm on loopback through its {@link TorrentBridge} and relays it
 * over onion circuits; the page checks every piece and gets the file byte for byte.
 */
@Tag("e2e")
@Tag("slow")
class FacilitatorTorrentTest {
    private static final int SIZE = 2_500_000;

    @TempDir
    Path tmp;

    @Test
    void aPageFetchesATorrentThroughAFacilitator() throws Exception {
        LocalSwarm.assumeTools();
        byte[] film = FacilitatorTest.random(SIZE);
        Path seed = Files.createDirectories(tmp.resolve("seed"));
        Files.write(seed.resolve("film.webm"), film);
        Path temp = Files.createDirectories(tmp.resolve("facilitator-temp"));
        try (LocalSwarm swarm = new LocalSwarm(tmp.resolve("swarm"));
                Bridge bridge = new Bridge(TestBridges.options(3))) {
            LocalSwarm.Torrent t = swarm.createTorrent(seed.resolve("film.webm"), 256);
            swarm.startTracker();
            swarm.seed(t, seed, true);
            swarm.awaitSeeders(t.infoHash(), 1, Duration.ofSeconds(60));
            String base = "http://127.0.0.1:" + bridge.server().port();
            Facilitator.Options fo = Facilitator.parse(new String[] {"--join", base, "--allow-private-trackers"});
            fo.torrents.tempParent = temp;
            fo.torrents.listenInterfaces = "127.0.0.1:0";
            fo.torrents.idleMillis = 2_000;
            try (Facilitator f = new Facilitator(fo, line -> System.out.println("FacilitatorTorrentTest: " + line))) {
                FacilitatorTest.joined(f.peer());
                LocalSwarm.pollUntil(Duration.ofSeconds(60), "the facilitator is in the DHT as one",
                    () -> call(f.peer(), () -> f.peer().ordb().facilitatorRecordsStored() > 0));
                try (JvmPeer page = new JvmPeer("page", base, null, null, line -> { })) {
                    FacilitatorTest.joined(page);
                    long t0 = System.nanoTime();
                    byte[] got = downloadTorrent(page, Magnet.parse(swarm.magnet(t.infoHash())));
                    System.out.printf("FacilitatorTorrentTest: %d bytes through the facilitator in %d ms%n",
                        got.length, (System.nanoTime() - t0) / 1_000_000);
                    assertArrayEquals(FacilitatorTest.sha256(film), FacilitatorTest.sha256(got));
                }
                TorrentBridge.Stats s = f.peer().call(() -> f.peer().torrents().stats());
                System.out.printf("FacilitatorTorrentTest: pieces from the swarm %d, chunks sent %d, uploaded %d%n",
                    s.piecesFromSwarm, s.chunksSent, s.uploadedPayloadBytes);
                assertEquals(0, s.uploadedPayloadBytes);
                LocalSwarm.pollUntil(Duration.ofSeconds(30), "the facilitator's temp dir gone", () -> list(temp).isEmpty());
            }
        }
    }

    private static byte[] downloadTorrent(JvmPeer p, Magnet m) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        CompletableFuture<String> done = new CompletableFuture<>();
        p.loop().execute(() -> p.ordb().downloadTorrent(m, 0, null, new DownloadListener() {
            @Override
            public void onData(long index, byte[] data, byte[][] proof) {
                got.write(data, 0, data.length);
            }

            @Override
            public void onDone(String error) {
                done.complete(error == null ? "ok" : error);
            }
        }));
        assertEquals("ok", done.get(180, TimeUnit.SECONDS));
        return got.toByteArray();
    }

    private static boolean call(JvmPeer p, java.util.concurrent.Callable<Boolean> c) {
        try {
            return p.call(c);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<Path> list(Path dir) {
        try (var s = Files.list(dir)) {
            return s.toList();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
