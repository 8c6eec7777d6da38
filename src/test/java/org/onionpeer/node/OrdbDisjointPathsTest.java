package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.ordb.OrdbLink;

/**
 * {@link OrdbCircuits#disjoint}: a downloader's five concurrent circuits (opened at once, as a Download does)
 * get middles that no other of them uses and that are none of its ORDBs; the first hop, D's only allowed
 * one, is shared (the fallback). Off, the same seed gives a middle on two circuits or an ORDB as a middle.
 */
class OrdbDisjointPathsTest {
    @Test
    void concurrentCircuitsGetDistinctMiddlesThatAreNoOrdb() {
        long seed = Long.getLong("ordb.disjoint.seed", System.nanoTime());
        System.out.println("[ordb-disjoint] seed " + seed + " (-Dordb.disjoint.seed=" + seed + " replays)");
        List<String> middles = middles(seed, true);
        System.out.println("[ordb-disjoint] middles " + middles);
        assertEquals(5, middles.size());
        assertEquals(5, new HashSet<>(middles).size(), middles.toString());
        for (String m : middles) {
            assertTrue(m.startsWith("m"), middles.toString());
        }
    }

    @Test
    void withoutItPathsAreDrawnAsAnyCircuit() {
        // A fixed seed whose normal draws share a middle or use an ORDB as one (most seeds do, 5 of 12 relays).
        List<String> middles = middles(7L, false);
        System.out.println("[ordb-disjoint] middles, normal selection, seed 7: " + middles);
        assertEquals(5, middles.size());
        assertFalse(new HashSet<>(middles).size() == 5 && middles.stream().allMatch(m -> m.startsWith("m")),
                middles.toString());
    }

    /** D opens circuits to o1..o5 at once through its connector; the middle of each, in order. */
    private static List<String> middles(long seed, boolean disjoint) {
        OrdbNet n = new OrdbNet(seed, 5);
        for (String r : new String[] {"gD", "m1", "m2", "m3", "m4", "m5", "m6"}) {
            n.relay(r);
        }
        List<RelayInfo> ordbs = new ArrayList<>();
        for (String o : OrdbCircuitTest.ORDBS) {
            n.relay(o);
        }
        n.sign();
        for (String o : OrdbCircuitTest.ORDBS) {
            n.makeOrdb(o, null, null, null);
            ordbs.add(n.info(o));
        }
        OrdbCircuits dOps = n.ops("D", n.client("D"), "gD").disjoint(disjoint);
        OrdbLink.Connector c = dOps.connector(ordbs);
        Set<String> avoid = new HashSet<>();
        for (String o : OrdbCircuitTest.ORDBS) {
            c.open(Set.copyOf(avoid), new OrdbLink.Handler() {
                @Override
                public void onMessage(int stream, int command, byte[] body) {
                }

                @Override
                public void onClosed() {
                }
            });
            avoid.add(o);
        }
        n.net.sched.advance(2_000);
        List<String> out = new ArrayList<>();
        for (ClientCircuit cc : dOps.circuits()) {
            assertEquals("gD", cc.path().get(0).nickname());
            out.add(cc.path().get(1).nickname());
        }
        return out;
    }
}
