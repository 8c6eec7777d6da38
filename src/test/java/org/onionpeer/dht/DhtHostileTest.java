package org.onionpeer.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Hostile nodes inside a simulated network: liars whose NODES carry contacts with IDs that are not the hash
 * of their keys, liars that answer with far-off (valid) contacts, and a flooder. Honest lookups must still
 * find the closest honest nodes, the liars must end up dropped and banned, the flood rate-limited.
 */
class DhtHostileTest {
    private static final int NODES = 400;

    private SimNetwork net;
    private DhtConfig cfg;
    private final List<SimNetwork.Node> badIdLiars = new ArrayList<>();
    private final List<SimNetwork.Node> farLiars = new ArrayList<>();
    private final List<SimNetwork.Node> honest = new ArrayList<>();
    /** "liar>victim" pairs: a bad-ID lie was sent by liar to victim. */
    private final Set<String> lied = new HashSet<>();

    private void build(String name) {
        net = new SimNetwork(DhtSimulationTest.seed(name), 20, 150);
        cfg = new DhtConfig();
        net.build(NODES, 3, 50, cfg);
        List<SimNetwork.Node> all = net.live();
        for (int i = 0; i < all.size(); i++) {
            SimNetwork.Node n = all.get(i);
            if (i >= 3 && i % 50 == 7) {
                badIdLiars.add(n);
                turnBadIdLiar(n);
            } else if (i >= 3 && i % 50 == 33) {
                farLiars.add(n);
                turnFarLiar(n);
            } else {
                honest.add(n);
            }
        }
    }

