package org.onionpeer.node;

import java.util.ArrayDeque;
import org.onionpeer.cell.Connected;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.End;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.Sendme;
import org.onionpeer.cell.Xoff;
import org.onionpeer.cell.Xon;
import org.onionpeer.circuit.Vegas;
import org.onionpeer.circuit.Window;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Connector;
import org.onionpeer.transport.Transport;

/**
 * One stream at the edge of a circuit: the exit's TCP connection to a destination, or a BEGIN_DIR stream
 * answered from the relay's own documents. Bytes from the destination become DATA cells as the stream and
 * circuit windows allow; what cannot go yet waits in a bounded queue, and above its high mark the
 * destination socket is paused. Bytes from the OP go to the destination; the stream SENDME that lets the OP
 * send more goes out only once the destination has taken them, so a slow destination throttles the OP.
 *
 * <p>On a circuit that negotiated congestion control there are no stream windows (prop324 §4): the client's
 * XOFF stops our sending on this stream until its XON, and we send XOFF when more than cc_xoff_exit cells'
 * worth wait for the destination, XON (rate 0, "unlimited") once it has taken them down to the low mark.
 */
final class ExitStream implements Transport.Listener, MemoryGuard.Queue {
    /** Queue bounds (bytes) in each direction. */
    static final int HIGH_WATER = 256 * 1024;
    static final int LOW_WATER = 64 * 1024;
    static final long TTL = 300;
    static final long CONNECTED_TIMEOUT_MILLIS = 30_000;

    private final RelayCircuit circuit;
    private final int streamId;
    private final Window window = Window.stream();
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private int pendingBytes;
    private int headOffset;
    private Transport transport;
    private boolean connected;
    private boolean closed;
    private boolean endAfterFlush;
    private int endReason = EndReason.DONE;
    private boolean paused;
    private Scheduler.Cancellable recheck;
    private boolean released;
    private long queuedTotal;
    /** XON/XOFF instead of stream windows (the circuit negotiated congestion control). */
    private final boolean flowControl;
    private final long xoffLimit;
    private boolean xoffReceived;
    private boolean xoffSent;
    private int xoffsSent;

    ExitStream(RelayCircuit circuit, int streamId) {
        this.circuit = circuit;
        this.streamId = streamId;
        this.flowControl = circuit.usesCongestionControl();
        Vegas v = circuit.vegas();
        this.xoffLimit = v == null ? 0 : (long) v.params().xoffExit * RelayCell.MAX_DATA_LEN;
        circuit.node().memory().add(this);
        circuit.router().edgeStreamOpened();
    }

    /** Leaves the node's memory budget and stream count; once, on whichever ending comes first. */
    private void release() {
        closed = true;
        if (!released) {
            released = true;
            circuit.node().memory().remove(this);
            circuit.router().edgeStreamClosed();
        }
    }

    // ---- the node's memory budget -----------------------------------------------------------------------

    @Override
    public long queuedBytes() {
        return pendingBytes + (transport == null ? 0 : transport.bufferedAmount());
    }

    @Override
    public long queuedTotal() {
        return queuedTotal;
    }

    @Override
    public boolean isGone() {
        return released;
    }

    @Override
    public String shed() {
        circuit.close(DestroyReason.RESOURCELIMIT, true, true);
        return "destroyed a circuit whose exit stream holds data no one takes";
    }

    void connect(Connector connector, String host, int port, Connector.AddressFilter policy) {
        connector.connect(host, port, policy, new Connector.ConnectCallback() {
            @Override
            public void connected(Transport t, byte[] resolvedAddress) {
                if (closed) {
                    t.close("stream closed before it connected");
                    return;
                }
                attach(t);
                circuit.sendBackward(streamId, Connected.of(IpAddress.of(resolvedAddress), TTL));
            }

            @Override
            public void failed(int endReason, String message) {
                if (!closed) {
                    release();
                    circuit.streamClosed(streamId);
                    circuit.sendBackward(streamId, End.of(endReason));
                }
            }
        });
    }

    void attachDirectory(OnionRouter.DirectorySource source) {
        attach(new DirectoryResponder(circuit.node().scheduler(), source));
        circuit.sendBackward(streamId, Connected.empty());
    }

    private void attach(Transport t) {
        transport = t;
        connected = true;
        t.setListener(this);
    }

    // ---- destination -> OP -----------------------------------------------------------------------------

    @Override
    public void onData(byte[] data) {
        if (closed || data.length == 0) {
            return;
        }
        pending.add(data);
        pendingBytes += data.length;
        queuedTotal += data.length;
        circuit.node().memory().queued(data.length);
        if (pendingBytes > HIGH_WATER && !paused) {
            paused = true;
            transport.pauseReading(true);
        }
        pump();
    }

