package org.onionpeer.crypto;

/**
 * X25519 (RFC 7748 §5) with field elements held in doubles, for JavaScript. TeaVM emulates Java's {@code long} in
 * JS with objects (every multiply allocates), and Bouncy Castle's field code multiplies in longs: profiled, a
 * page spent most of its first second in that emulation and its garbage (the ntor handshakes of its first
 * circuits). A double holds any integer below 2^53 exactly and JS multiplies doubles natively, so this field uses
 * 16 limbs of 16 bits in doubles (the layout of TweetNaCl's JavaScript port): a product of two limbs is below
 * 2^36 even before carrying, a row of 16 of them below 2^41, folded with 38 (2^256 = 38 mod p) below 2^47.
 *
 * <p>Constant time as far as the language allows: the ladder has no branch on the scalar (a conditional swap by
 * mask on the limbs as ints, which they always are), and the field operations have none on values. On the JVM,
 * where longs are native, Bouncy Castle's code is several times faster; {@link Curve25519} picks per platform.
 *
 * <p>Each call allocates one {@code Ladder} of scratch arrays, so concurrent calls share nothing.
 */
final class X25519F64 {
    private static final double TWO16 = 65536.0;
    /** 2^-16: a multiply, exact for a power of two, where a divide would cost more. */
    private static final double INV16 = 1.0 / 65536.0;

    private X25519F64() {
    }

    /** X25519(k, u): {@code out} gets 32 bytes; false when the result is all zero (a low-order u). */
    static boolean scalarMult(byte[] k, byte[] u, byte[] out) {
        new Ladder().run(k, u, out);
        int acc = 0;
        for (int i = 0; i < 32; i++) {
            acc |= out[i];
        }
        return acc != 0;
    }

    /** X25519(k, 9). */
    static void scalarMultBase(byte[] k, byte[] out) {
        byte[] nine = new byte[32];
        nine[0] = 9;
        new Ladder().run(k, nine, out);
    }

    /** The scratch of one scalar multiplication. */
    private static final class Ladder {
        final double[] t = new double[31];
        final double[] x = new double[16];
        final double[] a = new double[16];
        final double[] b = new double[16];
        final double[] c = new double[16];
        final double[] d = new double[16];
        final double[] e = new double[16];
        final double[] f = new double[16];
        final double[] k121665 = new double[16];

        void run(byte[] k, byte[] u, byte[] out) {
            byte[] z = k.clone();
            // RFC 7748 §5 decodeScalar25519: clear the 3 low bits, clear bit 255, set bit 254.
            z[31] = (byte) ((z[31] & 127) | 64);
            z[0] = (byte) (z[0] & 248);
            for (int i = 0; i < 16; i++) {
                // decodeUCoordinate: little-endian, the top bit masked off.
                x[i] = (u[2 * i] & 0xff) + ((u[2 * i + 1] & 0xff) << 8);
            }
            x[15] = ((int) x[15]) & 0x7fff;
            k121665[0] = 0xdb41; // 121665 = 0x1db41 (a24 of RFC 7748 for X25519)
            k121665[1] = 1;
            for (int i = 0; i < 16; i++) {
                b[i] = x[i];
                a[i] = 0;
                c[i] = 0;
                d[i] = 0;
            }
            a[0] = 1;
            d[0] = 1;
            // Montgomery ladder over bits 254..0: (a:c) = x_2/z_2, (b:d) = x_3/z_3, RFC 7748 §5's steps.
            for (int i = 254; i >= 0; i--) {
                int bit = ((z[i >>> 3] & 0xff) >>> (i & 7)) & 1;
                swap(a, b, bit);
                swap(c, d, bit);
                add(e, a, c);
                sub(a, a, c);
                add(c, b, d);
                sub(b, b, d);
                sqr(d, e);
                sqr(f, a);
                mul(a, c, a);
                mul(c, b, e);
                add(e, a, c);
                sub(a, a, c);
                sqr(b, a);
                sub(c, d, f);
                mul(a, c, k121665);
                add(a, a, d);
                mul(c, c, a);
                mul(a, d, f);
                mul(d, b, x);
                sqr(b, e);
                swap(a, b, bit);
                swap(c, d, bit);
            }
            invert(c);
            mul(a, a, c);
            pack(out, a);
        }

