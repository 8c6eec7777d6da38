package org.onionpeer.crypto;

import org.onionpeer.bytes.ProtocolException;

/**
 * A circuit handshake (CREATE_FAST, ntor) that failed on the peer's bytes. The {@link Reason} lets the
 * circuit layer pick its DESTROY reason and log without parsing messages; the message says what was wrong.
 */
public final class HandshakeException extends ProtocolException {
    public enum Reason {
        /** Wrong length or layout. */
        MALFORMED,
        /** ntor server: NODEID is not ours (tor-spec §5.1.4). */
        UNKNOWN_NODE_ID,
        /** ntor server: KEYID names none of our onion keys. */
        UNKNOWN_KEY_ID,
        /** An X25519 result was all zero: the peer sent a low-order point. */
        BAD_POINT,
        /** The proof from the server (ntor AUTH, CREATE_FAST KH) did not verify. */
        BAD_AUTH
    }

    private final Reason reason;

    public HandshakeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
