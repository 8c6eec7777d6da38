package org.onionpeer.browser;

import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.StreamCipher;

/**
 * Proves in a real browser that the WebCrypto keystream pool is exact: one pool cipher and one Bouncy
 * Castle cipher with the same key run through the same calls (cell-sized, tiny, and large ones that
 * outrun the pool), with yields to the event loop between groups of calls so that batches arrive at
 * varying points; every output must be equal. The lengths come from a fixed-seed generator, so runs are
 * repeatable. The result says how much keystream came from the pool and how much from the fallback;
 * a meaningful run has both.
 */
final class PoolCheck {
    interface Done {
        void done(String result);
    }

    private final WebCryptoRelayPrimitives.PoolCtr pool;
    private final StreamCipher ref;
    private final Done done;
    private int seed = 0x1234567;
    private int group;
    private double bytes;

    PoolCheck(Done done) {
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i++) {
            key[i] = (byte) (0xa5 ^ i * 29);
        }
        pool = (WebCryptoRelayPrimitives.PoolCtr) new WebCryptoRelayPrimitives().aes128Ctr(key);
        ref = new BcRelayPrimitives().aes128Ctr(key);
        this.done = done;
    }

    private int next(int bound) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 1) % bound;
    }

    void start() {
        Later.run(this::step);
    }

    private void step() {
        int calls = 1 + next(300);
        for (int i = 0; i < calls; i++) {
            int kind = next(20);
            int len = kind == 0 ? 20_000 + next(100_000) : kind < 4 ? next(17) : kind < 6 ? next(2000) : 509;
            int off = next(7);
            byte[] a = new byte[off + len + 3];
            for (int j = 0; j < a.length; j++) {
                a[j] = (byte) (j * 7 + len);
            }
            byte[] b = a.clone();
            pool.apply(a, off, len);
            ref.apply(b, off, len);
            for (int j = 0; j < a.length; j++) {
                if (a[j] != b[j]) {
                    done.done("FAIL at byte " + (long) (bytes + j - off) + " (call of " + len + " bytes, group " + group
                            + "): " + pool.note());
                    return;
                }
            }
            bytes += len;
        }
        group++;
        if (group < 120) {
            Later.run(this::step);
            return;
        }
        done.done("ok " + (long) bytes + " bytes; pool " + (long) pool.poolBytes() + ", fallback "
                + (long) pool.fallbackBytes() + (pool.error() == null ? "" : "; pool error: " + pool.error())
                + " (" + WebCryptoRelayPrimitives.stats() + ")");
    }
}
