package org.onionpeer.crypto;

/**
 * {@code s^e mod n} for RSA signature verification: an odd modulus of any length, a public exponent of at
 * most 64 bits, everything public. Montgomery multiplication (CIOS) on 16-bit limbs held in ints, so every
 * partial sum fits 32 unsigned bits and no {@code long} is needed (TeaVM emulates longs in JavaScript). Not
 * constant-time: nothing here is secret. Replaces {@code java.math.BigInteger.modPow}, whose TeaVM library
 * code (with BigInteger's division and Montgomery routines) was about 15 KB of onionpeer.js (issue 12);
 * tested byte-identical to BigInteger.modPow on random moduli, exponents and bases.
 */
final class PublicModPow {
    private PublicModPow() {
    }

    /**
     * {@code base^exponent mod modulus}, big-endian, left-padded to {@code outLen} bytes. {@code modulus} is
     * unsigned big-endian and odd, {@code base} unsigned big-endian and below the modulus, {@code exponent} an
     * unsigned 64-bit value, at least 1.
     */
    static byte[] modPow(byte[] base, long exponent, byte[] modulus, int outLen) {
        int[] n = limbs(modulus, (modulus.length + 1) / 2);
        int len = n.length;
        while (len > 1 && n[len - 1] == 0) {
            len--;
        }
        if (len < n.length) {
            int[] t = new int[len];
            System.arraycopy(n, 0, t, 0, len);
            n = t;
        }
        if ((n[0] & 1) == 0 || exponent == 0) {
            throw new IllegalArgumentException("modulus must be odd and exponent nonzero");
        }
        int[] s = limbs(base, len);
        if (compare(s, n) >= 0) {
            throw new IllegalArgumentException("base must be below the modulus");
        }
        // -n^-1 mod 2^16 by Newton's iteration (each step doubles the correct low bits; x = n0 is right to 3).
        int n0 = n[0];
        int x = n0;
        for (int i = 0; i < 4; i++) {
            x = x * (2 - n0 * x);
        }
        int n0inv = (-x) & 0xffff;

        int[] sR = s.clone(); // s * R mod n, R = 2^(16 len), by doubling
        for (int i = 0; i < 16 * len; i++) {
            doubleMod(sR, n);
        }
        int top = 63 - Long.numberOfLeadingZeros(exponent);
        int[] acc = sR.clone();
        for (int bit = top - 1; bit >= 0; bit--) {
            acc = montMul(acc, acc, n, n0inv);
            if (((exponent >>> bit) & 1) != 0) {
                acc = montMul(acc, sR, n, n0inv);
            }
        }
        int[] one = new int[len];
        one[0] = 1;
        acc = montMul(acc, one, n, n0inv);
        byte[] out = new byte[outLen];
        for (int i = 0; i < 2 * len; i++) {
            int b = (acc[i / 2] >>> ((i & 1) * 8)) & 0xff;
            if (i < outLen) {
                out[outLen - 1 - i] = (byte) b;
            } else if (b != 0) {
                throw new IllegalArgumentException("result longer than " + outLen + " bytes");
            }
        }
        return out;
    }

    /** Big-endian unsigned bytes to {@code count} little-endian 16-bit limbs. */
    private static int[] limbs(byte[] be, int count) {
        int[] z = new int[count];
        for (int i = 0; i < be.length; i++) {
            int b = be[be.length - 1 - i] & 0xff;
            if (b != 0) {
                if (i / 2 >= count) {
                    throw new IllegalArgumentException("value longer than the modulus");
                }
                z[i / 2] |= (i & 1) == 0 ? b : b << 8;
            }
        }
        return z;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = a.length - 1; i >= 0; i--) {
            if (a[i] != b[i]) {
                return a[i] < b[i] ? -1 : 1;
            }
        }
        return 0;
    }

    /** a = 2a mod n, for a below n. */
    private static void doubleMod(int[] a, int[] n) {
        int carry = 0;
        for (int i = 0; i < a.length; i++) {
            int v = (a[i] << 1) | carry;
            a[i] = v & 0xffff;
            carry = v >>> 16;
        }
        if (carry != 0 || compare(a, n) >= 0) {
            subtract(a, n);
        }
    }

    /** a -= n, limb-wise, dropping the final borrow (the caller knows a + carry*R is at least n). */
    private static void subtract(int[] a, int[] n) {
        int borrow = 0;
        for (int i = 0; i < a.length; i++) {
            int v = a[i] - n[i] - borrow;
            a[i] = v & 0xffff;
            borrow = (v >> 16) & 1;
        }
    }

    /** a * b / R mod n (CIOS), for a and b below n; the result is below n. */
    private static int[] montMul(int[] a, int[] b, int[] n, int n0inv) {
        int len = n.length;
        int[] t = new int[len + 2];
        for (int i = 0; i < len; i++) {
            int bi = b[i];
            int c = 0;
            for (int j = 0; j < len; j++) {
                int s = t[j] + a[j] * bi + c; // at most (2^16-1) + (2^16-1)^2 + (2^16-1) = 2^32-1: unsigned int
                t[j] = s & 0xffff;
                c = s >>> 16;
            }
            int s = t[len] + c;
            t[len] = s & 0xffff;
            t[len + 1] = s >>> 16;
            int m = (t[0] * n0inv) & 0xffff;
            s = t[0] + m * n[0];
            c = s >>> 16;
            for (int j = 1; j < len; j++) {
                s = t[j] + m * n[j] + c;
                t[j - 1] = s & 0xffff;
                c = s >>> 16;
            }
            s = t[len] + c;
            t[len - 1] = s & 0xffff;
            t[len] = t[len + 1] + (s >>> 16);
        }
        int[] r = new int[len];
        System.arraycopy(t, 0, r, 0, len);
        if (t[len] != 0 || compare(r, n) >= 0) {
            subtract(r, n);
        }
        return r;
    }
}
