package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.testing.ManualScheduler;

/**
 * Live streams on the JVM: a publisher producing at a varying rate, windows flushed every second, served
 * through 2 ORDBs (SimNet, virtual time) to a downloader joining mid-stream. Seeds are printed;
 * -Dordb.live.seed= replays one.
 */
class LiveStreamTest {
    static long seed() {
        long seed = Long.getLong("ordb.live.seed", System.nanoTime());
        System.out.println("[ordb-live] seed " + seed + " (-Dordb.live.seed=" + seed + " replays)");
        return seed;
    }

    static LiveDownload.Config config() {
        LiveDownload.Config c = new LiveDownload.Config();
        c.sources = 2;
        c.stallMillis = 3000; // the publisher holds a query 2 s; windows close every second
        return c;
    }

    static LiveDownload join(LiveSwarm sw, long seed, LiveSwarm.Player player) {
        java.util.Random r = new java.util.Random(seed + 1);
        LiveDownload d = new LiveDownload(sw.scheduler, r::nextBytes, sw.manifest.hashName(), sw.connector, config(),
                player);
        d.start();
        return d;
    }

    /** What the player played after its last skip is exactly what was produced from that window on. */
    static void assertContiguous(LiveSwarm sw, LiveSwarm.Player p, String why) {
        byte[] got = p.sinceSkip.toByteArray();
        long window = p.sinceSkipChunk / LiveSwarm.WINDOW;
        Long offset = sw.windowStart.get(window);
        assertTrue(offset != null, "window " + window + " was published");
        assertTrue(got.length > 0, why);
        assertArrayEquals(sw.producedFrom(offset, got.length), got, why);
    }

    static String report(LiveDownload d) {
        StringBuilder b = new StringBuilder();
        for (DownloadSource s : d.sources()) {
            b.append(String.format("[ordb-live]   %-6s %7d bytes %4d chunks %4d requests  %s%n", s.name, s.bytes,
                    s.chunks, s.requests, s.fate));
        }
        return b.toString();
    }

    @Test
    void aDownloaderJoiningMidStreamPlaysTheInitThenEveryByteFromItsJoinPoint() {
        long seed = seed();
        LiveSwarm sw = new LiveSwarm(seed, 2);
        sw.produce(10_000);
        LiveSwarm.Player p = new LiveSwarm.Player(sw.scheduler);
        LiveDownload d = join(sw, seed, p);
        sw.produce(10_000);
        // ORDB1's circuit to D closes: D reconnects through the connector and goes on
        sw.ordbEndToD.get("ORDB1").close();
        sw.produce(10_000);
        System.out.println("[ordb-live] joined at chunk " + p.firstChunk + ", played " + p.bytes.size()
                + " bytes of " + sw.produced.size() + " produced; next window " + d.nextWindow());
        System.out.print(report(d));
        p.events.forEach(e -> System.out.println("[ordb-live]   " + e));
        assertArrayEquals(sw.init, p.init, "the init segment first");
        assertTrue(p.firstChunk >= 9 * LiveSwarm.WINDOW, "joined mid-stream at the edge: chunk " + p.firstChunk);
        assertEquals(List.of(), p.skips);
        assertContiguous(sw, p, "seed " + seed);
        long playedTo = sw.windowStart.get(p.firstChunk / LiveSwarm.WINDOW) + p.bytes.size();
        assertTrue(sw.publishedBytes - playedTo < 3 * 8192, "D keeps up with the edge: " + (sw.publishedBytes - playedTo));
        assertTrue(d.sources().stream().anyMatch(s -> s.fate.equals("dropped: circuit closed")), report(d));
        assertTrue(d.sources().stream().noneMatch(DownloadSource::banned), report(d));
        assertTrue(d.heldWindows() <= LivePublisher.KEEP);
    }

