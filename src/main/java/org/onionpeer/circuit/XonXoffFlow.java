package org.onionpeer.circuit;

import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.Xoff;
import org.onionpeer.cell.Xon;

/**
 * Stream flow control on a circuit whose last hop negotiated congestion control (prop324 §4; tor's
 * flow_control_decide_xoff/xon): no stream windows and no stream SENDMEs (one from the exit is a protocol
 * violation, as in tor's sendme_process_stream_level). An XOFF from the exit stops our sending on this stream
 * until its XON. As receiver we send XOFF once more than {@code xoffClientCells} x 498 bytes wait for the
 * consumer, and XON (rate 0, "unlimited": we measure no drain rate) once they have drained. What an exit that
 * ignores XOFF can make us hold is capped per stream and per circuit ({@code maxStreamReceiveBuffer},
 * {@code maxCircuitReceiveBuffer}): past it the circuit is closed as a protocol violation. XOFF/XON that the
 * bytes we sent cannot explain are counted (prop324 §4.1.4 dropmarks), not acted on, as C tor does.
 */
final class XonXoffFlow implements StreamFlow {
    private final ClientCircuit circuit;
    private final int streamId;
    private final long xoffLimit;
    private boolean xoffSent;
    private boolean xoffReceived;
    private int xoffsSent;
    private int xonsSent;
    /** Dropmark bookkeeping (prop324 §4.1.4, tor's flow_control_note_sent_data): bytes sent, XOFF/XON heard. */
    private long bytesSent;
    private int xoffsReceived;
    private int xonsReceived;
    private int implausibleFlowControl;
    private long advisedKbps = -1;

    XonXoffFlow(ClientCircuit circuit, int streamId) {
        this.circuit = circuit;
        this.streamId = streamId;
        this.xoffLimit = (long) circuit.options().xoffClientCells * RelayCell.MAX_DATA_LEN;
    }

    @Override
    public boolean isXonXoff() {
        return true;
    }

    // ---- sending ----------------------------------------------------------------------------------------

    @Override
    public boolean canSend() {
        return !xoffReceived;
    }

    /** tor's flow_control_note_sent_data: count what we sent, halving all counts past 10 MB. */
    @Override
    public void sent(int n) {
        if (bytesSent >= (10L << 20) - n) {
            bytesSent /= 2;
            xoffsReceived /= 2;
            xonsReceived /= 2;
        }
        bytesSent += n;
    }

    @Override
    public boolean onSendme(byte[] data) {
        // tor's sendme_process_stream_level: a stream SENDME under congestion control is a violation.
        throw new ProtocolException("stream SENDME on a congestion-controlled circuit");
    }

    @Override
    public void onXoff(byte[] data) {
        Xoff.decode(data);
        if (xoffReceived) {
            return; // tor ignores a repeated XOFF
        }
        if (xoffsReceived == 200) { // tor's XOFF_COUNT_SCALE_AT
            bytesSent /= 2;
            xoffsReceived /= 2;
            xonsReceived /= 2;
        }
        xoffsReceived++;
        // prop324 §4.1.4: an exit XOFFs only after cc_xoff_exit bytes of ours piled up at its side.
        if (bytesSent < (long) circuit.options().xoffExitCells * RelayCell.MAX_DATA_LEN * xoffsReceived) {
            implausibleFlowControl++;
        }
        xoffReceived = true;
    }

    @Override
    public boolean onXon(byte[] data) {
        Xon x = Xon.decode(data);
        if (xonsReceived == 200) { // tor's XON_COUNT_SCALE_AT
            bytesSent /= 2;
            xoffsReceived /= 2;
            xonsReceived /= 2;
        }
        xonsReceived++;
        long per = (long) Math.min(circuit.options().xoffExitCells, circuit.options().xonRateCells)
                * RelayCell.MAX_DATA_LEN;
        if (bytesSent < per * xonsReceived) {
            implausibleFlowControl++;
        }
        // The rate is advice (tor feeds it to a token bucket); we send as the circuit window allows.
        advisedKbps = x.kbpsEwma();
        if (xoffReceived) {
            xoffReceived = false;
            return true;
        }
        return false;
    }

    // ---- receiving --------------------------------------------------------------------------------------

    @Override
    public void received() {
        // no stream window: the circuit's window and the receive bounds below limit what the exit sends
    }

    @Override
    public void held(long delta) {
        circuit.held(delta);
    }

    /**
     * Too much held for the consumer? XOFF once past cc_xoff_client (prop324 §4.1.1); an exit that goes on far
     * past it breaks the protocol (the C tor client relies on its OOM handler instead; we bound).
     */
    @Override
    public void afterData(long held) {
        long max = circuit.options().maxStreamReceiveBuffer;
        if (held > max) {
            throw new ProtocolException("the exit kept sending on stream " + streamId + " after XOFF: " + held
                    + " received bytes wait for the application, over the limit of " + max);
        }
        circuit.checkHeld();
        if (!xoffSent && held > xoffLimit) {
            xoffSent = true;
            xoffsSent++;
            circuit.sendStreamMessage(streamId, new Xoff());
        }
    }

    @Override
    public boolean ackOwed() {
        return xoffSent;
    }

    /** prop324 §4.1.1: XON once the queue has drained; rate 0 = unlimited (we measure no drain rate). */
    @Override
    public void drained() {
        if (xoffSent) {
            xoffSent = false;
            xonsSent++;
            circuit.sendStreamMessage(streamId, new Xon(Xon.UNLIMITED));
        }
    }

    // ---- observations -----------------------------------------------------------------------------------

    @Override
    public int packageWindow() {
        return Window.STREAM_START;
    }

    @Override
    public int deliverWindow() {
        return Window.STREAM_START;
    }

    @Override
    public boolean xoffSent() {
        return xoffSent;
    }

    @Override
    public boolean xoffReceived() {
        return xoffReceived;
    }

    @Override
    public int xoffsSent() {
        return xoffsSent;
    }

    @Override
    public int xonsSent() {
        return xonsSent;
    }

    @Override
    public long advisedKbps() {
        return advisedKbps;
    }

    @Override
    public int implausibleFlowControl() {
        return implausibleFlowControl;
    }
}
