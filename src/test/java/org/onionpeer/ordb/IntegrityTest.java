package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Hashes;

/** Merkle tree shape and proofs, manifests and hash_names, signed live windows: what verifies and what not. */
class IntegrityTest {
    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static byte[] leaf(byte[] d) {
        return Hashes.sha256(new byte[] {0}, d);
    }

    static byte[] node(byte[] l, byte[] r) {
        return Hashes.sha256(new byte[] {1}, l, r);
    }

    private static String reason(Runnable r) {
        return assertThrows(ProtocolException.class, r::run).getMessage();
    }

    @Test
    void oddLevelsPromoteTheLastNode() {
        byte[] a = Bytes.ascii("a");
        byte[] b = Bytes.ascii("b");
        byte[] c = Bytes.ascii("c");
        MerkleTree t = MerkleTree.of(new byte[][] {leaf(a), leaf(b), leaf(c)});
        assertArrayEquals(node(node(leaf(a), leaf(b)), leaf(c)), t.root());
        // five leaves: (ab)(cd)e -> ((ab)(cd)) e
        byte[] d = Bytes.ascii("d");
        byte[] e = Bytes.ascii("e");
        MerkleTree t5 = MerkleTree.of(new byte[][] {leaf(a), leaf(b), leaf(c), leaf(d), leaf(e)});
        assertArrayEquals(node(node(node(leaf(a), leaf(b)), node(leaf(c), leaf(d))), leaf(e)), t5.root());
        assertEquals(1, t5.proof(4).length, "e is promoted twice: its proof is the single (ab)(cd) node");
        // no Bitcoin-style duplication: [a b c] and [a b c c] differ
        MerkleTree dup = MerkleTree.of(new byte[][] {leaf(a), leaf(b), leaf(c), leaf(c)});
        assertFalse(Bytes.constantTimeEquals(t.root(), dup.root()));
        assertArrayEquals(leaf(a), MerkleTree.of(new byte[][] {leaf(a)}).root(), "one chunk: root = its leaf");
    }

    @Test
    void everyProofVerifiesAndNoOtherDoes() {
        long seed = System.nanoTime();
        System.out.println("[ordb] IntegrityTest seed " + seed);
        Random r = new Random(seed);
        for (int n = 1; n <= 70; n++) {
            byte[][] chunks = new byte[n][];
            byte[][] leaves = new byte[n][];
            for (int i = 0; i < n; i++) {
                chunks[i] = random(r, 1 + r.nextInt(40));
                leaves[i] = MerkleTree.leafHash(chunks[i]);
            }
            MerkleTree t = MerkleTree.of(leaves);
            for (int ii = 0; ii < n; ii++) {
                final int i = ii;
                final int nn0 = n;
                byte[][] p = t.proof(i);
                assertEquals(MerkleTree.proofLength(n, i), p.length);
                MerkleTree.verify(t.root(), nn0, i, leaves[i], p);
                if (n > 1) {
                    int j = (i + 1) % n;
                    if (MerkleTree.proofLength(n, j) == p.length) {
                        final int jj = j;
                        assertEquals(MerkleTree.BAD_PROOF, reason(() -> MerkleTree.verify(t.root(), nn0, jj, leaves[i], p)),
                                "seed " + seed + ": chunk " + i + " proven at " + j);
                    }
                    byte[] bad = chunks[i].clone();
                    bad[r.nextInt(bad.length)] ^= 1;
                    assertEquals(MerkleTree.BAD_PROOF,
                            reason(() -> MerkleTree.verify(t.root(), nn0, i, MerkleTree.leafHash(bad), p)));
                    if (p.length > 0) {
                        byte[][] q = p.clone();
                        q[r.nextInt(q.length)] = random(r, 32);
                        assertEquals(MerkleTree.BAD_PROOF, reason(() -> MerkleTree.verify(t.root(), nn0, i, leaves[i], q)));
                        byte[][] shorter = java.util.Arrays.copyOf(p, p.length - 1);
                        assertEquals("proof for chunk " + i + " has " + (p.length - 1) + " hashes, not " + p.length,
                                reason(() -> MerkleTree.verify(t.root(), nn0, i, leaves[i], shorter)));
                    }
                }
            }
            final int nn = n;
            assertEquals("chunk " + n + " is out of range (" + n + " chunks)",
                    reason(() -> MerkleTree.verify(t.root(), nn, nn, leaves[0], new byte[0][])));
        }
    }

    @Test
    void anInnerNodeCannotPassForAChunk() {
        byte[][] l = new byte[4][];
        for (int i = 0; i < 4; i++) {
            l[i] = leaf(new byte[] {(byte) i});
        }
        MerkleTree t = MerkleTree.of(l);
        // Without domain separation, "chunk" = l0|l1 in a 2-leaf view with proof [node(l2,l3)] would verify.
        byte[] fake = Bytes.concat(l[0], l[1]);
        assertEquals(MerkleTree.BAD_PROOF, reason(() -> MerkleTree.verify(t.root(), 2, 0, MerkleTree.leafHash(fake),
                new byte[][] {node(l[2], l[3])})));
    }

