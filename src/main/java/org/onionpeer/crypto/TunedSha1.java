package org.onionpeer.crypto;

/**
 * SHA-1 (FIPS 180-4 §6.1) as a {@link RunningDigest}, written for TeaVM's JavaScript output: int words,
 * an int[80] message schedule reused for every block, rounds unrolled five at a time so that the working
 * variables rotate by renaming instead of by moves, the byte count kept in two ints (no long), and no
 * allocation in {@link #update} or {@link #peek}.
 */
public final class TunedSha1 implements RunningDigest {
    private static final int K1 = 0x5a827999;
    private static final int K2 = 0x6ed9eba1;
    private static final int K3 = 0x8f1bbcdc;
    private static final int K4 = 0xca62c1d6;

    private int h0 = 0x67452301;
    private int h1 = 0xefcdab89;
    private int h2 = 0x98badcfe;
    private int h3 = 0x10325476;
    private int h4 = 0xc3d2e1f0;
    /** Bytes hashed so far, as an unsigned 64-bit value in two ints. */
    private int countLo;
    private int countHi;
    /** The partial block: {@code bufLen} bytes not yet compressed. */
    private final byte[] buf = new byte[64];
    private int bufLen;

    // Scratch, reused: the message schedule, and the padded tail and state copy that peek works on.
    private final int[] w = new int[80];
    private final byte[] pad = new byte[128];
    private final int[] tmp = new int[5];

    @Override
    public void update(byte[] b, int off, int len) {
        if (len <= 0) {
            return;
        }
        int lo = countLo + len;
        if ((lo ^ 0x80000000) < (countLo ^ 0x80000000)) { // unsigned carry out of the low word
            countHi++;
        }
        countLo = lo;
        if (bufLen > 0) {
            int take = 64 - bufLen;
            if (take > len) {
                take = len;
            }
            System.arraycopy(b, off, buf, bufLen, take);
            bufLen += take;
            off += take;
            len -= take;
            if (bufLen < 64) {
                return;
            }
            compressInto(buf, 0);
            bufLen = 0;
        }
        while (len >= 64) {
            compressInto(b, off);
            off += 64;
            len -= 64;
        }
        if (len > 0) {
            System.arraycopy(b, off, buf, 0, len);
            bufLen = len;
        }
    }

    private void compressInto(byte[] b, int off) {
        int[] s = tmp;
        s[0] = h0;
        s[1] = h1;
        s[2] = h2;
        s[3] = h3;
        s[4] = h4;
        compress(s, b, off);
        h0 = s[0];
        h1 = s[1];
        h2 = s[2];
        h3 = s[3];
        h4 = s[4];
    }

    @Override
    public void peek(byte[] out, int off, int n) {
        if (n < 0 || n > 20) {
            throw new IllegalArgumentException("SHA-1 gives at most 20 bytes");
        }
        // Pad a copy of the tail (FIPS 180-4 §5.1.1) and compress it into a copy of the state, so the
        // running digest itself goes on untouched.
        byte[] p = pad;
        System.arraycopy(buf, 0, p, 0, bufLen);
        p[bufLen] = (byte) 0x80;
        int end = bufLen < 56 ? 64 : 128;
        for (int i = bufLen + 1; i < end - 8; i++) {
            p[i] = 0;
        }
        int bitsHi = (countHi << 3) | (countLo >>> 29);
        int bitsLo = countLo << 3;
        p[end - 8] = (byte) (bitsHi >>> 24);
        p[end - 7] = (byte) (bitsHi >>> 16);
        p[end - 6] = (byte) (bitsHi >>> 8);
        p[end - 5] = (byte) bitsHi;
        p[end - 4] = (byte) (bitsLo >>> 24);
        p[end - 3] = (byte) (bitsLo >>> 16);
        p[end - 2] = (byte) (bitsLo >>> 8);
        p[end - 1] = (byte) bitsLo;
        int[] s = tmp;
        s[0] = h0;
        s[1] = h1;
        s[2] = h2;
        s[3] = h3;
        s[4] = h4;
        compress(s, p, 0);
        if (end == 128) {
            compress(s, p, 64);
        }
        for (int i = 0; i < n; i++) {
            out[off + i] = (byte) (s[i >> 2] >>> (24 - ((i & 3) << 3)));
        }
    }

