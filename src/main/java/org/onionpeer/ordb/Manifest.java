package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.torrent.InfoDict;

/**
 * What a hash_name commits to (the body of DB_CONNECTED): the kind, the chunking, the name and MIME type,
 * and either the Merkle root over the chunks (a file) or the publisher's Ed25519 key (a live stream, whose
 * windows that key signs, see {@link LiveWindow}).
 *
 * <pre>
 * manifest = version(1) = 1  kind(1)
 *   kind 1 FILE: length(8, 0..chunkSize * 2^24) chunkSize(4, 64..65536) root(32)
 *   kind 2 LIVE: chunkSize(4, 64..65536) windowChunks(2, 1..1024) publisherKey(32)
 *   nameLen(1) name(UTF-8 as given, 0..255)  mimeLen(1, 1..127) mime(ASCII 0x21..0x7e)
 *   kind 3 TORRENT: infohash(20) info(the rest: the torrent's bencoded info dict, 1..65000 bytes)
 * </pre>
 * A TORRENT manifest is a BitTorrent v1 torrent relayed by a facilitator: its hash_name covers only
 * version, kind and infohash ({@link HashName#ofTorrent}), so a magnet link is enough to ask for it; the info
 * dict is checked against the infohash (SHA-1) and fixes length, pieces and name; the chunk size is
 * {@link InfoDict#CHUNK}, and chunks are checked a whole piece at a time ({@link #torrentInfo()}).
 * A file of L bytes has max(1, ceil(L / chunkSize)) chunks, all chunkSize long but the last; an empty file
 * is one empty chunk.
 */
public final class Manifest {
    public static final int VERSION = 1;
    public static final int FILE = 1;
    public static final int LIVE = 2;
    public static final int TORRENT = 3;
    public static final int MIN_CHUNK = 64;
    public static final int MAX_CHUNK = 65536;
    public static final int MAX_WINDOW_CHUNKS = 1024;
    public static final int MAX_NAME = 255;
    public static final int MAX_MIME = 127;
    /** The largest encoded manifest. */
    public static final int MAX_LENGTH = 2 + 8 + 4 + 32 + 1 + MAX_NAME + 1 + MAX_MIME;
    /** The largest encoded TORRENT manifest (DB_CONNECTED's 2-byte length bounds it). */
    public static final int MAX_TORRENT_LENGTH = 2 + 20 + InfoDict.MAX_BYTES;

    private final int kind;
    private final long length;
    private final int chunkSize;
    private final int windowChunks;
    private final byte[] rootOrKey;
    private final byte[] name;
    private final String mime;
    private final byte[] encoded;
    private final HashName hashName;
    private final InfoDict info;

    private Manifest(byte[] infoHash, InfoDict info) {
        this.kind = TORRENT;
        this.length = info.length();
        this.chunkSize = InfoDict.CHUNK;
        this.windowChunks = 0;
        this.rootOrKey = infoHash.clone();
        byte[] n = org.onionpeer.bytes.Text.utf8(info.name());
        this.name = n.length <= MAX_NAME ? n : java.util.Arrays.copyOf(n, MAX_NAME);
        this.mime = org.onionpeer.media.MediaType.mimeOfName(info.fileName(info.mainFile()));
        this.info = info;
        this.encoded = org.onionpeer.bytes.Bytes.concat(new byte[] {VERSION, TORRENT}, infoHash, info.encoded());
        this.hashName = HashName.ofTorrent(infoHash);
    }

    /**
     * A torrent's manifest: {@code info}, the exact bencoded info dict, must hash (SHA-1) to {@code infoHash};
     * throws with the reason otherwise.
     */
    public static Manifest torrent(byte[] infoHash, byte[] info) {
        if (infoHash == null || infoHash.length != 20) {
            throw new ProtocolException("infohash is not 20 bytes");
        }
        return new Manifest(infoHash, InfoDict.parse(infoHash, info));
    }