    @Test
    void manifestCommitsToEverything() {
        byte[] content = random(new Random(1), 10_000);
        MerkleTree t = MerkleTree.ofContent(content, 1024);
        Manifest m = Manifest.file(content.length, 1024, t.root(), Bytes.ascii("film.webm"), "video/webm");
        assertEquals(10, m.chunkCount());
        assertEquals(784, m.chunkLength(9));
        assertArrayEquals(Hashes.sha256(Bytes.ascii("onionpeer ordb manifest v1\0"), m.encode()), m.hashName().bytes());
        Manifest back = Manifest.decode(m.encode());
        assertEquals(m.hashName(), back.hashName());
        assertEquals("video/webm", back.mime());
        for (int i = 0; i < 10; i++) {
            m.verifyChunk(i, Bytes.slice(content, i * 1024, m.chunkLength(i)), t.proof(i));
        }
        assertEquals("chunk 9 is 1024 bytes, not 784",
                reason(() -> m.verifyChunk(9, new byte[1024], t.proof(9))));
        // any change to a field is another hash_name
        Manifest other = Manifest.file(content.length, 1024, t.root(), Bytes.ascii("film.webm"), "video/mp4");
        assertFalse(other.hashName().equals(m.hashName()));
        Manifest empty = Manifest.file(0, 1024, MerkleTree.ofContent(new byte[0], 1024).root(), new byte[0], "a/b");
        assertEquals(1, empty.chunkCount());
        assertEquals(0, empty.chunkLength(0));
    }

    @Test
    void manifestRefusesOversizedClaims() {
        byte[] ok = Manifest.file(5, 1024, new byte[32], Bytes.ascii("x"), "a/b").encode();
        byte[] b = ok.clone();
        Bytes.putU32(b, 10, 70000);
        assertEquals("chunk size 70000 is not in 64..65536", reason(() -> Manifest.decode(b)));
        byte[] c = ok.clone();
        Bytes.putU32(c, 2, 16);
        assertEquals("file length 68719476741 over 16777216 chunks of 1024", reason(() -> Manifest.decode(c)));
        byte[] d = ok.clone();
        d[1] = 4;
        assertEquals("manifest kind 4 is not FILE (1), LIVE (2) or TORRENT (3)", reason(() -> Manifest.decode(d)));
        byte[] t = ok.clone();
        t[1] = Manifest.TORRENT; // a file's fields read as an infohash and an info dict: refused by the SHA-1
        assertEquals("info dict does not hash to the infohash", reason(() -> Manifest.decode(t)));
        assertEquals("trailing bytes after the manifest", reason(() -> Manifest.decode(Bytes.concat(ok, new byte[1]))));
        assertEquals("manifest of 600 bytes over " + Manifest.MAX_LENGTH, reason(() -> Manifest.decode(new byte[600])));
        byte[] e = ok.clone();
        e[e.length - 4] = 0; // mime length 0
        assertThrows(ProtocolException.class, () -> Manifest.decode(e));
    }

    @Test
    void liveWindowsAreSignedAndDated() {
        Ed25519.KeyPair key = Ed25519.fromSeed(new byte[32]);
        Ed25519.KeyPair other = Ed25519.fromSeed(Hashes.sha256(new byte[1]));
        Manifest stream = Manifest.live(4096, 8, key.publicKey(), Bytes.ascii("tv"), "video/webm");
        assertEquals(stream.hashName(), Manifest.decode(stream.encode()).hashName());
        Random r = new Random(2);
        byte[][] chunks = new byte[5][];
        byte[][] leaves = new byte[5][];
        for (int i = 0; i < 5; i++) {
            chunks[i] = random(r, 100 + i);
            leaves[i] = MerkleTree.leafHash(chunks[i]);
        }
        MerkleTree t = MerkleTree.of(leaves);
        LiveWindow w = LiveWindow.sign(key, stream, 3, 5, 1_000_000, t.root());
        LiveWindow back = LiveWindow.decode(w.encode());
        back.verify(stream, 1_000_010, 60);
        back.verifyChunk(stream, 3 * 8 + 2, chunks[2], t.proof(2));
        assertEquals("chunk 23 is not in live window 3", reason(() -> back.verifyChunk(stream, 23, chunks[0], t.proof(0))));
        assertEquals(MerkleTree.BAD_PROOF, reason(() -> back.verifyChunk(stream, 24, chunks[1], t.proof(0))));
        assertEquals("live window is stale: 100 s old, over 60", reason(() -> back.verify(stream, 1_000_100, 60)));
        assertEquals("live window dated 31 s in the future", reason(() -> back.verify(stream, 999_969, 60)));
        byte[] forged = w.encode();
        forged[40] ^= 1; // the timestamp
        assertEquals(LiveWindow.BAD_SIGNATURE, reason(() -> LiveWindow.decode(forged).verify(stream, 1_000_000, 1000)));
        Manifest impostor = Manifest.live(4096, 8, other.publicKey(), Bytes.ascii("tv"), "video/webm");
        assertEquals(LiveWindow.OTHER_STREAM, reason(() -> back.verify(impostor, 1_000_000, 60)));
    }
}
