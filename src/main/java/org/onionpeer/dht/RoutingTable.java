package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.List;

/**
 * Kademlia's routing table: 160 buckets of at most k contacts, bucket j holding the contacts at XOR distance
 * [2^j, 2^(j+1)) from us, each ordered least-recently seen first. A full bucket does not evict on its own:
 * a newcomer goes to a small replacement cache and the caller must PING the oldest; only if that fails is the
 * oldest dropped and the freshest replacement promoted (long-lived nodes are the likeliest to stay, and an
 * attacker cannot flush a bucket just by showing up). Plain data; the {@link Dht} drives it.
 */
public final class RoutingTable {
    /** What {@link #offer} did. */
    public enum Offer {
        /** A new contact, now in its bucket. */
        ADDED,
        /** Already there: moved to most-recently seen (its bridge and introducers refreshed). */
        UPDATED,
        /** The bucket is full: cached; the caller must PING {@link #oldest} and report the outcome. */
        CHECK_OLDEST,
        /** The bucket is full and its oldest is already being checked: cached. */
        CACHED,
        /** Our own ID: ignored. */
        SELF
    }

    private static final class Entry {
        Contact contact;
        long lastSeen;
        int failures;

        Entry(Contact c, long now) {
            contact = c;
            lastSeen = now;
        }
    }

    private static final class Bucket {
        final ArrayList<Entry> live = new ArrayList<>();
        final ArrayList<Contact> replacements = new ArrayList<>();
        long lastTouched;
        boolean checking;
    }

    private final NodeId self;
    private final int k;
    private final int replacementSize;
    private final Bucket[] buckets = new Bucket[NodeId.BITS];
    private int size;

