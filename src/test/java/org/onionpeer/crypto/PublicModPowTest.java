package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PublicModPow against BigInteger.modPow, byte for byte, on random and edge-case moduli, exponents, bases. */
class PublicModPowTest {
    private static byte[] expected(BigInteger s, BigInteger e, BigInteger n, int len) {
        byte[] b = s.modPow(e, n).toByteArray();
        byte[] out = new byte[len];
        int copy = Math.min(b.length, len);
        System.arraycopy(b, b.length - copy, out, len - copy, copy);
        return out;
    }

    private static byte[] unsigned(BigInteger v) {
        return Rsa.magnitude(v);
    }

    private static void check(BigInteger s, long e, BigInteger n, String what) {
        int len = (n.bitLength() + 7) / 8;
        BigInteger be = new BigInteger(Long.toUnsignedString(e));
        byte[] want = expected(s, be, n, len);
        byte[] got = PublicModPow.modPow(unsigned(s), e, unsigned(n), len);
        assertArrayEquals(want, got, what + ": n=" + n.toString(16) + " e=" + Long.toUnsignedString(e) + " s="
                + s.toString(16));
    }

    @Test
    void matchesBigIntegerOnRandomInputs() {
        long seed = System.nanoTime();
        System.out.println("PublicModPowTest seed " + seed);
        Random r = new Random(seed);
        long[] exps = {3, 17, 65537, 1, 0x7fffffffffffffffL, -1L};
        for (int i = 0; i < 3000; i++) {
            int bits = i < 1500 ? 8 + r.nextInt(600) : (r.nextInt(4) == 0 ? 2048 : 1024) - r.nextInt(3);
            BigInteger n = new BigInteger(bits, r).setBit(bits - 1).setBit(0);
            long e = r.nextInt(3) == 0 ? exps[r.nextInt(exps.length)] : r.nextLong() >>> r.nextInt(64);
            if (e == 0) {
                e = 65537;
            }
            BigInteger s;
            switch (r.nextInt(6)) {
                case 0:
                    s = BigInteger.ZERO;
                    break;
                case 1:
                    s = BigInteger.ONE;
                    break;
                case 2:
                    s = n.subtract(BigInteger.ONE);
                    break;
                default:
                    s = new BigInteger(bits + 8, r).mod(n);
            }
            check(s, e, n, "case " + i + " (seed " + seed + ")");
        }
    }

    @Test
    void edgeModuli() {
        BigInteger[] moduli = {
            BigInteger.valueOf(3), BigInteger.valueOf(0xffff), BigInteger.valueOf(0x10001),
            BigInteger.ONE.shiftLeft(1024).subtract(BigInteger.ONE), BigInteger.ONE.shiftLeft(1023).add(BigInteger.ONE),
            BigInteger.ONE.shiftLeft(2048).subtract(BigInteger.valueOf(159)), BigInteger.ONE.shiftLeft(1031).add(
                    BigInteger.ONE),
        };
        for (BigInteger n : moduli) {
            for (long e : new long[] {1, 3, 65537, -1L}) {
                check(n.subtract(BigInteger.ONE), e, n, "edge");
                check(n.shiftRight(1), e, n, "edge");
                check(BigInteger.TWO.mod(n), e, n, "edge");
            }
        }
    }

    @Test
    void outputShorterThanModulusIsLeftPadded() {
        BigInteger n = BigInteger.ONE.shiftLeft(1024).subtract(BigInteger.ONE);
        byte[] got = PublicModPow.modPow(new byte[] {2}, 3, unsigned(n), 128);
        byte[] want = new byte[128];
        want[127] = 8;
        assertArrayEquals(want, got);
    }

    @Test
    void rejectsEvenModulusAndLargeBase() {
        assertThrows(IllegalArgumentException.class, () -> PublicModPow.modPow(new byte[] {1}, 3, new byte[] {4}, 1));
        assertThrows(IllegalArgumentException.class, () -> PublicModPow.modPow(new byte[] {9}, 3, new byte[] {7}, 1));
    }
}
