package org.onionpeer.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;

/**
 * Whole-network behaviour on a ManualScheduler with 20-150 ms random latency per message (seeded; the seed
 * is printed, -Ddht.sim.seed=N replays a run, -Ddht.sim.random=true draws new ones).
 *
 * <p>Lookup success is defined strictly: a FIND_NODE lookup succeeds when the k contacts it returns are
 * exactly, in order, the k nodes closest to the target among the live nodes other than the one looking
 * (brute force over the simulation). Live = joined (bootstrap done) and not left; churn happens between
 * batches of lookups, so the live set is fixed while a batch runs, but the routing tables are full of nodes
 * that just left and lack nodes that just joined.
 */
class DhtSimulationTest {
    static long seed(String name) {
        // A fixed seed per scenario by default, so a red build is a regression rather than an unlucky draw (the
        // hostile scenario has dipped to 98.3 % on some random seeds); -Ddht.sim.random=true explores others.
        long seed = Long.getLong("dht.sim.seed", Boolean.getBoolean("dht.sim.random") ? System.nanoTime()
                : 20261206L * 31 + name.hashCode());
        System.out.println("[dht-sim] " + name + " seed " + seed + " (-Ddht.sim.seed=" + seed + " replays)");
        return seed;
    }

    /** Outcome of a batch of lookups: successes and the rounds of each. */
    static final class Tally {
        int lookups;
        int successes;
        final List<Integer> rounds = new ArrayList<>();

        int percentile(int p) {
            List<Integer> s = new ArrayList<>(rounds);
            Collections.sort(s);
            return s.get(Math.min(s.size() - 1, (s.size() * p) / 100));
        }

        String summary() {
            return successes + "/" + lookups + " exact k closest (" + (100.0 * successes / lookups)
                    + " %), rounds median " + percentile(50) + ", p95 " + percentile(95) + ", max " + percentile(100);
        }
    }

    /** Runs {@code count} random FIND_NODE lookups at once from random nodes of {@code origins}, each checked against {@code truth}. */
    static void lookups(SimNetwork net, List<SimNetwork.Node> origins, List<SimNetwork.Node> truth, int count, int k,
            Tally tally) {
        Random r = net.random();
        int[] left = {count};
        for (int i = 0; i < count; i++) {
            SimNetwork.Node from = origins.get(r.nextInt(origins.size()));
            NodeId target = NodeId.random(r);
            List<NodeId> expected = net.trueClosest(target, k, from.contact.id(), truth);
            from.dht.findNode(target, res -> {
                left[0]--;
                tally.lookups++;
                tally.rounds.add(res.rounds());
                if (SimNetwork.ids(res.closest()).equals(expected)) {
                    tally.successes++;
                } else if (Boolean.getBoolean("dht.sim.debug")) {
                    List<NodeId> got = SimNetwork.ids(res.closest());
                    int miss = 0;
                    for (NodeId e : expected) {
                        miss += got.contains(e) ? 0 : 1;
                    }
                    StringBuilder why = new StringBuilder();
                    for (NodeId e : expected) {
                        if (!got.contains(e)) {
                            int known = 0;
                            int idx = -1;
                            for (int q = 0; q < net.nodes().size(); q++) {
                                SimNetwork.Node x = net.nodes().get(q);
                                if (x.contact.id().equals(e)) {
                                    idx = q;
                                }
                                if (x.live() && x.dht.table().contains(e)) {
                                    known++;
                                }
                            }
                            int peersKnow = 0;
                            int deadCloser = 0;
                            for (SimNetwork.Node x : net.nodes()) {
                                if (expected.contains(x.contact.id()) && !x.contact.id().equals(e)) {
                                    peersKnow += x.dht.table().contains(e) ? 1 : 0;
                                    for (Contact c : x.dht.table().closest(target, 9)) {
                                        if (target.compareDistance(c.id(), e) < 0 && !net.isUp(c.id())) {
                                            deadCloser++;
                                        }
                                    }
                                }
                            }
                            why.append(" peers know ").append(peersKnow).append(" dead closer ").append(deadCloser);
                            why.append(" [#").append(idx).append(" rank ").append(expected.indexOf(e))
                                    .append(" known by ").append(known).append(from.dht.isBanned(e) ? " BANNED" : "")
                                    .append("]");
                        }
                    }
                    System.out.println("[dht-sim] miss " + miss + " of " + expected.size() + " " + res + why);
                }
            });
        }
        net.advanceUntil(() -> left[0] == 0, 100, 600_000);
    }

