package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * DB_CONNECTED, the answer to an info query: manifestLen(2, 1..{@link Manifest#MAX_LENGTH}; a TORRENT
 * manifest, which carries the info dict, up to {@link Manifest#MAX_TORRENT_LENGTH}) manifest, and
 * for a live stream optionally the latest signed {@link LiveWindow} ({@link LiveWindow#LENGTH} bytes). The
 * seed's [size, type, public key] are fields of the manifest, and the hash_name is its hash ("hash_names
 * are the hash of the DB_CONNECTED answers"): {@link #checkFor} refuses an answer for another content.
 */
public final class DbConnected extends OrdbMessage {
    public static final String WRONG_CONTENT = "DB_CONNECTED manifest does not hash to the hash_name";

    private final Manifest manifest;
    private final LiveWindow window;

    private DbConnected(Manifest manifest, LiveWindow window) {
        if (window != null && !manifest.isLive()) {
            throw new ProtocolException("DB_CONNECTED for a file carries a live window");
        }
        this.manifest = manifest;
        this.window = window;
    }

    public static DbConnected of(Manifest m) {
        return new DbConnected(m, null);
    }

    public static DbConnected live(Manifest m, LiveWindow latest) {
        return new DbConnected(m, latest);
    }

    public static DbConnected decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        int n = r.u16();
        if (n < 1 || n > Manifest.MAX_TORRENT_LENGTH) {
            throw new ProtocolException("DB_CONNECTED manifest of " + n + " bytes is not in 1.."
                    + Manifest.MAX_TORRENT_LENGTH);
        }
        Manifest m = Manifest.decode(r.bytes(n));
        LiveWindow w = r.hasRemaining() ? LiveWindow.read(r) : null;
        end(r, DB_CONNECTED);
        return new DbConnected(m, w);
    }

    @Override
    public byte[] encode() {
        byte[] m = manifest.encode();
        ByteWriter w = new ByteWriter(2 + m.length + (window != null ? LiveWindow.LENGTH : 0)).u16(m.length).bytes(m);
        if (window != null) {
            w.bytes(window.encode());
        }
        return w.toByteArray();
    }

    /** The manifest, if it is the one {@code h} names; throws {@link #WRONG_CONTENT} otherwise. */
    public Manifest checkFor(HashName h) {
        if (!manifest.hashName().equals(h)) {
            throw new ProtocolException(WRONG_CONTENT);
        }
        return manifest;
    }

    @Override
    public int command() {
        return DB_CONNECTED;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The latest live window, or null. */
    public LiveWindow window() {
        return window;
    }
}
