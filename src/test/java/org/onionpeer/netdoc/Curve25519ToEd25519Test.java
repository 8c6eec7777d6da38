package org.onionpeer.netdoc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;

/** ServerDescriptor.curve25519ToEd25519 (Bouncy Castle's field code) against the former BigInteger formula. */
class Curve25519ToEd25519Test {
    private static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));

    /** The implementation this replaced, over java.math.BigInteger. */
    private static byte[] reference(byte[] u, int signBit) {
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = u[31 - i];
        }
        be[0] &= 0x7f;
        BigInteger x = new BigInteger(1, be).mod(P);
        BigInteger den = x.add(BigInteger.ONE).mod(P);
        if (den.signum() == 0) {
            return null;
        }
        BigInteger y = x.subtract(BigInteger.ONE).multiply(den.modInverse(P)).mod(P);
        byte[] yb = y.toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < yb.length; i++) {
            out[i] = yb[yb.length - 1 - i];
        }
        out[31] = (byte) ((out[31] & 0x7f) | (signBit << 7));
        return out;
    }

    private static byte[] le(BigInteger v) {
        byte[] out = new byte[32];
        byte[] b = v.toByteArray();
        for (int i = 0; i < 32 && i < b.length; i++) {
            out[i] = b[b.length - 1 - i];
        }
        return out;
    }

    private static void check(byte[] u, int sign) {
        byte[] want = reference(u, sign);
        if (want == null) {
            assertThrows(ProtocolException.class, () -> ServerDescriptor.curve25519ToEd25519(u, sign));
        } else {
            assertArrayEquals(want, ServerDescriptor.curve25519ToEd25519(u, sign));
        }
    }

    @Test
    void matchesBigIntegerFormula() {
        long seed = System.nanoTime();
        System.out.println("Curve25519ToEd25519Test seed " + seed);
        Random r = new Random(seed);
        for (int i = 0; i < 5000; i++) {
            byte[] u = new byte[32];
            r.nextBytes(u);
            check(u, r.nextInt(2));
        }
        BigInteger[] edges = {
            BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO, P.subtract(BigInteger.ONE), P, P.add(BigInteger.ONE),
            P.add(BigInteger.TWO), BigInteger.ONE.shiftLeft(255).subtract(BigInteger.ONE), BigInteger.valueOf(9),
            BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE), P.subtract(BigInteger.ONE).add(BigInteger.ONE
                    .shiftLeft(255)),
        };
        for (BigInteger v : edges) {
            check(le(v), 0);
            check(le(v), 1);
        }
    }
}
