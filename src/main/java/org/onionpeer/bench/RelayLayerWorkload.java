package org.onionpeer.bench;

import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.crypto.RunningDigest;
import org.onionpeer.crypto.StreamCipher;

/**
 * One relay crypto layer on 509-byte cell bodies, as a hop does it for each cell (tor-spec §6.1): feed the
 * body to the running SHA-1, take the 4-byte digest snapshot, and run AES-128-CTR over the body. One
 * cipher and one digest for the whole run, so the keystream and the digest run on across cells.
 */
public final class RelayLayerWorkload implements Workload {
    public static final int CELL_BODY = 509;

    private final RelayPrimitives p;
    private final StreamCipher cipher;
    private final RunningDigest digest;
    private final byte[] cell = new byte[CELL_BODY];
    private final byte[] snapshot = new byte[4];

    /** What to time: the whole layer, or one of its two halves (to see which one is the bottleneck). */
    public enum Part {
        LAYER("relay layer 509B"), CIPHER("  AES-CTR only"), DIGEST("  SHA-1+peek only");

        final String label;

        Part(String label) {
            this.label = label;
        }
    }

    private final Part part;

    public RelayLayerWorkload(RelayPrimitives p) {
        this(p, Part.LAYER);
    }

    public RelayLayerWorkload(RelayPrimitives p, Part part) {
        this.p = p;
        this.part = part;
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i++) {
            key[i] = (byte) (i * 17 + 3);
            cell[i] = (byte) i;
        }
        cipher = p.aes128Ctr(key);
        digest = p.sha1();
    }

    @Override
    public String name() {
        return part.label + " / " + p.name();
    }

    @Override
    public String unit() {
        return "MB/s";
    }

    @Override
    public double unitsPerOp() {
        return CELL_BODY / 1e6;
    }

    /** The cipher under test, for implementations that report on themselves (see {@link #note}). */
    public StreamCipher cipher() {
        return cipher;
    }

    @Override
    public String note() {
        return cipher instanceof Noted ? ((Noted) cipher).note() : "";
    }

    /** A cipher that can say something about its run, such as how much keystream a pool supplied. */
    public interface Noted {
        String note();
    }

    @Override
    public void run(int ops) {
        byte[] c = cell;
        if (part == Part.CIPHER) {
            for (int i = 0; i < ops; i++) {
                cipher.apply(c, 0, CELL_BODY);
            }
            return;
        }
        if (part == Part.DIGEST) {
            for (int i = 0; i < ops; i++) {
                digest.update(c, 0, CELL_BODY);
                digest.peek(snapshot, 0, 4);
                c[0] ^= snapshot[0];
            }
            return;
        }
        for (int i = 0; i < ops; i++) {
            digest.update(c, 0, CELL_BODY);
            digest.peek(snapshot, 0, 4);
            cipher.apply(c, 0, CELL_BODY);
            c[0] ^= snapshot[0]; // keep the snapshot live so no compiler drops it
        }
    }
}
