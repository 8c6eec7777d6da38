package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.crypto.Hashes;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.Download;
import org.onionpeer.ordb.DownloadListener;
import org.onionpeer.ordb.DownloadSource;
import org.onionpeer.ordb.MerkleTree;

/**
 * ORDB over real onion circuits on the in-process network (pipes, ntor, relay crypto, SENDMEs), virtual
 * time: publisher P shares a file with ORDB "hub" through its own 3-hop circuit; downloader D fetches it
 * through 3-hop circuits to 5 ORDBs o1..o5, each of which reaches the hub through a 3-hop circuit of its
 * own (found by its finder). Each ORDB relays at most 1 MB/s (RelayPacer). o3 flips a bit in the 10th chunk it relays and is banned.
 *
 * <pre>
 *   D -> gD -> x -> o_i      o_i -> gO -> y -> hub      P -> gP -> z -> hub      (x, y, z: any other relays)
 * </pre>
 */
class OrdbCircuitTest {
    static final String[] ORDBS = {"o1", "o2", "o3", "o4", "o5"};

    static final class Sink implements DownloadListener {
        final SHA256Digest sha = new SHA256Digest();
        long next;
        String error = "not done";

        @Override
        public void onData(long index, byte[] data, byte[][] proof) {
            assertEquals(next++, index, "chunks in order");
            sha.update(data, 0, data.length);
        }

        @Override
        public void onDone(String error) {
            this.error = error;
        }

        byte[] digest() {
            byte[] out = new byte[32];
            new SHA256Digest(sha).doFinal(out, 0);
            return out;
        }
    }

    @Test
    void aFileThroughFiveOrdbsOverCircuitsOneTamperingIsBanned() {
        long seed = Long.getLong("ordb.circ.seed", System.nanoTime());
        System.out.println("[ordb-circuits] seed " + seed + " (-Dordb.circ.seed=" + seed + " replays)");
        fetch(new OrdbNet(seed, 5), seed, 4_000_000);
    }

    /** The same over circuits whose last hops (the ORDBs) negotiated congestion control (Vegas, prop324). */
    @Test
    void theSameOverCongestionControlledCircuits() {
        long seed = Long.getLong("ordb.circ.seed", System.nanoTime());
        System.out.println("[ordb-circuits] seed " + seed + " (-Dordb.circ.seed=" + seed + " replays), Vegas");
        OrdbNet n = new OrdbNet(seed, 5, true);
        fetch(n, seed, 2_000_000);
        for (String o : ORDBS) {
            assertTrue(n.net.relays.get(o).router.congestionControlledCount() > 0, o);
        }
        assertTrue(n.net.relays.get("hub").router.congestionControlledCount() >= 6, "P's and the 5 ORDBs' circuits");
    }

    private void fetch(OrdbNet n, long seed, int size) {
        for (String r : new String[] {"gD", "gP", "gO", "m1", "m2", "m3", "m4", "hub"}) {
            n.relay(r);
        }
        n.net.relayBytesPerSecond = 1_000_000; // each ORDB passes 1 MB/s: five circuits beat one
        for (String o : ORDBS) {
            n.relay(o);
        }
        n.net.relayBytesPerSecond = 0;
        n.sign();
        n.makeOrdb("hub", null, null, null);
        for (String o : ORDBS) {
            n.makeOrdb(o, "gO", "hub", o.equals("o3") ? l -> OrdbNet.flipNth(l, 10) : null);
        }

        // P shares the file through a circuit of its own to the hub, and announces it (DB_INFO, 100 %).
        byte[] file = new byte[size];
        new Random(seed).nextBytes(file);
        Content published = n.publishThroughHub(file);
        assertEquals(1, n.servers.get("hub").sourcesOf(published.hashName()).size(), "the hub lists P's circuit");

        // D fetches it through circuits to o1..o5.
        List<RelayInfo> ordbs = new ArrayList<>();
        for (String o : ORDBS) {
            ordbs.add(n.info(o));
        }
        OrdbCircuits dOps = n.ops("D", n.client("D"), "gD");
        Sink sink = new Sink();
        Random r = new Random(seed);
        long t0 = n.net.sched.nowMillis();
        Download d = new Download(n.net.sched, r::nextBytes, published.hashName(), dOps.connector(ordbs),
                new Download.Config(), sink);
        d.start();
        long end = t0 + 300_000;
        while (!d.isDone() && n.net.sched.nowMillis() < end) {
            n.net.sched.advance(100);
        }
        long took = n.net.sched.nowMillis() - t0;
        StringBuilder report = new StringBuilder();
        for (DownloadSource s : d.sources()) {
            report.append(String.format("[ordb-circuits]   %-4s %7.2f MB %4d chunks %3d requests %7.0f kB/s  %s%n",
                    s.name, s.bytes / 1e6, s.chunks, s.requests, s.rate, s.fate));
        }
        System.out.println("[ordb-circuits] " + size / 1_000_000 + " MB (" + published.manifest().chunkCount() + " chunks of 16 KiB), D -> 5 ORDBs"
                + " -> hub -> P, every circuit 3 hops, 5 ms per link, ORDBs paced at 1 MB/s; o3 flips a bit in its 10th chunk");
        System.out.print(report);
        System.out.println("[ordb-circuits] done in " + took + " ms virtual (" + (file.length / Math.max(1, took))
                + " kB/s); SHA-256 " + Bytes.hex(sink.digest()));

        assertNull(sink.error, report.toString());
        assertArrayEquals(Hashes.sha256(file), sink.digest(), "seed " + seed);
        for (DownloadSource s : d.sources()) {
            if (s.name.equals("o3")) {
                assertTrue(s.fate.startsWith("banned: chunk ") && s.fate.endsWith(MerkleTree.BAD_PROOF), s.fate);
            } else {
                assertFalse(s.banned(), s.name + " " + s.fate);
            }
        }
        assertTrue(d.sources().stream().anyMatch(s -> s.name.equals("o3")), "o3 was asked");
        assertTrue(n.servers.get("hub").stats().forwarded > 0, "the hub forwarded to P");

        assertAnonymity(n, n.ops.get("P"), dOps);
    }

