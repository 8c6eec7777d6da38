package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.crypto.Hashes;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.Download;
import org.onionpeer.ordb.DownloadListener;
import org.onionpeer.ordb.DownloadSource;

/**
 * An ORDB relay vanishing mid-download, on real onion circuits (in-process pipes, virtual time): D fetches
 * 3 MB through 3-hop circuits to o1..o5 (each reaching the hub, where P's circuit ends, through a circuit
 * of its own, as in {@link OrdbCircuitTest}); once a quarter of the file is in, one ORDB D is fetching from
 * disappears, either closing every link it has (and taking no new ones) or going silent with its links
 * left open. The file completes byte-identical from the others, the report names the ORDB dropped with the
 * exact reason, and every chunk was accepted exactly once.
 *
 * <p>The ORDB that vanishes is one that carries no circuit but D's circuit to it (not P's, not another
 * ORDB's finder circuit, not another of D's): otherwise its going would, rightly, drop others too. Which
 * ones qualify depends on the paths, hence a fixed seed by default; {@code -Dordb.vanish.seed=} tries
 * others.
 */
class OrdbVanishTest {
    static final String[] ORDBS = OrdbCircuitTest.ORDBS;
    static final int SIZE = 3_000_000;
    static final Pattern STALLED = Pattern.compile("dropped: stalled: nothing for (\\d+) ms");

    @Test
    void anOrdbClosingAllItsLinksIsDroppedAndTheFileCompletes() {
        String fate = vanish(false);
        assertEquals("dropped: circuit closed", fate);
    }

    @Test
    void anOrdbThatStopsAnsweringIsDroppedAsStalledAndTheFileCompletes() {
        String fate = vanish(true);
        Matcher m = STALLED.matcher(fate);
        assertTrue(m.matches(), fate);
        // Download's stall limit: 1.5 s, or 3 x (round trip + one block's time at its rate) if longer.
        assertTrue(Long.parseLong(m.group(1)) > 1500, fate);
    }

