package org.onionpeer.node;

/**
 * Node-wide bounds, beside the per-link {@code Channel.Limits} and the per-circuit ones in
 * {@code OnionRouter.Config}. Read when they apply, so a platform may set them any time on its node's
 * scheduler. The defaults suit a public bridge on a small machine.
 */
public final class NodeLimits {
    /**
     * Like tor's MaxMemInQueues: the bytes all of the node's queues may hold together (every link's transport
     * queue, every exit stream's queue in both directions). Above it the node sheds the queues whose data has
     * waited longest until it is under {@link #shedToPercent} of it. Default 256 MiB.
     */
    public long maxQueuedBytes = 256L << 20;
    /** Shedding stops at this share of {@link #maxQueuedBytes} (tor's circuits_handle_oom: 90 %). */
    public int shedToPercent = 90;
    /** How often queues are sampled for their size and age; the age of queued data is known to this grain. */
    public long sampleIntervalMillis = 200;
    /** Circuits this node relays at once, over all links; a CREATE beyond it gets DESTROY(RESOURCELIMIT). */
    public int maxRelayCircuits = 20_000;
    /**
     * Of those, circuits for peers at one address (all its links together), so that one host cannot take the
     * node's whole share: 4,096 (a fifth of the node's; many pages behind one NAT, or a relay of ours on the
     * same host, stay well under it). Peers whose address the platform did not give are not counted.
     */
    public int maxCircuitsPerAddress = 4_096;
    /**
     * Exit and directory streams at once, over all circuits; a BEGIN beyond it gets END(RESOURCELIMIT). Each
     * exit stream holds a socket, so this stays well below common file-descriptor limits.
     */
    public int maxExitStreams = 8_192;

    /** A copy with the same values: each node gets its own, read on its own loop. */
    public NodeLimits copy() {
        NodeLimits c = new NodeLimits();
        c.maxQueuedBytes = maxQueuedBytes;
        c.shedToPercent = shedToPercent;
        c.sampleIntervalMillis = sampleIntervalMillis;
        c.maxRelayCircuits = maxRelayCircuits;
        c.maxCircuitsPerAddress = maxCircuitsPerAddress;
        c.maxExitStreams = maxExitStreams;
        return c;
    }
}
