package org.onionpeer.circuit;

import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Extend2;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.crypto.HopKeys;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.platform.Entropy;
import org.onionpeer.platform.Scheduler;

/**
 * The building half of a {@link ClientCircuit} (tor-spec §5.1, §5.3, §5.6), apart from its cell dispatch: the
 * handshake in flight ({@link PendingHop}), the RELAY_EARLY budget, the build timer, and how the first hop was
 * made. The circuit decides when to call it and what to do with its answers; every answer it cannot take is a
 * {@link ProtocolException}. Single-threaded, owned by its circuit.
 */
final class CircuitBuild {
    private final Entropy entropy;
    /** The CREATE_FAST, CREATE2 or EXTEND2 waiting for its answer, or null. */
    private PendingHop pending;
    private int relayEarlySent;
    private Scheduler.Cancellable timer;
    private boolean usedCreateFast;

    CircuitBuild(Entropy entropy) {
        this.entropy = entropy;
    }

    /**
     * The first hop's CREATE_FAST (when {@code createFast}: the caller checked the link is authenticated,
     * tor-spec §5.1.3) or CREATE2 cell on circuit {@code circId}; the build is bounded by {@code buildTimer}.
     */
    Cell first(RelayInfo relay, boolean createFast, long circId, Scheduler.Cancellable buildTimer) {
        timer = buildTimer;
        pending = PendingHop.first(relay, createFast, entropy);
        usedCreateFast = createFast;
        return pending.createCell(circId);
    }

    /** The first hop's keys from its CREATED2 or CREATED_FAST; {@code hopsMade}: hops the circuit has so far. */
    HopKeys created(Cell cell, int hopsMade) {
        if (hopsMade != 0 || pending == null) {
            throw new ProtocolException(CellCommand.name(cell.command()) + " after the first hop was made");
        }
        HopKeys keys = pending.created(cell).keys;
        pending = null;
        return keys;
    }

    /** Why the circuit cannot be extended to {@code next}, or null when it can. */
    String cannotExtend(RelayInfo next) {
        if (relayEarlySent >= ClientCircuit.MAX_RELAY_EARLY) {
            return "would exceed " + ClientCircuit.MAX_RELAY_EARLY + " RELAY_EARLY cells";
        }
        if (next.ntorKey() == null) {
            return "cannot extend to " + next + ": its ntor key is unknown";
        }
        return null;
    }

    /**
     * The EXTEND2 making hop {@code hop} ({@code next}), its handshake asking for congestion control when
     * {@code exitHandshake} is given; it travels in a RELAY_EARLY cell, which this counts.
     */
    Extend2 extend(int hop, RelayInfo next, ExitHandshake.Factory exitHandshake) {
        pending = PendingHop.next(hop, next, exitHandshake, entropy);
        Extend2 ext = pending.extend2(next);
        relayEarlySent++;
        return ext;
    }

    /**
     * Takes the EXTEND2 that an EXTENDED2 answers; {@code expected}: the circuit is building, has hops, and the
     * cell came from its last hop.
     */
    PendingHop takeExtend(boolean expected, RelayCell rc) {
        if (!expected || pending == null || pending.kind != PendingHop.Kind.EXTEND2) {
            throw new ProtocolException("unexpected EXTENDED2");
        }
        if (rc.streamId() != 0) {
            throw new ProtocolException("EXTENDED2 on a stream");
        }
        PendingHop p = pending;
        pending = null;
        return p;
    }

    /** The build is over (every hop made, or the circuit closed): its timer goes. */
    void stop() {
        if (timer != null) {
            timer.cancel();
        }
    }

    int relayEarlySent() {
        return relayEarlySent;
    }

    boolean usedCreateFast() {
        return usedCreateFast;
    }
}