    private Manifest(int kind, long length, int chunkSize, int windowChunks, byte[] rootOrKey, byte[] name,
            String mime) {
        if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) {
            throw new ProtocolException("chunk size " + chunkSize + " is not in " + MIN_CHUNK + ".." + MAX_CHUNK);
        }
        if (kind == FILE && (length < 0 || length > MerkleTree.MAX_LEAVES * chunkSize)) {
            throw new ProtocolException("file length " + length + " over " + MerkleTree.MAX_LEAVES
                    + " chunks of " + chunkSize);
        }
        if (kind == LIVE && (windowChunks < 1 || windowChunks > MAX_WINDOW_CHUNKS)) {
            throw new ProtocolException("live window of " + windowChunks + " chunks is not in 1.." + MAX_WINDOW_CHUNKS);
        }
        if (name.length > MAX_NAME) {
            throw new ProtocolException("name of " + name.length + " bytes over " + MAX_NAME);
        }
        if (mime.isEmpty() || mime.length() > MAX_MIME) {
            throw new ProtocolException("MIME type of " + mime.length() + " characters is not in 1.." + MAX_MIME);
        }
        for (int i = 0; i < mime.length(); i++) {
            if (mime.charAt(i) < 0x21 || mime.charAt(i) > 0x7e) {
                throw new ProtocolException("MIME type is not printable ASCII");
            }
        }
        this.kind = kind;
        this.length = length;
        this.chunkSize = chunkSize;
        this.windowChunks = windowChunks;
        this.rootOrKey = rootOrKey;
        this.name = name;
        this.mime = mime;
        this.info = null;
        ByteWriter w = new ByteWriter(MAX_LENGTH).u8(VERSION).u8(kind);
        if (kind == FILE) {
            w.u32(length >>> 32).u32(length & 0xffffffffL).u32(chunkSize).bytes(rootOrKey);
        } else {
            w.u32(chunkSize).u16(windowChunks).bytes(rootOrKey);
        }
        w.u8(name.length).bytes(name).u8(mime.length());
        for (int i = 0; i < mime.length(); i++) {
            w.u8(mime.charAt(i));
        }
        this.encoded = w.toByteArray();
        this.hashName = HashName.ofManifest(encoded);
    }

    public static Manifest file(long length, int chunkSize, byte[] root, byte[] name, String mime) {
        return new Manifest(FILE, length, chunkSize, 0, check32(root, "Merkle root"), name.clone(), mime);
    }

    public static Manifest live(int chunkSize, int windowChunks, byte[] publisherKey, byte[] name, String mime) {
        return new Manifest(LIVE, -1, chunkSize, windowChunks, check32(publisherKey, "publisher key"), name.clone(),
                mime);
    }

    private static byte[] check32(byte[] b, String what) {
        if (b == null || b.length != 32) {
            throw new ProtocolException(what + " is not 32 bytes");
        }
        return b.clone();
    }

    public static Manifest decode(byte[] b) {
        if (b.length > 2 && b[0] == VERSION && b[1] == TORRENT) {
            if (b.length > MAX_TORRENT_LENGTH) {
                throw new ProtocolException("torrent manifest of " + b.length + " bytes over " + MAX_TORRENT_LENGTH);
            }
            if (b.length < 23) {
                throw new ProtocolException("torrent manifest of " + b.length + " bytes has no info dict");
            }
            return torrent(java.util.Arrays.copyOfRange(b, 2, 22), java.util.Arrays.copyOfRange(b, 22, b.length));
        }
        if (b.length > MAX_LENGTH) {
            throw new ProtocolException("manifest of " + b.length + " bytes over " + MAX_LENGTH);
        }
        ByteReader r = new ByteReader(b);
        int v = r.u8();
        if (v != VERSION) {
            throw new ProtocolException("manifest version " + v + " is not 1");
        }
        int kind = r.u8();
        Manifest m;
        if (kind == FILE) {
            long hi = r.u32();
            long lo = r.u32();
            if (hi > 0xffffff) {
                throw new ProtocolException("file length over 2^56 bytes");
            }
            long length = hi << 32 | lo;
            int chunkSize = (int) Math.min(r.u32(), Integer.MAX_VALUE);
            byte[] root = r.bytes(32);
            m = new Manifest(FILE, length, chunkSize, 0, root, readName(r), readMime(r));
        } else if (kind == LIVE) {
            int chunkSize = (int) Math.min(r.u32(), Integer.MAX_VALUE);
            int window = r.u16();
            byte[] key = r.bytes(32);
            m = new Manifest(LIVE, -1, chunkSize, window, key, readName(r), readMime(r));
        } else {
            throw new ProtocolException("manifest kind " + kind + " is not FILE (1), LIVE (2) or TORRENT (3)");
        }
        if (r.hasRemaining()) {
            throw new ProtocolException("trailing bytes after the manifest");
        }
        return m;
    }

    private static byte[] readName(ByteReader r) {
        return r.bytes(r.u8());
    }

    private static String readMime(ByteReader r) {
        int n = r.u8();
        if (n == 0 || n > MAX_MIME) {
            throw new ProtocolException("MIME type of " + n + " characters is not in 1.." + MAX_MIME);
        }
        byte[] b = r.bytes(n);
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) (b[i] & 0xff);
        }
        return new String(c);
    }

    /** The number of chunks of a file of {@code length} bytes (an empty file is one empty chunk). */
    public static long chunkCount(long length, int chunkSize) {
        return Math.max(1, (length + chunkSize - 1) / chunkSize);
    }

    public int kind() {
        return kind;
    }

    public boolean isLive() {
        return kind == LIVE;
    }

    /** A file's length in bytes; -1 for a live stream. */
    public long length() {
        return length;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public boolean isTorrent() {
        return kind == TORRENT;
    }

    /** A file's (or torrent's) chunk count; -1 for a live stream. */
    public long chunkCount() {
        return kind != LIVE ? chunkCount(length, chunkSize) : -1;
    }

    /** A torrent's info dict (its pieces' SHA-1s), or null for other kinds. */
    public InfoDict torrentInfo() {
        return info;
    }

    /** A torrent's infohash (20 bytes). */
    public byte[] infoHash() {
        if (kind != TORRENT) {
            throw new IllegalStateException("not a torrent");
        }
        return rootOrKey.clone();
    }

    /** The exact length chunk {@code i} of a file must have. */
    public int chunkLength(long i) {
        long n = chunkCount();
        if (i < 0 || i >= n) {
            throw new ProtocolException("chunk " + i + " is out of range (" + n + " chunks)");
        }
        return (int) (i < n - 1 ? chunkSize : length - (n - 1) * chunkSize);
    }

    public int windowChunks() {
        return windowChunks;
    }

    /** A file's Merkle root. */
    public byte[] root() {
        if (kind != FILE) {
            throw new IllegalStateException("only a file has a Merkle root");
        }
        return rootOrKey.clone();
    }

    /** A live stream's publisher key (Ed25519, 32 bytes). */
    public byte[] publisherKey() {
        if (kind != LIVE) {
            throw new IllegalStateException("a file has no publisher key");
        }
        return rootOrKey.clone();
    }

    public byte[] name() {
        return name.clone();
    }

    public String mime() {
        return mime;
    }

    public byte[] encode() {
        return encoded.clone();
    }

    public HashName hashName() {
        return hashName;
    }

    /** Checks a chunk of this file: exact length, then the proof to the root; throws with the reason. */
    public void verifyChunk(long i, byte[] data, byte[][] proof) {
        if (kind == TORRENT) {
            throw new ProtocolException("a torrent's chunks are checked by whole pieces");
        }
        int want = chunkLength(i);
        if (data.length != want) {
            throw new ProtocolException("chunk " + i + " is " + data.length + " bytes, not " + want);
        }
        MerkleTree.verify(rootOrKey, chunkCount(), i, MerkleTree.leafHash(data), proof);
    }

    @Override
    public String toString() {
        return (kind == FILE ? "FILE " + length + " bytes" : kind == TORRENT ? "TORRENT " + length + " bytes" : "LIVE") + " " + mime + " " + hashName;
    }
}
