package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Hashes;
import org.onionpeer.platform.Entropy;

/**
 * The proof of issue 10 on the JVM: a 50 MB file from one publisher, fetched through 5 ORDBs of which one
 * tampers and one vanishes, byte-identical; 5 rate-limited circuits against 1; a slow circuit replaced.
 * Virtual time (ManualScheduler), simulated latency and rate limits.
 */
class OrdbSimulationTest {
    static final int CHUNK = 16384;

    static Entropy entropy(long seed) {
        Random r = new Random(seed);
        return r::nextBytes;
    }

    static byte[] data(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Flips one bit in the data of the {@code nth} DB_DATA this end relays. */
    static SimNet.Tamper flipNth(int nth) {
        int[] seen = {0};
        return (command, body) -> {
            if (command == OrdbMessage.DB_DATA && ++seen[0] == nth) {
                byte[] b = body.clone();
                b[b.length - 1] ^= 1;
                return b;
            }
            return body;
        };
    }

    @Test
    void fiftyMegabytesThroughFiveOrdbsOneTamperingOneVanishing() {
        long seed = Long.getLong("ordb.sim.seed", System.nanoTime());
        System.out.println("[ordb-sim] seed " + seed + " (-Dordb.sim.seed=" + seed + " replays)");
        byte[] file = data(seed, 50_000_000);
        Swarm sw = new Swarm(file, CHUNK, 5, 40, 8000, 1000);
        sw.tamperers.put("ORDB3", flipNth(50));
        sw.scheduler.schedule(3000, () -> sw.vanish("ORDB4"));
        Swarm.Sink sink = new Swarm.Sink(sw.scheduler);
        long t0 = sw.scheduler.nowMillis();
        Download d = new Download(sw.scheduler, entropy(seed), sw.hashName(), sw.connector, new Download.Config(), sink);
        d.start();
        sw.run(d, 600_000);
        long took = sink.doneAt - t0;
        String report = Swarm.report(d);
        System.out.println("[ordb-sim] 50 MB (" + sw.published.manifest().chunkCount() + " chunks of 16 KiB), 5 ORDBs"
                + " at 1000 kB/s each towards D, 40 ms per hop; ORDB3 flips a bit in its 50th chunk, ORDB4 vanishes at 3 s");
        System.out.print(report);
        for (String e : sink.events) {
            System.out.println("[ordb-sim]   " + e);
        }
        System.out.println("[ordb-sim] done in " + took + " ms virtual: " + (long) (file.length / (double) took)
                + " kB/s; SHA-256 " + org.onionpeer.bytes.Bytes.hex(sink.digest()));
        assertNull(sink.error, report);
        assertArrayEquals(Hashes.sha256(file), sink.digest(), "seed " + seed);
        assertEquals(sw.published.manifest().chunkCount(), sink.held.held());
        long sum = 0;
        for (DownloadSource s : d.sources()) {
            sum += s.bytes;
            if (s.name.equals("ORDB3")) {
                assertTrue(s.fate.startsWith("banned: chunk ") && s.fate.endsWith(MerkleTree.BAD_PROOF), s.fate);
            } else if (s.name.equals("ORDB4")) {
                assertTrue(s.fate.startsWith("dropped: stalled"), s.fate);
                assertTrue(s.bytes > 0, "ORDB4 served before it vanished");
            } else {
                assertEquals("finished", s.fate, s.name);
            }
        }
        assertEquals(file.length, sum, "every byte accepted exactly once, none from the banned chunk");
    }

    private static long timeWith(int sources, byte[] file, long seed) {
        Swarm sw = new Swarm(file, CHUNK, 5, 50, 20000, 500);
        Download.Config c = new Download.Config();
        c.sources = sources;
        Swarm.Sink sink = new Swarm.Sink(sw.scheduler);
        long t0 = sw.scheduler.nowMillis();
        Download d = new Download(sw.scheduler, entropy(seed), sw.hashName(), sw.connector, c, sink);
        d.start();
        sw.run(d, 600_000);
        assertNull(sink.error);
        assertArrayEquals(Hashes.sha256(file), sink.digest());
        System.out.println("[ordb-sim] " + sources + " circuit(s), 8 MB, 500 kB/s each:");
        System.out.print(Swarm.report(d));
        return sink.doneAt - t0;
    }

    @Test
    void fiveRateLimitedCircuitsGiveAtLeast3Point5TimesOne() {
        long seed = 11;
        byte[] file = data(seed, 8_000_000);
        long one = timeWith(1, file, seed);
        long five = timeWith(5, file, seed);
        double ratio = (double) one / five;
        System.out.println("[ordb-sim] 8 MB, every ORDB->D circuit limited to 500 kB/s, 50 ms per hop: 1 circuit "
                + one + " ms (" + file.length / one + " kB/s), 5 circuits " + five + " ms (" + file.length / five
                + " kB/s): " + String.format("%.2f", ratio) + "x");
        assertTrue(ratio >= 3.5, "5 circuits only " + ratio + "x faster than 1");
    }

    @Test
    void aSlowCircuitIsReplaced() {
        long seed = 5;
        byte[] file = data(seed, 6_000_000);
        Swarm sw = new Swarm(file, CHUNK, 6, 30, 20000, 800);
        sw.downRate.put("ORDB2", 60.0);
        Swarm.Sink sink = new Swarm.Sink(sw.scheduler);
        Download d = new Download(sw.scheduler, entropy(seed), sw.hashName(), sw.connector, new Download.Config(), sink);
        d.start();
        sw.run(d, 600_000);
        System.out.println("[ordb-sim] 6 MB, 6 ORDBs at 800 kB/s but ORDB2 at 60 kB/s; 5 circuits: done in "
                + sink.doneAt + " ms virtual");
        System.out.print(Swarm.report(d));
        assertNull(sink.error);
        assertArrayEquals(Hashes.sha256(file), sink.digest());
        DownloadSource slow = d.sources().get(1);
        assertEquals("ORDB2", slow.name);
        assertTrue(slow.fate.startsWith("dropped: slow"), slow.fate);
        assertTrue(d.sources().stream().anyMatch(s -> s.name.equals("ORDB6") && s.bytes > 0), "the spare took over");
    }

    @Test
    void theDownloaderServesOthersOnceThePublisherIsGone() {
        long seed = 9;
        byte[] file = data(seed, 3_000_000);
        Swarm sw = new Swarm(file, CHUNK, 5, 30, 20000, 1000);
        Swarm.Sink first = new Swarm.Sink(sw.scheduler);
        Download d = new Download(sw.scheduler, entropy(seed), sw.hashName(), sw.connector, new Download.Config(), first);
        d.start();
        sw.run(d, 600_000);
        assertNull(first.error);
        // B (the first downloader) holds every chunk, verified: it links to the ORDBs and says so; A leaves.
        Content.MemoryStore store = new Content.MemoryStore();
        store.add(first.held);
        OrdbServer b = new OrdbServer(store, null);
        for (java.util.Map.Entry<String, OrdbServer> e : sw.ordbs.entrySet()) {
            SimNet.End[] l = sw.net.pair("B", e.getKey(), 30, 20000, 20000);
            l[0].handler = b.attach(l[0], true);
            l[1].handler = e.getValue().attach(l[1], true);
        }
        assertEquals(DbInfo.P100, first.held.level());
        b.advertise(sw.hashName(), first.held.level(), false);
        sw.publisherLeaves();
        sw.scheduler.advance(100);
        Swarm.Sink second = new Swarm.Sink(sw.scheduler);
        long t0 = sw.scheduler.nowMillis();
        Download c = new Download(sw.scheduler, entropy(seed + 1), sw.hashName(), sw.connector, new Download.Config(),
                second);
        c.start();
        sw.run(c, 600_000);
        assertNull(second.error, Swarm.report(c));
        assertArrayEquals(Hashes.sha256(file), second.digest());
        assertEquals(sw.published.manifest().chunkCount(), b.stats().servedChunks, "all of it from B");
        System.out.println("[ordb-sim] C fetched 3 MB from B through 5 ORDBs after the publisher left, in "
                + (second.doneAt - t0) + " ms virtual");
    }
}
