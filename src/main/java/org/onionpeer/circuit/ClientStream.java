package org.onionpeer.circuit;

import java.util.ArrayDeque;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Connected;
import org.onionpeer.cell.End;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Transport;

/**
 * One application stream through a {@link ClientCircuit} (tor-spec §6): the application's view is a
 * {@link Transport}. BEGIN (or BEGIN_DIR) waits for CONNECTED or END; then DATA flows both ways in cells of
 * at most 498 bytes under the stream window (500 cells, SENDME v0 every 50, tor-spec §7.4) and the
 * circuit window.
 *
 * <p>Back-pressure both ways, with explicit bounds: {@link #send} queues what the windows do not let out
 * yet ({@link #bufferedAmount()}; more than the circuit's {@code maxStreamSendBuffer} closes the stream),
 * and {@link #pauseReading(boolean)} lets a slow consumer stop acknowledging: received data then waits here
 * (at most one stream window, since the exit cannot send more without our SENDMEs) and the exit stops.
 *
 * <p>On a circuit whose last hop negotiated congestion control (proposal 324) there are no stream windows and
 * no stream SENDMEs (prop324 §2.2, §4): XON/XOFF instead, with bounds on what an exit that ignores XOFF can make
 * us hold. Which of the two a stream runs is a {@link StreamFlow} chosen when it opens ({@link StreamWindowFlow},
 * {@link XonXoffFlow}); this class keeps the queues and the stream's life and asks its flow at each step.
 *
 * <p>The listener hears {@code onClosed} exactly once: after END from the exit (once data received before it
 * was delivered), when the circuit dies, or after {@link #close}. Single-threaded, on the node's scheduler.
 */
public final class ClientStream implements Transport {
    public enum State { CONNECTING, OPEN, CLOSED }

    /** How the opener hears the outcome of BEGIN, and the end of an opened stream. */
    public interface ConnectListener {
        void connected(ClientStream stream);

        /**
         * BEGIN failed. {@code endReason} is a tor-spec §6.3 END reason; {@code retryable} is true when the
         * failure says nothing about the destination (the circuit died, we timed out, or the exit is
         * overloaded or hibernating), so another circuit may well succeed.
         */
        void failed(ClientStream stream, int endReason, String message, boolean retryable);

        /** An opened stream ended (after the listener's onClosed). */
        default void closed(ClientStream stream, String reason) {
        }
    }

    private final ClientCircuit circuit;
    private final int streamId;
    private final String target;
    private final ConnectListener connectListener;
    private final Scheduler scheduler;
    /** Stream windows, or XON/XOFF when the circuit's last hop negotiated congestion control. */
    private final StreamFlow flow;

    private State state = State.CONNECTING;
    private Transport.Listener listener;
    private Scheduler.Cancellable beginTimer;
    private Runnable drainListener;

    private final SendQueue outbound = new SendQueue();
    private boolean closeAfterFlush;

    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private long inboundBytes;
    private boolean paused;
    private boolean drainScheduled;
    private String pendingClose;

    private int endReason;
    private String closeReason;
    private Connected connectedMessage;

    ClientStream(ClientCircuit circuit, int streamId, String target, ConnectListener l) {
        this.circuit = circuit;
        this.streamId = streamId;
        this.target = target;
        this.connectListener = l;
        this.scheduler = circuit.scheduler();
        this.flow = StreamFlow.open(circuit, streamId);
    }

    void started() {
        long t = circuit.options().beginTimeoutMillis;
        beginTimer = scheduler.schedule(t, () -> {
            if (state == State.CONNECTING) {
                // tor sends END TIMEOUT and tries the stream elsewhere (connection_ap_expire_beginning).
                circuit.sendStreamMessage(streamId, End.of(EndReason.TIMEOUT));
                fail(EndReason.TIMEOUT, "no answer to BEGIN within " + t + " ms", true);
            }
        });
    }

    // ---- accessors --------------------------------------------------------------------------------------