    @Override
    public void onClosed(String reason) {
        if (closed) {
            return;
        }
        endAfterFlush = true;
        pump();
    }

    /** Sends what the windows allow; called again whenever a SENDME opens them. */
    void pump() {
        while (!closed && pendingBytes > 0 && (flowControl ? !xoffReceived : window.canSend())
                && circuit.canSendData()) {
            byte[] head = pending.peek();
            int at = headOffset;
            int n = Math.min(RelayCell.MAX_DATA_LEN, head.length - at);
            headOffset += n;
            if (headOffset == head.length) {
                pending.poll();
                headOffset = 0;
            }
            pendingBytes -= n;
            if (!flowControl) {
                window.sent(null);
            }
            // Straight from what the socket delivered: no slice per cell.
            circuit.sendCounted(RelayCommand.DATA, streamId, head, at, n);
        }
        if (paused && pendingBytes < LOW_WATER && !closed) {
            paused = false;
            transport.pauseReading(false);
        }
        if (endAfterFlush && pendingBytes == 0 && !closed) {
            release();
            circuit.streamClosed(streamId);
            circuit.sendBackward(streamId, End.of(endReason));
        }
    }

    void sendmeReceived() {
        if (flowControl) {
            return; // no stream windows under congestion control; tor drops these too
        }
        window.sendmeReceived(null);
        pump();
    }

    /** The client asked us to stop sending on this stream (prop324 §4.1). */
    void xoffFromClient() {
        xoffReceived = true;
    }

    /** The client takes data again (its rate advice is not followed: we send as Vegas allows). */
    void xonFromClient() {
        xoffReceived = false;
        pump();
    }

    boolean xoffSent() {
        return xoffSent;
    }

    int xoffsSent() {
        return xoffsSent;
    }

    boolean xoffReceived() {
        return xoffReceived;
    }

    // ---- OP -> destination -----------------------------------------------------------------------------

    void deliver(byte[] data) {
        if (closed) {
            return;
        }
        if (!connected) {
            // DATA before CONNECTED: tor-spec says the OP must wait; treat as a protocol error of the stream.
            closeWith(EndReason.TORPROTOCOL);
            return;
        }
        if (!flowControl) {
            window.delivered();
        }
        transport.send(data);
        queuedTotal += data.length;
        circuit.node().memory().queued(data.length);
        if (flowControl) {
            considerXoff();
        } else {
            considerSendme();
        }
    }

    /** prop324 §4.1.1 at the exit: XOFF past cc_xoff_exit cells waiting for the destination, XON once drained. */
    private void considerXoff() {
        if (closed) {
            return;
        }
        long waiting = transport.bufferedAmount();
        if (!xoffSent && waiting > xoffLimit) {
            xoffSent = true;
            xoffsSent++;
            circuit.sendBackward(streamId, new Xoff());
        }
        if (xoffSent) {
            if (waiting < LOW_WATER) {
                xoffSent = false;
                circuit.sendBackward(streamId, new Xon(Xon.UNLIMITED));
            } else if (recheck == null) {
                // Transport has no "drained" event: look again shortly.
                recheck = circuit.node().scheduler().schedule(20, () -> {
                    recheck = null;
                    considerXoff();
                });
            }
        }
    }

    private void considerSendme() {
        if (closed || !window.sendmeDue()) {
            return;
        }
        if (transport.bufferedAmount() < LOW_WATER) {
            while (window.sendmeDue()) {
                window.sendmeSent();
                circuit.sendBackward(streamId, Sendme.unauthenticated());
            }
        } else if (recheck == null) {
            // The destination is slow: look again shortly instead of acknowledging what it has not taken.
            recheck = circuit.node().scheduler().schedule(50, () -> {
                recheck = null;
                considerSendme();
            });
        }
    }

    // ---- endings ---------------------------------------------------------------------------------------

    private void closeWith(int reason) {
        if (closed) {
            return;
        }
        release();
        circuit.streamClosed(streamId);
        circuit.sendBackward(streamId, End.of(reason));
        if (transport != null) {
            transport.close("stream ended");
        }
        cancelRecheck();
    }

    /** The OP sent END. */
    void closeFromOp() {
        release();
        cancelRecheck();
        if (transport != null) {
            transport.close("END from the client");
        }
    }

    /** The circuit went away. */
    void circuitClosed() {
        release();
        cancelRecheck();
        if (transport != null) {
            transport.close("circuit closed");
        }
    }

    private void cancelRecheck() {
        if (recheck != null) {
            recheck.cancel();
            recheck = null;
        }
    }
}
