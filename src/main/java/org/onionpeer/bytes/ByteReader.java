package org.onionpeer.bytes;

/**
 * Bounds-checked reader over a byte array. Every read past the end throws {@link Truncated}, a
 * {@link ProtocolException}; nothing here throws ArrayIndexOutOfBounds on hostile input.
 */
public final class ByteReader {
    private final byte[] buf;
    private final int end;
    private int pos;

    /** Thrown when input ends before a field does. */
    public static final class Truncated extends ProtocolException {
        public Truncated(String what) {
            super(what);
        }
    }

    public ByteReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteReader(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("bad range");
        }
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    public int remaining() {
        return end - pos;
    }

    public int position() {
        return pos;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    private void need(int n, String what) {
        if (n < 0 || end - pos < n) {
            throw new Truncated(what + ": need " + n + " bytes, have " + (end - pos));
        }
    }

    public int u8() {
        need(1, "u8");
        return buf[pos++] & 0xff;
    }

    public int u16() {
        need(2, "u16");
        int v = Bytes.u16(buf, pos);
        pos += 2;
        return v;
    }

    public long u32() {
        need(4, "u32");
        long v = Bytes.u32(buf, pos);
        pos += 4;
        return v;
    }

    public byte[] bytes(int n) {
        need(n, "bytes");
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    public byte[] rest() {
        return bytes(remaining());
    }

    public void skip(int n) {
        need(n, "skip");
        pos += n;
    }
}
