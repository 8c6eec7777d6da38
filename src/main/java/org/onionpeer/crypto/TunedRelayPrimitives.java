package org.onionpeer.crypto;

/**
 * Pure-Java relay primitives tuned for TeaVM's JavaScript output ({@link TunedAes128} in CTR mode and
 * {@link TunedSha1}); byte-identical to {@link BcRelayPrimitives} and several times faster once compiled
 * to JavaScript, where Bouncy Castle's generic code (long counters, per-block object calls) is slow.
 */
public final class TunedRelayPrimitives implements RelayPrimitives {
    @Override
    public StreamCipher aes128Ctr(byte[] key16) {
        return new Ctr(new TunedAes128(key16));
    }

    @Override
    public RunningDigest sha1() {
        return new TunedSha1();
    }

    @Override
    public String name() {
        return "tuned";
    }

    /** AES-128-CTR from block 0 (Tor's all-zero IV, tor-spec §0.3), keystream made 16 blocks at a time. */
    static final class Ctr implements StreamCipher {
        private static final int BLOCKS = 16;
        private final TunedAes128 aes;
        private final byte[] ks = new byte[16 * BLOCKS];
        /** Next unused keystream byte in {@link #ks}; ks.length means "empty". */
        private int ksPos = 16 * BLOCKS;
        /** The 128-bit big-endian counter of the next block to generate. */
        private int c0, c1, c2, c3;

        Ctr(TunedAes128 aes) {
            this.aes = aes;
        }

        @Override
        public void apply(byte[] buf, int off, int len) {
            final byte[] k = ks;
            int pos = ksPos;
            int end = off + len;
            while (off < end) {
                if (pos == k.length) {
                    aes.keystream(c0, c1, c2, c3, k, 0, BLOCKS);
                    advance(BLOCKS);
                    pos = 0;
                }
                int n = k.length - pos;
                if (n > end - off) {
                    n = end - off;
                }
                for (int i = 0; i < n; i++) {
                    buf[off + i] ^= k[pos + i];
                }
                off += n;
                pos += n;
            }
            ksPos = pos;
        }

        private void advance(int blocks) {
            int lo = c3 + blocks;
            if ((lo ^ 0x80000000) < (c3 ^ 0x80000000)) {
                c2++;
                if (c2 == 0) {
                    c1++;
                    if (c1 == 0) {
                        c0++;
                    }
                }
            }
            c3 = lo;
        }
    }
}
