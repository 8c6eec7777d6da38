package org.onionpeer.dht;

/** The DHT's tunables; the defaults are Kademlia's and the Peersm design's. Fields may be set before use. */
public final class DhtConfig {
    /** Bucket size and lookup width. */
    public int k = 8;
    /** Parallel requests per lookup. */
    public int alpha = 3;
    public long requestTimeoutMillis = 1000;
    /** Consecutive request failures that remove a contact from the table. */
    public int maxFailures = 2;
    public int replacementCacheSize = 8;
    /** How long a stored value lives unless re-STOREd. */
    public long valueExpiryMillis = 3_600_000;
    /** How often a publisher re-STOREs what it published. */
    public long republishMillis = 3_000_000;
    /** A bucket untouched this long gets a lookup of a random ID in its range. */
    public long bucketRefreshMillis = 3_600_000;
    /** How often stale buckets and expired values are looked for. */
    public long maintenanceMillis = 600_000;
    /**
     * Our closest contacts are the ones we vouch for when asked about our part of the ID space, so the
     * {@code neighbourhood} closest are PINGed when unseen for {@code livenessMillis}, and dropped if silent.
     */
    public int neighbourhood = 16;
    public long livenessMillis = 60_000;
    /** Bounds of the values this node stores for others. */
    public int maxValues = 1000;
    public int maxValueBytes = 256 * 1024;
    /** Values kept per key, at most (one per STORE sender, newest first): several sources of one content. */
    public int maxValuesPerKey = 8;
    /** Checks values stored and found (e.g. signed ORDB source records); null accepts any value. */
    public ValueValidator validator;
    /** Bound of the values this node publishes (and republishes). */
    public int maxPublished = 64;
    /** Requests answered per sender per second; more are dropped unanswered. */
    public int maxRequestsPerSecond = 20;
    /** Senders tracked by the rate limiter at once; requests from further new senders are dropped. */
    public int maxTrackedSenders = 4096;
    /** Our own requests awaiting an answer: in all, and to one peer. */
    public int maxInFlight = 64;
    public int maxInFlightPerPeer = 4;
    /** Lookups where a peer hid the closer nodes it must know before it is dropped and banned. */
    public int strikesToDrop = 3;
    public long banMillis = 3_600_000;
    public int maxBanned = 1024;
}
