package org.onionpeer.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    private final Contact me = DhtCodecTest.contact(0);

    /** Contacts that fall in bucket {@code j} of {@code me}, found by trying keys in order. */
    private List<Contact> inBucket(int j, int n) {
        List<Contact> l = new ArrayList<>();
        for (int i = 1; l.size() < n; i++) {
            Contact c = Contact.of(DhtCodecTest.key(i), null, List.of());
            if (me.id().bucketIndex(c.id()) == j) {
                l.add(c);
            }
        }
        return l;
    }

    @Test
    void fullBucketEvictsTheOldestOnlyWhenItFailsItsPing() {
        RoutingTable t = new RoutingTable(me.id(), 8, 3, 0);
        List<Contact> c = inBucket(159, 13);
        for (int i = 0; i < 8; i++) {
            assertEquals(RoutingTable.Offer.ADDED, t.offer(c.get(i), i));
        }
        assertEquals(RoutingTable.Offer.UPDATED, t.offer(c.get(0), 8)); // c1 is now the oldest
        assertEquals(RoutingTable.Offer.CHECK_OLDEST, t.offer(c.get(8), 9));
        assertEquals(c.get(1), t.oldest(c.get(8).id()));
        assertEquals(RoutingTable.Offer.CACHED, t.offer(c.get(9), 10));
        t.checkDone(c.get(1), true, 11); // the oldest answered: it stays, the newcomers wait in the cache
        assertTrue(t.contains(c.get(1).id()));
        assertFalse(t.contains(c.get(8).id()));
        assertEquals(2, t.replacementCount(159));
        assertEquals(c.get(2), t.oldest(c.get(8).id()));
        assertEquals(RoutingTable.Offer.CHECK_OLDEST, t.offer(c.get(10), 12));
        assertEquals(RoutingTable.Offer.CACHED, t.offer(c.get(11), 13)); // cache of 3 drops c8
        assertEquals(3, t.replacementCount(159));
        t.checkDone(c.get(2), false, 14); // the oldest is dead: dropped, the freshest replacement promoted
        assertFalse(t.contains(c.get(2).id()));
        assertTrue(t.contains(c.get(11).id()));
        assertEquals(8, t.size());
        assertEquals(2, t.replacementCount(159));
        assertEquals(RoutingTable.Offer.SELF, t.offer(me, 15));
        // Two failures in a row remove a contact; an answer in between resets the count.
        assertFalse(t.failed(c.get(3).id(), 2));
        t.seen(c.get(3).id(), 16);
        assertFalse(t.failed(c.get(3).id(), 2));
        assertTrue(t.failed(c.get(3).id(), 2));
        assertNull(t.get(c.get(3).id()));
        assertEquals(8, t.size()); // c10 promoted
        assertEquals(1, t.replacementCount(159));
    }

    @Test
    void closestIsSortedByXorDistance() {
        RoutingTable t = new RoutingTable(me.id(), 8, 3, 0);
        List<Contact> all = new ArrayList<>();
        for (int i = 1; i < 400; i++) {
            Contact c = Contact.of(DhtCodecTest.key(i), null, List.of());
            if (t.offer(c, i) == RoutingTable.Offer.ADDED) {
                all.add(c);
            } else {
                t.checkDone(t.oldest(c.id()), true, i);
            }
        }
        assertEquals(all.size(), t.size());
        NodeId target = NodeId.ofKey(DhtCodecTest.key(1000));
        all.sort((a, b) -> target.compareDistance(a.id(), b.id()));
        assertEquals(all.subList(0, 8), t.closest(target, 8));
        assertEquals(all, t.closest(target, 10_000));
    }

    @Test
    void staleBucketsStartAtTheNearestNonEmptyOne() {
        RoutingTable t = new RoutingTable(me.id(), 8, 3, 0);
        t.offer(inBucket(150, 1).get(0), 0);
        List<Integer> stale = t.staleBuckets(3_600_000, 3_600_000);
        assertEquals(10, stale.size());
        assertEquals(150, stale.get(0));
        t.touchBucket(155, 1000);
        assertEquals(9, t.staleBuckets(3_600_000, 3_600_000).size());
        assertEquals(10, t.staleBuckets(3_601_000, 3_600_000).size());
    }
}
