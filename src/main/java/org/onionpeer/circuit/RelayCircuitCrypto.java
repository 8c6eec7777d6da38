package org.onionpeer.circuit;

import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.RelayPrimitives;

/**
 * A relay's one layer of crypto for one circuit (tor-spec §6.1 "Routing relay cells"), in place on
 * 509-byte bodies:
 * <ul>
 * <li>{@link #decryptForward}: a cell from the OP side loses our layer (Kf); true if it is for us (its
 * digest is then committed to Df), false if it must go on to the next hop unchanged (if there is no next
 * hop the caller closes the circuit, tor-spec §6.1).</li>
 * <li>{@link #originateBackward}: a cell we send toward the OP: stamped with Db, then encrypted with Kb.</li>
 * <li>{@link #relayBackward}: a cell from further away toward the OP: encrypted with Kb only.</li>
 * </ul>
 * Not thread-safe: the circuit belongs to one event loop.
 */
public final class RelayCircuitCrypto {
    private final HopCrypto hop;

    public RelayCircuitCrypto(HopKeys keys, RelayPrimitives primitives) {
        this.hop = new HopCrypto(keys, primitives);
    }

    /** Removes our layer; true when the cell is ours (Recognized 0 and digest matches Df). */
    public boolean decryptForward(byte[] body, int off) {
        RelayLayer f = hop.forward();
        f.crypt(body, off);
        return f.recognize(body, off);
    }

    /** Stamps a body we originate with Db (Recognized must already be 0) and encrypts it with Kb. */
    public void originateBackward(byte[] body, int off) {
        RelayLayer b = hop.backward();
        b.stamp(body, off);
        b.crypt(body, off);
    }

    /** Adds our layer to a body coming back from the next hop. */
    public void relayBackward(byte[] body, int off) {
        hop.backward().crypt(body, off);
    }

    /**
     * 20-byte forward running digest. Read right after {@link #decryptForward} recognized a DATA cell, it is
     * the value our SENDME v1 for it must carry (prop289).
     */
    public void forwardDigest(byte[] out, int off) {
        hop.forward().digest(out, off);
    }

    /**
     * 20-byte backward running digest. Read right after {@link #originateBackward} of a DATA cell, it is the
     * value the OP's SENDME v1 for it must carry; remember it to check that SENDME (prop289).
     */
    public void backwardDigest(byte[] out, int off) {
        hop.backward().digest(out, off);
    }
}