    /** Answers FIND_NODE and FIND_VALUE with contacts whose ID is not SHA-1 of their key; PINGs honestly. */
    private void turnBadIdLiar(SimNetwork.Node liar) {
        Random r = new Random(liar.contact.id().hashCode());
        liar.endpoint.override = (from, data) -> {
            DhtMessage m = DhtMessage.decode(data);
            if (m.type() == DhtMessage.FIND_NODE || m.type() == DhtMessage.FIND_VALUE) {
                NodeId target = m.type() == DhtMessage.FIND_NODE ? ((FindNode) m).target() : ((FindValue) m).key();
                List<Contact> fakes = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    // IDs right next to the target, to lure the lookup: only the hash check stops them.
                    byte[] key = new byte[44];
                    r.nextBytes(key);
                    fakes.add(Contact.unchecked(NodeId.randomInBucket(target, i, r), key, null, List.of()));
                }
                lied.add(liar.contact.id() + ">" + from);
                liar.endpoint.send(m.sender(), new Nodes(m.requestId(), fakes).encode());
            } else {
                liar.endpoint.receiver.onMessage(from, data);
            }
        };
    }

    /** Answers FIND_NODE with valid contacts from the far half of the space (first bit unlike the target's). */
    private void turnFarLiar(SimNetwork.Node liar) {
        liar.endpoint.override = (from, data) -> {
            DhtMessage m = DhtMessage.decode(data);
            if (m.type() == DhtMessage.FIND_NODE) {
                NodeId target = ((FindNode) m).target();
                List<Contact> far = new ArrayList<>();
                for (SimNetwork.Node n : net.nodes()) {
                    if (far.size() < 8 && n.contact.id().commonPrefixLength(target) == 0 && !n.contact.id().equals(from)) {
                        far.add(n.contact);
                    }
                }
                liar.endpoint.send(m.sender(), new Nodes(m.requestId(), far).encode());
            } else {
                liar.endpoint.receiver.onMessage(from, data);
            }
        };
    }

    /**
     * Success: k nodes returned, and the honest ones among them are exactly the closest honest nodes, in
     * order. (A far liar does answer, so it may rightly take a slot among the k closest live nodes; a bad-ID
     * liar never gives a valid answer, so it never appears.)
     */
    private boolean honestResult(LookupResult res, NodeId origin) {
        List<NodeId> got = new ArrayList<>();
        for (Contact c : res.closest()) {
            if (!isLiar(c.id())) {
                got.add(c.id());
            }
        }
        List<NodeId> expected = net.trueClosest(res.target(), cfg.k, origin, honest);
        boolean ok = res.closest().size() == cfg.k && got.equals(expected.subList(0, got.size()));
        if (!ok && Boolean.getBoolean("dht.sim.debug")) {
            StringBuilder b = new StringBuilder("[dht-hostile] miss " + res + " got " + got.size() + ":");
            for (NodeId e : expected) {
                b.append(got.contains(e) ? " +" : " -").append(expected.indexOf(e));
                if (!got.contains(e)) {
                    int known = 0;
                    int bannedBy = 0;
                    for (SimNetwork.Node x : net.nodes()) {
                        known += x.dht.table().contains(e) ? 1 : 0;
                        bannedBy += x.dht.isBanned(e) ? 1 : 0;
                    }
                    b.append("(").append(e.shortHex()).append(" known ").append(known).append(" banned ")
                            .append(bannedBy).append(")");
                }
            }
            for (Contact c : res.closest()) {
                b.append(isLiar(c.id()) ? " L" : "");
            }
            System.out.println(b);
        }
        return ok;
    }

    private boolean isLiar(NodeId id) {
        for (SimNetwork.Node n : badIdLiars) {
            if (n.contact.id().equals(id)) {
                return true;
            }
        }
        for (SimNetwork.Node n : farLiars) {
            if (n.contact.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void honestLookupsSucceedAndBadIdLiarsAreDropped() {
        build("liars");
        Random r = net.random();
        int count = 1000;
        int[] ok = {0};
        int[] left = {count};
        for (int i = 0; i < count; i++) {
            SimNetwork.Node from = honest.get(r.nextInt(honest.size()));
            from.dht.findNode(NodeId.random(r), res -> {
                left[0]--;
                ok[0] += honestResult(res, from.contact.id()) ? 1 : 0;
            });
            net.scheduler.advance(20); // 50 lookups a second across the network
        }
        net.advanceUntil(() -> left[0] == 0, 100, 600_000);
        System.out.println("[dht-hostile] " + badIdLiars.size() + " bad-ID liars, " + farLiars.size()
                + " far liars among " + NODES + ": " + ok[0] + "/" + count + " lookups found the closest honest nodes; "
                + lied.size() + " nodes were lied to; " + DhtSimulationTest.totals(net));
        assertTrue(ok[0] >= count * 99 / 100, ok[0] + "/" + count);
        assertFalse(lied.isEmpty());
        long garbage = 0;
        for (SimNetwork.Node h : honest) {
            garbage += h.dht.stats().garbage;
            for (SimNetwork.Node l : badIdLiars) {
                if (lied.contains(l.contact.id() + ">" + h.contact.id())) {
                    assertFalse(h.dht.table().contains(l.contact.id()), "liar still in a victim's table");
                    assertTrue(h.dht.isBanned(l.contact.id()), "liar not banned");
                }
            }
        }
        // Exactly one garbage answer per (liar, victim): after it the victim never asks that liar again.
        assertEquals(lied.size(), garbage);
    }

    @Test
    void aFarLiarIsDroppedAfterThreeLookupsItMisled() {
        build("far-liar");
        SimNetwork.Node liar = farLiars.get(0);
        Random r = net.random();
        // An asker and three targets it asks the liar about first (the liar is the closest contact in its
        // table) while dozens of honest nodes are closer (they share more leading bits with the target
        // than the liar's 2 or 3), found by a bounded search.
        SimNetwork.Node a = null;
        List<NodeId> targets = new ArrayList<>();
        for (SimNetwork.Node h : honest) {
            if (!h.dht.table().contains(liar.contact.id())) {
                continue;
            }
            targets.clear();
            for (int t = 0; t < 500 && targets.size() < cfg.strikesToDrop; t++) {
                NodeId target = NodeId.randomInBucket(liar.contact.id(), NodeId.BITS - 3 - r.nextInt(2), r);
                if (h.dht.table().closest(target, 1).get(0).id().equals(liar.contact.id())) {
                    targets.add(target);
                }
            }
            if (targets.size() == cfg.strikesToDrop) {
                a = h;
                break;
            }
        }
        assertTrue(a != null, "no asker found for the far liar");
        for (int round = 1; round <= cfg.strikesToDrop; round++) {
            NodeId target = targets.get(round - 1);
            LookupResult[] res = {null};
            SimNetwork.Node asker = a;
            asker.dht.findNode(target, x -> res[0] = x);
            net.advanceUntil(() -> res[0] != null, 100, 60_000);
            assertTrue(honestResult(res[0], a.contact.id()), res[0].toString());
            if (round < cfg.strikesToDrop) {
                assertEquals(round, a.dht.strikesOf(liar.contact.id()));
                assertTrue(a.dht.table().contains(liar.contact.id()));
            }
        }
        assertFalse(a.dht.table().contains(liar.contact.id()));
        assertTrue(a.dht.isBanned(liar.contact.id()));
        assertEquals(0, a.dht.strikesOf(liar.contact.id()));
    }

    @Test
    void aFloodIsRateLimitedAndASpoofedSenderIsBanned() {
        build("flood");
        SimNetwork.Node victim = honest.get(honest.size() - 1);
        Contact floodContact = net.newContact();
        int[] answers = {0};
        SimNetwork.Endpoint flooder = net.addEndpoint(floodContact, (from, data) -> answers[0]++);
        long answered = victim.dht.stats().answered;
        long limited = victim.dht.stats().rateLimited;
        for (int burst = 1; burst <= 2; burst++) {
            for (int i = 0; i < 1000; i++) {
                flooder.send(victim.contact, new FindNode(i, floodContact, NodeId.random(net.random())).encode());
            }
            net.scheduler.advance(1000); // all arrive within 150 ms: one rate-limit window per burst
            assertEquals(20 * burst, answers[0]);
            assertEquals(answered + 20 * burst, victim.dht.stats().answered);
            assertEquals(limited + 980 * burst, victim.dht.stats().rateLimited);
        }
        // A sender whose request carries someone else's contact is dropped and banned on the first message.
        Contact spoofer = net.newContact();
        int[] spoofAnswers = {0};
        SimNetwork.Endpoint s = net.addEndpoint(spoofer, (from, data) -> spoofAnswers[0]++);
        long garbage = victim.dht.stats().garbage;
        long bannedDropped = victim.dht.stats().bannedDropped;
        for (int i = 0; i < 1000; i++) {
            s.send(victim.contact, new FindNode(i, honest.get(0).contact, NodeId.random(net.random())).encode());
        }
        net.scheduler.advance(1000);
        assertEquals(0, spoofAnswers[0]);
        assertEquals(garbage + 1, victim.dht.stats().garbage);
        assertEquals(bannedDropped + 999, victim.dht.stats().bannedDropped);
        assertTrue(victim.dht.isBanned(spoofer.id()));
    }
}
