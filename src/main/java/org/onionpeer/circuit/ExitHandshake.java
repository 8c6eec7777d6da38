package org.onionpeer.circuit;

import org.onionpeer.crypto.HopKeys;
import org.onionpeer.dir.RelayInfo;

/**
 * A circuit handshake with an exit that asks it for congestion control (prop324 §10). It is an object the
 * caller installs ({@link CircuitOptions#congestionControl}), not a call ClientCircuit makes itself, so
 * that a build which never asks (the browser page) carries neither ntor v3 nor SHA-3: TeaVM keeps only the
 * implementations something instantiates.
 */
public interface ExitHandshake {
    /** CREATE2/EXTEND2 HTYPE of {@link #onionskin}. */
    int handshakeType();

    byte[] onionskin();

    /**
     * Finishes with the exit's reply; the result's {@code sendmeInc} is the negotiated value, or -1 when the
     * exit answered without congestion control.
     *
     * @throws org.onionpeer.bytes.ProtocolException on a bad reply
     */
    Result complete(byte[] reply);

    /** Keys of the new hop and what the exit agreed to. */
    final class Result {
        public final HopKeys keys;
        public final int sendmeInc;

        public Result(HopKeys keys, int sendmeInc) {
            this.keys = keys;
            this.sendmeInc = sendmeInc;
        }
    }

    /** Starts handshakes; {@link #supports} says whether a relay can take one. */
    interface Factory {
        boolean supports(RelayInfo exit);

        ExitHandshake start(RelayInfo exit, byte[] secret32);
    }
}
