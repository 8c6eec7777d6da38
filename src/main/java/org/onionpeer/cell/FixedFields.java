package org.onionpeer.cell;

import org.onionpeer.bytes.ProtocolException;

/** Helpers for messages made of fixed-length opaque fields. */
final class FixedFields {
    private FixedFields() {
    }

    static byte[] exact(byte[] b, int len, String what) {
        if (b.length != len) {
            throw new ProtocolException(what + " must be " + len + " bytes, not " + b.length);
        }
        return b.clone();
    }

    /** The first {@code len} bytes; anything after is padding (tor-spec §3: receivers ignore padding). */
    static byte[] prefix(byte[] payload, int len, String what) {
        if (payload.length < len) {
            throw new ProtocolException(what + " needs " + len + " bytes, has " + payload.length);
        }
        byte[] out = new byte[len];
        System.arraycopy(payload, 0, out, 0, len);
        return out;
    }

    static int u8(int v, String what) {
        if (v < 0 || v > 0xff) {
            throw new ProtocolException(what + " out of range: " + v);
        }
        return v;
    }

    static int u16(int v, String what) {
        if (v < 0 || v > 0xffff) {
            throw new ProtocolException(what + " out of range: " + v);
        }
        return v;
    }

    static long u32(long v, String what) {
        if (v < 0 || v > 0xffffffffL) {
            throw new ProtocolException(what + " out of range: " + v);
        }
        return v;
    }
}
