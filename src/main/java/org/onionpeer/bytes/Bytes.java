package org.onionpeer.bytes;

/** Small byte-array helpers shared by every layer (no I/O, TeaVM-safe). */
public final class Bytes {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Bytes() {
    }

    public static String hex(byte[] b) {
        return b == null ? "null" : hex(b, 0, b.length);
    }

    public static String hex(byte[] b, int off, int len) {
        char[] out = new char[len * 2];
        for (int i = 0; i < len; i++) {
            int v = b[off + i] & 0xff;
            out[2 * i] = HEX[v >>> 4];
            out[2 * i + 1] = HEX[v & 15];
        }
        return new String(out);
    }

    /** Parses hex, ignoring whitespace; throws IllegalArgumentException on anything else. */
    public static byte[] unhex(String s) {
        StringBuilder clean = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isWhitespace(c)) {
                clean.append(c);
            }
        }
        if ((clean.length() & 1) != 0) {
            throw new IllegalArgumentException("odd hex length");
        }
        byte[] out = new byte[clean.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) ((nibble(clean.charAt(2 * i)) << 4) | nibble(clean.charAt(2 * i + 1)));
        }
        return out;
    }

    /**
     * {@code Character.isWhitespace(c)}, the same answer for every char (the JDK 17 set, Unicode 13), written
     * out so that onionpeer.js does not carry TeaVM's Unicode character-class tables for it.
     */
    static boolean isWhitespace(char c) {
        if (c <= ' ') {
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
        }
        return c == 0x1680 || (c >= 0x2000 && c <= 0x200a && c != 0x2007) || c == 0x2028 || c == 0x2029
                || c == 0x205f || c == 0x3000;
    }

    private static int nibble(char c) {
        int v = hexDigit(c);
        if (v < 0) {
            throw new IllegalArgumentException("not hex: " + c);
        }
        return v;
    }

    /** The value of one hex digit, or -1 if {@code c} is not one. */
    public static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Constant-time equality: secrets (MACs, AUTH values, digests) must not leak through timing. */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff |= a[i] ^ b[i];
        }
        return diff == 0;
    }

    public static boolean constantTimeEquals(byte[] a, int aOff, byte[] b, int bOff, int len) {
        int diff = 0;
        for (int i = 0; i < len; i++) {
            diff |= a[aOff + i] ^ b[bOff + i];
        }
        return diff == 0;
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /**
     * {@code data} appended to the {@code len} bytes held in {@code buf}: in {@code buf} when it has room, else in
     * a copy at least twice as long (appends in a row then cost amortised O(1) copies per byte). The caller keeps
     * the array returned and adds {@code data.length} to its length.
     */
    public static byte[] append(byte[] buf, int len, byte[] data) {
        return append(buf, len, data, 0, data.length);
    }

    /** As {@link #append(byte[], int, byte[])}, for {@code data[off..off+n)}. */
    public static byte[] append(byte[] buf, int len, byte[] data, int off, int n) {
        if (len + n > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        System.arraycopy(data, off, buf, len, n);
        return buf;
    }

    public static byte[] slice(byte[] b, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, off, out, 0, len);
        return out;
    }

    public static byte[] ascii(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            char c = s.charAt(i);
            if (c > 0x7f) {
                throw new IllegalArgumentException("not ASCII");
            }
            out[i] = (byte) c;
        }
        return out;
    }

    public static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    public static long u32(byte[] b, int off) {
        return ((long) (b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8)
                | (b[off + 3] & 0xff);
    }

    public static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
