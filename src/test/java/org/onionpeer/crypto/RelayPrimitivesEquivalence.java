package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.onionpeer.selftest.Check;

/** Shared checks: an implementation passes the known answers and matches Bouncy Castle byte for byte. */
public final class RelayPrimitivesEquivalence {
    private RelayPrimitivesEquivalence() {
    }

    public static void knownAnswersPass(RelayPrimitives p) {
        Check c = new Check();
        new RelayPrimitivesKnownAnswers(p).run(c);
        System.out.println("[" + p.name() + "]\n" + c.report());
        assertEquals(0, c.failures(), c.report());
    }

    /**
     * Many keys; per key a run of apply calls with random lengths (0..13000, biased to cell sizes) at random
     * offsets inside a larger buffer, compared with BC at every step; bytes outside the range must not change.
     */
    public static void cipherMatchesBc(RelayPrimitives p, long seed, int keys) {
        Random r = new Random(seed);
        RelayPrimitives bc = new BcRelayPrimitives();
        for (int k = 0; k < keys; k++) {
            byte[] key = new byte[16];
            r.nextBytes(key);
            StreamCipher a = p.aes128Ctr(key);
            StreamCipher b = bc.aes128Ctr(key);
            int calls = 1 + r.nextInt(40);
            for (int i = 0; i < calls; i++) {
                int len = length(r);
                int off = r.nextInt(40);
                byte[] x = new byte[off + len + r.nextInt(40)];
                r.nextBytes(x);
                byte[] y = x.clone();
                a.apply(x, off, len);
                b.apply(y, off, len);
                assertArrayEquals(y, x, p.name() + " key#" + k + " call#" + i + " off=" + off + " len=" + len);
            }
        }
    }

    /** Random update lengths, peeks of 0..20 bytes between them, and forks that must stay independent. */
    public static void digestMatchesBc(RelayPrimitives p, long seed, int rounds) {
        Random r = new Random(seed);
        RelayPrimitives bc = new BcRelayPrimitives();
        for (int k = 0; k < rounds; k++) {
            RunningDigest a = p.sha1();
            RunningDigest b = bc.sha1();
            int steps = 1 + r.nextInt(30);
            for (int i = 0; i < steps; i++) {
                int len = length(r);
                int off = r.nextInt(30);
                byte[] x = new byte[off + len + 5];
                r.nextBytes(x);
                a.update(x, off, len);
                b.update(x, off, len);
                int n = r.nextInt(21);
                int pOff = r.nextInt(5);
                byte[] pa = new byte[pOff + n + 3];
                byte[] pb = new byte[pOff + n + 3];
                a.peek(pa, pOff, n);
                b.peek(pb, pOff, n);
                assertArrayEquals(pb, pa, p.name() + " round#" + k + " step#" + i + " len=" + len);
                if (r.nextInt(5) == 0) {
                    // Continue on a fork, and check the original still gives the pre-fork digest.
                    RunningDigest fork = a.copy();
                    byte[] before = new byte[20];
                    a.peek(before, 0, 20);
                    byte[] extra = new byte[r.nextInt(200)];
                    r.nextBytes(extra);
                    fork.update(extra, 0, extra.length);
                    b.update(extra, 0, extra.length);
                    byte[] after = new byte[20];
                    a.peek(after, 0, 20);
                    assertArrayEquals(before, after, "fork disturbed the original");
                    a = fork;
                }
            }
        }
    }

    private static int length(Random r) {
        switch (r.nextInt(7)) {
            case 6:
                return 4000 + r.nextInt(9000); // longer than buffers inside the implementations
            case 0:
                return 509;
            case 1:
                return r.nextInt(17);
            case 2:
                return 55 + r.nextInt(12); // around SHA-1's one-or-two-block padding edge
            default:
                return r.nextInt(1100);
        }
    }
}
