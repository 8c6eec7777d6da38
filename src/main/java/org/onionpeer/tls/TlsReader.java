package org.onionpeer.tls;

/**
 * Reads TLS presentation-language fields (RFC 8446 §3) from one message body: integers and length-prefixed
 * vectors. Every shortfall, and every byte left over at {@link #end}, is a decode_error naming the field.
 */
final class TlsReader {
    private final byte[] buf;
    private int pos;
    private final int end;
    private final String what;

    TlsReader(byte[] buf, String what) {
        this(buf, 0, buf.length, what);
    }

    private TlsReader(byte[] buf, int off, int len, String what) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
        this.what = what;
    }

    private void need(int n, String field) {
        if (end - pos < n) {
            throw new TlsException(Alert.DECODE_ERROR, what + ": truncated " + field);
        }
    }

    int remaining() {
        return end - pos;
    }

    boolean hasMore() {
        return pos < end;
    }

    int u8(String field) {
        need(1, field);
        return buf[pos++] & 0xff;
    }

    int u16(String field) {
        need(2, field);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int u24(String field) {
        need(3, field);
        int v = ((buf[pos] & 0xff) << 16) | ((buf[pos + 1] & 0xff) << 8) | (buf[pos + 2] & 0xff);
        pos += 3;
        return v;
    }

    byte[] bytes(int n, String field) {
        need(n, field);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    /** A vector with a {@code lenBytes}-byte length prefix, its length within [min, max]. */
    byte[] vector(int lenBytes, int min, int max, String field) {
        int n = lenBytes == 1 ? u8(field) : lenBytes == 2 ? u16(field) : u24(field);
        if (n < min || n > max) {
            throw new TlsException(Alert.DECODE_ERROR, what + ": " + field + " of " + n + " bytes (allowed "
                    + min + " to " + max + ")");
        }
        return bytes(n, field);
    }

    /** A reader over a vector's contents. */
    TlsReader sub(int lenBytes, int min, int max, String field) {
        byte[] v = vector(lenBytes, min, max, field);
        return new TlsReader(v, 0, v.length, what + " " + field);
    }

    void end() {
        if (pos != end) {
            throw new TlsException(Alert.DECODE_ERROR, what + ": " + (end - pos) + " trailing bytes");
        }
    }
}
