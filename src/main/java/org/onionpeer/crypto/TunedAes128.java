package org.onionpeer.crypto;

/**
 * AES-128 encryption (FIPS 197) with 32-bit T-tables, written for TeaVM's JavaScript output as much as
 * for the JVM: only int arithmetic, int[] tables, no longs, no allocation after construction. Only the
 * forward cipher exists because Tor's relay crypto is CTR mode (tor-spec §0.3), which never decrypts a
 * block. Table lookups depend on key and data, so this is not constant-time; the JVM uses JCA (AES-NI)
 * instead, and the browser uses WebCrypto where it can.
 */
public final class TunedAes128 {
    static final int[] SBOX = new int[256];
    static final int[] TE0 = new int[256];
    static final int[] TE1 = new int[256];
    static final int[] TE2 = new int[256];
    static final int[] TE3 = new int[256];

    static {
        // S-box from the multiplicative inverse in GF(2^8) and the affine map (FIPS 197 §5.1.1), using
        // exp/log tables of the generator 3 so no 1 KB literal table has to be trusted by eye.
        int[] exp = new int[256];
        int[] log = new int[256];
        int x = 1;
        for (int i = 0; i < 255; i++) {
            exp[i] = x;
            log[x] = i;
            x ^= xtime(x); // x * 3
        }
        for (int i = 0; i < 256; i++) {
            int inv = i == 0 ? 0 : exp[(255 - log[i]) % 255];
            int s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
            SBOX[i] = s;
            int t = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s); // column (2,1,1,3)·s
            TE0[i] = t;
            TE1[i] = (t >>> 8) | (t << 24);
            TE2[i] = (t >>> 16) | (t << 16);
            TE3[i] = (t >>> 24) | (t << 8);
        }
    }

    private static int xtime(int b) {
        return ((b << 1) ^ ((b & 0x80) != 0 ? 0x1b : 0)) & 0xff;
    }

    private static int rotl8(int b, int n) {
        return ((b << n) | (b >>> (8 - n))) & 0xff;
    }

    /**
     * AES-256 in CTR mode from an all-zero counter block (tor's {@code crypto_cipher_new_with_bits(k, 256)}),
     * for ntor v3's ENC (NtorV3), where the messages are a few hundred bytes: a plain per-block loop over the
     * same tables, none of the counter-mode caching of the AES-128 path. Returns a new array of
     * {@code m.length} bytes. Written here so the browser bundle needs no second AES implementation.
     */
    public static byte[] ctr256(byte[] key32, byte[] m) {
        if (key32 == null || key32.length != 32) {
            throw new IllegalArgumentException("AES-256 key must be 32 bytes");
        }
        int[] k = new int[60]; // FIPS 197 §5.2 with Nk = 8, Nr = 14
        for (int i = 0; i < 8; i++) {
            k[i] = ((key32[4 * i] & 0xff) << 24) | ((key32[4 * i + 1] & 0xff) << 16)
                    | ((key32[4 * i + 2] & 0xff) << 8) | (key32[4 * i + 3] & 0xff);
        }
        int rcon = 1;
        for (int i = 8; i < 60; i++) {
            int t = k[i - 1];
            if ((i & 7) == 0) {
                t = (SBOX[(t >>> 16) & 0xff] << 24) | (SBOX[(t >>> 8) & 0xff] << 16)
                        | (SBOX[t & 0xff] << 8) | SBOX[t >>> 24];
                t ^= rcon << 24;
                rcon = xtime(rcon);
            } else if ((i & 7) == 4) {
                t = (SBOX[t >>> 24] << 24) | (SBOX[(t >>> 16) & 0xff] << 16)
                        | (SBOX[(t >>> 8) & 0xff] << 8) | SBOX[t & 0xff];
            }
            k[i] = k[i - 8] ^ t;
        }
        byte[] out = new byte[m.length];
        int[] ctr = new int[4];
        for (int off = 0; off < m.length; off += 16) {
            int s0 = ctr[0] ^ k[0], s1 = ctr[1] ^ k[1], s2 = ctr[2] ^ k[2], s3 = ctr[3] ^ k[3];
            for (int r = 4; r < 56; r += 4) {
                int u0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 0xff] ^ TE2[(s2 >>> 8) & 0xff] ^ TE3[s3 & 0xff] ^ k[r];
                int u1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 0xff] ^ TE2[(s3 >>> 8) & 0xff] ^ TE3[s0 & 0xff] ^ k[r + 1];
                int u2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 0xff] ^ TE2[(s0 >>> 8) & 0xff] ^ TE3[s1 & 0xff] ^ k[r + 2];
                int u3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 0xff] ^ TE2[(s1 >>> 8) & 0xff] ^ TE3[s2 & 0xff] ^ k[r + 3];
                s0 = u0;
                s1 = u1;
                s2 = u2;
                s3 = u3;
            }
            int[] o = {
                ((SBOX[s0 >>> 24] << 24) | (SBOX[(s1 >>> 16) & 0xff] << 16) | (SBOX[(s2 >>> 8) & 0xff] << 8)
                        | SBOX[s3 & 0xff]) ^ k[56],
                ((SBOX[s1 >>> 24] << 24) | (SBOX[(s2 >>> 16) & 0xff] << 16) | (SBOX[(s3 >>> 8) & 0xff] << 8)
                        | SBOX[s0 & 0xff]) ^ k[57],
                ((SBOX[s2 >>> 24] << 24) | (SBOX[(s3 >>> 16) & 0xff] << 16) | (SBOX[(s0 >>> 8) & 0xff] << 8)
                        | SBOX[s1 & 0xff]) ^ k[58],
                ((SBOX[s3 >>> 24] << 24) | (SBOX[(s0 >>> 16) & 0xff] << 16) | (SBOX[(s1 >>> 8) & 0xff] << 8)
                        | SBOX[s2 & 0xff]) ^ k[59]};
            for (int i = 0; i < 16 && off + i < m.length; i++) {
                out[off + i] = (byte) (m[off + i] ^ (o[i >> 2] >>> (24 - 8 * (i & 3))));
            }
            // 128-bit big-endian increment, as BC's SICBlockCipher.
            for (int w = 3; w >= 0 && ++ctr[w] == 0; w--) {
                // carry into the next word
            }
        }
        return out;
    }

    /** The 44 round-key words (FIPS 197 §5.2). */
    private final int[] rk = new int[44];

    public TunedAes128(byte[] key16) {
        if (key16 == null || key16.length != 16) {
            throw new IllegalArgumentException("AES-128 key must be 16 bytes");
        }
        for (int i = 0; i < 4; i++) {
            rk[i] = ((key16[4 * i] & 0xff) << 24) | ((key16[4 * i + 1] & 0xff) << 16)
                    | ((key16[4 * i + 2] & 0xff) << 8) | (key16[4 * i + 3] & 0xff);
        }
        int rcon = 1;
        for (int i = 4; i < 44; i++) {
            int t = rk[i - 1];
            if ((i & 3) == 0) {
                t = (SBOX[(t >>> 16) & 0xff] << 24) | (SBOX[(t >>> 8) & 0xff] << 16)
                        | (SBOX[t & 0xff] << 8) | SBOX[t >>> 24];
                t ^= rcon << 24;
                rcon = xtime(rcon);
            }
            rk[i] = rk[i - 4] ^ t;
        }
    }

    /**
     * Writes the CTR keystream of {@code blocks} consecutive counter blocks, starting at the 128-bit
     * big-endian counter (c0,c1,c2,c3), to {@code out[off..off+16*blocks)}. The caller advances its own
     * counter.
     */
    public void keystream(int c0, int c1, int c2, int c3, byte[] out, int off, int blocks) {
        for (int i = 0; i < 16 * blocks; i++) {
            out[off + i] = 0;
        }
        xorKeystream(c0, c1, c2, c3, out, off, blocks);
    }

    // Counter-mode caching: within a run of 256 counters only the last byte of the counter changes, so
    // round 1 has one varying table lookup (not 16) and round 2 four; the rest is computed once per run.
    private int cacheC0, cacheC1, cacheC2, cacheC3Hi = 1; // cacheC3Hi low byte != 0 means "no cache yet"
    private int r1a0, r1u1, r1u2, r1u3, r2b0, r2b1, r2b2, r2b3;

    private void prepare(int c0, int c1, int c2, int c3hi) {
        final int[] k = rk;
        int s0 = c0 ^ k[0], s1 = c1 ^ k[1], s2 = c2 ^ k[2], s3 = c3hi ^ k[3];
        r1a0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 0xff] ^ TE2[(s2 >>> 8) & 0xff] ^ k[4];
        r1u1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 0xff] ^ TE2[(s3 >>> 8) & 0xff] ^ TE3[s0 & 0xff] ^ k[5];
        r1u2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 0xff] ^ TE2[(s0 >>> 8) & 0xff] ^ TE3[s1 & 0xff] ^ k[6];
        r1u3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 0xff] ^ TE2[(s1 >>> 8) & 0xff] ^ TE3[s2 & 0xff] ^ k[7];
        r2b0 = TE1[(r1u1 >>> 16) & 0xff] ^ TE2[(r1u2 >>> 8) & 0xff] ^ TE3[r1u3 & 0xff] ^ k[8];
        r2b1 = TE0[r1u1 >>> 24] ^ TE1[(r1u2 >>> 16) & 0xff] ^ TE2[(r1u3 >>> 8) & 0xff] ^ k[9];
        r2b2 = TE0[r1u2 >>> 24] ^ TE1[(r1u3 >>> 16) & 0xff] ^ TE3[r1u1 & 0xff] ^ k[10];
        r2b3 = TE0[r1u3 >>> 24] ^ TE2[(r1u1 >>> 8) & 0xff] ^ TE3[r1u2 & 0xff] ^ k[11];
        cacheC0 = c0;
        cacheC1 = c1;
        cacheC2 = c2;
        cacheC3Hi = c3hi;
    }

    /**
     * XORs the CTR keystream of {@code blocks} consecutive counter blocks, starting at the 128-bit
     * big-endian counter (c0,c1,c2,c3), into {@code buf[off..off+16*blocks)}.
     */
    public void xorKeystream(int c0, int c1, int c2, int c3, byte[] buf, int off, int blocks) {
        final int[] k = rk;
        final int[] t0 = TE0, t1 = TE1, t2 = TE2, t3 = TE3, sb = SBOX;
        for (int n = 0; n < blocks; n++) {
            int hi = c3 & 0xffffff00;
            if (hi != cacheC3Hi || c2 != cacheC2 || c1 != cacheC1 || c0 != cacheC0) {
                prepare(c0, c1, c2, hi);
            }
            // Round 1 (only the last counter byte varies) and round 2 (only u0 varies).
            int u0 = r1a0 ^ t3[(c3 ^ k[3]) & 0xff];
            int s0 = r2b0 ^ t0[u0 >>> 24];
            int s1 = r2b1 ^ t3[u0 & 0xff];
            int s2 = r2b2 ^ t2[(u0 >>> 8) & 0xff];
            int s3 = r2b3 ^ t1[(u0 >>> 16) & 0xff];
            // Rounds 3..9, two per pass so the state ping-pongs between (s) and (u) without moves.
            int u1, u2, u3;
            for (int r = 12; r < 36; r += 8) {
                u0 = t0[s0 >>> 24] ^ t1[(s1 >>> 16) & 0xff] ^ t2[(s2 >>> 8) & 0xff] ^ t3[s3 & 0xff] ^ k[r];
                u1 = t0[s1 >>> 24] ^ t1[(s2 >>> 16) & 0xff] ^ t2[(s3 >>> 8) & 0xff] ^ t3[s0 & 0xff] ^ k[r + 1];
                u2 = t0[s2 >>> 24] ^ t1[(s3 >>> 16) & 0xff] ^ t2[(s0 >>> 8) & 0xff] ^ t3[s1 & 0xff] ^ k[r + 2];
                u3 = t0[s3 >>> 24] ^ t1[(s0 >>> 16) & 0xff] ^ t2[(s1 >>> 8) & 0xff] ^ t3[s2 & 0xff] ^ k[r + 3];
                s0 = t0[u0 >>> 24] ^ t1[(u1 >>> 16) & 0xff] ^ t2[(u2 >>> 8) & 0xff] ^ t3[u3 & 0xff] ^ k[r + 4];
                s1 = t0[u1 >>> 24] ^ t1[(u2 >>> 16) & 0xff] ^ t2[(u3 >>> 8) & 0xff] ^ t3[u0 & 0xff] ^ k[r + 5];
                s2 = t0[u2 >>> 24] ^ t1[(u3 >>> 16) & 0xff] ^ t2[(u0 >>> 8) & 0xff] ^ t3[u1 & 0xff] ^ k[r + 6];
                s3 = t0[u3 >>> 24] ^ t1[(u0 >>> 16) & 0xff] ^ t2[(u1 >>> 8) & 0xff] ^ t3[u2 & 0xff] ^ k[r + 7];
            }
            u0 = t0[s0 >>> 24] ^ t1[(s1 >>> 16) & 0xff] ^ t2[(s2 >>> 8) & 0xff] ^ t3[s3 & 0xff] ^ k[36];
            u1 = t0[s1 >>> 24] ^ t1[(s2 >>> 16) & 0xff] ^ t2[(s3 >>> 8) & 0xff] ^ t3[s0 & 0xff] ^ k[37];
            u2 = t0[s2 >>> 24] ^ t1[(s3 >>> 16) & 0xff] ^ t2[(s0 >>> 8) & 0xff] ^ t3[s1 & 0xff] ^ k[38];
            u3 = t0[s3 >>> 24] ^ t1[(s0 >>> 16) & 0xff] ^ t2[(s1 >>> 8) & 0xff] ^ t3[s2 & 0xff] ^ k[39];
            // Round 10: SubBytes and ShiftRows only.
            int o0 = ((sb[u0 >>> 24] << 24) | (sb[(u1 >>> 16) & 0xff] << 16) | (sb[(u2 >>> 8) & 0xff] << 8)
                    | sb[u3 & 0xff]) ^ k[40];
            int o1 = ((sb[u1 >>> 24] << 24) | (sb[(u2 >>> 16) & 0xff] << 16) | (sb[(u3 >>> 8) & 0xff] << 8)
                    | sb[u0 & 0xff]) ^ k[41];
            int o2 = ((sb[u2 >>> 24] << 24) | (sb[(u3 >>> 16) & 0xff] << 16) | (sb[(u0 >>> 8) & 0xff] << 8)
                    | sb[u1 & 0xff]) ^ k[42];
            int o3 = ((sb[u3 >>> 24] << 24) | (sb[(u0 >>> 16) & 0xff] << 16) | (sb[(u1 >>> 8) & 0xff] << 8)
                    | sb[u2 & 0xff]) ^ k[43];
            buf[off] ^= (byte) (o0 >>> 24);
            buf[off + 1] ^= (byte) (o0 >>> 16);
            buf[off + 2] ^= (byte) (o0 >>> 8);
            buf[off + 3] ^= (byte) o0;
            buf[off + 4] ^= (byte) (o1 >>> 24);
            buf[off + 5] ^= (byte) (o1 >>> 16);
            buf[off + 6] ^= (byte) (o1 >>> 8);
            buf[off + 7] ^= (byte) o1;
            buf[off + 8] ^= (byte) (o2 >>> 24);
            buf[off + 9] ^= (byte) (o2 >>> 16);
            buf[off + 10] ^= (byte) (o2 >>> 8);
            buf[off + 11] ^= (byte) o2;
            buf[off + 12] ^= (byte) (o3 >>> 24);
            buf[off + 13] ^= (byte) (o3 >>> 16);
            buf[off + 14] ^= (byte) (o3 >>> 8);
            buf[off + 15] ^= (byte) o3;
            off += 16;
            // 128-bit big-endian increment, carrying across all four words (BC's SIC does the same).
            c3++;
            if (c3 == 0) {
                c2++;
                if (c2 == 0) {
                    c1++;
                    if (c1 == 0) {
                        c0++;
                    }
                }
            }
        }
    }
}
