package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.DhtConfig;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dht.SimNetwork;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.ordb.DbInfo;

/** Announcing (re-signed on the republish schedule, withdrawn) and the lookup's own checks, on a 30-node DHT. */
class OrdbDiscoveryTest {
    SimNetwork net;
    DhtConfig cfg;

    SimNetwork.Node join(Contact c) {
        SimNetwork.Node n = net.addNode(c, cfg);
        net.join(n, List.of(net.nodes().get(0).contact));
        net.advanceUntil(() -> n.joined, 50, 60_000);
        return n;
    }

    List<RelayInfo> find(OrdbDiscovery d) {
        List<List<RelayInfo>> got = new ArrayList<>();
        d.find(OrdbSourceTest.H, got::add);
        net.advanceUntil(() -> !got.isEmpty(), 50, 60_000);
        return got.get(0);
    }

    void build(String name) {
        long seed = Long.getLong("ordb.disc.seed", System.nanoTime());
        System.out.println("[ordb-discovery] " + name + " seed " + seed + " (-Dordb.disc.seed=" + seed + " replays)");
        net = new SimNetwork(seed, 5, 40);
        cfg = new DhtConfig();
        cfg.validator = OrdbSource.VALIDATOR;
        net.build(30, 3, 50, cfg);
    }

    @Test
    void aRecordIsReSignedBeforeItExpiresAndWithdrawn() {
        build("republish");
        long far = net.scheduler.epochSeconds() + 30 * 86400;
        Contact ca = OrdbSourceTest.contact(1, 1, far);
        SimNetwork.Node a = join(ca);
        SimNetwork.Node b = join(OrdbSourceTest.contact(2, 2, far));
        OrdbDiscovery da = new OrdbDiscovery(a.dht, net.scheduler, OrdbDiscovery.keyPair(OrdbSourceTest.key(1), ca),
                OrdbDiscovery::peerRoute);
        OrdbDiscovery db = new OrdbDiscovery(b.dht, net.scheduler, null, OrdbDiscovery::peerRoute);
        int[] stored = {-1};
        da.announce(OrdbSourceTest.H, DbInfo.P100, false, n -> stored[0] = n);
        net.advanceUntil(() -> stored[0] >= 0, 50, 60_000);
        assertEquals(cfg.k, stored[0]);
        List<RelayInfo> found = find(db);
        assertEquals(1, found.size());
        assertEquals("peer" + ca.id().hex().substring(0, 8), found.get(0).nickname());

        // 5 hours on: a record lives 2 h at most, so only re-signing keeps it findable.
        net.scheduler.advance(5 * 3_600_000L);
        assertTrue(da.stats().announced >= 6, "re-signed every 45 min: " + da.stats().announced);
        assertEquals(1, find(db).size());
        assertEquals(0, db.stats().refused);

        da.withdraw(OrdbSourceTest.H);
        net.scheduler.advance(61 * 60_000L);
        assertEquals(List.of(), find(db));
    }

    /**
     * A node holding a record for others answers its own lookups from its table, which the DHT checked when
     * it was STOREd, not since: the lookup checks again, and a record that expired meanwhile is refused.
     */
    @Test
    void theLookupChecksEachRecordAgainAndCountsWhatItRefuses() {
        build("local check");
        long far = net.scheduler.epochSeconds() + 30 * 86400;
        Contact ca = OrdbSourceTest.contact(1, 1, far);
        SimNetwork.Node a = join(ca);
        Ed25519.KeyPair ka = OrdbSourceTest.key(1);
        OrdbDiscovery.Signer shortLived = (h, p, f, expires, done) ->
                done.accept(OrdbSource.sign(ka, h, p, f, net.scheduler.epochSeconds() + 60, ca));
        OrdbDiscovery da = new OrdbDiscovery(a.dht, net.scheduler, shortLived, OrdbDiscovery::peerRoute);
        int[] stored = {-1};
        da.announce(OrdbSourceTest.H, DbInfo.P25, false, n -> stored[0] = n);
        net.advanceUntil(() -> stored[0] >= 0, 50, 60_000);
        assertEquals(cfg.k, stored[0]);
        NodeId key = OrdbSource.keyOf(OrdbSourceTest.H);
        SimNetwork.Node holder = null;
        for (SimNetwork.Node n : net.nodes()) {
            if (holder == null && !n.dht.storedValues(key).isEmpty()) {
                holder = n;
            }
        }
        OrdbDiscovery dh = new OrdbDiscovery(holder.dht, net.scheduler, null, OrdbDiscovery::peerRoute);
        assertEquals(1, find(dh).size());
        net.scheduler.advance(120_000);
        assertEquals(List.of(), find(dh));
        assertEquals(1, dh.stats().refused);
        assertEquals(OrdbSource.EXPIRED, dh.stats().lastRefusal);
        // A node publishes a bounded number of values: past it, hash_names are counted, not announced.
        a.dht.config().maxPublished = 1;
        int[] none = {-1};
        da.announce(org.onionpeer.ordb.HashName.of(new byte[32]), DbInfo.P100, false, n -> none[0] = n);
        assertEquals(0, none[0]);
        assertEquals(1, da.stats().notAnnounced);
        // And a DHT that does not validate is refused outright.
        SimNetwork.Node plain = net.addNode(new DhtConfig());
        assertThrows(IllegalArgumentException.class,
                () -> new OrdbDiscovery(plain.dht, net.scheduler, null, OrdbDiscovery::peerRoute));
    }
}
