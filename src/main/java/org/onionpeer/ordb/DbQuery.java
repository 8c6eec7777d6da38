package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.torrent.Magnet;

/**
 * DB_QUERY (the seed's GET): hashLen(1) = 32, hash_name(32), chunkLen(1, 1..4), chunk(chunkLen, big-endian),
 * count(2, 0..{@link #MAX_CHUNKS}), counter(1, 0..{@link #MAX_COUNTER}).
 *
 * <p>count 0 asks for the manifest (answered by DB_CONNECTED); otherwise chunks chunk .. chunk + count - 1
 * (numbered from 0), answered by one DB_DATA each, in order. The counter is raised by one each time an ORDB
 * forwards the query; an ORDB receiving {@link #MAX_COUNTER} answers DB_END LOOP instead (the seed's loop
 * stop). Requesters start it at a small random value, so an ORDB cannot tell a requester from a forwarder.
 * {@link #LIVE_EDGE} as chunk asks a live stream from where it is now.
 *
 * <p>A query for a BitTorrent torrent (issue 11's bridge) names it by its v1 infohash instead: hashLen(1) =
 * 20, infohash(20), chunk, count(2, 0..{@link #MAX_TORRENT_CHUNKS}: one query may ask a whole piece of up to
 * 16 MiB, the unit a requester can check), counter, then trackersLen(2) and the magnet's trackers, UTF-8,
 * one per line, so a facilitator at the end of the circuit can find the swarm. Its hash_name, which ORDBs
 * key their lists and the DHT by, is {@link HashName#ofTorrent}.
 */
public final class DbQuery extends OrdbMessage {
    public static final int MAX_CHUNKS = 64;
    public static final int MAX_COUNTER = 5;
    public static final long LIVE_EDGE = 0xffffffffL;
    public static final int MAX_TORRENT_CHUNKS = 1024;
    public static final int MAX_TRACKERS_BYTES = Magnet.MAX_TRACKERS * (Magnet.MAX_TRACKER + 1);

    private final HashName hashName;
    private final long chunk;
    private final int count;
    private final int counter;
    private final Magnet torrent;

    private DbQuery(HashName hashName, long chunk, int count, int counter, Magnet torrent) {
        if (chunk < 0 || chunk > 0xffffffffL) {
            throw new ProtocolException("DB_QUERY chunk " + chunk + " out of range");
        }
        int max = torrent == null ? MAX_CHUNKS : MAX_TORRENT_CHUNKS;
        if (count < 0 || count > max) {
            throw new ProtocolException("DB_QUERY asks " + count + " chunks, limit " + max);
        }
        if (counter < 0 || counter > MAX_COUNTER) {
            throw new ProtocolException("DB_QUERY counter " + counter + " over " + MAX_COUNTER);
        }
        this.hashName = hashName;
        this.chunk = chunk;
        this.count = count;
        this.counter = counter;
        this.torrent = torrent;
    }

    public static DbQuery info(HashName h, int counter) {
        return new DbQuery(h, 0, 0, counter, null);
    }

    public static DbQuery chunks(HashName h, long chunk, int count, int counter) {
        if (count == 0) {
            throw new IllegalArgumentException("count 0 is an info query");
        }
        return new DbQuery(h, chunk, count, counter, null);
    }

    /** A query for a torrent: count 0 asks its TORRENT manifest (the info dict), else chunks of its content. */
    public static DbQuery torrent(Magnet m, long chunk, int count, int counter) {
        return new DbQuery(HashName.ofTorrent(m.infoHash()), chunk, count, counter, m);
    }

    /** The same query one hop further (counter + 1); throws at the limit. */
    public DbQuery forwarded() {
        return new DbQuery(hashName, chunk, count, counter + 1, torrent);
    }

    public static DbQuery decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        if (r.remaining() > 0 && (b[0] & 0xff) == 20) {
            return decodeTorrent(r);
        }
        HashName h = HashName.read(r);
        long chunk = readChunk(r);
        DbQuery q = new DbQuery(h, chunk, r.u16(), r.u8(), null);
        end(r, DB_QUERY);
        return q;
    }

    private static DbQuery decodeTorrent(ByteReader r) {
        r.u8();
        byte[] infoHash = r.bytes(20);
        long chunk = readChunk(r);
        int count = r.u16();
        int counter = r.u8();
        int n = r.u16();
        if (n > MAX_TRACKERS_BYTES) {
            throw new ProtocolException("DB_QUERY trackers of " + n + " bytes, limit " + MAX_TRACKERS_BYTES);
        }
        String t = org.onionpeer.bytes.Text.utf8(r.bytes(n));
        java.util.List<String> trackers = new java.util.ArrayList<>();
        // Text.split, not String.split: that one brings TeaVM's regex engine (~120 KB) into onionpeer.js.
        for (String line : org.onionpeer.bytes.Text.split(t, "\n")) {
            if (!line.isEmpty()) {
                trackers.add(line);
            }
        }
        DbQuery q = new DbQuery(HashName.ofTorrent(infoHash), chunk, count, counter, Magnet.of(infoHash, trackers));
        end(r, DB_QUERY);
        return q;
    }

    private static long readChunk(ByteReader r) {
        int len = r.u8();
        if (len < 1 || len > 4) {
            throw new ProtocolException("DB_QUERY chunk number of " + len + " bytes, not 1..4");
        }
        long chunk = 0;
        for (int i = 0; i < len; i++) {
            chunk = chunk << 8 | r.u8();
        }
        return chunk;
    }

    @Override
    public byte[] encode() {
        if (torrent != null) {
            byte[] t = org.onionpeer.bytes.Text.utf8(String.join("\n", torrent.trackers()));
            return new ByteWriter(33 + t.length).u8(20).bytes(torrent.infoHash()).u8(4).u32(chunk).u16(count)
                .u8(counter).u16(t.length).bytes(t).toByteArray();
        }
        ByteWriter w = new ByteWriter(41);
        hashName.write(w);
        return w.u8(4).u32(chunk).u16(count).u8(counter).toByteArray();
    }

    /** The torrent this query asks for (its infohash and trackers), or null for ORDB content. */
    public Magnet torrent() {
        return torrent;
    }

    @Override
    public int command() {
        return DB_QUERY;
    }

    public HashName hashName() {
        return hashName;
    }

    public long chunk() {
        return chunk;
    }

    public int count() {
        return count;
    }

    public int counter() {
        return counter;
    }

    public boolean isInfo() {
        return count == 0;
    }

    @Override
    public String toString() {
        return "DB_QUERY[" + (torrent != null ? "torrent " + torrent.infoHashHex() : hashName) + " " + (count == 0 ? "info" : chunk + "+" + count) + " #" + counter + "]";
    }
}
