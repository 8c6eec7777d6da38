package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Hashes;

/**
 * A download whose sources are all gone looks for sources again instead of ending (virtual time): circuits
 * that never get built (silent until {@link Download.Config#connectMillis}, as just after the bridge
 * restarted), ORDBs that vanish mid-download and come back, a source found only by a later lookup; what was
 * verified is kept and never asked again, a liar stays banned, and a download nobody comes back to ends
 * within its bound, saying what happened.
 */
class DownloadRecoveryTest {
    static final int CHUNK = 16384;
    static final byte[] FILE = new byte[600_000];

    static {
        new Random(5).nextBytes(FILE);
    }

    final Swarm sw = new Swarm(FILE, CHUNK, 3, 20, 5000, 500);
    final Swarm.Sink sink = new Swarm.Sink(sw.scheduler);

    /**
     * A circuit to the first ORDB not avoided that is never built: what is sent on it is lost and it never
     * closes, so only the download's connect limit ends it.
     */
    OrdbLink silent(Set<String> avoid, OrdbLink.Handler handler) {
        for (String name : sw.ordbs.keySet()) {
            if (!avoid.contains(name)) {
                SimNet.End[] l = sw.net.pair("D", name, 20, 5000, 500);
                l[0].handler = handler; // l[1] has no handler: nothing arrives, nothing answers
                return l[0];
            }
        }
        return null;
    }

    Download start(OrdbLink.Connector c, Download.Config config) {
        Download d = new Download(sw.scheduler, OrdbSimulationTest.entropy(2), sw.hashName(), c, config, sink);
        d.start();
        return d;
    }

    void assertWholeFileOnce(Download d) {
        assertNull(sink.error, Swarm.report(d) + String.join("\n", sink.events));
        assertArrayEquals(Hashes.sha256(FILE), sink.digest());
        long accepted = 0;
        for (DownloadSource s : d.sources()) {
            accepted += s.chunks;
        }
        assertEquals(sw.published.manifest().chunkCount(), accepted, "every chunk accepted exactly once\n"
                + Swarm.report(d));
    }

    @Test
    void circuitsThatAllStallWhileBeingBuiltAreAskedAgainAndTheDownloadCompletes() {
        boolean[] built = {false};
        OrdbLink.Connector c = (avoid, h) -> built[0] ? sw.connector.open(avoid, h) : silent(avoid, h);
        sw.scheduler.schedule(15_000, () -> built[0] = true); // after the first round, before the second
        long t0 = sw.scheduler.nowMillis();
        Download d = start(c, new Download.Config());
        sw.run(d, 120_000);
        assertWholeFileOnce(d);
        String report = Swarm.report(d);
        assertTrue(report.contains("dropped: stalled: nothing for 10"), report);
        // 3 ORDBs stalled twice (at 10 s, and again after the 1 s wait), then answered after the 2 s wait.
        assertEquals(9, d.sources().size(), report);
        assertTrue(sink.doneAt - t0 < 30_000, "done at " + (sink.doneAt - t0) + " ms");
    }

    @Test
    void whatWasVerifiedBeforeEverySourceVanishedIsKeptAndALiarStaysBanned() {
        sw.tamperers.put("ORDB3", OrdbSimulationTest.flipNth(2));
        Download d = start(sw.connector, new Download.Config());
        while (sink.bytes < FILE.length / 4 && !d.isDone()) {
            sw.scheduler.advance(10);
        }
        assertTrue(Swarm.report(d).contains("ORDB3") && d.sources().get(2).banned(), Swarm.report(d));
        long kept = sink.bytes;
        sw.vanish("ORDB1");
        sw.vanish("ORDB2");
        sw.scheduler.advance(5_000);
        assertEquals("not done", sink.error, "still looking for sources\n" + String.join("\n", sink.events));
        assertEquals(kept, sink.bytes);
        for (String n : new String[] {"ORDB1", "ORDB2"}) {
            for (SimNet.End e : sw.endsOf.get(n)) {
                e.dead = false; // back: a new circuit reaches it
            }
        }
        sw.run(d, 120_000);
        assertWholeFileOnce(d);
        int liars = 0;
        int firsts = 0;
        for (DownloadSource s : d.sources()) {
            liars += s.name.equals("ORDB3") ? 1 : 0;
            firsts += s.name.equals("ORDB1") ? 1 : 0;
        }
        assertEquals(1, liars, "the banned ORDB is never asked again\n" + Swarm.report(d));
        assertEquals(2, firsts, "ORDB1, dropped when it vanished, is asked again\n" + Swarm.report(d));
    }

    @Test
    void whenNoSourceComesBackTheDownloadEndsWithinItsBoundAndSaysSo() {
        Download.Config config = new Download.Config();
        long t0 = sw.scheduler.nowMillis();
        Download d = start(this::silent, config);
        sw.run(d, 300_000);
        assertEquals("no ORDB left to ask: every source stalled or dropped, and looking for sources 4 more times"
                + " over 56 s brought none that sent data (last: dropped: stalled: nothing for 10375 ms)",
                sink.error, Swarm.report(d));
        // The documented bound: the first circuits' connect limit, then per round its wait and connect limit.
        long bound = 5 * (config.connectMillis + config.stallMillis / 4) + 1_000 + 2_000 + 4_000 + 8_000;
        assertTrue(sink.doneAt - t0 <= bound, "ended at " + (sink.doneAt - t0) + " ms, bound " + bound);
        assertEquals(15, d.sources().size(), "3 ORDBs, asked 5 times\n" + Swarm.report(d));
    }

    /** A new lookup finds what the first did not: the first finds nothing, the second a source that answers. */
    @Test
    void aSourceFoundByLookingAgainFinishesTheDownload() {
        int[] lookups = {0};
        Download d = new Download(sw.scheduler, OrdbSimulationTest.entropy(2), sw.hashName(), this::silent,
                new Download.Config(), sink);
        d.setFinder(found -> sw.scheduler.schedule(300, () -> found.accept(++lookups[0] < 2 ? null : sw.connector)));
        d.start();
        sw.run(d, 120_000);
        assertWholeFileOnce(d);
        assertEquals(2, lookups[0]);
    }
}
