package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * DB_DATA, one chunk with what proves it: chunk(4) flags(1) proofCount(1, 0..24) proof(32 * proofCount)
 * dataLen(4, 0..65536) data, then if flags bit 0 the signed {@link LiveWindow} the proof leads to (live
 * streams; files prove to the manifest's root). Other flag bits are refused.
 *
 * <p>This replaces the seed's [chunk nb 4B][signature 8B][data]: 8 bytes of a truncated signature prove
 * nothing, while chunk + Merkle proof is checked against the root the hash_name commits to.
 */
public final class DbData extends OrdbMessage {
    public static final int WINDOW_FLAG = 1;
    public static final int MAX_LENGTH = 4 + 1 + 1 + MerkleTree.MAX_PROOF * MerkleTree.HASH + 4 + Manifest.MAX_CHUNK
            + LiveWindow.LENGTH;

    private final long chunk;
    private final byte[][] proof;
    private final byte[] data;
    private final LiveWindow window;

    private DbData(long chunk, byte[][] proof, byte[] data, LiveWindow window) {
        if (chunk < 0 || chunk > 0xffffffffL) {
            throw new ProtocolException("DB_DATA chunk " + chunk + " out of range");
        }
        if (proof.length > MerkleTree.MAX_PROOF) {
            throw new ProtocolException("DB_DATA proof of " + proof.length + " hashes, limit " + MerkleTree.MAX_PROOF);
        }
        if (data.length > Manifest.MAX_CHUNK) {
            throw new ProtocolException("DB_DATA claims " + data.length + " data bytes, limit " + Manifest.MAX_CHUNK);
        }
        this.chunk = chunk;
        this.proof = proof;
        this.data = data;
        this.window = window;
    }

    public static DbData of(long chunk, byte[] data, byte[][] proof) {
        return new DbData(chunk, copy(proof), data.clone(), null);
    }

    public static DbData live(long chunk, byte[] data, byte[][] proof, LiveWindow window) {
        return new DbData(chunk, copy(proof), data.clone(), window);
    }

    private static byte[][] copy(byte[][] proof) {
        byte[][] p = new byte[proof.length][];
        for (int i = 0; i < p.length; i++) {
            if (proof[i].length != MerkleTree.HASH) {
                throw new ProtocolException("proof hash of " + proof[i].length + " bytes");
            }
            p[i] = proof[i].clone();
        }
        return p;
    }

    public static DbData decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        long chunk = r.u32();
        int flags = r.u8();
        if ((flags & ~WINDOW_FLAG) != 0) {
            throw new ProtocolException("DB_DATA flags " + flags + " unknown");
        }
        int n = r.u8();
        if (n > MerkleTree.MAX_PROOF) {
            throw new ProtocolException("DB_DATA proof of " + n + " hashes, limit " + MerkleTree.MAX_PROOF);
        }
        byte[][] proof = new byte[n][];
        for (int i = 0; i < n; i++) {
            proof[i] = r.bytes(MerkleTree.HASH);
        }
        long len = r.u32();
        if (len > Manifest.MAX_CHUNK) {
            throw new ProtocolException("DB_DATA claims " + len + " data bytes, limit " + Manifest.MAX_CHUNK);
        }
        byte[] data = r.bytes((int) len);
        LiveWindow w = (flags & WINDOW_FLAG) != 0 ? LiveWindow.read(r) : null;
        end(r, DB_DATA);
        return new DbData(chunk, proof, data, w);
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(10 + proof.length * MerkleTree.HASH + data.length
                + (window == null ? 0 : LiveWindow.LENGTH));
        w.u32(chunk).u8(window == null ? 0 : WINDOW_FLAG).u8(proof.length);
        for (byte[] h : proof) {
            w.bytes(h);
        }
        w.u32(data.length).bytes(data);
        if (window != null) {
            w.bytes(window.encode());
        }
        return w.toByteArray();
    }

    @Override
    public int command() {
        return DB_DATA;
    }

    public long chunk() {
        return chunk;
    }

    /** The chunk's bytes (not copied: callers must not change them). */
    public byte[] data() {
        return data;
    }

    public byte[][] proof() {
        return copy(proof);
    }

    public LiveWindow window() {
        return window;
    }

    @Override
    public String toString() {
        return "DB_DATA[" + chunk + " " + data.length + " bytes]";
    }
}
