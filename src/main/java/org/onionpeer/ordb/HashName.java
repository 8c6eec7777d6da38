package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.crypto.Hashes;

/**
 * A content ID (the seed's hash_name): SHA-256 over {@link #CONTEXT} followed by the content's encoded
 * {@link Manifest}. The manifest commits to the Merkle root over the chunk hashes (files) or to the
 * publisher's Ed25519 key (live streams), so whoever knows the hash_name can check the DB_CONNECTED answer
 * and then every chunk, whichever ORDB relays it.
 */
public final class HashName {
    public static final int BYTES = 32;
    /** Keeps a hash_name from ever equalling a Merkle leaf or node hash (those start with 0x00 / 0x01). */
    static final byte[] CONTEXT = Bytes.ascii("onionpeer ordb manifest v1\0");

    private final byte[] b;
    private final int hash;

    private HashName(byte[] b) {
        this.b = b;
        this.hash = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    public static HashName of(byte[] b) {
        if (b == null || b.length != BYTES) {
            throw new ProtocolException("hash_name is " + (b == null ? 0 : b.length) + " bytes, not 32");
        }
        return new HashName(b.clone());
    }

    /** The hash_name of an encoded manifest. */
    public static HashName ofManifest(byte[] manifest) {
        return new HashName(Hashes.sha256(CONTEXT, manifest));
    }

    /**
     * The hash_name of a BitTorrent v1 torrent: the hash of its TORRENT manifest's head (version, kind 3, the
     * 20-byte infohash; see {@link Manifest#torrent}), so anyone with a magnet link computes it. The info dict
     * the manifest carries after its head is checked against the infohash by SHA-1, not hashed here: the
     * requester does not have it yet.
     */
    public static HashName ofTorrent(byte[] infoHash) {
        if (infoHash.length != 20) {
            throw new ProtocolException("infohash is " + infoHash.length + " bytes, not 20");
        }
        return ofManifest(Bytes.concat(new byte[] {Manifest.VERSION, Manifest.TORRENT}, infoHash));
    }

    public static HashName fromHex(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new ProtocolException("hash_name must be 64 hex digits");
        }
        return of(Bytes.unhex(hex));
    }

    /** What makes a bridge's URL a link to content: {@code http://BRIDGE/#get=HASH_NAME} (64 hex digits). */
    public static final String LINK_FRAGMENT = "#get=";
    /** The same for a live stream: {@code http://BRIDGE/#live=HASH_NAME}, played from its live edge. */
    public static final String LIVE_FRAGMENT = "#live=";

    /**
     * The hash_name a link names, or null if {@code url} is no ORDB link. The fragment never reaches a
     * server, so opening the link tells the bridge nothing about what is fetched. A malformed hash_name
     * throws with the reason.
     */
    public static HashName ofLink(String url) {
        int i = url == null ? -1 : url.indexOf(LINK_FRAGMENT);
        int skip = LINK_FRAGMENT.length();
        if (i < 0 && url != null) {
            i = url.indexOf(LIVE_FRAGMENT);
            skip = LIVE_FRAGMENT.length();
        }
        if (i < 0) {
            return null;
        }
        String hex = url.substring(i + skip);
        int end = hex.indexOf('&');
        if (end >= 0) {
            hex = hex.substring(0, end); // room for more parameters (a name hint) after the hash_name
        }
        if (hex.length() != 2 * BYTES) {
            throw new ProtocolException("the link's hash_name has " + hex.length() + " characters, not 64 hex digits");
        }
        for (int k = 0; k < hex.length(); k++) {
            if (Text.hexDigit(hex.charAt(k)) < 0) {
                throw new ProtocolException("the link's hash_name has a non-hex character at " + k);
            }
        }
        return of(Bytes.unhex(Text.asciiLower(hex)));
    }

    /** The link to this content on the bridge at {@code base} (e.g. {@code http://127.0.0.1:8080}). */
    public String link(String base) {
        return (base.endsWith("/") ? base : base + "/") + LINK_FRAGMENT + hex();
    }

    /** The link to this live stream on the bridge at {@code base}. */
    public String liveLink(String base) {
        return (base.endsWith("/") ? base : base + "/") + LIVE_FRAGMENT + hex();
    }

    /** Whether {@code url} is a link to a live stream. */
    public static boolean isLiveLink(String url) {
        return url != null && url.contains(LIVE_FRAGMENT);
    }

    /** The seed's framing: length (1) = 32, then the 32 bytes; any other length is refused. */
    public static HashName read(ByteReader r) {
        int n = r.u8();
        if (n != BYTES) {
            throw new ProtocolException("hash_name is " + n + " bytes, not 32");
        }
        return new HashName(r.bytes(BYTES));
    }

    public void write(ByteWriter w) {
        w.u8(BYTES).bytes(b);
    }

    public byte[] bytes() {
        return b.clone();
    }

    public String hex() {
        return Bytes.hex(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashName && Bytes.constantTimeEquals(b, ((HashName) o).b);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return hex().substring(0, 16);
    }
}