        /** o = a * b mod p, carried (limbs back near 16 bits). */
        void mul(double[] o, double[] a, double[] b) {
            java.util.Arrays.fill(t, 0);
            for (int i = 0; i < 16; i++) {
                double ai = a[i];
                for (int j = 0; j < 16; j++) {
                    t[i + j] += ai * b[j];
                }
            }
            reduce(o);
        }

        /** o = a^2 mod p: each cross product once, doubled (about half the multiplies of {@link #mul}). */
        void sqr(double[] o, double[] a) {
            java.util.Arrays.fill(t, 0);
            for (int i = 0; i < 16; i++) {
                double ai = a[i];
                t[2 * i] += ai * ai;
                double ai2 = ai + ai;
                for (int j = i + 1; j < 16; j++) {
                    t[i + j] += ai2 * a[j];
                }
            }
            reduce(o);
        }

        /** o = the 31-limb product in t folded to 16 limbs (2^256 = 38 mod p), then carried. */
        private void reduce(double[] o) {
            for (int i = 0; i < 15; i++) {
                t[i] += 38 * t[i + 16];
            }
            System.arraycopy(t, 0, o, 0, 16);
            carry(o);
            carry(o);
        }

        /** c = c^(p-2) = 1/c (Fermat), by square-and-multiply over the fixed exponent 2^255 - 21. */
        void invert(double[] c) {
            double[] in = c.clone();
            for (int i = 253; i >= 0; i--) {
                sqr(c, c);
                if (i != 2 && i != 4) {
                    mul(c, c, in);
                }
            }
        }
    }

    static void add(double[] o, double[] a, double[] b) {
        for (int i = 0; i < 16; i++) {
            o[i] = a[i] + b[i];
        }
    }

    static void sub(double[] o, double[] a, double[] b) {
        for (int i = 0; i < 16; i++) {
            o[i] = a[i] - b[i];
        }
    }

    /**
     * Carries each limb into the next, the top one folded back with 38 (2^256 = 38 mod p). Adding 2^16 before the
     * floor keeps the quotient's arithmetic on non-negative values; the -1 on the next limb takes it back.
     */
    static void carry(double[] o) {
        for (int i = 0; i < 16; i++) {
            o[i] += TWO16;
            double q = Math.floor(o[i] * INV16);
            if (i < 15) {
                o[i + 1] += q - 1;
            } else {
                o[0] += 38 * (q - 1);
            }
            o[i] -= q * TWO16;
        }
    }

    /** Swaps p and q when bit is 1, by mask (no branch on the bit); the limbs are integers in int range here. */
    static void swap(double[] p, double[] q, int bit) {
        int mask = -bit;
        for (int i = 0; i < 16; i++) {
            int pi = (int) p[i];
            int qi = (int) q[i];
            int t = mask & (pi ^ qi);
            p[i] = pi ^ t;
            q[i] = qi ^ t;
        }
    }

    /** The canonical 32 bytes of n mod p (fully carried, then p subtracted at most twice, by mask). */
    static void pack(byte[] out, double[] n) {
        double[] t = n.clone();
        carry(t);
        carry(t);
        carry(t);
        int[] ti = new int[16];
        for (int i = 0; i < 16; i++) {
            ti[i] = (int) t[i];
        }
        int[] m = new int[16];
        for (int j = 0; j < 2; j++) {
            m[0] = ti[0] - 0xffed;
            for (int i = 1; i < 15; i++) {
                m[i] = ti[i] - 0xffff - ((m[i - 1] >> 16) & 1);
                m[i - 1] &= 0xffff;
            }
            m[15] = ti[15] - 0x7fff - ((m[14] >> 16) & 1);
            int borrow = (m[15] >> 16) & 1;
            m[14] &= 0xffff;
            // No borrow: t >= p, keep t - p.
            int mask = -(1 - borrow);
            for (int i = 0; i < 16; i++) {
                ti[i] ^= mask & (ti[i] ^ m[i]);
            }
        }
        for (int i = 0; i < 16; i++) {
            out[2 * i] = (byte) ti[i];
            out[2 * i + 1] = (byte) (ti[i] >> 8);
        }
    }
}
