package org.onionpeer.circuit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.ConfluxLink;
import org.onionpeer.cell.ConfluxLinkedAck;
import org.onionpeer.cell.ConfluxSwitch;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.platform.Entropy;
import org.onionpeer.platform.Scheduler;

/**
 * A conflux set seen from the client (proposal 329, "traffic splitting"; C tor 0.4.8+ and its clients use it by
 * default): two or more built circuits to the same exit, each with congestion control, linked into one
 * path for streams, so the exit can send a stream's data on whichever leg has room in its congestion window.
 * One leg's window is bounded by the exit's Vegas against that path's RTT; the set's is the sum.
 *
 * <p>Linking (prop329 §2.1-2.2): a CONFLUX_LINK with the set's random nonce on every leg, the exit's
 * CONFLUX_LINKED with the same nonce, our CONFLUX_LINKED_ACK on that leg; the set is usable once every leg is
 * linked. If a LINKED does not come within {@code timeoutMillis} every leg is closed (§2.1 says both MUST be).
 *
 * <p>Order (prop329 §3): the multiplexed commands (BEGIN, DATA, END, CONNECTED, RESOLVE(D), XON, XOFF, as tor's
 * conflux_should_multiplex) carry an implicit sequence number: each leg counts the ones it received, and a
 * CONFLUX_SWITCH adds its relative number to that leg's count first. A cell whose number is the next of the
 * set is handed to the primary leg (where the streams live); one ahead waits, at most
 * {@code maxOutOfOrderCells}; one at or below the last delivered number is a protocol violation. Circuit-level
 * commands (SENDME above all: congestion control is per leg, and a cell counts toward its leg's SENDME when it
 * arrives, in order or not, prop329 §2.5) stay with their leg.
 *
 * <p>What we send: every multiplexed cell goes on the primary leg, so we never switch and never send
 * CONFLUX_SWITCH (an exit takes a client's cells on any leg; ours are requests and flow control). We do not
 * resume sets: a leg that closes closes the set (prop329 §2.4.3: C tor does the same whenever data may have
 * been in flight on it), and the streams end with the reason.
 *
 * <p>Single-threaded, on the circuits' scheduler.
 */
public final class ConfluxSet implements ClientCircuit.Conflux {
    /** Told once: linked, or failed (every leg closed by then). */
    public interface Listener {
        void linked(ConfluxSet set);

        void failed(ConfluxSet set, String reason);
    }

    /** Explicit bounds. */
    public static final class Limits {
        /** How long after the LINKs every LINKED must have come (prop329 §2.1: C tor uses the build timeout). */
        public long timeoutMillis = 60_000;
        /** Cells held while waiting for an earlier sequence number (about 4 MB of data at 8192). */
        public int maxOutOfOrderCells = 8192;
        /** prop329 §2.1 DESIRED_UX: tor's client default asks for throughput. */
        public int desiredUx = ConfluxLink.UX_HIGH_THROUGHPUT;
    }

    private static final class Leg {
        final ClientCircuit circuit;
        boolean linked;
        /** Multiplexed cells received on this leg, plus the SWITCH jumps (absolute sequence number of the last). */
        long lastSeqRecv;
        /** Multiplexed cells that arrived on this leg. */
        long cells;

        Leg(ClientCircuit circuit) {
            this.circuit = circuit;
        }
    }

    private final List<Leg> legs = new ArrayList<>();
    private final Scheduler scheduler;
    private final Limits limits;
    private final Listener listener;
    private final byte[] nonce = new byte[ConfluxLink.NONCE_LEN];
    private final TreeMap<Long, RelayCell> outOfOrder = new TreeMap<>();
    private long lastSeqDelivered;
    private Scheduler.Cancellable timer;
    private boolean linked;
    private boolean closed;
    private boolean delivering;