    @Test
    void thePublisherKeepsOnlyFourWindowsAndTheInit() {
        long seed = seed();
        LiveSwarm sw = new LiveSwarm(seed, 1);
        sw.produce(30_000);
        System.out.println("[ordb-live] 30 s: " + sw.publisher.nextToPublish() + " windows, at most " + sw.maxKept
                + " kept, at most " + sw.maxHeldChunks + " chunks held");
        assertTrue(sw.publisher.nextToPublish() > 25);
        assertEquals(LivePublisher.KEEP, sw.maxKept);
        assertTrue(sw.maxHeldChunks <= (LivePublisher.KEEP + 1) * LiveSwarm.WINDOW + 3, "held " + sw.maxHeldChunks);
        assertEquals(null, sw.publisher.window(sw.publisher.oldestKept() - 1));
        assertTrue(sw.publisher.window(0) != null, "the init is kept for ever");
        assertEquals(sw.publisher.nextToPublish() - LivePublisher.KEEP, sw.publisher.oldestKept());
    }

    @Test
    void aTamperedChunkIsRefusedAndItsOrdbBanned() {
        long seed = seed();
        LiveSwarm sw = new LiveSwarm(seed, 2);
        long[] tampered = {-1};
        sw.tamperers.put("ORDB1", (command, body) -> {
            if (command != OrdbMessage.DB_DATA || tampered[0] >= 0) {
                return body;
            }
            ByteReader r = new ByteReader(body);
            long chunk = r.u32();
            if (chunk < LiveSwarm.WINDOW) {
                return body; // a media chunk, not the init's
            }
            r.u8();
            int proof = r.u8();
            byte[] b = body.clone();
            b[4 + 1 + 1 + 32 * proof + 4] ^= 1; // the chunk's first byte
            tampered[0] = chunk;
            return b;
        });
        sw.produce(5_000);
        LiveSwarm.Player p = new LiveSwarm.Player(sw.scheduler);
        LiveDownload d = join(sw, seed, p);
        sw.produce(10_000);
        System.out.print(report(d));
        DownloadSource o1 = d.sources().stream().filter(s -> s.name.equals("ORDB1")).findFirst().get();
        assertEquals("banned: chunk " + tampered[0] + ": " + MerkleTree.BAD_PROOF, o1.fate);
        assertEquals(1, d.sources().stream().filter(s -> s.name.equals("ORDB1")).count(), "never asked again");
        assertArrayEquals(sw.init, p.init);
        assertEquals(List.of(), p.skips);
        assertContiguous(sw, p, "played on from ORDB2, seed " + seed);
    }

    @Test
    void aForgedWindowSignatureIsRefusedAndItsOrdbBanned() {
        long seed = seed();
        LiveSwarm sw = new LiveSwarm(seed, 2);
        long[] forged = {-1};
        sw.tamperers.put("ORDB1", (command, body) -> {
            if (command != OrdbMessage.DB_DATA || forged[0] >= 0 || (body[4] & DbData.WINDOW_FLAG) == 0
                    || new ByteReader(body).u32() < LiveSwarm.WINDOW) {
                return body; // a media window, not the init's
            }
            byte[] b = body.clone();
            b[b.length - 1] ^= 1; // the window's signature's last byte
            forged[0] = LiveWindow.decode(java.util.Arrays.copyOfRange(b, b.length - LiveWindow.LENGTH, b.length)).window();
            return b;
        });
        sw.produce(5_000);
        LiveSwarm.Player p = new LiveSwarm.Player(sw.scheduler);
        LiveDownload d = join(sw, seed, p);
        sw.produce(10_000);
        System.out.print(report(d));
        DownloadSource o1 = d.sources().stream().filter(s -> s.name.equals("ORDB1")).findFirst().get();
        assertEquals("banned: window " + forged[0] + ": " + LiveWindow.BAD_SIGNATURE, o1.fate);
        assertArrayEquals(sw.init, p.init);
        assertContiguous(sw, p, "seed " + seed);
    }