    public RoutingTable(NodeId self, int k, int replacementSize, long now) {
        this.self = self;
        this.k = k;
        this.replacementSize = replacementSize;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new Bucket();
            buckets[i].lastTouched = now;
        }
    }

    public NodeId self() {
        return self;
    }

    public int size() {
        return size;
    }

    /** A contact that has just shown it is alive (it answered us, or sent us a request). */
    public Offer offer(Contact c, long now) {
        int j = self.bucketIndex(c.id());
        if (j < 0) {
            return Offer.SELF;
        }
        Bucket b = buckets[j];
        b.lastTouched = now;
        int i = indexOf(b, c.id());
        if (i >= 0) {
            Entry e = b.live.remove(i);
            e.contact = c;
            e.lastSeen = now;
            e.failures = 0;
            b.live.add(e);
            return Offer.UPDATED;
        }
        if (b.live.size() < k) {
            removeReplacement(b, c.id());
            b.live.add(new Entry(c, now));
            size++;
            return Offer.ADDED;
        }
        removeReplacement(b, c.id());
        b.replacements.add(c);
        if (b.replacements.size() > replacementSize) {
            b.replacements.remove(0); // keep the freshest
        }
        if (b.checking) {
            return Offer.CACHED;
        }
        b.checking = true;
        return Offer.CHECK_OLDEST;
    }

    /** The least-recently seen contact of the bucket {@code id} falls in, or null if empty. */
    public Contact oldest(NodeId id) {
        int j = self.bucketIndex(id);
        return j < 0 || buckets[j].live.isEmpty() ? null : buckets[j].live.get(0).contact;
    }

    /** The liveness check of the bucket's oldest is over: it answered (it stays, moved to the tail) or not. */
    public void checkDone(Contact oldest, boolean alive, long now) {
        int j = self.bucketIndex(oldest.id());
        if (j < 0) {
            return;
        }
        buckets[j].checking = false;
        if (alive) {
            seen(oldest.id(), now);
        } else {
            remove(oldest.id());
        }
    }

    /** A contact answered: most-recently seen, failures forgotten. No effect if it is not in the table. */
    public void seen(NodeId id, long now) {
        int j = self.bucketIndex(id);
        if (j < 0) {
            return;
        }
        Bucket b = buckets[j];
        int i = indexOf(b, id);
        if (i >= 0) {
            Entry e = b.live.remove(i);
            e.lastSeen = now;
            e.failures = 0;
            b.live.add(e);
        }
    }

    /** A request to {@code id} failed; true if that was its {@code maxFailures}-th in a row and it was removed. */
    public boolean failed(NodeId id, int maxFailures) {
        int j = self.bucketIndex(id);
        if (j < 0) {
            return false;
        }
        int i = indexOf(buckets[j], id);
        if (i < 0) {
            return false;
        }
        if (++buckets[j].live.get(i).failures >= maxFailures) {
            remove(id);
            return true;
        }
        return false;
    }

    /** Drops a contact (dead, or caught lying) and promotes the freshest replacement of its bucket. */
    public boolean remove(NodeId id) {
        int j = self.bucketIndex(id);
        if (j < 0) {
            return false;
        }
        Bucket b = buckets[j];
        removeReplacement(b, id);
        int i = indexOf(b, id);
        if (i < 0) {
            return false;
        }
        b.live.remove(i);
        size--;
        if (!b.replacements.isEmpty()) {
            Contact r = b.replacements.remove(b.replacements.size() - 1);
            b.live.add(new Entry(r, b.lastTouched));
            size++;
        }
        return true;
    }

    /** When {@code id} last showed it is alive, or -1 if it is not in the table. */
    public long lastSeen(NodeId id) {
        int j = self.bucketIndex(id);
        if (j < 0) {
            return -1;
        }
        int i = indexOf(buckets[j], id);
        return i < 0 ? -1 : buckets[j].live.get(i).lastSeen;
    }

    public boolean contains(NodeId id) {
        int j = self.bucketIndex(id);
        return j >= 0 && indexOf(buckets[j], id) >= 0;
    }

    public Contact get(NodeId id) {
        int j = self.bucketIndex(id);
        if (j < 0) {
            return null;
        }
        int i = indexOf(buckets[j], id);
        return i < 0 ? null : buckets[j].live.get(i).contact;
    }

    /** Contacts of bucket j, least-recently seen first. */
    public List<Contact> bucket(int j) {
        List<Contact> l = new ArrayList<>();
        for (Entry e : buckets[j].live) {
            l.add(e.contact);
        }
        return l;
    }

    public int replacementCount(int j) {
        return buckets[j].replacements.size();
    }

    /** The {@code n} contacts closest to {@code target}, closest first. */
    public List<Contact> closest(NodeId target, int n) {
        ArrayList<Contact> all = new ArrayList<>(size);
        for (Bucket b : buckets) {
            for (Entry e : b.live) {
                all.add(e.contact);
            }
        }
        all.sort((a, c) -> target.compareDistance(a.id(), c.id()));
        return all.size() <= n ? all : new ArrayList<>(all.subList(0, n));
    }

    /** Marks bucket j as refreshed (a lookup for an ID in its range started). */
    public void touchBucket(int j, long now) {
        if (j >= 0) {
            buckets[j].lastTouched = now;
        }
    }

    public long lastTouched(int j) {
        return buckets[j].lastTouched;
    }

    /**
     * Buckets untouched for {@code maxAgeMillis}, from the nearest non-empty bucket outwards: nearer ones
     * cover ranges where a lookup of our own ID already found everything there is.
     */
    public List<Integer> staleBuckets(long now, long maxAgeMillis) {
        List<Integer> l = new ArrayList<>();
        int lowest = 0;
        while (lowest < buckets.length && buckets[lowest].live.isEmpty()) {
            lowest++;
        }
        for (int j = lowest; j < buckets.length; j++) {
            if (now - buckets[j].lastTouched >= maxAgeMillis) {
                l.add(j);
            }
        }
        return l;
    }

    private static int indexOf(Bucket b, NodeId id) {
        for (int i = 0; i < b.live.size(); i++) {
            if (b.live.get(i).contact.id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static void removeReplacement(Bucket b, NodeId id) {
        for (int i = 0; i < b.replacements.size(); i++) {
            if (b.replacements.get(i).id().equals(id)) {
                b.replacements.remove(i);
                return;
            }
        }
    }
}
