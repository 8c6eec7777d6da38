package org.onionpeer.ordb;

import java.util.ArrayDeque;
import java.util.List;
import org.onionpeer.platform.Scheduler;

/**
 * An {@link OrdbLink} over one end of a circuit, the same at both ends: the OP's (a requester, a publisher, an
 * ORDB forwarding upstream through a circuit it built) and the last hop's (an ORDB serving circuits others
 * built to it). Messages go out split by {@link OrdbFrames}, one relay cell each through the {@link Port}, only
 * while the circuit window lets a cell go (DB_* cells count in the circuit window exactly like DATA, since
 * DB_DATA carries the bulk); the rest waits here until {@link #windowOpened}. Cells coming in are put back
 * together per stream and handed to the handler as whole messages.
 *
 * <p>There is no stream window: each query's size is bounded by the protocol (64 chunks) and by the
 * requester's own limits, and the circuit window already stops the sender. What waits here is bounded by
 * {@code maxQueuedBytes}: past it the circuit is closed (the far end asked far more than it reads).
 */
public final class CircuitLink implements OrdbLink {
    /** The circuit end this link rides on. */
    public interface Port {
        /** Whether one more counted relay cell may go now (circuit open, window not empty). */
        boolean canSend();

        /** Sends one relay cell of {@code command} on {@code stream}, counted by the circuit window. */
        void send(int command, int stream, byte[] data);

        /** Closes the circuit. */
        void close();
    }

    /** Default bound on what waits for the circuit window: 4 requests of 64 chunks of 16 KiB, and some. */
    public static final long DEFAULT_MAX_QUEUED = 8L << 20;

    private final String name;
    private final Scheduler scheduler;
    private final Port port;
    private final long maxQueuedBytes;
    private final OrdbFrames.Reassembler in = new OrdbFrames.Reassembler();
    private final ArrayDeque<int[]> outHeads = new ArrayDeque<>();
    private final ArrayDeque<byte[]> outCells = new ArrayDeque<>();
    private long queued;
    private Handler handler;
    private boolean closed;
    private long messagesIn;
    private long messagesOut;

    public CircuitLink(String name, Scheduler scheduler, Port port, long maxQueuedBytes) {
        this.name = name;
        this.scheduler = scheduler;
        this.port = port;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /** Where whole messages go; set it before the first cell arrives. */
    public void setHandler(Handler h) {
        this.handler = h;
    }

    @Override
    public String name() {
        return name;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Bytes waiting for the circuit window. */
    public long queuedBytes() {
        return queued;
    }

    public long messagesIn() {
        return messagesIn;
    }

    public long messagesOut() {
        return messagesOut;
    }

    @Override
    public void send(int stream, OrdbMessage m) {
        if (closed) {
            return;
        }
        if (stream < 0 || stream > 0xffff) {
            throw new IllegalArgumentException("stream " + stream);
        }
        List<byte[]> cells = OrdbFrames.split(m);
        for (byte[] c : cells) {
            outHeads.add(new int[] {m.command(), stream});
            outCells.add(c);
            queued += c.length;
        }
        messagesOut++;
        pump();
        if (queued > maxQueuedBytes) {
            // Nothing reads what we send: the far end asks more than it takes. Drop the circuit, tell ours.
            closeQuietly();
            port.close();
            scheduleClosed();
        }
    }

    /** The circuit window reopened (a SENDME came, or the circuit was built): sends what it lets go. */
    public void windowOpened() {
        pump();
    }

    private void pump() {
        while (!closed && !outCells.isEmpty() && port.canSend()) {
            int[] h = outHeads.poll();
            byte[] c = outCells.poll();
            queued -= c.length;
            port.send(h[0], h[1], c);
        }
    }

    /**
     * One relay cell with an ORDB command from the far end (the caller counted it in the circuit window).
     * A framing error throws {@link org.onionpeer.bytes.ProtocolException}: the caller tears the circuit
     * down, since the stream's remaining cells can no longer be read.
     */
    public void onCell(int stream, int command, byte[] data) {
        if (closed) {
            return;
        }
        byte[] body = in.add(stream, command, data);
        if (body != null && handler != null) {
            messagesIn++;
            handler.onMessage(stream, command, body);
        }
    }

    @Override
    public void close() {
        if (closeQuietly()) {
            port.close();
        }
    }

    /** The circuit closed under us (or failed to build): the handler hears it in a later task. */
    public void circuitClosed() {
        if (closeQuietly()) {
            scheduleClosed();
        }
    }

    private boolean closeQuietly() {
        if (closed) {
            return false;
        }
        closed = true;
        outHeads.clear();
        outCells.clear();
        queued = 0;
        return true;
    }

    private void scheduleClosed() {
        scheduler.execute(() -> {
            if (handler != null) { // read now: a link may get its handler after it was opened
                handler.onClosed();
            }
        });
    }

    @Override
    public String toString() {
        return "ordb-link[" + name + (closed ? " closed" : "") + "]";
    }
}
