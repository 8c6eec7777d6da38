package org.onionpeer.peer;

/** Counters of a node's peer service (read on the node's scheduler). */
public final class PeerStats {
    public long registrations;
    public long introductionsRelayed;
    public long dhtRelayed;
    /** Messages handed to a federated bridge for one of its pages. */
    public long federated;
    public long malformed;
    public long rateLimited;
    public long refused;
    public long linksOpened;
    public long introductionsMade;
    public long introductionsAnswered;
    public long introductionsFailed;
    public long peerCertsRefused;
}
