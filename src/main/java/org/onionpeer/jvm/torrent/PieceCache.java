package org.onionpeer.jvm.torrent;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Torrent pieces held in memory by a {@link TorrentBridge}, at most {@code limit} bytes over all torrents,
 * least recently used out first. Used on the bridge's loop only.
 */
final class PieceCache {
    private record Key(String torrent, int piece) {
    }

    private final long limit;
    /** Access order: the eldest is the least recently used. */
    private final LinkedHashMap<Key, byte[]> map = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    PieceCache(long limit) {
        this.limit = limit;
    }

    /** The piece, or null; counts as a use. */
    byte[] get(String torrent, int piece) {
        return map.get(new Key(torrent, piece));
    }

    /** Whether it is held, without counting as a use. */
    boolean has(String torrent, int piece) {
        return map.containsKey(new Key(torrent, piece));
    }

    /** Holds it, maybe over the limit until {@link #trim} (so a piece bigger than the room can serve once). */
    void put(String torrent, int piece, byte[] b) {
        byte[] old = map.put(new Key(torrent, piece), b);
        bytes += b.length - (old == null ? 0 : old.length);
    }

    /** Drops the least recently used pieces until within the limit. */
    void trim() {
        Iterator<Map.Entry<Key, byte[]>> it = map.entrySet().iterator();
        while (bytes > limit && it.hasNext()) {
            bytes -= it.next().getValue().length;
            it.remove();
        }
    }

    /** Drops every piece of a torrent. */
    void remove(String torrent) {
        for (Iterator<Map.Entry<Key, byte[]>> it = map.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Key, byte[]> e = it.next();
            if (e.getKey().torrent().equals(torrent)) {
                bytes -= e.getValue().length;
                it.remove();
            }
        }
    }

    long bytes() {
        return bytes;
    }
}
