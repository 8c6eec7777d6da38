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

    /**
     * AES-128-CTR from block 0 (Tor's all-zero IV, tor-spec §0.3). Whole blocks are XORed straight into
     * the caller's buffer; only a block split across calls goes through the 16-byte {@link #ks}.
     */
    static final class Ctr implements StreamCipher {
        private final TunedAes128 aes;
        private final byte[] ks = new byte[16];
        /** Next unused byte of {@link #ks}; 16 means none left. */
        private int ksPos = 16;
        /** The 128-bit big-endian counter of the next block to generate. */
        private int c0, c1, c2, c3;

        Ctr(TunedAes128 aes) {
            this.aes = aes;
        }

        @Override
        public void apply(byte[] buf, int off, int len) {
            final byte[] k = ks;
            int pos = ksPos;
            while (len > 0 && pos < 16) {
                buf[off++] ^= k[pos++];
                len--;
            }
            if (len >= 16) {
                int blocks = len >>> 4;
                aes.xorKeystream(c0, c1, c2, c3, buf, off, blocks);
                advance(blocks);
                off += blocks << 4;
                len -= blocks << 4;
            }
            if (len > 0) {
                aes.keystream(c0, c1, c2, c3, k, 0, 1);
                advance(1);
                pos = 0;
                while (len > 0) {
                    buf[off++] ^= k[pos++];
                    len--;
                }
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