    /** {@code legs}: built circuits to the same exit, each with congestion control; the first is the primary. */
    public ConfluxSet(List<ClientCircuit> legs, Scheduler scheduler, Entropy entropy, Limits limits,
            Listener listener) {
        if (legs.size() < 2) {
            throw new IllegalArgumentException("a conflux set has at least 2 legs, not " + legs.size());
        }
        for (ClientCircuit c : legs) {
            if (!c.isOpen() || !c.usesCongestionControl()) {
                throw new IllegalArgumentException("a conflux leg must be open with congestion control: " + c);
            }
            this.legs.add(new Leg(c));
        }
        this.scheduler = scheduler;
        this.limits = limits == null ? new Limits() : limits;
        this.listener = listener;
        entropy.nextBytes(nonce);
    }

    /** Sends CONFLUX_LINK on every leg and waits for the exit's LINKED on each. */
    public void start() {
        timer = scheduler.schedule(limits.timeoutMillis, () -> {
            timer = null;
            int n = 0;
            for (Leg l : legs) {
                n += l.linked ? 1 : 0;
            }
            fail("conflux set not linked within " + limits.timeoutMillis + " ms (" + n + " of " + legs.size()
                    + " legs answered)");
        });
        ConfluxLink link = ConfluxLink.link(nonce, limits.desiredUx);
        for (Leg l : legs) {
            l.circuit.setConflux(this);
            l.circuit.sendControl(link);
        }
    }

    /** The leg that carries our streams. */
    public ClientCircuit primary() {
        return legs.get(0).circuit;
    }

    public List<ClientCircuit> legs() {
        List<ClientCircuit> out = new ArrayList<>();
        for (Leg l : legs) {
            out.add(l.circuit);
        }
        return Collections.unmodifiableList(out);
    }

    public boolean isLinked() {
        return linked && !closed;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Cells waiting for an earlier sequence number. */
    public int outOfOrderCells() {
        return outOfOrder.size();
    }

    /**
     * The nonce's first 8 bytes in upper-case hex: how C tor names the set in its info-level log. For tests that
     * find our set in an exit's log; we never log it (prop329 §2.1).
     */
    public String tag() {
        StringBuilder sb = new StringBuilder(16);
        for (int i = 0; i < 8; i++) {
            sb.append("0123456789ABCDEF".charAt((nonce[i] >> 4) & 15)).append("0123456789ABCDEF".charAt(nonce[i] & 15));
        }
        return sb.toString();
    }

    /** Multiplexed cells (DATA, END, ...) that arrived on leg {@code i} (0 = the primary). */
    public long cellsOn(int i) {
        return legs.get(i).cells;
    }

    /** The absolute sequence number of the last cell handed to the streams. */
    public long lastSeqDelivered() {
        return lastSeqDelivered;
    }

    /** Closes every leg with {@code reason} (a leg closed, the application is done...). */
    public void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        cancelTimer();
        outOfOrder.clear();
        for (Leg l : legs) {
            l.circuit.close(reason);
        }
    }

    /** One of the legs closed: the others go too, with that reason. */
    @Override
    public void legClosed(ClientCircuit leg, String reason) {
        if (closed) {
            return;
        }
        boolean wasLinked = linked;
        close("conflux leg " + (indexOf(leg) + 1) + " of " + legs.size() + " closed: " + reason);
        if (!wasLinked && listener != null) {
            listener.failed(this, "a leg closed before the set was linked: " + reason);
        }
    }

    // ---- cells from the legs ------------------------------------------------------------------------------

