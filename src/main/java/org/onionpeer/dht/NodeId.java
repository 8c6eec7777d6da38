package org.onionpeer.dht;

import java.util.Random;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Hashes;

/**
 * A 160-bit Kademlia ID: SHA-1 of a node's identity key SPKI (the page's ID, see README), or a DHT key.
 * Kept as five ints, not a byte[], so XOR distance comparisons stay cheap under TeaVM (no long, no copies).
 */
public final class NodeId {
    public static final int BYTES = 20;
    public static final int BITS = 160;

    private final int[] w;

    private NodeId(int[] w) {
        this.w = w;
    }

    public static NodeId of(byte[] b) {
        if (b.length != BYTES) {
            throw new ProtocolException("node ID must be 20 bytes, got " + b.length);
        }
        int[] w = new int[5];
        for (int i = 0; i < 5; i++) {
            w[i] = (b[4 * i] & 0xff) << 24 | (b[4 * i + 1] & 0xff) << 16 | (b[4 * i + 2] & 0xff) << 8
                    | (b[4 * i + 3] & 0xff);
        }
        return new NodeId(w);
    }

    /** The ID a key must have: SHA-1 of its SPKI DER. */
    public static NodeId ofKey(byte[] spki) {
        return of(Hashes.sha1(spki));
    }

    public static NodeId fromHex(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new ProtocolException("node ID must be 40 hex digits");
        }
        return of(Bytes.unhex(hex));
    }

    public static NodeId read(ByteReader r) {
        return of(r.bytes(BYTES));
    }

    public void write(ByteWriter out) {
        out.bytes(bytes());
    }

    public static NodeId random(Random rnd) {
        int[] w = new int[5];
        for (int i = 0; i < 5; i++) {
            w[i] = rnd.nextInt();
        }
        return new NodeId(w);
    }

    /**
     * A random ID whose distance from {@code self} lies in bucket {@code j}: [2^j, 2^(j+1)), i.e. the same
     * first 159-j bits as self, then the opposite bit, then random bits.
     */
    public static NodeId randomInBucket(NodeId self, int j, Random rnd) {
        if (j < 0 || j >= BITS) {
            throw new IllegalArgumentException("bucket " + j);
        }
        int[] d = new int[5];
        int top = BITS - 1 - j; // index (from the most significant end) of the bit that must be set
        int word = top >>> 5;
        int bit = 31 - (top & 31);
        d[word] = (1 << bit) | (bit == 0 ? 0 : rnd.nextInt() & ((1 << bit) - 1));
        for (int i = word + 1; i < 5; i++) {
            d[i] = rnd.nextInt();
        }
        int[] w = new int[5];
        for (int i = 0; i < 5; i++) {
            w[i] = self.w[i] ^ d[i];
        }
        return new NodeId(w);
    }

    public byte[] bytes() {
        byte[] b = new byte[BYTES];
        for (int i = 0; i < 5; i++) {
            b[4 * i] = (byte) (w[i] >>> 24);
            b[4 * i + 1] = (byte) (w[i] >>> 16);
            b[4 * i + 2] = (byte) (w[i] >>> 8);
            b[4 * i + 3] = (byte) w[i];
        }
        return b;
    }

    /** XOR distance, as an ID (compare distances with {@link #compareDistance}). */
    public NodeId xor(NodeId o) {
        int[] d = new int[5];
        for (int i = 0; i < 5; i++) {
            d[i] = w[i] ^ o.w[i];
        }
        return new NodeId(d);
    }

    /** Negative if {@code a} is closer to this ID than {@code b}, zero if equal, positive if farther. */
    public int compareDistance(NodeId a, NodeId b) {
        for (int i = 0; i < 5; i++) {
            int da = a.w[i] ^ w[i];
            int db = b.w[i] ^ w[i];
            if (da != db) {
                return Integer.compareUnsigned(da, db);
            }
        }
        return 0;
    }

    /** Number of leading bits shared with {@code o}: 160 when equal. */
    public int commonPrefixLength(NodeId o) {
        for (int i = 0; i < 5; i++) {
            int d = w[i] ^ o.w[i];
            if (d != 0) {
                return 32 * i + Integer.numberOfLeadingZeros(d);
            }
        }
        return BITS;
    }

    /**
     * The routing bucket {@code o} falls in seen from this ID: j with 2^j <= distance < 2^(j+1), so 159
     * for the far half of the space, 0 for the nearest neighbour; -1 for this ID itself.
     */
    public int bucketIndex(NodeId o) {
        return BITS - 1 - commonPrefixLength(o);
    }

    public String hex() {
        return Bytes.hex(bytes());
    }

    /** The first 8 hex digits, for logs. */
    public String shortHex() {
        return hex().substring(0, 8);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NodeId)) {
            return false;
        }
        int[] v = ((NodeId) o).w;
        return w[0] == v[0] && w[1] == v[1] && w[2] == v[2] && w[3] == v[3] && w[4] == v[4];
    }

    @Override
    public int hashCode() {
        return w[0] * 31 + w[4]; // uniformly distributed already
    }

    @Override
    public String toString() {
        return hex();
    }
}
