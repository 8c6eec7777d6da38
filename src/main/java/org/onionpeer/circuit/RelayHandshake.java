package org.onionpeer.circuit;

import org.onionpeer.crypto.HopKeys;

/**
 * A relay's answer to a CREATE2 of a handshake type other than ntor (ntor v3 on the JVM:
 * {@link NtorV3RelayHandshake}), installed by the platform ({@code OnionRouter.Config#ntorV3}). An interface so
 * that a relay build without it (a page's) carries none of its code: ntor v3 needs SHA-3.
 */
public interface RelayHandshake {
    /** Keys of the new hop, the CREATED2 reply, and the negotiated sendme_inc (-1: no congestion control). */
    final class Result {
        public final HopKeys keys;
        public final byte[] reply;
        public final int sendmeInc;
        /** The parameters the circuit's Vegas runs with. */
        public final CcParams params;

        public Result(HopKeys keys, byte[] reply, int sendmeInc, CcParams params) {
            this.keys = keys;
            this.reply = reply;
            this.sendmeInc = sendmeInc;
            this.params = params;
        }
    }

    /** The CREATE2 HTYPE it answers. */
    int handshakeType();

    /**
     * Answers {@code onionskin} with {@code ySecret} (32 fresh random bytes).
     *
     * @throws org.onionpeer.crypto.HandshakeException on a bad onionskin (a ProtocolException)
     */
    Result respond(byte[] onionskin, byte[] ySecret);
}
