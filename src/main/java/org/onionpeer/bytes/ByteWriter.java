package org.onionpeer.bytes;

/** Growable writer for encoders; produces an exact-length array. */
public final class ByteWriter {
    private byte[] buf;
    private int len;

    public ByteWriter() {
        this(64);
    }

    public ByteWriter(int capacity) {
        buf = new byte[Math.max(capacity, 8)];
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            byte[] b = new byte[Math.max(buf.length * 2, len + n)];
            System.arraycopy(buf, 0, b, 0, len);
            buf = b;
        }
    }

    public ByteWriter u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    public ByteWriter u16(int v) {
        ensure(2);
        Bytes.putU16(buf, len, v);
        len += 2;
        return this;
    }

    public ByteWriter u32(long v) {
        ensure(4);
        Bytes.putU32(buf, len, v);
        len += 4;
        return this;
    }

    public ByteWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public ByteWriter bytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    public ByteWriter zeros(int n) {
        ensure(n);
        len += n; // buffer slots beyond len are always zero: we never shrink
        return this;
    }

    public int length() {
        return len;
    }

    /** Overwrites a u16 already written at {@code at} (length prefixes). */
    public void patchU16(int at, int v) {
        Bytes.putU16(buf, at, v);
    }

    public byte[] toByteArray() {
        byte[] out = new byte[len];
        System.arraycopy(buf, 0, out, 0, len);
        return out;
    }
}
