package org.onionpeer.circuit;

import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.dir.RelayInfo;

/**
 * One hop of a {@link ClientCircuit} (Arti's {@code CircHop}): the relay, its relay crypto layer once its handshake
 * finished, and the circuit-level flow control with it: the sendme_inc it negotiated (0 for classic flow control)
 * and its {@link Window} (1000 cells, a SENDME v1 per 100; or, once it negotiated congestion control and carries
 * streams, our sending under {@link Vegas}). A circuit makes one per relay of its path up front, so that what
 * a handshake negotiates can be recorded before or right after its keys arrive; only the hop that carries
 * streams (the last) ever sees DATA, the others keep their windows untouched.
 */
final class Hop {
    final int index;
    private final RelayInfo relay;
    private HopKeys keys;
    private HopCrypto crypto;
    private Window window = Window.circuit();
    private int sendmeInc;

    Hop(int index, RelayInfo relay) {
        this.index = index;
        this.relay = relay;
    }

    RelayInfo relay() {
        return relay;
    }

    /** Its handshake finished: the keys become this hop's crypto layer (returned, for the circuit's onion). */
    HopCrypto made(HopKeys keys, RelayPrimitives primitives) {
        this.keys = keys;
        this.crypto = new HopCrypto(keys, primitives);
        return crypto;
    }

    /** The keys of this hop, null before its handshake finished. */
    HopKeys keys() {
        return keys;
    }

    HopCrypto crypto() {
        return crypto;
    }

    /** The circuit window toward and from this hop. */
    Window window() {
        return window;
    }

    /**
     * A cell its circuit window counts (DATA, an extension's) was just encrypted for this hop. prop289: when a
     * SENDME will acknowledge it, that SENDME must carry our forward digest as it stands right now, so it is
     * read into {@code scratch} (20 bytes, the caller's, to allocate nothing per cell) and recorded.
     */
    void sentCounted(byte[] scratch) {
        byte[] after = null;
        if (window.nextSendNeedsDigest()) {
            crypto.forward().digest(scratch, 0);
            after = scratch;
        }
        window.sent(after);
    }

    /**
     * A counted cell from this hop was just decrypted. True when our SENDME v1 is due now; its digest (the
     * backward digest right after this cell) is then in {@code scratch}, and {@link #sendmeSent} follows once
     * it went out.
     *
     * @throws org.onionpeer.bytes.ProtocolException when the hop sent beyond our window
     */
    boolean deliveredCounted(byte[] scratch) {
        window.delivered();
        if (!window.sendmeDue()) {
            return false;
        }
        crypto.backward().digest(scratch, 0);
        return true;
    }

    void sendmeSent() {
        window.sendmeSent();
    }

    /** The negotiated cc sendme_inc, 0 for classic flow control. */
    int sendmeInc() {
        return sendmeInc;
    }

    boolean usesCongestionControl() {
        return sendmeInc != 0;
    }

    /** The hop agreed to congestion control with {@code sendmeInc} (already validated). */
    void negotiated(int sendmeInc) {
        this.sendmeInc = sendmeInc;
    }

    /** Our sending toward this hop runs Vegas from now on (prop324 §3.3); receiving acknowledges per sendme_inc. */
    void sendUnderVegas(Vegas vegas, Window.Signals signals) {
        window = Window.vegas(vegas, signals);
    }
}
