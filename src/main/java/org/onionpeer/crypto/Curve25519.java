package org.onionpeer.crypto;

import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * X25519 (RFC 7748) for the ntor handshakes, by the implementation that is fast on the platform: Bouncy Castle's
 * on the JVM (the default), {@link X25519F64} in the page, which calls {@link #useDoubles} at start: in JS,
 * Bouncy Castle's long arithmetic is emulated and dominated a page's first second. Both give the same bytes (the
 * self-test's RFC 7748 and ntor known answers run on each platform; X25519F64Test compares them on the JVM).
 */
public final class Curve25519 {
    private static volatile boolean doubles;

    private Curve25519() {
    }

    /** From now on, this runtime computes X25519 in doubles (for JavaScript). */
    public static void useDoubles() {
        doubles = true;
    }

    /** Back to the default (tests that switched). */
    static void useBouncyCastle() {
        doubles = false;
    }

    /** Either (the bench page times both). */
    public static void use(boolean inDoubles) {
        doubles = inDoubles;
    }

    /** X25519(secret, 9) into {@code out}. */
    static void scalarMultBase(byte[] secret, byte[] out) {
        if (doubles) {
            X25519F64.scalarMultBase(secret, out);
        } else {
            X25519.scalarMultBase(secret, 0, out, 0);
        }
    }

    /** X25519(secret, point) into {@code out}; false when it is all zero (a low-order point, RFC 7748 §6.1). */
    static boolean agreement(byte[] secret, byte[] point, byte[] out) {
        return doubles ? X25519F64.scalarMult(secret, point, out)
                : X25519.calculateAgreement(secret, 0, point, 0, out, 0);
    }
}
