package org.onionpeer.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.onionpeer.bytes.ProtocolException;

/**
 * A small deterministic mutation fuzzer for decoders. Each input is either random bytes or a mutation of a
 * valid seed (bit flips, byte overwrites with boundary values, truncation, extension, length-field
 * corruption, splices). The decoder may succeed or throw {@link ProtocolException}; any other throwable
 * (ArrayIndexOutOfBounds, NegativeArraySize, NullPointer, OutOfMemory...) is a bug and fails the run with
 * the offending input in hex.
 */
public final class Fuzzer {
    private final long seed;
    private final List<byte[]> seeds = new ArrayList<>();
    private int maxLen = 1100;
    private long accepted;
    private long rejected;

    public Fuzzer(long seed) {
        this.seed = seed;
    }

    public Fuzzer seed(byte[] valid) {
        seeds.add(valid.clone());
        return this;
    }

    public Fuzzer maxLen(int n) {
        maxLen = n;
        return this;
    }

    /** Runs {@code iterations} inputs through {@code decoder}; returns a one-line summary. */
    public String run(String name, int iterations, Consumer<byte[]> decoder) {
        SplittableRandom r = new SplittableRandom(seed ^ name.hashCode());
        for (int i = 0; i < iterations; i++) {
            byte[] in = next(r);
            try {
                decoder.accept(in);
                accepted++;
            } catch (ProtocolException e) {
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError(name + ": input #" + i + " raised " + t + " on "
                        + org.onionpeer.bytes.Bytes.hex(in), t);
            }
        }
        return name + ": " + iterations + " inputs, " + accepted + " decoded, " + rejected + " rejected";
    }

    public long accepted() {
        return accepted;
    }

    public long rejected() {
        return rejected;
    }

    private byte[] next(SplittableRandom r) {
        if (seeds.isEmpty() || r.nextInt(8) == 0) {
            byte[] b = new byte[r.nextInt(maxLen + 1)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) r.nextInt(256);
            }
            return b;
        }
        byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
        int rounds = 1 + r.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            b = mutate(b, r);
        }
        return b;
    }

    private static final int[] BOUNDARY = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};

    private byte[] mutate(byte[] b, SplittableRandom r) {
        switch (r.nextInt(7)) {
            case 0: // flip a bit
                if (b.length > 0) {
                    int i = r.nextInt(b.length);
                    b[i] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            case 1: // boundary byte
                if (b.length > 0) {
                    b[r.nextInt(b.length)] = (byte) BOUNDARY[r.nextInt(BOUNDARY.length)];
                }
                return b;
            case 2: { // truncate
                byte[] t = new byte[b.length == 0 ? 0 : r.nextInt(b.length)];
                System.arraycopy(b, 0, t, 0, t.length);
                return t;
            }
            case 3: { // extend with random tail
                int extra = 1 + r.nextInt(64);
                byte[] t = new byte[Math.min(maxLen, b.length + extra)];
                System.arraycopy(b, 0, t, 0, Math.min(b.length, t.length));
                for (int i = b.length; i < t.length; i++) {
                    t[i] = (byte) r.nextInt(256);
                }
                return t;
            }
            case 4: // corrupt a would-be 16-bit length field with a huge or off-by-one value
                if (b.length > 1) {
                    int i = r.nextInt(b.length - 1);
                    int v = r.nextBoolean() ? 0xffff : ((b[i] & 0xff) << 8 | (b[i + 1] & 0xff)) + (r.nextBoolean() ? 1 : -1);
                    b[i] = (byte) (v >>> 8);
                    b[i + 1] = (byte) v;
                }
                return b;
            case 5: { // splice with another seed
                byte[] o = seeds.get(r.nextInt(seeds.size()));
                if (o.length == 0 || b.length == 0) {
                    return b;
                }
                int cut = r.nextInt(b.length);
                int from = r.nextInt(o.length);
                int n = Math.max(0, Math.min(o.length - from, maxLen - cut)); // seeds may exceed maxLen
                byte[] t = new byte[cut + n];
                System.arraycopy(b, 0, t, 0, cut);
                System.arraycopy(o, from, t, cut, n);
                return t;
            }
            default: // random byte
                if (b.length > 0) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                return b;
        }
    }
}
