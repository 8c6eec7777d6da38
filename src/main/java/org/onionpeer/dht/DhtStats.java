package org.onionpeer.dht;

/** Counters of what a {@link Dht} node did and refused; read by tests and status pages. */
public final class DhtStats {
    /** Requests we answered. */
    public long answered;
    /** Requests dropped by the per-sender rate limit. */
    public long rateLimited;
    /** Messages dropped because their sender is banned. */
    public long bannedDropped;
    /** Messages that failed to decode or broke the protocol (the sender is dropped and banned). */
    public long garbage;
    /** Answers matching no request of ours (late, or never asked). */
    public long unsolicited;
    /** Our requests that timed out. */
    public long timeouts;
    /** Our requests not sent because too many were already in flight. */
    public long refusedLocally;
    /** Contacts in answers not followed because they were no closer than our k-th closest. */
    public long notFollowed;
    /** Lookups in which a peer hid closer nodes it had to know. */
    public long strikes;
    /** Peers dropped and banned for lying or garbage. */
    public long dropped;
    /** STOREs refused because our value table was full. */
    public long storesRefused;
    /** Values refused because the validator rejected them: STOREd to us, or found by our lookups. */
    public long valuesRefused;
    /** The reason of the last value refused. */
    public String lastValueRefusal;
}