    @Test
    void aForgedLatestWindowInTheFirstAnswerIsRefusedAndTheNextOrdbGivesTheJoinPoint() {
        long seed = seed();
        LiveSwarm sw = new LiveSwarm(seed, 2);
        long[] forged = {-1};
        sw.tamperers.put("ORDB1", (command, body) -> {
            if (command != OrdbMessage.DB_CONNECTED) {
                return body;
            }
            byte[] b = body.clone();
            b[b.length - 1] ^= 1;
            forged[0] = LiveWindow.decode(java.util.Arrays.copyOfRange(b, b.length - LiveWindow.LENGTH, b.length)).window();
            return b;
        });
        sw.produce(5_000);
        LiveSwarm.Player p = new LiveSwarm.Player(sw.scheduler);
        LiveDownload d = join(sw, seed, p);
        sw.produce(5_000);
        System.out.print(report(d));
        assertEquals("banned: window " + forged[0] + ": " + LiveWindow.BAD_SIGNATURE, d.sources().get(0).fate);
        assertArrayEquals(sw.init, p.init);
        assertContiguous(sw, p, "seed " + seed);
    }

    @Test
    void aDownloaderStalledForMoreThanFourWindowsSkipsAheadAndSaysSo() {
        long seed = seed();
        LiveSwarm sw = new LiveSwarm(seed, 2);
        sw.produce(5_000);
        LiveSwarm.Player p = new LiveSwarm.Player(sw.scheduler);
        LiveDownload d = join(sw, seed, p);
        sw.produce(5_000);
        long playedBefore = p.bytes.size();
        long stuckAt = d.nextWindow();
        sw.cutDownloader();
        sw.produce(7_000);
        sw.reconnect();
        sw.produce(8_000);
        System.out.println("[ordb-live] cut at window " + stuckAt + " for 7 s; skips " + p.skips);
        System.out.print(report(d));
        p.events.forEach(e -> System.out.println("[ordb-live]   " + e));
        assertTrue(playedBefore > 0);
        assertEquals(1, p.skips.size(), p.skips.toString());
        String skip = p.skips.get(0);
        long to = p.sinceSkipChunk / LiveSwarm.WINDOW;
        long from = Long.parseLong(skip.substring(0, skip.indexOf('.'))) / LiveSwarm.WINDOW;
        assertEquals(from * LiveSwarm.WINDOW + ".." + to * LiveSwarm.WINDOW + ": fell behind: window " + from
                + " is older than the 4 kept, live edge at window " + to, skip);
        assertTrue(to - from >= LivePublisher.KEEP, skip);
        assertTrue(d.skippedChunks() >= LivePublisher.KEEP * LiveSwarm.WINDOW);
        assertContiguous(sw, p, "after the skip, seed " + seed);
        assertTrue(d.heldWindows() <= LivePublisher.KEEP);
    }

