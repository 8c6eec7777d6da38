package org.onionpeer.ordb;

import org.onionpeer.bytes.Bytes;

/**
 * The verified chunks of one file a node holds: all of them for its publisher (built from the bytes, with
 * the whole Merkle tree), or those a downloader has received, each kept with the proof it came with (valid
 * against the manifest's root, so the holder can serve it on). {@link #put} checks a chunk before it keeps
 * it: nothing unverified is ever stored, so nothing unverified is ever served.
 */
public final class Content {
    /**
     * The chunk size every node publishes with (pages, facilitators, live streams): 16 KiB keeps a proof (32
     * bytes a tree level) small beside its chunk, and one size everywhere means the same bytes, name and type
     * get the same hash_name wherever they are shared.
     */
    public static final int CHUNK_SIZE = 16384;

    private final Manifest manifest;
    private final byte[] whole;
    private final MerkleTree tree;
    private final byte[][] chunks;
    private final byte[][][] proofs;
    private long held;
    /** A torrent piece being put together: kept only once it is whole and its SHA-1 matches. */
    private long pieceFrom = -1;
    private final java.util.List<byte[]> pieceParts = new java.util.ArrayList<>();

    private Content(Manifest manifest, byte[] whole, MerkleTree tree) {
        this.manifest = manifest;
        this.whole = whole;
        this.tree = tree;
        int n = whole == null ? (int) manifest.chunkCount() : 0;
        this.chunks = new byte[n][];
        this.proofs = new byte[n][][];
        this.held = whole == null ? 0 : manifest.chunkCount();
    }

    /** Publishes {@code data}: builds the tree and the manifest; the hash_name is {@code manifest().hashName()}. */
    public static Content publish(byte[] data, byte[] name, String mime, int chunkSize) {
        MerkleTree t = MerkleTree.ofContent(data, chunkSize);
        Manifest m = Manifest.file(data.length, chunkSize, t.root(), name, mime);
        return new Content(m, data, t);
    }

    /** An empty holder for a file being downloaded. */
    public static Content empty(Manifest m) {
        if (m.isLive()) {
            throw new IllegalArgumentException("a live stream is held window by window");
        }
        if (m.chunkCount() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many chunks for memory");
        }
        return new Content(m, null, null);
    }

    public Manifest manifest() {
        return manifest;
    }

    public HashName hashName() {
        return manifest.hashName();
    }

    public boolean has(long i) {
        if (i < 0 || i >= manifest.chunkCount()) {
            return false;
        }
        return whole != null || chunks[(int) i] != null;
    }

    /** True if chunks {@code from} .. {@code from + count - 1} are all held. */
    public boolean hasAll(long from, int count) {
        for (long i = from; i < from + count; i++) {
            if (!has(i)) {
                return false;
            }
        }
        return true;
    }

    public byte[] chunk(long i) {
        if (!has(i)) {
            return null;
        }
        if (whole != null) {
            return Bytes.slice(whole, (int) (i * manifest.chunkSize()), manifest.chunkLength(i));
        }
        return chunks[(int) i].clone();
    }

    public byte[][] proof(long i) {
        if (!has(i)) {
            return null;
        }
        return whole != null ? tree.proof((int) i) : proofs[(int) i].clone();
    }

    /**
     * Keeps chunk {@code i} if it verifies against the manifest; throws with the reason otherwise. A torrent's
     * chunks must come in order within a piece; they are kept when the piece is whole and checks.
     */
    public void put(long i, byte[] data, byte[][] proof) {
        if (manifest.isTorrent()) {
            putTorrent(i, data);
            return;
        }
        manifest.verifyChunk(i, data, proof);
        if (whole != null || chunks[(int) i] != null) {
            return;
        }
        chunks[(int) i] = data.clone();
        proofs[(int) i] = proof.clone();
        held++;
    }

    private void putTorrent(long i, byte[] data) {
        org.onionpeer.torrent.InfoDict info = manifest.torrentInfo();
        int per = info.chunksPerPiece();
        if (i % per == 0 || i != pieceFrom + pieceParts.size()) {
            pieceFrom = i - i % per; // a new piece (or a gap: what was gathered cannot be checked)
            pieceParts.clear();
            if (i != pieceFrom) {
                throw new org.onionpeer.bytes.ProtocolException("chunk " + i + " without the start of its piece");
            }
        }
        if (data.length != manifest.chunkLength(i)) {
            throw new org.onionpeer.bytes.ProtocolException("chunk " + i + " is " + data.length + " bytes, not "
                    + manifest.chunkLength(i));
        }
        pieceParts.add(data.clone());
        long end = Math.min(pieceFrom + per, manifest.chunkCount());
        if (pieceFrom + pieceParts.size() < end) {
            return;
        }
        byte[] piece = Bytes.concat(pieceParts.toArray(new byte[0][]));
        long from = pieceFrom;
        pieceParts.clear();
        pieceFrom = -1;
        info.verifyPiece((int) (from / per), piece);
        byte[][] none = new byte[0][];
        for (long k = from; k < end; k++) {
            if (chunks[(int) k] == null) {
                chunks[(int) k] = Bytes.slice(piece, (int) ((k - from) * manifest.chunkSize()), manifest.chunkLength(k));
                proofs[(int) k] = none;
                held++;
            }
        }
    }

    public long held() {
        return held;
    }

    /** The DB_INFO level of what is held (0..3 for 25..100 %), or -1 below 25 %. */
    public int level() {
        return DbInfo.level(held, manifest.chunkCount());
    }

    /** The chunks a node holds, by hash_name. */
    public interface Store {
        /** The content, or null if none of it is held. */
        Content get(HashName h);
    }

    /** A store in memory (tests, JVM nodes; the browser's is IndexedDB). */
    public static final class MemoryStore implements Store {
        private final java.util.HashMap<HashName, Content> map = new java.util.HashMap<>();

        public void add(Content c) {
            map.put(c.hashName(), c);
        }

        public void remove(HashName h) {
            map.remove(h);
        }

        @Override
        public Content get(HashName h) {
            return map.get(h);
        }
    }
}
