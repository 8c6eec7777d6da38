package org.onionpeer.circuit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.bytes.ProtocolException;

/**
 * The streams of one {@link ClientCircuit} (Arti's stream map): the open ones by ID, the ones we ended until the
 * exit's END ({@link HalfStreams}), stream ID allocation, the round robin that shares a reopened circuit window,
 * and the received bytes the XON/XOFF streams hold together (bounded per circuit).
 */
final class CircuitStreams {
    private final Map<Integer, ClientStream> open = new LinkedHashMap<>();
    /** Streams we ended, until the exit's END: their late cells are checked (see {@link HalfStreams}). */
    private final HalfStreams halfClosed = new HalfStreams();
    private int nextId;
    private boolean everOpened;
    /** Cells for streams we never had (or forgot): dropped, counted. */
    private long unknownCells;
    /** Received bytes held by the streams that use XON/XOFF (bounded by the options). */
    private long held;
    private int flushCursor;

    /** {@code firstId}: where ID allocation starts (random, so IDs say nothing about the circuit's past). */
    CircuitStreams(int firstId) {
        this.nextId = firstId;
    }

    int size() {
        return open.size();
    }

    boolean isEmpty() {
        return open.isEmpty();
    }

    /** True once any stream was opened (congestion control can no longer be switched on). */
    boolean everOpened() {
        return everOpened;
    }

    ClientStream get(int id) {
        return open.get(id);
    }

    /** A free stream ID: not 0, not open, not half-closed. */
    int allocateId() {
        for (int i = 0; i < 0x10000; i++) {
            nextId = (nextId + 1) & 0xffff;
            if (nextId != 0 && !open.containsKey(nextId) && !halfClosed.contains(nextId)) {
                return nextId;
            }
        }
        throw new IllegalStateException("no free stream ID");
    }

    void add(ClientStream s) {
        everOpened = true;
        open.put(s.streamId(), s);
    }

    void remove(ClientStream s) {
        open.remove(s.streamId());
    }

    /** We are sending END on {@code id}: while it is open, its late cells will be checked until the exit's END. */
    void ending(int id) {
        ClientStream s = open.get(id);
        if (s != null) {
            halfClosed.ended(id, s.deliverWindow(), s.state() == ClientStream.State.CONNECTING, s.usesFlowControl());
        }
    }

    /**
     * A cell for a stream that is not open: checked if we ended it (throws if the exit may not send it), else
     * dropped and counted (tor-spec §6.1).
     */
    void notOpen(int id, int command) {
        if (!halfClosed.onRelay(id, command)) {
            unknownCells++;
        }
    }

    long unknownCells() {
        return unknownCells;
    }

    int halfClosed() {
        return halfClosed.size();
    }

    long held() {
        return held;
    }

    void held(long delta) {
        held += delta;
    }

    /** Throws when the XON/XOFF streams together hold more than {@code max}. */
    void checkHeld(long max) {
        if (held > max) {
            throw new ProtocolException("the exit kept sending after XOFF: " + held
                    + " received bytes wait for applications on this circuit, over the limit of " + max);
        }
    }

    /** The circuit window reopened: let streams with queued data send, starting where we stopped last. */
    void flush(ClientCircuit circuit) {
        if (open.isEmpty()) {
            return;
        }
        List<ClientStream> all = new ArrayList<>(open.values());
        int n = all.size();
        int start = flushCursor % n;
        for (int i = 0; i < n && circuit.canSendData(); i++) {
            all.get((start + i) % n).flush();
        }
        flushCursor = start + 1;
    }

    /** Forgets every open stream and returns them (the circuit is closing). */
    List<ClientStream> removeAll() {
        List<ClientStream> all = new ArrayList<>(open.values());
        open.clear();
        return all;
    }
}
