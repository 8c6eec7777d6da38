package org.onionpeer.circuit;

import org.onionpeer.cell.Sendme;

/**
 * Classic stream flow control (tor-spec §7.4): a {@link Window#stream()} each way, 500 cells, an unauthenticated
 * SENDME (v0) per 50. Our SENDMEs are consumer-paced: owed as cells arrive, sent only once the consumer has taken
 * what they carried, so a slow reader stops the exit after one window instead of filling our memory. XON/XOFF
 * mean nothing here and are ignored, as tor ignores them without congestion control.
 */
final class StreamWindowFlow implements StreamFlow {
    private final ClientCircuit circuit;
    private final int streamId;
    private final Window window = Window.stream();

    StreamWindowFlow(ClientCircuit circuit, int streamId) {
        this.circuit = circuit;
        this.streamId = streamId;
    }

    @Override
    public boolean isXonXoff() {
        return false;
    }

    @Override
    public boolean canSend() {
        return window.canSend();
    }

    @Override
    public void sent(int bytes) {
        window.sent(null);
    }

    @Override
    public boolean onSendme(byte[] data) {
        Sendme.decode(data); // the version byte must still make sense
        window.sendmeReceived(null);
        return true;
    }

    @Override
    public void onXoff(byte[] data) {
        // without congestion control tor ignores XON/XOFF (circuit_process_stream_xoff)
    }

    @Override
    public boolean onXon(byte[] data) {
        return false;
    }

    @Override
    public void received() {
        window.delivered();
    }

    @Override
    public void held(long delta) {
    }

    @Override
    public void afterData(long held) {
    }

    @Override
    public boolean ackOwed() {
        return window.sendmeDue();
    }

    @Override
    public void drained() {
        while (window.sendmeDue()) {
            circuit.sendStreamMessage(streamId, Sendme.unauthenticated());
            window.sendmeSent();
        }
    }

    @Override
    public int packageWindow() {
        return window.packageWindow();
    }

    @Override
    public int deliverWindow() {
        return window.deliverWindow();
    }

    @Override
    public boolean xoffSent() {
        return false;
    }

    @Override
    public boolean xoffReceived() {
        return false;
    }

    @Override
    public int xoffsSent() {
        return 0;
    }

    @Override
    public int xonsSent() {
        return 0;
    }

    @Override
    public long advisedKbps() {
        return -1;
    }

    @Override
    public int implausibleFlowControl() {
        return 0;
    }
}
