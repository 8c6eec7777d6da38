package org.onionpeer.circuit;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.RelayCommand;

/**
 * Streams we ended whose END the exit has not answered yet (tor's {@code half_edge_t}, Arti's half-closed
 * streams): the exit may still send what it sent before our END reached it, and that is checked, not
 * dropped unseen. What is allowed: DATA within the deliver window we had left (any amount under congestion
 * control, where the circuit's window is the bound), a stream SENDME on a classic circuit, CONNECTED if we
 * ended before it came, RESOLVED, XON/XOFF, and END, which forgets the stream. Anything else, or DATA past
 * the window, is a protocol violation that closes the circuit. A stream ID stays out of use while half-closed.
 * At most {@link #MAX} are remembered (the oldest forgotten first): their late cells are then dropped as
 * cells of an unknown stream are.
 */
final class HalfStreams {
    static final int MAX = 1024;

    private static final class Half {
        int deliverWindow;
        boolean connectedPending;
        final boolean flowControl;

        Half(int deliverWindow, boolean connectedPending, boolean flowControl) {
            this.deliverWindow = deliverWindow;
            this.connectedPending = connectedPending;
            this.flowControl = flowControl;
        }
    }

    private final Map<Integer, Half> half = new LinkedHashMap<>();

    /** We sent END on {@code id}; {@code deliverWindow} DATA cells may still come (classic circuits). */
    void ended(int id, int deliverWindow, boolean connectedPending, boolean flowControl) {
        if (half.size() >= MAX) {
            Iterator<Integer> oldest = half.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        half.put(id, new Half(deliverWindow, connectedPending, flowControl));
    }

    boolean contains(int id) {
        return half.containsKey(id);
    }

    int size() {
        return half.size();
    }

    /** A cell on stream {@code id}: false if it is not half-closed; throws if the exit may not send it. */
    boolean onRelay(int id, int command) {
        Half h = half.get(id);
        if (h == null) {
            return false;
        }
        switch (command) {
            case RelayCommand.DATA:
                if (!h.flowControl && --h.deliverWindow < 0) {
                    throw new ProtocolException("DATA past the window on half-closed stream " + id);
                }
                return true;
            case RelayCommand.END:
                half.remove(id);
                return true;
            case RelayCommand.CONNECTED:
                if (!h.connectedPending) {
                    throw new ProtocolException("CONNECTED twice on half-closed stream " + id);
                }
                h.connectedPending = false;
                return true;
            case RelayCommand.SENDME:
                if (h.flowControl) {
                    throw new ProtocolException("stream SENDME on a congestion-controlled circuit");
                }
                return true;
            case RelayCommand.RESOLVED:
            case RelayCommand.XON:
            case RelayCommand.XOFF:
                return true;
            default:
                throw new ProtocolException(RelayCommand.name(command) + " on half-closed stream " + id);
        }
    }
}