    @Test
    void lookupsFindTheTrueClosestWhileNodesLeaveAndJoin() {
        long seed = seed("churn");
        SimNetwork net = new SimNetwork(seed, 20, 150);
        DhtConfig cfg = new DhtConfig();
        int n = 1000;
        List<Contact> seeds = net.build(n, 3, 50, cfg);
        System.out.println("[dht-sim] " + n + " nodes joined by t=" + net.scheduler.nowMillis() + " ms, "
                + net.messages + " messages");
        Random r = net.random();
        Tally tally = new Tally();
        int batches = 20;
        for (int b = 0; b < batches; b++) {
            // 10 leave (1 % of the network each batch, 20 % in all), 10 join.
            List<SimNetwork.Node> live = net.live();
            for (int i = 0; i < n / 100; i++) {
                SimNetwork.Node gone;
                do {
                    gone = live.get(r.nextInt(live.size()));
                } while (seeds.contains(gone.contact) || !gone.live());
                gone.leave();
            }
            List<SimNetwork.Node> joining = new ArrayList<>();
            for (int i = 0; i < n / 100; i++) {
                SimNetwork.Node j = net.addNode(cfg);
                joining.add(j);
                net.join(j, seeds);
            }
            net.advanceUntil(() -> {
                for (SimNetwork.Node j : joining) {
                    if (!j.joined) {
                        return false;
                    }
                }
                return true;
            }, 100, 600_000);
            List<SimNetwork.Node> now = net.live();
            lookups(net, now, now, 50, cfg.k, tally);
        }
        int left = 0;
        for (SimNetwork.Node x : net.nodes()) {
            left += x.endpoint.up ? 0 : 1;
        }
        System.out.println("[dht-sim] " + n + " nodes, " + left + " left and " + left + " joined: " + tally.summary()
                + "; t=" + net.scheduler.nowMillis() + " ms, " + net.messages + " messages");
        System.out.println("[dht-sim] " + totals(net));
        assertEquals(n / 5, left);
        assertEquals(batches * 50, tally.lookups);
        assertTrue(tally.successes >= tally.lookups * 99 / 100, tally.summary());
    }

    @Test
    void storedValuesAreFoundExpireAndAreRepublished() {
        long seed = seed("store");
        SimNetwork net = new SimNetwork(seed, 20, 150);
        DhtConfig cfg = new DhtConfig();
        List<Contact> seeds = net.build(150, 3, 50, cfg);
        List<SimNetwork.Node> nodes = net.live();
        SimNetwork.Node publisher = nodes.get(10);
        SimNetwork.Node reader = nodes.get(20);
        NodeId key = NodeId.random(net.random());
        byte[] value = Bytes.ascii("peer list for a file");
        int[] stored = {-1};
        publisher.dht.put(key, value, c -> stored[0] = c);
        net.advanceUntil(() -> stored[0] >= 0, 100, 60_000);
        assertEquals(cfg.k, stored[0]);
        // The value sits exactly on the k nodes closest to the key (publisher excluded).
        List<NodeId> closest = net.trueClosest(key, cfg.k, publisher.contact.id(), nodes);
        assertEquals(closest, holders(nodes, key));
        byte[][] found = {null};
        reader.dht.findValue(key, res -> found[0] = res.value() == null ? new byte[0] : res.value());
        net.advanceUntil(() -> found[0] != null, 100, 60_000);
        assertArrayEquals(value, found[0]);

        // Republished every 50 minutes, it is still stored after two and a half hours.
        net.scheduler.advance(150 * 60_000L);
        assertEquals(closest, holders(nodes, key));
        // Meanwhile every bucket untouched for an hour got its refresh lookup at the next maintenance tick.
        long now = net.scheduler.nowMillis();
        for (SimNetwork.Node x : nodes) {
            assertEquals(List.of(), x.dht.table().staleBuckets(now, cfg.bucketRefreshMillis + cfg.maintenanceMillis
                    + 60_000), "stale buckets at " + x.contact.id().shortHex());
        }
        // Unpublished, it expires an hour after the last STORE, and a FIND_VALUE comes back empty.
        publisher.dht.unpublish(key);
        net.scheduler.advance(61 * 60_000L);
        assertEquals(List.of(), holders(nodes, key));
        found[0] = null;
        int[] rounds = {-1};
        reader.dht.findValue(key, res -> {
            found[0] = res.value() == null ? new byte[0] : res.value();
            rounds[0] = res.rounds();
        });
        net.advanceUntil(() -> found[0] != null, 100, 60_000);
        assertEquals(0, found[0].length);
        assertTrue(rounds[0] >= 1);
        assertNull(reader.dht.storedValue(key));
        assertTrue(seeds.size() == 3);
    }

    static String totals(SimNetwork net) {
        DhtStats t = new DhtStats();
        for (SimNetwork.Node x : net.nodes()) {
            DhtStats s = x.dht.stats();
            t.answered += s.answered;
            t.rateLimited += s.rateLimited;
            t.bannedDropped += s.bannedDropped;
            t.garbage += s.garbage;
            t.unsolicited += s.unsolicited;
            t.timeouts += s.timeouts;
            t.refusedLocally += s.refusedLocally;
            t.notFollowed += s.notFollowed;
            t.strikes += s.strikes;
            t.dropped += s.dropped;
        }
        return "answered " + t.answered + ", rate-limited " + t.rateLimited + ", banned-dropped " + t.bannedDropped
                + ", garbage " + t.garbage + ", unsolicited " + t.unsolicited + ", timeouts " + t.timeouts
                + ", refused locally " + t.refusedLocally + ", not followed " + t.notFollowed + ", strikes "
                + t.strikes + ", dropped " + t.dropped;
    }

    private static List<NodeId> holders(List<SimNetwork.Node> nodes, NodeId key) {
        List<NodeId> l = new ArrayList<>();
        for (SimNetwork.Node x : nodes) {
            if (x.dht.storedValue(key) != null) {
                l.add(x.contact.id());
            }
        }
        l.sort(key::compareDistance);
        return l;
    }
}
