package org.onionpeer.cell;

import org.onionpeer.bytes.ProtocolException;

/** Shared checks for relay message encoders and decoders. */
final class RelayData {
    private RelayData() {
    }

    /** Every relay message must fit the 498-byte Data field of one cell. */
    static byte[] fits(byte[] encoded, String what) {
        if (encoded.length > RelayCell.MAX_DATA_LEN) {
            throw new ProtocolException(what + " does not fit a relay cell: " + encoded.length + " bytes");
        }
        return encoded;
    }

    /** Index of the first NUL at or after {@code from}, or -1. */
    static int nul(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Printable ASCII without spaces (hostnames, address literals); anything else is refused. */
    static String asciiToken(byte[] b, int off, int len, String what) {
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            int v = b[off + i] & 0xff;
            if (v < 0x21 || v > 0x7e) {
                throw new ProtocolException(what + " has a non-printable or non-ASCII byte");
            }
            c[i] = (char) v;
        }
        return new String(c);
    }

    static byte[] ascii(String s, String what) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            char ch = s.charAt(i);
            if (ch < 0x21 || ch > 0x7e) {
                throw new ProtocolException(what + " must be printable ASCII");
            }
            out[i] = (byte) ch;
        }
        return out;
    }
}
