package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.torrent.TorrentBridge;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.DbConnected;
import org.onionpeer.ordb.DbData;
import org.onionpeer.ordb.DbEnd;
import org.onionpeer.ordb.DbQuery;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.LocalLink;
import org.onionpeer.ordb.Manifest;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbMessage;
import org.onionpeer.ordb.OrdbServer;
import org.onionpeer.torrent.Magnet;

/**
 * A facilitator's ORDB server with a {@link TorrentBridge}, asked over {@link LocalLink}s (messages encoded
 * and decoded as on a circuit) for a torrent seeded by aria2c on loopback: the manifest and every chunk,
 * piece by piece with several queries in flight; a torrent nobody seeds; two requesters at once.
 */
@Tag("slow")
class TorrentBridgeTest {
    private static final int PIECE = 256 * 1024;
    private static final int SIZE = 3_000_001; // 12 pieces, the last one short; 184 chunks, the last short
    private static final int PIECES = (SIZE + PIECE - 1) / PIECE;
    private static final int CHUNKS_PER_PIECE = PIECE / Content.CHUNK_SIZE;
    private static final long CHUNKS = (SIZE + Content.CHUNK_SIZE - 1) / Content.CHUNK_SIZE;
    private static final String NOBODY = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    static Path tmp;
    private static LocalSwarm swarm;
    private static byte[] content;
    private static LocalSwarm.Torrent torrent;
    private static LocalSwarm.Seeder seeder;

