package org.onionpeer.browser;

import org.onionpeer.browser.webcrypto.KeystreamWorker;
import org.onionpeer.browser.webcrypto.SubtleAesCtr;
import org.onionpeer.bench.RelayLayerWorkload;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.crypto.RunningDigest;
import org.onionpeer.crypto.StreamCipher;
import org.onionpeer.crypto.TunedAes128;
import org.onionpeer.crypto.TunedSha1;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * Browser relay primitives: AES-128-CTR keystream made ahead, in batches, by WebCrypto (constant-time and
 * far faster than any JavaScript AES), requested from the page's {@link KeystreamWorker} so that even the
 * calls' own cost is off the main thread (in-thread until the worker is ready, or if it fails), and SHA-1
 * from {@link TunedSha1} (WebCrypto has no running digest with snapshots). The cipher stays synchronous:
 * {@link StreamCipher#apply} never waits; where no batch is ready for the exact keystream position it
 * computes those bytes with {@link TunedAes128}, so the output is byte-identical to every other
 * implementation whatever the timing.
 */
public final class WebCryptoRelayPrimitives implements RelayPrimitives {
    /** Blocks per WebCrypto request, a power of two: 4096 blocks, 64 KiB of keystream, ~128 cells. */
    static final int BATCH_SHIFT = 12;
    static final int BATCH_BLOCKS = 1 << BATCH_SHIFT;
    static final int BATCH_BYTES = BATCH_BLOCKS * 16;
    /** Batches kept requested or ready ahead of the position at most: 512 KiB per busy cipher. */
    static final int AHEAD = 8;

    private static JSObject zeros;
    private static int ciphers;
    /** Page-wide counts, for {@link #stats()}: batches arrived from the worker and from in-thread requests. */
    private static double workerBatches;
    private static double pageBatches;
    private static double hedgeBatches;
    private static double allPoolBytes;
    private static double allFallbackBytes;

    @Override
    public StreamCipher aes128Ctr(byte[] key16) {
        return new PoolCtr(key16);
    }

    @Override
    public RunningDigest sha1() {
        return new TunedSha1();
    }

    @Override
    public String name() {
        return "webcrypto-pool";
    }

    /** True when the page may use WebCrypto (otherwise the tuned primitives are the ones to use). */
    public static boolean available() {
        return SubtleAesCtr.available();
    }

    /**
     * Where the page's keystream came from, for tests and profiles: the worker's state, batches arrived from
     * the worker and from in-thread requests, bytes XORed from batches and computed by the fallback.
     */
    public static String stats() {
        return "worker " + KeystreamWorker.status() + "; batches from worker " + (long) workerBatches + ", in page "
                + (long) pageBatches + " (hedges " + (long) hedgeBatches + "); pool " + (long) allPoolBytes
                + ", fallback " + (long) allFallbackBytes;
    }

    /** {@code onionpeer.keystreamStats()}: {@link #stats()}. */
    static void exportStats() {
        JsApi.export("keystreamStats", (JsApi.StringFn) WebCryptoRelayPrimitives::stats);
    }

    /** The pool cipher; {@link #poolBytes()} and {@link #fallbackBytes()} say where its keystream came from. */
    public static final class PoolCtr implements StreamCipher, RelayLayerWorkload.Noted {
        private final TunedAes128 aes;
        private final int id = ++ciphers;
        private JSObject key;
        private String error;
        /** Keystream position: batch number (unsigned) and byte offset inside it. */
        private int batch;
        private int inBatch;
        /** Next batch number to request. */
        private int nextRequest;
        private int inFlight;
        /** Of those, requests in the worker (lost if it dies). */
        private int inWorker;
        /** The last batch also asked for in-thread ({@link #hedge}). */
        private int hedged = -1;
        /**
         * Batches to keep ahead now: 1 until half of the first is used, then doubling with each batch used, up to
         * AHEAD. An idle circuit's ciphers (a page's pool circuits, circuits it relays) then hold 64 KiB each
         * instead of 512, and a page's first circuits do not wait behind 512 KiB of keystream per hop and way.
         */
        private int ahead = 1;
        /** Ready batches by batch % AHEAD, with the batch number each slot holds. */
        private final byte[][] slots = new byte[AHEAD][];
        private final int[] slotBatch = new int[AHEAD];
        /** Fallback keystream: 16 blocks starting at block {@code fbFirst} of batch {@code fbBatch}. */
        private final byte[] fb = new byte[256];
        private int fbBatch = -1;
        private int fbFirst = -1;
        private int fbBlocks;
        private double poolBytes;
        private double fallbackBytes;
        private final SubtleAesCtr.BatchReady onBatch = this::inPage;
        private final SubtleAesCtr.BatchReady onWorkerBatch = this::fromWorker;
        private final KeystreamWorker.Lost onLost = this::lost;
        private final SubtleAesCtr.BatchReady onHedge = this::hedged;
        /** A failed hedge changes nothing: the worker's copy is still coming. */
        private final SubtleAesCtr.Failed onHedgeError = message -> { };
        private final SubtleAesCtr.Failed onError = this::failed;

        PoolCtr(byte[] key16) {
            aes = new TunedAes128(key16); // also checks the key length
            if (SubtleAesCtr.available()) {
                if (zeros == null) {
                    zeros = SubtleAesCtr.zeros(BATCH_BYTES);
                }
                KeystreamWorker.start(BATCH_BYTES);
                SubtleAesCtr.importKey(key16.clone(), k -> {
                    key = k;
                    fill();
                }, message -> error = message);
            } else {
                error = "no crypto.subtle";
            }
        }

        @Override
        public void apply(byte[] buf, int off, int len) {
            while (len > 0) {
                int n = BATCH_BYTES - inBatch;
                if (n > len) {
                    n = len;
                }
                int slot = batch & (AHEAD - 1);
                byte[] ks = slots[slot];
                if (ks != null && slotBatch[slot] == batch) {
                    int k = inBatch;
                    for (int i = 0; i < n; i++) {
                        buf[off + i] ^= ks[k + i];
                    }
                    poolBytes += n;
                    allPoolBytes += n;
                } else {
                    fallback(buf, off, n);
                    fallbackBytes += n;
                    allFallbackBytes += n;
                }
                off += n;
                len -= n;
                inBatch += n;
                if (ahead == 1 && inBatch >= BATCH_BYTES / 2) {
                    ahead = 2;
                }
                if (inBatch == BATCH_BYTES) {
                    ahead = Math.min(AHEAD, ahead * 2);
                    if (ks != null && slotBatch[slot] == batch) {
                        slots[slot] = null;
                    }
                    batch++;
                    inBatch = 0;
                    if (batch == 0) {
                        // 2^32 batches = 256 TiB on one hop: no circuit lives that long; refuse to wrap.
                        throw new IllegalStateException("relay cipher keystream exhausted");
                    }
                }
            }
            fill();
            hedge();
        }

        /**
         * The worker runs on its own thread: on a busy machine it can fall behind the page, which then computes
         * whole batches with the fallback. When the next batch is still in the worker as we enter the current
         * one, it is asked for in-thread as well; whichever copy comes first is used (they are the same bytes).
         */
        private void hedge() {
            int b = batch + 1;
            int slot = b & (AHEAD - 1);
            if (inWorker > 0 && key != null && b != hedged && nextRequest - b > 0
                    && (slots[slot] == null || slotBatch[slot] != b)) {
                hedged = b;
                requestInPage(b, onHedge, onHedgeError);
            }
        }

        private void hedged(int b, Int8Array keystream) {
            hedgeBatches++;
            keep(b, keystream);
        }

        /** Batch {@code b} from WebCrypto on this thread (its counter block: b's 4096 blocks, high bits first). */
        private void requestInPage(int b, SubtleAesCtr.BatchReady ok, SubtleAesCtr.Failed err) {
            SubtleAesCtr.encryptZeros(key, b >>> (32 - BATCH_SHIFT), b << BATCH_SHIFT, zeros, b, ok, err);
        }

        /** Keeps batch {@code b} if it is still ahead and not there already (a hedge and its original). */
        private void keep(int b, Int8Array keystream) {
            int d = b - batch;
            int slot = b & (AHEAD - 1);
            if (d >= 0 && d < AHEAD && (slots[slot] == null || slotBatch[slot] != b)) {
                slots[slot] = keystream.toJavaArray();
                slotBatch[slot] = b;
            }
        }

        /** XORs the keystream for bytes [inBatch, inBatch+n) of the current batch, computed here and now. */
        private void fallback(byte[] buf, int off, int n) {
            int pos = inBatch;
            int end = pos + n;
            while (pos < end) {
                int block = pos >>> 4;
                if (fbBatch != batch || block < fbFirst || block >= fbFirst + fbBlocks) {
                    int blocks = BATCH_BLOCKS - block;
                    if (blocks > 16) {
                        blocks = 16;
                    }
                    // Counter of block b of batch B is B*BATCH_BLOCKS + b, as a 128-bit big-endian number.
                    aes.keystream(0, 0, batch >>> (32 - BATCH_SHIFT), (batch << BATCH_SHIFT) | block, fb, 0, blocks);
                    fbBatch = batch;
                    fbFirst = block;
                    fbBlocks = blocks;
                }
                int k = pos - (fbFirst << 4);
                int m = (fbBlocks << 4) - k;
                if (m > end - pos) {
                    m = end - pos;
                }
                for (int i = 0; i < m; i++) {
                    buf[off + i] ^= fb[k + i];
                }
                off += m;
                pos += m;
            }
        }

        /** Keeps up to AHEAD batches, from the current one on, requested or ready. */
        private void fill() {
            if (key == null) {
                return;
            }
            if (nextRequest - batch < 0) {
                nextRequest = batch; // we fell behind: skip batches already passed
            }
            while (nextRequest - batch < ahead && inFlight < AHEAD) {
                int b = nextRequest++;
                int slot = b & (AHEAD - 1);
                if (slots[slot] != null && slotBatch[slot] == b) {
                    continue; // ready already (requests made again after the worker was lost)
                }
                inFlight++;
                if (KeystreamWorker.ready()) {
                    inWorker++;
                    KeystreamWorker.request(id, key, b >>> (32 - BATCH_SHIFT), b << BATCH_SHIFT, b, onWorkerBatch,
                            onLost);
                } else {
                    requestInPage(b, onBatch, onError);
                }
            }
        }

        private void fromWorker(int b, Int8Array keystream) {
            inWorker--;
            workerBatches++;
            arrived(b, keystream);
        }

        /** The worker died with our requests in it: ask again, in-thread, from the current batch on. */
        private void lost() {
            inFlight -= inWorker;
            inWorker = 0;
            nextRequest = batch;
            fill();
        }

        private void inPage(int b, Int8Array keystream) {
            pageBatches++;
            arrived(b, keystream);
        }

        private void arrived(int b, Int8Array keystream) {
            inFlight--;
            keep(b, keystream);
            fill();
        }

        private void failed(String message) {
            // From here on every byte comes from the fallback; correctness does not depend on WebCrypto.
            inFlight--;
            error = message;
            key = null;
        }

        public double poolBytes() {
            return poolBytes;
        }

        public double fallbackBytes() {
            return fallbackBytes;
        }

        @Override
        public String note() {
            double all = poolBytes + fallbackBytes;
            int permille = all == 0 ? 0 : (int) Math.round(poolBytes * 1000 / all);
            return "keystream from pool " + (permille / 10) + "." + (permille % 10) + "%"
                    + (error == null ? "" : ", pool off: " + error);
        }

        /** Why the pool is not used, or null. */
        public String error() {
            return error;
        }
    }
}
