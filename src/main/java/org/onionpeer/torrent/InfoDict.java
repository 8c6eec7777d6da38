package org.onionpeer.torrent;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Hashes;

/**
 * A BitTorrent v1 info dict (BEP 3), read from its exact bencoded bytes: what a requester needs to check a
 * torrent's content without trusting whoever relays it. Its SHA-1 is the infohash the magnet link names
 * ({@link #parse} checks it); each piece of {@link #pieceLength} bytes of the content (the files concatenated
 * in order) must then have the SHA-1 listed for it ({@link #verifyPiece}). A v1 piece can only be checked
 * whole, so a requester holds a piece's chunks until the piece is complete (BEP 52's v2 Merkle trees over 16
 * KiB blocks would allow chunk-by-chunk checks; v2 is not supported yet). Immutable.
 *
 * <p>Limits, refused with the field named: the dict at most {@link #MAX_BYTES} (it travels in one
 * DB_CONNECTED), piece length a multiple of {@link #CHUNK} up to {@link #MAX_PIECE}, at most
 * {@link #MAX_FILES} files, nesting at most 8 deep.
 */
public final class InfoDict {
    public static final int MAX_BYTES = 65_000;
    /** The ORDB chunk a torrent is cut into: BitTorrent's own block size (BEP 3 requests). */
    public static final int CHUNK = 16384;
    public static final int MAX_PIECE = 16 << 20;
    public static final int MAX_FILES = 10_000;

    private final byte[] encoded;
    private final String name;
    private final int pieceLength;
    private final byte[] pieces;
    private final long[] fileLengths;
    private final String[] fileNames;
    private final long length;

    private InfoDict(byte[] encoded, String name, int pieceLength, byte[] pieces, long[] fileLengths,
            String[] fileNames) {
        this.encoded = encoded;
        this.name = name;
        this.pieceLength = pieceLength;
        this.pieces = pieces;
        this.fileLengths = fileLengths;
        this.fileNames = fileNames;
        long total = 0;
        for (long l : fileLengths) {
            total += l;
        }
        this.length = total;
    }

    /** Reads {@code info}, which must hash (SHA-1) to {@code infoHash}; throws with the reason otherwise. */
    public static InfoDict parse(byte[] infoHash, byte[] info) {
        if (info.length > MAX_BYTES) {
            throw new ProtocolException("info dict of " + info.length + " bytes over " + MAX_BYTES);
        }
        if (!Bytes.constantTimeEquals(Hashes.sha1(info), infoHash)) {
            throw new ProtocolException("info dict does not hash to the infohash");
        }
        Bencode.Reader r = new Bencode.Reader(info);
        Bencode.Dict d = r.dict();
        if (r.pos() != info.length) {
            throw new ProtocolException("trailing bytes after the info dict");
        }
        String name = d.string("name", true);
        long pl = d.integer("piece length");
        if (pl < CHUNK || pl > MAX_PIECE || pl % CHUNK != 0) {
            throw new ProtocolException("piece length " + pl + " is not a multiple of " + CHUNK + " up to " + MAX_PIECE);
        }
        byte[] pieces = d.bytes("pieces");
        if (pieces.length % 20 != 0) {
            throw new ProtocolException("pieces of " + pieces.length + " bytes, not a multiple of 20");
        }
        long[] lengths;
        String[] names;
        if (d.has("files")) {
            List<Bencode.Dict> files = d.dicts("files");
            if (files.isEmpty() || files.size() > MAX_FILES) {
                throw new ProtocolException(files.size() + " files, not 1.." + MAX_FILES);
            }
            lengths = new long[files.size()];
            names = new String[files.size()];
            for (int i = 0; i < files.size(); i++) {
                lengths[i] = nonNegative(files.get(i).integer("length"), "file length");
                names[i] = String.join("/", files.get(i).strings("path"));
            }
        } else {
            lengths = new long[] {nonNegative(d.integer("length"), "length")};
            names = new String[] {name};
        }
        InfoDict x = new InfoDict(info.clone(), name, (int) pl, pieces, lengths, names);
        if (x.length > (1L << 40) || x.length < 0) {
            throw new ProtocolException("content of " + x.length + " bytes over 1 TiB");
        }
        long want = (x.length + pl - 1) / pl;
        if (pieces.length / 20 != want) {
            throw new ProtocolException((pieces.length / 20) + " piece hashes for " + want + " pieces");
        }
        return x;
    }

    private static long nonNegative(long v, String what) {
        if (v < 0) {
            throw new ProtocolException(what + " " + v + " is negative");
        }
        return v;
    }

    /** The exact bencoded bytes (SHA-1 = the infohash). */
    public byte[] encoded() {
        return encoded.clone();
    }

    public String name() {
        return name;
    }

    /** The content's length: all files, concatenated. */
    public long length() {
        return length;
    }

    public int pieceLength() {
        return pieceLength;
    }

    public int pieceCount() {
        return pieces.length / 20;
    }

    /** Chunks of {@link #CHUNK} bytes per piece (the last piece may have fewer). */
    public int chunksPerPiece() {
        return pieceLength / CHUNK;
    }

    /** The length of piece {@code p}. */
    public int pieceLength(int p) {
        if (p < 0 || p >= pieceCount()) {
            throw new ProtocolException("piece " + p + " is out of range (" + pieceCount() + " pieces)");
        }
        return (int) Math.min(pieceLength, length - (long) p * pieceLength);
    }

    /** Checks a whole piece against its SHA-1; throws with the reason. */
    public void verifyPiece(int p, byte[] bytes) {
        int want = pieceLength(p);
        if (bytes.length != want) {
            throw new ProtocolException("piece " + p + " is " + bytes.length + " bytes, not " + want);
        }
        if (!Bytes.constantTimeEquals(Hashes.sha1(bytes), Bytes.slice(pieces, p * 20, 20))) {
            throw new ProtocolException("piece " + p + " does not match its SHA-1 in the info dict");
        }
    }

    public int fileCount() {
        return fileLengths.length;
    }

    /** The largest file (the first of equals): what a page plays or saves from a multi-file torrent. */
    public int mainFile() {
        int best = 0;
        for (int i = 1; i < fileLengths.length; i++) {
            if (fileLengths[i] > fileLengths[best]) {
                best = i;
            }
        }
        return best;
    }

    public String fileName(int i) {
        return fileNames[i];
    }

    public long fileLength(int i) {
        return fileLengths[i];
    }

    /** Where file {@code i} starts in the content. */
    public long fileOffset(int i) {
        long off = 0;
        for (int k = 0; k < i; k++) {
            off += fileLengths[k];
        }
        return off;
    }
}