    /**
     * What each node could learn, from the links dialled and the circuits built:
     * <ol>
     * <li>D's address reached exactly one node, its guard gD (D dialled nobody else; nobody dials a
     * client); P's reached exactly gP. So no ORDB, not the hub, and not P ever had a link with D (nor D
     * with P).</li>
     * <li>Every circuit of D, P and the ORDBs has 3 hops: the node next to a client (its guard) is never next
     * to the ORDB the circuit ends at, and no ORDB is next to a client.</li>
     * <li>No relay is next to both D and P on any circuits: the first hops of D's circuits and those of P's
     * are disjoint sets (a relay next to both could link the two by timing). Relays in the middle of
     * circuits may be shared; they see only other relays.</li>
     * </ol>
     */
    static void assertAnonymity(OrdbNet n, OrdbCircuits pOps, OrdbCircuits dOps) {
        assertEquals(List.of("gD"), n.dialledBy("D"));
        assertEquals(List.of("gP"), n.dialledBy("P"));
        for (String dial : n.net.dials) {
            assertFalse(dial.endsWith("->D") || dial.endsWith("->P"), dial);
        }
        Set<String> nextToD = new HashSet<>();
        Set<String> nextToP = new HashSet<>();
        List<ClientCircuit> all = new ArrayList<>();
        for (OrdbCircuits ops : n.ops.values()) {
            all.addAll(ops.circuits());
        }
        for (ClientCircuit c : all) {
            assertEquals(3, c.path().size(), c.toString());
        }
        for (ClientCircuit c : dOps.circuits()) {
            nextToD.add(c.path().get(0).nickname());
            assertTrue(c.path().get(2).nickname().startsWith("o"), c.toString());
        }
        for (ClientCircuit c : pOps.circuits()) {
            nextToP.add(c.path().get(0).nickname());
            assertEquals("hub", c.path().get(2).nickname());
        }
        assertEquals(Set.of("gD"), nextToD);
        assertEquals(Set.of("gP"), nextToP);
        Set<String> both = new HashSet<>(nextToD);
        both.retainAll(nextToP);
        assertEquals(Set.of(), both, "relays next to both D and P");
        System.out.println("[ordb-circuits] D linked only to " + n.dialledBy("D") + ", P only to " + n.dialledBy("P")
                + "; " + all.size() + " circuits, all 3 hops; D's: " + paths(dOps) + "; P's: " + paths(pOps));
    }

    static String paths(OrdbCircuits ops) {
        List<String> out = new ArrayList<>();
        for (ClientCircuit c : ops.circuits()) {
            List<String> p = new ArrayList<>();
            for (RelayInfo r : c.path()) {
                p.add(r.nickname());
            }
            out.add(String.join(">", p));
        }
        return String.join(" ", out);
    }
}