    /** Runs the download, makes one ORDB vanish (silently or not); returns its fate in D's report. */
    private String vanish(boolean silent) {
        long seed = Long.getLong("ordb.vanish.seed", 20261207L);
        System.out.println("[ordb-vanish] seed " + seed + " (-Dordb.vanish.seed=" + seed + " replays), "
                + (silent ? "silent" : "links closed"));
        OrdbNet n = new OrdbNet(seed, 5);
        for (String r : new String[] {"gD", "gP", "gO", "m1", "m2", "m3", "m4", "m5", "m6", "hub"}) {
            n.relay(r);
        }
        n.net.relayBytesPerSecond = 1_000_000;
        for (String o : ORDBS) {
            n.relay(o);
        }
        n.net.relayBytesPerSecond = 0;
        n.sign();
        n.makeOrdb("hub", null, null, null);
        for (String o : ORDBS) {
            n.makeOrdb(o, "gO", "hub", null);
        }

        byte[] file = new byte[SIZE];
        new Random(seed).nextBytes(file);
        Content published = n.publishThroughHub(file);

        List<RelayInfo> ordbs = new ArrayList<>();
        for (String o : ORDBS) {
            ordbs.add(n.info(o));
        }
        OrdbCircuits dOps = n.ops("D", n.client("D"), "gD");
        OrdbCircuitTest.Sink sink = new OrdbCircuitTest.Sink();
        Map<String, Long> chunksWhenDropped = new HashMap<>();
        DownloadListener listener = new DownloadListener() {
            @Override
            public void onData(long index, byte[] data, byte[][] proof) {
                sink.onData(index, data, proof);
            }

            @Override
            public void onDone(String error) {
                sink.onDone(error);
            }

            @Override
            public void onSource(DownloadSource s, String event) {
                if (event.startsWith("dropped") || event.startsWith("banned")) {
                    chunksWhenDropped.put(s.name, s.chunks);
                }
            }
        };
        Random r = new Random(seed);
        Download d = new Download(n.net.sched, r::nextBytes, published.hashName(), dOps.connector(ordbs),
                new Download.Config(), listener);
        d.start();
        long chunks = published.manifest().chunkCount();
        String victim = null;
        long end = n.net.sched.nowMillis() + 300_000;
        while (!d.isDone() && n.net.sched.nowMillis() < end) {
            n.net.sched.advance(50);
            if (victim == null && sink.next >= chunks / 4) {
                victim = pickVictim(n, d, dOps);
                assertNotNull(victim, "seed " + seed + ": every ORDB D fetches from carries other circuits too");
                long sent = source(d, victim).chunks;
                System.out.println("[ordb-vanish] " + victim + " vanishes at chunk " + sink.next + "/" + chunks
                        + ", having sent " + sent + " chunks; D's circuits: " + OrdbCircuitTest.paths(dOps));
                if (silent) {
                    n.net.silenced.add(victim);
                } else {
                    Node gone = n.net.relays.remove(victim).node; // and no new links to it
                    gone.links().closeAll("relay vanished");
                }
            }
        }
        StringBuilder report = new StringBuilder();
        for (DownloadSource s : d.sources()) {
            report.append(String.format("[ordb-vanish]   %-4s %6.2f MB %4d chunks %3d requests %6.0f kB/s  %s%n",
                    s.name, s.bytes / 1e6, s.chunks, s.requests, s.rate, s.fate));
        }
        System.out.print(report);
        System.out.println("[ordb-vanish] done at " + n.net.sched.nowMillis() + " ms virtual; SHA-256 "
                + Bytes.hex(sink.digest()));

        assertNotNull(victim, "the download ended before a quarter of it was in");
        assertNull(sink.error, report.toString());
        assertArrayEquals(Hashes.sha256(file), sink.digest(), "seed " + seed);
        assertEquals(chunks, sink.next, "every chunk handed on, in order (Sink checks the order)");
        long accepted = 0;
        long bytes = 0;
        for (DownloadSource s : d.sources()) {
            accepted += s.chunks;
            bytes += s.bytes;
            if (!s.name.equals(victim)) {
                assertEquals("finished", s.fate, s.name + "\n" + report);
            }
        }
        assertEquals(chunks, accepted, "each chunk accepted exactly once\n" + report);
        assertEquals(SIZE, bytes, "each byte accepted exactly once\n" + report);
        // Only the victim was dropped, and nothing of its was accepted after (cells already on their way
        // when it vanished may still have arrived before the drop).
        assertEquals(Set.of(victim), chunksWhenDropped.keySet(), report.toString());
        DownloadSource v = source(d, victim);
        assertEquals(chunksWhenDropped.get(victim), v.chunks, "nothing from " + victim + " after it was dropped");
        return v.fate;
    }

    /**
     * An ORDB D has an active circuit to, which sent chunks already, and which is on no other circuit (so its
     * vanishing touches only D's circuit to it); null if none.
     */
    private static String pickVictim(OrdbNet n, Download d, OrdbCircuits dOps) {
        for (DownloadSource s : d.sources()) {
            if (!s.fate.equals("active") || s.chunks == 0) {
                continue;
            }
            boolean alone = true;
            for (java.util.Map.Entry<String, OrdbCircuits> e : n.ops.entrySet()) {
                if (e.getKey().equals(s.name)) {
                    continue; // its own circuits go with it
                }
                for (ClientCircuit c : e.getValue().circuits()) {
                    boolean onIt = c.path().stream().anyMatch(h -> h.nickname().equals(s.name));
                    boolean dsOwn = e.getValue() == dOps && c.path().get(2).nickname().equals(s.name);
                    if (onIt && !dsOwn) {
                        alone = false;
                    }
                }
            }
            if (alone) {
                return s.name;
            }
        }
        return null;
    }

    private static DownloadSource source(Download d, String name) {
        DownloadSource found = null;
        for (DownloadSource s : d.sources()) {
            if (s.name.equals(name)) {
                assertNull(found, "one circuit to " + name);
                found = s;
            }
        }
        assertNotNull(found, name);
        return found;
    }
}
