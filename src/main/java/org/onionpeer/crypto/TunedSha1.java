package org.onionpeer.crypto;

/**
 * SHA-1 (FIPS 180-4 §6.1) as a {@link RunningDigest}, written for TeaVM's JavaScript output: int words,
 * all 80 rounds unrolled with the message schedule in locals, the working variables rotating by renaming,
 * the byte count kept in two ints (no long), and no allocation in {@link #update} or {@link #peek}.
 */
public final class TunedSha1 implements RunningDigest {
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

    // Scratch, reused: the padded tail and the state copy that peek works on.
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
        return copyInto(null);
    }

    @Override
    public RunningDigest copyInto(RunningDigest spare) {
        TunedSha1 c = spare instanceof TunedSha1 && spare != this ? (TunedSha1) spare : new TunedSha1();
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

    /**
     * One compression of the 64 bytes at {@code m[off..]} into the state {@code s[0..4]}: all 80 rounds
     * written out, the schedule kept in sixteen locals (a rolling window, FIPS 180-4 §6.1.3), so the
     * compiled JavaScript touches no array but the input. Generated; the pattern is regular on purpose.
     */
    private static void compress(int[] s, byte[] m, int off) {
        int a = s[0], b = s[1], c = s[2], d = s[3], e = s[4];
        int w0 = (m[off] << 24) | ((m[off + 1] & 0xff) << 16) | ((m[off + 2] & 0xff) << 8) | (m[off + 3] & 0xff);
        int w1 = (m[off + 4] << 24) | ((m[off + 5] & 0xff) << 16) | ((m[off + 6] & 0xff) << 8) | (m[off + 7] & 0xff);
        int w2 = (m[off + 8] << 24) | ((m[off + 9] & 0xff) << 16) | ((m[off + 10] & 0xff) << 8) | (m[off + 11] & 0xff);
        int w3 = (m[off + 12] << 24) | ((m[off + 13] & 0xff) << 16) | ((m[off + 14] & 0xff) << 8) | (m[off + 15] & 0xff);
        int w4 = (m[off + 16] << 24) | ((m[off + 17] & 0xff) << 16) | ((m[off + 18] & 0xff) << 8) | (m[off + 19] & 0xff);
        int w5 = (m[off + 20] << 24) | ((m[off + 21] & 0xff) << 16) | ((m[off + 22] & 0xff) << 8) | (m[off + 23] & 0xff);
        int w6 = (m[off + 24] << 24) | ((m[off + 25] & 0xff) << 16) | ((m[off + 26] & 0xff) << 8) | (m[off + 27] & 0xff);
        int w7 = (m[off + 28] << 24) | ((m[off + 29] & 0xff) << 16) | ((m[off + 30] & 0xff) << 8) | (m[off + 31] & 0xff);
        int w8 = (m[off + 32] << 24) | ((m[off + 33] & 0xff) << 16) | ((m[off + 34] & 0xff) << 8) | (m[off + 35] & 0xff);
        int w9 = (m[off + 36] << 24) | ((m[off + 37] & 0xff) << 16) | ((m[off + 38] & 0xff) << 8) | (m[off + 39] & 0xff);
        int w10 = (m[off + 40] << 24) | ((m[off + 41] & 0xff) << 16) | ((m[off + 42] & 0xff) << 8) | (m[off + 43] & 0xff);
        int w11 = (m[off + 44] << 24) | ((m[off + 45] & 0xff) << 16) | ((m[off + 46] & 0xff) << 8) | (m[off + 47] & 0xff);
        int w12 = (m[off + 48] << 24) | ((m[off + 49] & 0xff) << 16) | ((m[off + 50] & 0xff) << 8) | (m[off + 51] & 0xff);
        int w13 = (m[off + 52] << 24) | ((m[off + 53] & 0xff) << 16) | ((m[off + 54] & 0xff) << 8) | (m[off + 55] & 0xff);
        int w14 = (m[off + 56] << 24) | ((m[off + 57] & 0xff) << 16) | ((m[off + 58] & 0xff) << 8) | (m[off + 59] & 0xff);
        int w15 = (m[off + 60] << 24) | ((m[off + 61] & 0xff) << 16) | ((m[off + 62] & 0xff) << 8) | (m[off + 63] & 0xff);
        int t;
        e += ((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + w0 + 0x5a827999;
        b = (b << 30) | (b >>> 2);
        d += ((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + w1 + 0x5a827999;
        a = (a << 30) | (a >>> 2);
        c += ((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + w2 + 0x5a827999;
        e = (e << 30) | (e >>> 2);
        b += ((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + w3 + 0x5a827999;
        d = (d << 30) | (d >>> 2);
        a += ((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + w4 + 0x5a827999;
        c = (c << 30) | (c >>> 2);
        e += ((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + w5 + 0x5a827999;
        b = (b << 30) | (b >>> 2);
        d += ((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + w6 + 0x5a827999;
        a = (a << 30) | (a >>> 2);
        c += ((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + w7 + 0x5a827999;
        e = (e << 30) | (e >>> 2);
        b += ((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + w8 + 0x5a827999;
        d = (d << 30) | (d >>> 2);
        a += ((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + w9 + 0x5a827999;
        c = (c << 30) | (c >>> 2);
        e += ((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + w10 + 0x5a827999;
        b = (b << 30) | (b >>> 2);
        d += ((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + w11 + 0x5a827999;
        a = (a << 30) | (a >>> 2);
        c += ((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + w12 + 0x5a827999;
        e = (e << 30) | (e >>> 2);
        b += ((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + w13 + 0x5a827999;
        d = (d << 30) | (d >>> 2);
        a += ((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + w14 + 0x5a827999;
        c = (c << 30) | (c >>> 2);
        e += ((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + w15 + 0x5a827999;
        b = (b << 30) | (b >>> 2);
        t = w13 ^ w8 ^ w2 ^ w0;
        w0 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + w0 + 0x5a827999;
        a = (a << 30) | (a >>> 2);
        t = w14 ^ w9 ^ w3 ^ w1;
        w1 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + w1 + 0x5a827999;
        e = (e << 30) | (e >>> 2);
        t = w15 ^ w10 ^ w4 ^ w2;
        w2 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + w2 + 0x5a827999;
        d = (d << 30) | (d >>> 2);
        t = w0 ^ w11 ^ w5 ^ w3;
        w3 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + w3 + 0x5a827999;
        c = (c << 30) | (c >>> 2);
        t = w1 ^ w12 ^ w6 ^ w4;
        w4 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w4 + 0x6ed9eba1;
        b = (b << 30) | (b >>> 2);
        t = w2 ^ w13 ^ w7 ^ w5;
        w5 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w5 + 0x6ed9eba1;
        a = (a << 30) | (a >>> 2);
        t = w3 ^ w14 ^ w8 ^ w6;
        w6 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w6 + 0x6ed9eba1;
        e = (e << 30) | (e >>> 2);
        t = w4 ^ w15 ^ w9 ^ w7;
        w7 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w7 + 0x6ed9eba1;
        d = (d << 30) | (d >>> 2);
        t = w5 ^ w0 ^ w10 ^ w8;
        w8 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w8 + 0x6ed9eba1;
        c = (c << 30) | (c >>> 2);
        t = w6 ^ w1 ^ w11 ^ w9;
        w9 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w9 + 0x6ed9eba1;
        b = (b << 30) | (b >>> 2);
        t = w7 ^ w2 ^ w12 ^ w10;
        w10 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w10 + 0x6ed9eba1;
        a = (a << 30) | (a >>> 2);
        t = w8 ^ w3 ^ w13 ^ w11;
        w11 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w11 + 0x6ed9eba1;
        e = (e << 30) | (e >>> 2);
        t = w9 ^ w4 ^ w14 ^ w12;
        w12 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w12 + 0x6ed9eba1;
        d = (d << 30) | (d >>> 2);
        t = w10 ^ w5 ^ w15 ^ w13;
        w13 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w13 + 0x6ed9eba1;
        c = (c << 30) | (c >>> 2);
        t = w11 ^ w6 ^ w0 ^ w14;
        w14 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w14 + 0x6ed9eba1;
        b = (b << 30) | (b >>> 2);
        t = w12 ^ w7 ^ w1 ^ w15;
        w15 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w15 + 0x6ed9eba1;
        a = (a << 30) | (a >>> 2);
        t = w13 ^ w8 ^ w2 ^ w0;
        w0 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w0 + 0x6ed9eba1;
        e = (e << 30) | (e >>> 2);
        t = w14 ^ w9 ^ w3 ^ w1;
        w1 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w1 + 0x6ed9eba1;
        d = (d << 30) | (d >>> 2);
        t = w15 ^ w10 ^ w4 ^ w2;
        w2 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w2 + 0x6ed9eba1;
        c = (c << 30) | (c >>> 2);
        t = w0 ^ w11 ^ w5 ^ w3;
        w3 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w3 + 0x6ed9eba1;
        b = (b << 30) | (b >>> 2);
        t = w1 ^ w12 ^ w6 ^ w4;
        w4 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w4 + 0x6ed9eba1;
        a = (a << 30) | (a >>> 2);
        t = w2 ^ w13 ^ w7 ^ w5;
        w5 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w5 + 0x6ed9eba1;
        e = (e << 30) | (e >>> 2);
        t = w3 ^ w14 ^ w8 ^ w6;
        w6 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w6 + 0x6ed9eba1;
        d = (d << 30) | (d >>> 2);
        t = w4 ^ w15 ^ w9 ^ w7;
        w7 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w7 + 0x6ed9eba1;
        c = (c << 30) | (c >>> 2);
        t = w5 ^ w0 ^ w10 ^ w8;
        w8 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + w8 + 0x8f1bbcdc;
        b = (b << 30) | (b >>> 2);
        t = w6 ^ w1 ^ w11 ^ w9;
        w9 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + w9 + 0x8f1bbcdc;
        a = (a << 30) | (a >>> 2);
        t = w7 ^ w2 ^ w12 ^ w10;
        w10 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + w10 + 0x8f1bbcdc;
        e = (e << 30) | (e >>> 2);
        t = w8 ^ w3 ^ w13 ^ w11;
        w11 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + w11 + 0x8f1bbcdc;
        d = (d << 30) | (d >>> 2);
        t = w9 ^ w4 ^ w14 ^ w12;
        w12 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + w12 + 0x8f1bbcdc;
        c = (c << 30) | (c >>> 2);
        t = w10 ^ w5 ^ w15 ^ w13;
        w13 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + w13 + 0x8f1bbcdc;
        b = (b << 30) | (b >>> 2);
        t = w11 ^ w6 ^ w0 ^ w14;
        w14 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + w14 + 0x8f1bbcdc;
        a = (a << 30) | (a >>> 2);
        t = w12 ^ w7 ^ w1 ^ w15;
        w15 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + w15 + 0x8f1bbcdc;
        e = (e << 30) | (e >>> 2);
        t = w13 ^ w8 ^ w2 ^ w0;
        w0 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + w0 + 0x8f1bbcdc;
        d = (d << 30) | (d >>> 2);
        t = w14 ^ w9 ^ w3 ^ w1;
        w1 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + w1 + 0x8f1bbcdc;
        c = (c << 30) | (c >>> 2);
        t = w15 ^ w10 ^ w4 ^ w2;
        w2 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + w2 + 0x8f1bbcdc;
        b = (b << 30) | (b >>> 2);
        t = w0 ^ w11 ^ w5 ^ w3;
        w3 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + w3 + 0x8f1bbcdc;
        a = (a << 30) | (a >>> 2);
        t = w1 ^ w12 ^ w6 ^ w4;
        w4 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + w4 + 0x8f1bbcdc;
        e = (e << 30) | (e >>> 2);
        t = w2 ^ w13 ^ w7 ^ w5;
        w5 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + w5 + 0x8f1bbcdc;
        d = (d << 30) | (d >>> 2);
        t = w3 ^ w14 ^ w8 ^ w6;
        w6 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + w6 + 0x8f1bbcdc;
        c = (c << 30) | (c >>> 2);
        t = w4 ^ w15 ^ w9 ^ w7;
        w7 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + w7 + 0x8f1bbcdc;
        b = (b << 30) | (b >>> 2);
        t = w5 ^ w0 ^ w10 ^ w8;
        w8 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + w8 + 0x8f1bbcdc;
        a = (a << 30) | (a >>> 2);
        t = w6 ^ w1 ^ w11 ^ w9;
        w9 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + w9 + 0x8f1bbcdc;
        e = (e << 30) | (e >>> 2);
        t = w7 ^ w2 ^ w12 ^ w10;
        w10 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + w10 + 0x8f1bbcdc;
        d = (d << 30) | (d >>> 2);
        t = w8 ^ w3 ^ w13 ^ w11;
        w11 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + w11 + 0x8f1bbcdc;
        c = (c << 30) | (c >>> 2);
        t = w9 ^ w4 ^ w14 ^ w12;
        w12 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w12 + 0xca62c1d6;
        b = (b << 30) | (b >>> 2);
        t = w10 ^ w5 ^ w15 ^ w13;
        w13 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w13 + 0xca62c1d6;
        a = (a << 30) | (a >>> 2);
        t = w11 ^ w6 ^ w0 ^ w14;
        w14 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w14 + 0xca62c1d6;
        e = (e << 30) | (e >>> 2);
        t = w12 ^ w7 ^ w1 ^ w15;
        w15 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w15 + 0xca62c1d6;
        d = (d << 30) | (d >>> 2);
        t = w13 ^ w8 ^ w2 ^ w0;
        w0 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w0 + 0xca62c1d6;
        c = (c << 30) | (c >>> 2);
        t = w14 ^ w9 ^ w3 ^ w1;
        w1 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w1 + 0xca62c1d6;
        b = (b << 30) | (b >>> 2);
        t = w15 ^ w10 ^ w4 ^ w2;
        w2 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w2 + 0xca62c1d6;
        a = (a << 30) | (a >>> 2);
        t = w0 ^ w11 ^ w5 ^ w3;
        w3 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w3 + 0xca62c1d6;
        e = (e << 30) | (e >>> 2);
        t = w1 ^ w12 ^ w6 ^ w4;
        w4 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w4 + 0xca62c1d6;
        d = (d << 30) | (d >>> 2);
        t = w2 ^ w13 ^ w7 ^ w5;
        w5 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w5 + 0xca62c1d6;
        c = (c << 30) | (c >>> 2);
        t = w3 ^ w14 ^ w8 ^ w6;
        w6 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w6 + 0xca62c1d6;
        b = (b << 30) | (b >>> 2);
        t = w4 ^ w15 ^ w9 ^ w7;
        w7 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w7 + 0xca62c1d6;
        a = (a << 30) | (a >>> 2);
        t = w5 ^ w0 ^ w10 ^ w8;
        w8 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w8 + 0xca62c1d6;
        e = (e << 30) | (e >>> 2);
        t = w6 ^ w1 ^ w11 ^ w9;
        w9 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w9 + 0xca62c1d6;
        d = (d << 30) | (d >>> 2);
        t = w7 ^ w2 ^ w12 ^ w10;
        w10 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w10 + 0xca62c1d6;
        c = (c << 30) | (c >>> 2);
        t = w8 ^ w3 ^ w13 ^ w11;
        w11 = (t << 1) | (t >>> 31);
        e += ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + w11 + 0xca62c1d6;
        b = (b << 30) | (b >>> 2);
        t = w9 ^ w4 ^ w14 ^ w12;
        w12 = (t << 1) | (t >>> 31);
        d += ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + w12 + 0xca62c1d6;
        a = (a << 30) | (a >>> 2);
        t = w10 ^ w5 ^ w15 ^ w13;
        w13 = (t << 1) | (t >>> 31);
        c += ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + w13 + 0xca62c1d6;
        e = (e << 30) | (e >>> 2);
        t = w11 ^ w6 ^ w0 ^ w14;
        w14 = (t << 1) | (t >>> 31);
        b += ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + w14 + 0xca62c1d6;
        d = (d << 30) | (d >>> 2);
        t = w12 ^ w7 ^ w1 ^ w15;
        w15 = (t << 1) | (t >>> 31);
        a += ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + w15 + 0xca62c1d6;
        c = (c << 30) | (c >>> 2);
        s[0] += a;
        s[1] += b;
        s[2] += c;
        s[3] += d;
        s[4] += e;
    }
}