    @Override
    public boolean onCell(ClientCircuit circuit, RelayCell rc) {
        int cmd = rc.command();
        Leg leg = legs.get(indexOf(circuit));
        switch (cmd) {
            case RelayCommand.CONFLUX_LINKED:
                linkedOn(leg, ConfluxLink.decode(cmd, rc.data()));
                return true;
            case RelayCommand.CONFLUX_SWITCH: {
                if (!linked) {
                    throw new ProtocolException("CONFLUX_SWITCH before the set was linked");
                }
                leg.lastSeqRecv += ConfluxSwitch.decode(rc.data()).relativeSeq();
                return true;
            }
            case RelayCommand.CONFLUX_LINK:
            case RelayCommand.CONFLUX_LINKED_ACK:
                throw new ProtocolException(RelayCommand.name(cmd) + " sent to a client");
            default:
                break;
        }
        if (!multiplexed(cmd)) {
            return false; // circuit-level: SENDME, DROP... stay with the leg
        }
        if (!linked) {
            throw new ProtocolException(RelayCommand.name(cmd) + " on a conflux leg before the set was linked");
        }
        leg.cells++;
        long seq = ++leg.lastSeqRecv;
        if (seq <= lastSeqDelivered) {
            throw new ProtocolException("conflux sequence number " + seq + " was already delivered (last "
                    + lastSeqDelivered + ")");
        }
        if (seq != lastSeqDelivered + 1) {
            if (outOfOrder.size() >= limits.maxOutOfOrderCells) {
                throw new ProtocolException("conflux out-of-order queue over " + limits.maxOutOfOrderCells
                        + " cells");
            }
            // A decoded cell views the link reader's buffer, valid only while it is handled: keep a copy.
            if (outOfOrder.put(seq, rc.detached()) != null) {
                throw new ProtocolException("conflux sequence number " + seq + " received twice");
            }
            return true;
        }
        lastSeqDelivered = seq;
        primary().dispatch(rc);
        deliverQueued();
        return true;
    }

    /** Hands on the queued cells that are now next, unless a caller up the stack is already doing it. */
    private void deliverQueued() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (!closed && !outOfOrder.isEmpty() && outOfOrder.firstKey() == lastSeqDelivered + 1) {
                lastSeqDelivered++;
                primary().dispatch(outOfOrder.pollFirstEntry().getValue());
            }
        } finally {
            delivering = false;
        }
    }

    private void linkedOn(Leg leg, ConfluxLink m) {
        if (leg.linked) {
            throw new ProtocolException("second CONFLUX_LINKED on one leg");
        }
        if (!m.nonceEquals(nonce)) {
            throw new ProtocolException("CONFLUX_LINKED with another set's nonce");
        }
        if (m.lastSeqSent() != 0 || m.lastSeqRecv() != 0) {
            // A new set starts at 0 both ways; numbers mean the exit thinks it is resuming one we never had.
            throw new ProtocolException("CONFLUX_LINKED of a new set with sequence numbers "
                    + Long.toUnsignedString(m.lastSeqSent()) + "/" + Long.toUnsignedString(m.lastSeqRecv()));
        }
        leg.linked = true;
        leg.circuit.sendControl(new ConfluxLinkedAck());
        for (Leg l : legs) {
            if (!l.linked) {
                return;
            }
        }
        linked = true;
        cancelTimer();
        if (listener != null) {
            listener.linked(this);
        }
    }

    private void fail(String reason) {
        if (closed) {
            return;
        }
        close(reason);
        if (listener != null) {
            listener.failed(this, reason);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private int indexOf(ClientCircuit c) {
        for (int i = 0; i < legs.size(); i++) {
            if (legs.get(i).circuit == c) {
                return i;
            }
        }
        throw new IllegalStateException(c + " is not a leg of this set");
    }

    /** tor's conflux_should_multiplex (conflux.c): the commands whose order across legs matters. */
    static boolean multiplexed(int cmd) {
        switch (cmd) {
            case RelayCommand.BEGIN:
            case RelayCommand.DATA:
            case RelayCommand.END:
            case RelayCommand.CONNECTED:
            case RelayCommand.RESOLVE:
            case RelayCommand.RESOLVED:
            case RelayCommand.XOFF:
            case RelayCommand.XON:
                return true;
            default:
                return false;
        }
    }
}