    /**
     * Every ORDB D plays from leaves (their tabs closed) and the connector D started with knows no other: D looks
     * for sources again (1, 2, 4, then every 8 s) and plays on from the live edge through the one its lookup
     * finds, saying it skipped. The same loss with lookups that find nobody ends with what was tried.
     */
    @Test
    void aDownloaderWhoseOrdbsAllLeaveLooksForOthersAndPlaysOnFromTheEdge() {
        long seed = seed();
        LiveSwarm sw = new LiveSwarm(seed, 3);
        sw.produce(5_000);
        LiveSwarm.Player p = new LiveSwarm.Player(sw.scheduler);
        LiveDownload d = new LiveDownload(sw.scheduler, new java.util.Random(seed + 1)::nextBytes,
                sw.manifest.hashName(), sw.connectorTo(java.util.Set.of("ORDB1", "ORDB2")), config(), p);
        List<Long> looked = new ArrayList<>();
        boolean[] found = {false};
        d.setFinder(use -> {
            looked.add(sw.scheduler.nowMillis());
            use.accept(found[0] ? sw.connectorTo(java.util.Set.of("ORDB3")) : null); // the DHT names ORDB3 late
        });
        d.start();
        sw.produce(5_000);
        long playedBefore = p.bytes.size();
        sw.leave("ORDB1");
        sw.leave("ORDB2");
        long leftAt = sw.scheduler.nowMillis();
        sw.produce(8_000);
        found[0] = true;
        sw.produce(10_000);
        System.out.print(report(d));
        p.events.forEach(e -> System.out.println("[ordb-live]   " + e));
        System.out.println("[ordb-live] looked again at " + looked + " (left at " + leftAt + ")");
        assertTrue(playedBefore > 0);
        assertEquals(leftAt + sw.latency, looked.get(0), "the first lookup as soon as the last circuit closed");
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < looked.size(); i++) {
            gaps.add(looked.get(i) - looked.get(i - 1));
        }
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L), gaps.subList(0, 4), "backoff " + gaps);
        assertTrue(d.sources().stream().anyMatch(s -> s.name.equals("ORDB3") && s.chunks > 0), report(d));
        assertEquals(1, p.skips.size(), p.skips.toString());
        assertContiguous(sw, p, "played on from ORDB3 after the skip, seed " + seed);
        assertEquals(false, d.isDone(), p.error);

        LiveSwarm alone = new LiveSwarm(seed, 1);
        alone.produce(3_000);
        LiveSwarm.Player q = new LiveSwarm.Player(alone.scheduler);
        LiveDownload e = new LiveDownload(alone.scheduler, new java.util.Random(seed)::nextBytes,
                alone.manifest.hashName(), alone.connector, config(), q);
        e.setFinder(use -> use.accept(null));
        e.start();
        alone.produce(3_000);
        alone.leave("ORDB1");
        alone.produce(70_000);
        assertEquals("no ORDB left to ask: every source dropped, and looking for sources 10 times over 60 s found"
                + " none that answered", q.error);
    }

    @Test
    void aSignerAnsweringLaterPublishesInOrder() {
        ManualScheduler s = new ManualScheduler();
        Ed25519.KeyPair key = Ed25519.fromSeed(new byte[32]);
        Manifest m = Manifest.live(64, 4, key.publicKey(), new byte[0], "video/webm");
        List<Runnable> later = new ArrayList<>();
        LivePublisher pub = new LivePublisher(s, m, (tbs, out) -> later.add(() -> out.accept(key.sign(tbs))));
        List<Long> order = new ArrayList<>();
        pub.addListener(w -> order.add(w.window.window()));
        pub.setInit(new byte[100]);
        pub.append(new byte[300]); // 4 full chunks close window 1; 44 bytes wait
        pub.flush(); // window 2: one short chunk
        assertEquals(3, later.size());
        later.get(2).run();
        later.get(1).run();
        assertEquals(List.of(), order, "window 2 waits for 1, which waits for 0");
        later.get(0).run();
        assertEquals(List.of(0L, 1L, 2L), order);
        assertEquals(2, pub.init().window.count());
        assertEquals(44, pub.window(2).chunk(0).length);

        // a signer that stalls: at most KEEP windows wait for it besides the init, the oldest are dropped
        later.clear();
        order.clear();
        LivePublisher slow = new LivePublisher(s, m, (tbs, out) -> later.add(() -> out.accept(key.sign(tbs))));
        slow.addListener(w -> order.add(w.window.window()));
        slow.setInit(new byte[100]);
        slow.append(new byte[10 * 4 * 64]); // windows 1..10
        assertEquals(6, slow.droppedUnsigned());
        assertEquals(2 + LivePublisher.KEEP * 4, slow.heldChunks());
        later.forEach(Runnable::run);
        assertEquals(List.of(0L, 7L, 8L, 9L, 10L), order);
        LivePublisher wrong = new LivePublisher(s, m, LivePublisher.signer(Ed25519.fromSeed(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            30, 31, 32})));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> wrong.setInit(new byte[1]));
        assertEquals("the signer does not sign with the stream's key: " + LiveWindow.BAD_SIGNATURE, e.getMessage());
    }
}