    public State state() {
        return state;
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    public int streamId() {
        return streamId;
    }

    public ClientCircuit circuit() {
        return circuit;
    }

    /** "host:port", or "(directory)" for BEGIN_DIR. */
    public String target() {
        return target;
    }

    /** The CONNECTED message (address and TTL the exit reported), once open. */
    public Connected connectedMessage() {
        return connectedMessage;
    }

    /** The END reason the stream ended with (tor-spec §6.3), or 0 while open or when we closed it. */
    public int endReason() {
        return endReason;
    }

    public String closeReason() {
        return closeReason;
    }

    /** True when this stream uses XON/XOFF (its circuit negotiated congestion control), not stream windows. */
    public boolean usesFlowControl() {
        return flow.isXonXoff();
    }

    /** True while our XOFF is outstanding (we asked the exit to stop). */
    public boolean xoffSent() {
        return flow.xoffSent();
    }

    /** True while the exit's XOFF holds our sending. */
    public boolean xoffReceived() {
        return flow.xoffReceived();
    }

    public int xoffsSent() {
        return flow.xoffsSent();
    }

    public int xonsSent() {
        return flow.xonsSent();
    }

    /** The kbps_ewma of the exit's last XON (1000 bytes/s, 0 = unlimited), -1 before any. Advisory: unused. */
    public long advisedKbps() {
        return flow.advisedKbps();
    }

    /**
     * XOFF/XON from the exit that the bytes we sent cannot explain (prop324 §4.1.4, a dropmark sign). Counted,
     * not acted on, as C tor does (it only reports them): our limits come from consensus parameters an exit
     * may legitimately see differently.
     */
    public int implausibleFlowControl() {
        return flow.implausibleFlowControl();
    }

    /** The stream package window (DATA cells we may still send before the exit's SENDME; classic circuits). */
    public int packageWindow() {
        return flow.packageWindow();
    }

    /** The stream deliver window (DATA cells the exit may still send before our SENDME; classic circuits). */
    public int deliverWindow() {
        return flow.deliverWindow();
    }

    /** Bytes received and held while paused (or before a listener was set). */
    public long queuedInbound() {
        return inboundBytes;
    }

    public boolean isPaused() {
        return paused;
    }

    /** Called whenever the send queue empties after having held data. */
    public void setDrainListener(Runnable r) {
        this.drainListener = r;
    }

    // ---- Transport --------------------------------------------------------------------------------------

    @Override
    public void setListener(Transport.Listener l) {
        this.listener = l;
        scheduleDrain();
    }

    /**
     * Queues bytes and sends what the windows allow now, in cells of at most 498 bytes. Data sent before
     * CONNECTED waits for it. Over the queue limit the stream is closed (END MISC): the caller should watch
     * {@link #bufferedAmount()}.
     */
    @Override
    public void send(byte[] data) {
        if (state == State.CLOSED || closeAfterFlush || data.length == 0) {
            return;
        }
        if (outbound.bytes() + data.length > circuit.options().maxStreamSendBuffer) {
            endLocally(EndReason.MISC, "send buffer over " + circuit.options().maxStreamSendBuffer + " bytes");
            return;
        }
        outbound.add(data.clone());
        flush();
    }

    /** Bytes given to {@link #send} that have not yet left as DATA cells. */
    @Override
    public long bufferedAmount() {
        return outbound.bytes();
    }

    /**
     * Sends what is queued, then END DONE (tor-spec §6.3); before CONNECTED the BEGIN is abandoned at once.
     * The listener's onClosed follows once.
     */
    @Override
    public void close(String reason) {
        if (state == State.CLOSED || closeAfterFlush) {
            return;
        }
        if (state == State.OPEN && !outbound.isEmpty()) {
            closeAfterFlush = true;
            closeReason = reason;
            flush();
            return;
        }
        endLocally(EndReason.DONE, reason == null ? "closed" : reason);
    }

    /**
     * A slow consumer stops (true) or resumes (false) reading. While paused nothing is delivered and no stream
     * SENDME goes out, so the exit stops after one window (with congestion control: XOFF once more than
     * cc_xoff_client cells' worth is held); on resume the held data is delivered (as later tasks) and the
     * acknowledgements owed (or the XON) go out.
     */
    public void pauseReading(boolean pause) {
        if (paused == pause) {
            return;
        }
        paused = pause;
        if (!pause) {
            scheduleDrain();
        }
    }

    // ---- sending ----------------------------------------------------------------------------------------

    /** Sends queued data while both windows allow. */
    void flush() {
        if (state != State.OPEN) {
            return;
        }
        boolean had = !outbound.isEmpty();
        while (!outbound.isEmpty() && flow.canSend() && circuit.canSendData()) {
            byte[] chunk = outbound.take(RelayCell.MAX_DATA_LEN);
            flow.sent(chunk.length);
            circuit.sendData(streamId, chunk);
        }
        if (outbound.isEmpty()) {
            if (closeAfterFlush) {
                endLocally(EndReason.DONE, closeReason == null ? "closed" : closeReason);
                return;
            }
            if (had && drainListener != null) {
                drainListener.run();
            }
        }
    }

    // ---- receiving --------------------------------------------------------------------------------------

    /** A relay cell from the last hop for this stream (already counted by the circuit window). */
    void onRelay(RelayCell rc) {
        switch (rc.command()) {
            case RelayCommand.CONNECTED:
                if (state != State.CONNECTING) {
                    throw new ProtocolException("CONNECTED on an open stream");
                }
                connectedMessage = Connected.decode(rc.data());
                state = State.OPEN;
                cancelTimer();
                connectListener.connected(this);
                flush();
                return;
            case RelayCommand.END: {
                End e = End.decode(rc.data());
                if (state == State.CONNECTING) {
                    circuit.streamFinished(this);
                    int r = e.reason();
                    fail(r, "exit answered END " + e.reasonName(), retryableEnd(r));
                    return;
                }
                // The exit ended the stream: it is gone at its side, so no END goes back (tor-spec §6.3).
                circuit.streamFinished(this);
                remoteEnded(e.reason(), "END " + e.reasonName() + " from the exit");
                return;
            }
            case RelayCommand.DATA:
                if (state != State.OPEN || pendingClose != null) {
                    throw new ProtocolException("DATA on a stream that is not open");
                }
                flow.received();
                int n = rc.dataLength();
                if (n == 0) {
                    ackIfDrained();
                    return;
                }
                if (!paused && listener != null && inbound.isEmpty()) {
                    listener.onData(rc.dataArray(), rc.dataOffset(), n); // nothing waits: no copy held here
                } else {
                    byte[] d = rc.takeData();
                    inbound.add(d);
                    hold(d.length);
                }
                drain();
                if (state == State.OPEN) {
                    flow.afterData(inboundBytes);
                }
                return;
            case RelayCommand.SENDME:
                if (flow.onSendme(rc.data())) {
                    flush();
                }
                return;
            case RelayCommand.XOFF:
                flow.onXoff(rc.data());
                return;
            case RelayCommand.XON:
                if (flow.onXon(rc.data())) {
                    flush();
                }
                return;
            default:
                // tor-spec §6.1: other commands on a stream are dropped (RESOLVED, ...).
                return;
        }
    }

    /** The exit's reasons that say nothing about the destination: try another circuit. */
    static boolean retryableEnd(int reason) {
        return reason == EndReason.DESTROY || reason == EndReason.TIMEOUT || reason == EndReason.HIBERNATING
                || reason == EndReason.RESOURCELIMIT || reason == EndReason.NOROUTE;
    }

    // ---- holding received data ----------------------------------------------------------------------------

    private void hold(long n) {
        inboundBytes += n;
        flow.held(n);
    }

    private void release(long n) {
        inboundBytes -= n;
        flow.held(-n);
    }

    private void scheduleDrain() {
        if (!drainScheduled && (inboundBytes > 0 || pendingClose != null || flow.ackOwed())) {
            drainScheduled = true;
            scheduler.execute(() -> {
                drainScheduled = false;
                drain();
            });
        }
    }

    /** Delivers held data while the consumer reads, then the acknowledgements and any pending close. */
    private void drain() {
        while (!paused && listener != null && !inbound.isEmpty()) {
            byte[] d = inbound.poll();
            release(d.length);
            listener.onData(d);
            if (state == State.CLOSED && pendingClose == null) {
                return; // the consumer closed us from onData
            }
        }
        if (!inbound.isEmpty()) {
            return;
        }
        if (pendingClose != null) {
            String r = pendingClose;
            pendingClose = null;
            deliverClosed(r);
            return;
        }
        ackIfDrained();
    }

    /**
     * Consumer-paced acknowledgements (stream SENDMEs, or the XON after our XOFF): only for cells the consumer has
     * taken, and never while paused, so the exit stops instead of our memory filling (tor-spec §7.4, prop324 §4).
     */
    private void ackIfDrained() {
        if (paused || !inbound.isEmpty() || state != State.OPEN) {
            return;
        }
        flow.drained();
    }

    // ---- ending -----------------------------------------------------------------------------------------

    private void cancelTimer() {
        if (beginTimer != null) {
            beginTimer.cancel();
            beginTimer = null;
        }
    }

    private void fail(int reason, String message, boolean retryable) {
        if (state != State.CONNECTING) {
            return;
        }
        state = State.CLOSED;
        endReason = reason;
        closeReason = message;
        cancelTimer();
        circuit.streamFinished(this);
        connectListener.failed(this, reason, message, retryable);
    }

    /** We end the stream: END to the exit, then onClosed. */
    private void endLocally(int reason, String message) {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.CONNECTING) {
            circuit.sendStreamMessage(streamId, End.of(reason));
            fail(reason == EndReason.DONE ? EndReason.MISC : reason, message, false);
            return;
        }
        circuit.sendStreamMessage(streamId, End.of(reason));
        circuit.streamFinished(this);
        outbound.clear();
        inbound.clear();
        release(inboundBytes);
        state = State.CLOSED;
        endReason = reason == EndReason.DONE ? 0 : reason;
        deliverClosed(message);
    }

    /** The far end or the circuit ended the stream: hand over what was received first, then onClosed. */
    private void remoteEnded(int reason, String message) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        endReason = reason;
        outbound.clear();
        closeAfterFlush = false;
        if (inbound.isEmpty()) {
            deliverClosed(message);
        } else {
            pendingClose = message;
            drain();
        }
    }

    private void deliverClosed(String message) {
        closeReason = message;
        cancelTimer();
        if (listener != null) {
            listener.onClosed(message);
        }
        connectListener.closed(this, message);
    }

    /** The circuit died under us. */
    void circuitClosed(String reason) {
        if (state == State.CONNECTING) {
            fail(ClientCircuit.CIRCUIT_DEATH_REASON, "circuit closed: " + reason, true);
            return;
        }
        remoteEnded(ClientCircuit.CIRCUIT_DEATH_REASON, "circuit closed: " + reason);
    }

    @Override
    public String toString() {
        return "stream[" + streamId + " " + target + " " + state + "]";
    }
}
