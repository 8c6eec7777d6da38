package org.onionpeer.ordb;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * The binary SHA-256 Merkle tree over a content's chunks.
 *
 * <p>Hashing is domain-separated so a proof cannot pass an inner node off as a chunk or the reverse:
 * leaf = SHA-256(0x00 | chunk), node = SHA-256(0x01 | left | right). Odd levels: a level of c nodes pairs
 * (0,1), (2,3)...; when c is odd the last node has no sibling and is <b>promoted unchanged</b> to the next
 * level (never paired with a copy of itself, which is what lets Bitcoin's trees have two leaf lists with one
 * root). The next level has (c + 1) / 2 nodes; the root is the single node of the last level (a one-chunk
 * content's root is its leaf hash).
 *
 * <p>A proof for chunk i is the list of siblings from the leaf level up, skipping the levels where i's
 * ancestor is promoted. Its length is fixed by (i, n), so the verifier, which knows n from the manifest,
 * refuses a proof of any other length; the left/right order at each level comes from i's bits, so a chunk
 * cannot be proven at another index.
 */
public final class MerkleTree {
    /** At most this many chunks in a tree (1 TiB of 64 KiB chunks); so a proof has at most 24 hashes. */
    public static final long MAX_LEAVES = 1L << 24;
    public static final int MAX_PROOF = 24;
    public static final int HASH = 32;

    public static final String BAD_PROOF = "chunk does not match the Merkle root";

    private final byte[][][] levels;

    private MerkleTree(byte[][][] levels) {
        this.levels = levels;
    }

    public static byte[] leafHash(byte[] data) {
        return leafHash(data, 0, data.length);
    }

    public static byte[] leafHash(byte[] data, int off, int len) {
        SHA256Digest d = new SHA256Digest();
        d.update((byte) 0);
        d.update(data, off, len);
        byte[] out = new byte[HASH];
        d.doFinal(out, 0);
        return out;
    }

    static byte[] nodeHash(byte[] left, byte[] right) {
        SHA256Digest d = new SHA256Digest();
        d.update((byte) 1);
        d.update(left, 0, HASH);
        d.update(right, 0, HASH);
        byte[] out = new byte[HASH];
        d.doFinal(out, 0);
        return out;
    }

    /** The tree over these leaf hashes (at least one). */
    public static MerkleTree of(byte[][] leaves) {
        if (leaves.length == 0 || leaves.length > MAX_LEAVES) {
            throw new IllegalArgumentException("a Merkle tree has 1.." + MAX_LEAVES + " leaves, not " + leaves.length);
        }
        int depth = 1;
        for (int c = leaves.length; c > 1; c = (c + 1) / 2) {
            depth++;
        }
        byte[][][] levels = new byte[depth][][];
        levels[0] = leaves.clone();
        for (int k = 1; k < depth; k++) {
            byte[][] below = levels[k - 1];
            byte[][] level = new byte[(below.length + 1) / 2][];
            for (int j = 0; j < level.length; j++) {
                level[j] = 2 * j + 1 < below.length ? nodeHash(below[2 * j], below[2 * j + 1]) : below[2 * j];
            }
            levels[k] = level;
        }
        return new MerkleTree(levels);
    }

    /** The tree over {@code content} cut into chunks of {@code chunkSize} (an empty content is one empty chunk). */
    public static MerkleTree ofContent(byte[] content, int chunkSize) {
        int n = (int) Manifest.chunkCount(content.length, chunkSize);
        byte[][] leaves = new byte[n][];
        for (int i = 0; i < n; i++) {
            int off = i * chunkSize;
            leaves[i] = leafHash(content, off, Math.min(chunkSize, content.length - off));
        }
        return of(leaves);
    }

    public byte[] root() {
        return levels[levels.length - 1][0].clone();
    }

    public int leafCount() {
        return levels[0].length;
    }

    /** The siblings proving leaf {@code i}, leaf level first. */
    public byte[][] proof(int i) {
        if (i < 0 || i >= leafCount()) {
            throw new IllegalArgumentException("no leaf " + i);
        }
        byte[][] out = new byte[proofLength(leafCount(), i)][];
        int k = 0;
        int j = i;
        for (int level = 0; level < levels.length - 1; level++) {
            int c = levels[level].length;
            if ((j & 1) == 1) {
                out[k++] = levels[level][j - 1];
            } else if (j + 1 < c) {
                out[k++] = levels[level][j + 1];
            }
            j >>= 1;
        }
        return out;
    }

    /** How many hashes the proof of leaf {@code i} among {@code n} has. */
    public static int proofLength(long n, long i) {
        int len = 0;
        for (long c = n, j = i; c > 1; c = (c + 1) / 2, j >>= 1) {
            if ((j & 1) == 1 || j + 1 < c) {
                len++;
            }
        }
        return len;
    }

    /** The root that leaf hash {@code leaf} at index {@code i} of {@code n} and {@code proof} lead to. */
    public static byte[] rootFrom(long n, long i, byte[] leaf, byte[][] proof) {
        if (n < 1 || n > MAX_LEAVES || i < 0 || i >= n) {
            throw new ProtocolException("chunk " + i + " is out of range (" + n + " chunks)");
        }
        int expected = proofLength(n, i);
        if (proof.length != expected) {
            throw new ProtocolException("proof for chunk " + i + " has " + proof.length + " hashes, not " + expected);
        }
        byte[] h = leaf;
        int k = 0;
        for (long c = n, j = i; c > 1; c = (c + 1) / 2, j >>= 1) {
            if ((j & 1) == 1) {
                h = nodeHash(proof[k++], h);
            } else if (j + 1 < c) {
                h = nodeHash(h, proof[k++]);
            }
        }
        return h;
    }

    /** Checks chunk {@code i}'s leaf hash and proof against {@code root}; throws {@link #BAD_PROOF} if they fail. */
    public static void verify(byte[] root, long n, long i, byte[] leaf, byte[][] proof) {
        if (!Bytes.constantTimeEquals(rootFrom(n, i, leaf, proof), root)) {
            throw new ProtocolException(BAD_PROOF);
        }
    }
}