    @Override
    public RunningDigest copy() {
        TunedSha1 c = new TunedSha1();
        c.h0 = h0;
        c.h1 = h1;
        c.h2 = h2;
        c.h3 = h3;
        c.h4 = h4;
        c.countLo = countLo;
        c.countHi = countHi;
        System.arraycopy(buf, 0, c.buf, 0, bufLen);
        c.bufLen = bufLen;
        return c;
    }

    /** One compression of the 64 bytes at {@code b[off..]} into the state {@code s[0..4]}. */
    private void compress(int[] s, byte[] b, int off) {
        final int[] x = w;
        for (int i = 0; i < 16; i++) {
            x[i] = (b[off] << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
            off += 4;
        }
        for (int i = 16; i < 80; i++) {
            int t = x[i - 3] ^ x[i - 8] ^ x[i - 14] ^ x[i - 16];
            x[i] = (t << 1) | (t >>> 31);
        }
        int a = s[0], bb = s[1], c = s[2], d = s[3], e = s[4];
        int i = 0;
        for (; i < 20; i += 5) {
            e += ((a << 5) | (a >>> 27)) + (d ^ (bb & (c ^ d))) + x[i] + K1;
            bb = (bb << 30) | (bb >>> 2);
            d += ((e << 5) | (e >>> 27)) + (c ^ (a & (bb ^ c))) + x[i + 1] + K1;
            a = (a << 30) | (a >>> 2);
            c += ((d << 5) | (d >>> 27)) + (bb ^ (e & (a ^ bb))) + x[i + 2] + K1;
            e = (e << 30) | (e >>> 2);
            bb += ((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + x[i + 3] + K1;
            d = (d << 30) | (d >>> 2);
            a += ((bb << 5) | (bb >>> 27)) + (e ^ (c & (d ^ e))) + x[i + 4] + K1;
            c = (c << 30) | (c >>> 2);
        }
        for (; i < 40; i += 5) {
            e += ((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + x[i] + K2;
            bb = (bb << 30) | (bb >>> 2);
            d += ((e << 5) | (e >>> 27)) + (a ^ bb ^ c) + x[i + 1] + K2;
            a = (a << 30) | (a >>> 2);
            c += ((d << 5) | (d >>> 27)) + (e ^ a ^ bb) + x[i + 2] + K2;
            e = (e << 30) | (e >>> 2);
            bb += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + x[i + 3] + K2;
            d = (d << 30) | (d >>> 2);
            a += ((bb << 5) | (bb >>> 27)) + (c ^ d ^ e) + x[i + 4] + K2;
            c = (c << 30) | (c >>> 2);
        }
        for (; i < 60; i += 5) {
            e += ((a << 5) | (a >>> 27)) + ((bb & c) | (d & (bb | c))) + x[i] + K3;
            bb = (bb << 30) | (bb >>> 2);
            d += ((e << 5) | (e >>> 27)) + ((a & bb) | (c & (a | bb))) + x[i + 1] + K3;
            a = (a << 30) | (a >>> 2);
            c += ((d << 5) | (d >>> 27)) + ((e & a) | (bb & (e | a))) + x[i + 2] + K3;
            e = (e << 30) | (e >>> 2);
            bb += ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + x[i + 3] + K3;
            d = (d << 30) | (d >>> 2);
            a += ((bb << 5) | (bb >>> 27)) + ((c & d) | (e & (c | d))) + x[i + 4] + K3;
            c = (c << 30) | (c >>> 2);
        }
        for (; i < 80; i += 5) {
            e += ((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + x[i] + K4;
            bb = (bb << 30) | (bb >>> 2);
            d += ((e << 5) | (e >>> 27)) + (a ^ bb ^ c) + x[i + 1] + K4;
            a = (a << 30) | (a >>> 2);
            c += ((d << 5) | (d >>> 27)) + (e ^ a ^ bb) + x[i + 2] + K4;
            e = (e << 30) | (e >>> 2);
            bb += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + x[i + 3] + K4;
            d = (d << 30) | (d >>> 2);
            a += ((bb << 5) | (bb >>> 27)) + (c ^ d ^ e) + x[i + 4] + K4;
            c = (c << 30) | (c >>> 2);
        }
        s[0] += a;
        s[1] += bb;
        s[2] += c;
        s[3] += d;
        s[4] += e;
    }
}
