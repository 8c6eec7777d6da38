package org.onionpeer.circuit;

/**
 * How one {@link ClientStream} is flow-controlled, chosen once when it opens (Arti's {@code StreamFlowCtrl}):
 * {@link StreamWindowFlow}, the classic stream windows (500 cells, a SENDME per 50, tor-spec §7.4), or
 * {@link XonXoffFlow}, XON/XOFF on a circuit whose last hop negotiated congestion control (prop324 §4). The stream
 * keeps its queues and asks its flow at each step; the circuit window is the circuit's business, not this.
 */
interface StreamFlow {
    /** The flow for a stream opened now on {@code circuit}: XON/XOFF if its last hop negotiated congestion control. */
    static StreamFlow open(ClientCircuit circuit, int streamId) {
        return circuit.usesCongestionControl() ? new XonXoffFlow(circuit, streamId) : new StreamWindowFlow(circuit, streamId);
    }

    /** True for XON/XOFF, false for stream windows. */
    boolean isXonXoff();

    // ---- sending ----------------------------------------------------------------------------------------

    /** May one more DATA cell go on this stream (the circuit window permitting)? */
    boolean canSend();

    /** One DATA cell carrying {@code bytes} is going out. */
    void sent(int bytes);

    /**
     * The exit's stream SENDME, its {@code data}: true when sending may resume (flush).
     *
     * @throws org.onionpeer.bytes.ProtocolException when it acknowledges nothing or this mode has no SENDMEs
     */
    boolean onSendme(byte[] data);

    /** The exit's XOFF (ignored without congestion control, as tor does). */
    void onXoff(byte[] data);

    /** The exit's XON: true when sending may resume (flush). */
    boolean onXon(byte[] data);

    // ---- receiving --------------------------------------------------------------------------------------

    /**
     * A DATA cell arrived, before it is held.
     *
     * @throws org.onionpeer.bytes.ProtocolException when the exit sent past our window
     */
    void received();

    /** The stream holds {@code delta} more (or, negative, fewer) received bytes for its application. */
    void held(long delta);

    /**
     * After a DATA cell was held and what the consumer takes was delivered: {@code held} bytes still wait.
     *
     * @throws org.onionpeer.bytes.ProtocolException when the exit ignores what it was told
     */
    void afterData(long held);

    /** Whether an acknowledgement (SENDME, XON) is owed once the consumer has taken what was held. */
    boolean ackOwed();

    /** The consumer has taken everything held: send the acknowledgements owed. */
    void drained();

    // ---- observations -----------------------------------------------------------------------------------

    /** Stream package window (classic; XON/XOFF streams report the untouched initial 500). */
    int packageWindow();

    /** Stream deliver window (classic; XON/XOFF streams report the untouched initial 500). */
    int deliverWindow();

    boolean xoffSent();

    boolean xoffReceived();

    int xoffsSent();

    int xonsSent();

    long advisedKbps();

    int implausibleFlowControl();
}
