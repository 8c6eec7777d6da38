package org.onionpeer.circuit;

/**
 * A client circuit's explicit bounds and choices ({@link ClientCircuit}); the defaults follow tor's. Mutable: an
 * onion proxy keeps one and hands each circuit it builds a {@link #copy}.
 */
public final class CircuitOptions {
    public long buildTimeoutMillis = 60_000;
    /** May the first hop use CREATE_FAST? Honoured only on an authenticated link. */
    public boolean allowCreateFast = false;
    public int maxStreams = 256;
    /** How long BEGIN may wait for CONNECTED or END (tor waits 10-15 s before trying elsewhere). */
    public long beginTimeoutMillis = 15_000;
    /** What {@link ClientStream#send} may queue before the stream is closed as overrun. */
    public long maxStreamSendBuffer = 4L << 20;
    /**
     * How to ask the exit for congestion control (prop324 §10.1); null: do not ask (tor's classic windows).
     * {@link NtorV3ExitHandshake#FACTORY} asks over ntor v3 when the exit lists Relay=4 and FlowCtrl=2 and
     * the consensus's cc_alg is not 0. Null here because the page bundle must not carry ntor v3 (SHA-3,
     * ~40 KB of onionpeer.js); the JVM onion proxy sets it by default ({@code jvm.Bridge.Options#proxy}).
     *
     * <p>On throughput: the exit's Vegas holds cwnd where cwnd * (1 - RTT_min / RTT_ewma) sits between
     * alpha and beta (186-248 cells). Delays that are not queues (threads waiting for a CPU on an
     * oversubscribed host, at every hop) raise RTT_ewma over RTT_min all the same, so Vegas then keeps
     * 300-450 cells in flight where the classic windows keep 500 (the stream window): README, "Congestion
     * control", has the measurements.
     */
    public ExitHandshake.Factory congestionControl;
    /**
     * The consensus cc_sendme_inc (tor's default 31, range 1..255). An exit's sendme_inc more than a factor
     * of 2 away from it is refused (prop324 §10.5; tor's congestion_control_validate_sendme_increment).
     */
    public int consensusSendmeInc = ClientCircuit.DEFAULT_SENDME_INC;
    /**
     * cc_xoff_client in cells (tor's default 500): a stream of a congestion-controlled circuit sends XOFF
     * once more than this many cells' worth (x 498 bytes) of received data waits for the application
     * (prop324 §4.1.1; tor's flow_control_decide_xoff), and XON once that has drained.
     */
    public int xoffClientCells = 500;
    /** cc_xoff_exit in cells (tor's default 500): an exit's XOFF before that much was sent is suspicious. */
    public int xoffExitCells = 500;
    /** cc_xon_rate in cells (tor's default 500): bounds how often an exit's XON is plausible. */
    public int xonRateCells = 500;
    /**
     * Hard bound on received bytes one stream of a congestion-controlled circuit may hold for its
     * application. Past XOFF an honest exit sends at most what was already in flight (its congestion
     * window, a few thousand cells); an exit still sending far beyond this ignores XOFF and the circuit is
     * closed, so memory never grows without bound.
     */
    public long maxStreamReceiveBuffer = 8L << 20;
    /** The same bound for all streams of one congestion-controlled circuit together. */
    public long maxCircuitReceiveBuffer = 16L << 20;
    /** What our Vegas sends under toward a congestion-controlled exit (the consensus's, else tor's defaults). */
    public CcParams ccParams = CcParams.defaults();

    /**
     * Takes a verified consensus's prop324 parameters (tor's defaults for those it does not give): Vegas's,
     * cc_alg, cc_sendme_inc and the stream flow-control thresholds cc_xoff_client, cc_xoff_exit, cc_xon_rate.
     */
    public void useConsensus(CcParams p) {
        ccParams = p;
        consensusSendmeInc = p.sendmeInc;
        xoffClientCells = p.xoffClient;
        xoffExitCells = p.xoffExit;
        xonRateCells = p.xonRate;
    }

    public CircuitOptions copy() {
        CircuitOptions o = new CircuitOptions();
        o.buildTimeoutMillis = buildTimeoutMillis;
        o.allowCreateFast = allowCreateFast;
        o.maxStreams = maxStreams;
        o.beginTimeoutMillis = beginTimeoutMillis;
        o.maxStreamSendBuffer = maxStreamSendBuffer;
        o.congestionControl = congestionControl;
        o.consensusSendmeInc = consensusSendmeInc;
        o.xoffClientCells = xoffClientCells;
        o.xoffExitCells = xoffExitCells;
        o.xonRateCells = xonRateCells;
        o.maxStreamReceiveBuffer = maxStreamReceiveBuffer;
        o.maxCircuitReceiveBuffer = maxCircuitReceiveBuffer;
        o.ccParams = ccParams;
        return o;
    }
}
