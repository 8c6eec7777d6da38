package org.onionpeer.circuit;

import org.onionpeer.bytes.ProtocolException;

/**
 * Layout of a relay cell body, format v0 (tor-spec §6.1 "Relay cells"): Cmd(1) Recognized(2) StreamID(2)
 * Digest(4) Length(2) Data(498), 509 bytes in all (the payload of a RELAY/RELAY_EARLY cell).
 */
public final class RelayBody {
    public static final int LEN = 509;
    public static final int CMD = 0;
    public static final int RECOGNIZED = 1;
    public static final int STREAM_ID = 3;
    public static final int DIGEST = 5;
    public static final int DIGEST_LEN = 4;
    public static final int LENGTH = 9;
    public static final int DATA = 11;
    public static final int MAX_DATA = LEN - DATA;

    private RelayBody() {
    }

    /** Bodies come from cells we did not make: a short buffer is a protocol error, not an index error. */
    static void check(byte[] body, int off) {
        if (body == null || off < 0 || off > body.length || body.length - off < LEN) {
            throw new ProtocolException("relay body must be " + LEN + " bytes, got "
                    + (body == null ? 0 : Math.max(0, body.length - Math.max(off, 0))));
        }
    }
}