    @BeforeAll
    static void swarm() throws Exception {
        LocalSwarm.assumeTools();
        long seed = System.nanoTime();
        System.out.println("TorrentBridgeTest: content seed " + seed);
        content = new byte[SIZE];
        new Random(seed).nextBytes(content);
        Path good = Files.createDirectories(tmp.resolve("good"));
        Files.write(good.resolve("clip.webm"), content);
        swarm = new LocalSwarm(tmp.resolve("swarm"));
        torrent = swarm.createTorrent(good.resolve("clip.webm"), PIECE / 1024);
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

    /** A node's loop, its ORDB server and a bridge, as a facilitator wires them. */
    private static final class Facility implements AutoCloseable {
        final EventLoop loop = new EventLoop("bridge-test");
        final TorrentBridge bridge;
        final OrdbServer server = new OrdbServer(new Content.MemoryStore(), null);
        final Path temp;

        Facility(String name, long peerWaitMillis, long idleMillis) throws Exception {
            this(name, peerWaitMillis, idleMillis, true);
        }

        Facility(String name, long peerWaitMillis, long idleMillis, boolean allowPrivateTrackers) throws Exception {
            temp = Files.createDirectories(tmp.resolve(name));
            TorrentBridge.Options o = new TorrentBridge.Options();
            o.tempParent = temp;
            o.listenInterfaces = "127.0.0.1:0";
            o.peerWaitMillis = peerWaitMillis;
            o.idleMillis = idleMillis;
            o.allowPrivateTrackers = allowPrivateTrackers; // the swarm is on 127.0.0.1
            bridge = new TorrentBridge(loop, o, m -> System.out.println("TorrentBridgeTest log: " + m));
            loop.call(() -> {
                server.setTorrentProvider(bridge);
                return null;
            }, 10);
        }

        Asker asker(String name) throws Exception {
            return loop.call(() -> {
                LocalLink[] l = LocalLink.pair(loop, name, "facilitator");
                l[1].setHandler(server.attach(l[1], false));
                Asker a = new Asker(loop, l[0]);
                l[0].setHandler(a);
                return a;
            }, 10);
        }

        TorrentBridge.Stats stats() throws Exception {
            return loop.call(bridge::stats, 10);
        }

        List<Path> tempDirs() {
            try (var s = Files.list(temp)) {
                return s.filter(p -> p.getFileName().toString().startsWith("onionpeer-bt-")).toList();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws Exception {
            loop.close();
            bridge.close();
        }
    }

    /** A requester: one stream per query; a query's future completes with all its answers (DB_END last, if any). */
    private static final class Asker implements OrdbLink.Handler {
        final EventLoop loop;
        final OrdbLink link;
        final Map<Integer, List<OrdbMessage>> got = new HashMap<>();
        final Map<Integer, CompletableFuture<List<OrdbMessage>>> ends = new HashMap<>();
        final Map<Integer, Integer> expect = new HashMap<>();
        int next = 1;

        Asker(EventLoop loop, OrdbLink link) {
            this.loop = loop;
            this.link = link;
        }

        CompletableFuture<List<OrdbMessage>> ask(DbQuery q) {
            CompletableFuture<List<OrdbMessage>> f = new CompletableFuture<>();
            loop.execute(() -> {
                int s = next++;
                got.put(s, new ArrayList<>());
                ends.put(s, f);
                expect.put(s, Math.max(1, q.count()));
                link.send(s, q);
            });
            return f;
        }

        @Override
        public void onMessage(int stream, int command, byte[] body) {
            List<OrdbMessage> l = got.get(stream);
            l.add(OrdbMessage.decode(command, body));
            if (l.get(l.size() - 1) instanceof DbEnd || l.size() == expect.get(stream)) {
                ends.remove(stream).complete(l);
            }
        }

        @Override
        public void onClosed() {
        }
    }

    private static Magnet magnet(String infoHash) {
        return Magnet.parse(swarm.magnet(infoHash));
    }

    /** Asks pieces [first, last] one per query, {@code ahead} queries in flight; returns their bytes in order. */
    private static byte[] fetchPieces(Asker a, Magnet m, int first, int last, int ahead) throws Exception {
        List<CompletableFuture<List<OrdbMessage>>> inFlight = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int asked = first;
        for (int p = first; p <= last; p++) {
            while (asked <= last && asked < p + ahead) {
                long chunk = (long) asked * CHUNKS_PER_PIECE;
                int count = (int) Math.min(CHUNKS_PER_PIECE, CHUNKS - chunk);
                inFlight.add(a.ask(DbQuery.torrent(m, chunk, count, 1)));
                asked++;
            }
            List<OrdbMessage> answers = inFlight.remove(0).get(60, TimeUnit.SECONDS);
            long chunk = (long) p * CHUNKS_PER_PIECE;
            for (OrdbMessage msg : answers) {
                DbData d = assertInstanceOf(DbData.class, msg, () -> "answer to piece query: " + msg);
                assertEquals(chunk++, d.chunk());
                assertEquals(0, d.proof().length);
                out.writeBytes(d.data());
            }
        }
        return out.toByteArray();
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @Test
    void theManifestAndEveryChunkComeFromTheSwarmAndNothingStays() throws Exception {
        Magnet m = magnet(torrent.infoHash());
        try (Facility f = new Facility("one", 20_000, 2_000)) {
            Asker a = f.asker("page");
            long t0 = System.nanoTime();
            List<OrdbMessage> info = a.ask(DbQuery.torrent(m, 0, 0, 1)).get(60, TimeUnit.SECONDS);
            DbConnected c = assertInstanceOf(DbConnected.class, info.get(0));
            Manifest man = c.checkFor(HashName.ofTorrent(HexFormat.of().parseHex(torrent.infoHash())));
            assertEquals(Manifest.TORRENT, man.kind());
            long infoMs = (System.nanoTime() - t0) / 1_000_000;
            fetchPieces(a, m, 0, 0, 1);
            System.out.printf("TorrentBridgeTest: manifest after %d ms, first piece after %d ms%n", infoMs,
                (System.nanoTime() - t0) / 1_000_000);
            byte[] got = fetchPieces(a, m, 0, PIECES - 1, 5);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertArrayEquals(sha256(content), sha256(got), "the reassembled file");
            List<OrdbMessage> beyond = a.ask(DbQuery.torrent(m, CHUNKS, 1, 1)).get(10, TimeUnit.SECONDS);
            assertEquals(List.of(DbEnd.REFUSED), beyond.stream().map(x -> ((DbEnd) x).reason()).toList());
            TorrentBridge.Stats s = f.stats();
            System.out.printf("TorrentBridgeTest: %d bytes in %d ms; pieces from the swarm %d, in %d, chunks sent %d,"
                + " downloaded %d, uploaded %d%n", SIZE, ms, s.piecesFromSwarm, s.piecesIn, s.chunksSent,
                s.downloadedPayloadBytes, s.uploadedPayloadBytes);
            assertEquals(CHUNKS + CHUNKS_PER_PIECE, s.chunksSent, "every chunk once, the first piece twice");
            assertEquals(0, s.uploadedPayloadBytes, "payload bytes uploaded to the swarm");
            assertEquals(1, f.tempDirs().size(), "one temp dir while the torrent is open");
            // Idle for 2 s, the torrent is removed with its temp dir.
            LocalSwarm.pollUntil(Duration.ofSeconds(20), "the idle torrent removed, its temp dir gone",
                () -> f.tempDirs().isEmpty());
            TorrentBridge.Stats after = f.stats();
            assertEquals(0, after.torrentsOpen);
            assertEquals(0, after.cachedBytes);
            assertEquals(0, after.uploadedPayloadBytes);
        }
        assertEquals(0, LocalSwarm.received(seeder, "piece"), "piece messages the seeder got from us");
    }

    @Test
    void aTorrentNobodySeedsIsUnavailableInBoundedTime() throws Exception {
        try (Facility f = new Facility("nobody", 3_000, 60_000)) {
            Asker a = f.asker("page");
            long t0 = System.nanoTime();
            List<OrdbMessage> answers = a.ask(DbQuery.torrent(magnet(NOBODY), 0, 0, 1)).get(20, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("TorrentBridgeTest: nobody seeds, UNAVAILABLE after " + ms + " ms");
            assertEquals(1, answers.size());
            assertEquals(DbEnd.UNAVAILABLE, ((DbEnd) answers.get(0)).reason());
            assertTrue(ms >= 3_000 && ms < 10_000, "ended after " + ms + " ms");
            assertEquals("no peer in the swarm has this torrent after 3 s", f.loop.call(f.bridge::lastError, 10));
            assertEquals(0, f.stats().torrentsOpen);
            LocalSwarm.pollUntil(Duration.ofSeconds(10), "its temp dir gone", () -> f.tempDirs().isEmpty());
        }
    }

    /** By default a facilitator contacts no tracker on a private or loopback address (the query names them). */
    @Test
    void aLoopbackTrackerIsRefusedUnlessAllowed() throws Exception {
        try (Facility f = new Facility("private", 3_000, 60_000, false)) {
            Asker a = f.asker("page");
            List<OrdbMessage> answers = a.ask(DbQuery.torrent(magnet(torrent.infoHash()), 0, 0, 1)).get(20, TimeUnit.SECONDS);
            assertEquals(1, answers.size());
            assertEquals(DbEnd.UNAVAILABLE, ((DbEnd) answers.get(0)).reason());
            assertEquals("no tracker this facilitator may contact (private and loopback addresses are refused)",
                f.loop.call(f.bridge::lastError, 10));
            assertEquals(0, f.stats().torrentsOpened);
        }
    }

    @Test
    void twoRequestersOfOverlappingRangesShareEachPieceFetchedOnce() throws Exception {
        Magnet m = magnet(torrent.infoHash());
        try (Facility f = new Facility("two", 20_000, 60_000)) {
            Asker a = f.asker("page-a");
            Asker b = f.asker("page-b");
            CompletableFuture<byte[]> fa = CompletableFuture.supplyAsync(() -> fetch(a, m, 0, 7));
            CompletableFuture<byte[]> fb = CompletableFuture.supplyAsync(() -> fetch(b, m, 3, PIECES - 1));
            byte[] ga = fa.get(120, TimeUnit.SECONDS);
            byte[] gb = fb.get(120, TimeUnit.SECONDS);
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 0, 8 * PIECE), ga);
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 3 * PIECE, SIZE), gb);
            TorrentBridge.Stats s = f.stats();
            System.out.printf("TorrentBridgeTest: two requesters; torrents opened %d, pieces from the swarm %d"
                + " (of %d), in %d, cache hits %d, downloaded %d, uploaded %d%n", s.torrentsOpened, s.piecesFromSwarm,
                PIECES, s.piecesIn, s.cacheHits, s.downloadedPayloadBytes, s.uploadedPayloadBytes);
            assertEquals(1, s.torrentsOpened, "one libtorrent torrent for both");
            assertEquals(PIECES, s.piecesFromSwarm, "each piece fetched from the swarm once");
            assertEquals(PIECES, s.piecesIn, "each piece handed over once (the cache served the overlap)");
            assertEquals(0, s.uploadedPayloadBytes);
        }
    }

    @Test
    void anAskerThatLeavesLeavesNothingBehind() throws Exception {
        Magnet m = magnet(torrent.infoHash());
        try (Facility f = new Facility("gone", 20_000, 1_000)) {
            Asker a = f.asker("page");
            CompletableFuture<List<OrdbMessage>> q = a.ask(DbQuery.torrent(m, 5L * CHUNKS_PER_PIECE, CHUNKS_PER_PIECE, 1));
            LocalSwarm.pollUntil(Duration.ofSeconds(10), "the query waits at the bridge", () -> waiting(f) == 1);
            f.loop.execute(a.link::close); // the circuit closes before the swarm gave anything
            // Once the metadata comes the query is dropped unanswered; idle, the torrent and its temp dir go.
            LocalSwarm.pollUntil(Duration.ofSeconds(60), "the torrent removed, its temp dir gone",
                () -> waiting(f) == 0 && f.tempDirs().isEmpty() && open(f) == 0);
            TorrentBridge.Stats s = f.stats();
            System.out.printf("TorrentBridgeTest: asker gone; waiting %d, cached %d bytes, chunks sent %d, pieces from"
                + " the swarm %d%n", s.waiting, s.cachedBytes, s.chunksSent, s.piecesFromSwarm);
            assertEquals(0, s.cachedBytes);
            assertEquals(0, s.chunksSent);
            // libtorrent starts with every file ignored, so nothing is fetched before a query wants it.
            assertEquals(0, s.piecesFromSwarm, "pieces fetched for nobody");
            assertTrue(!q.isDone(), "nothing was answered to a closed circuit");
        }
    }

    private static int waiting(Facility f) {
        try {
            return f.stats().waiting;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int open(Facility f) {
        try {
            return f.stats().torrentsOpen;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] fetch(Asker a, Magnet m, int first, int last) {
        try {
            return fetchPieces(a, m, first, last, 4);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
