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
     * big-endian counter (c0,c1,c2,c3), to {@code out[off..off+16*blocks)}. Returns nothing; the caller
     * advances its own counter.
     */
    public void keystream(int c0, int c1, int c2, int c3, byte[] out, int off, int blocks) {
        final int[] k = rk;
        final int[] t0 = TE0, t1 = TE1, t2 = TE2, t3 = TE3, sb = SBOX;
        for (int n = 0; n < blocks; n++) {
            int s0 = c0 ^ k[0], s1 = c1 ^ k[1], s2 = c2 ^ k[2], s3 = c3 ^ k[3];
            int r = 4;
            for (int round = 1; round < 10; round++) {
                int u0 = t0[s0 >>> 24] ^ t1[(s1 >>> 16) & 0xff] ^ t2[(s2 >>> 8) & 0xff] ^ t3[s3 & 0xff] ^ k[r];
                int u1 = t0[s1 >>> 24] ^ t1[(s2 >>> 16) & 0xff] ^ t2[(s3 >>> 8) & 0xff] ^ t3[s0 & 0xff] ^ k[r + 1];
                int u2 = t0[s2 >>> 24] ^ t1[(s3 >>> 16) & 0xff] ^ t2[(s0 >>> 8) & 0xff] ^ t3[s1 & 0xff] ^ k[r + 2];
                int u3 = t0[s3 >>> 24] ^ t1[(s0 >>> 16) & 0xff] ^ t2[(s1 >>> 8) & 0xff] ^ t3[s2 & 0xff] ^ k[r + 3];
                s0 = u0;
                s1 = u1;
                s2 = u2;
                s3 = u3;
                r += 4;
            }
            int o0 = ((sb[s0 >>> 24] << 24) | (sb[(s1 >>> 16) & 0xff] << 16) | (sb[(s2 >>> 8) & 0xff] << 8)
                    | sb[s3 & 0xff]) ^ k[40];
            int o1 = ((sb[s1 >>> 24] << 24) | (sb[(s2 >>> 16) & 0xff] << 16) | (sb[(s3 >>> 8) & 0xff] << 8)
                    | sb[s0 & 0xff]) ^ k[41];
            int o2 = ((sb[s2 >>> 24] << 24) | (sb[(s3 >>> 16) & 0xff] << 16) | (sb[(s0 >>> 8) & 0xff] << 8)
                    | sb[s1 & 0xff]) ^ k[42];
            int o3 = ((sb[s3 >>> 24] << 24) | (sb[(s0 >>> 16) & 0xff] << 16) | (sb[(s1 >>> 8) & 0xff] << 8)
                    | sb[s2 & 0xff]) ^ k[43];
            out[off] = (byte) (o0 >>> 24);
            out[off + 1] = (byte) (o0 >>> 16);
            out[off + 2] = (byte) (o0 >>> 8);
            out[off + 3] = (byte) o0;
            out[off + 4] = (byte) (o1 >>> 24);
            out[off + 5] = (byte) (o1 >>> 16);
            out[off + 6] = (byte) (o1 >>> 8);
            out[off + 7] = (byte) o1;
            out[off + 8] = (byte) (o2 >>> 24);
            out[off + 9] = (byte) (o2 >>> 16);
            out[off + 10] = (byte) (o2 >>> 8);
            out[off + 11] = (byte) o2;
            out[off + 12] = (byte) (o3 >>> 24);
            out[off + 13] = (byte) (o3 >>> 16);
            out[off + 14] = (byte) (o3 >>> 8);
            out[off + 15] = (byte) o3;
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
