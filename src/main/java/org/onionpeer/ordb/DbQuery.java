package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * DB_QUERY (the seed's GET): hashLen(1) = 32, hash_name(32), chunkLen(1, 1..4), chunk(chunkLen, big-endian),
 * count(2, 0..{@link #MAX_CHUNKS}), counter(1, 0..{@link #MAX_COUNTER}).
 *
 * <p>count 0 asks for the manifest (answered by DB_CONNECTED); otherwise chunks chunk .. chunk + count - 1
 * (numbered from 0), answered by one DB_DATA each, in order. The counter is raised by one each time an ORDB
 * forwards the query; an ORDB receiving {@link #MAX_COUNTER} answers DB_END LOOP instead (the seed's loop
 * stop). Requesters start it at a small random value, so an ORDB cannot tell a requester from a forwarder.
 * {@link #LIVE_EDGE} as chunk asks a live stream from where it is now.
 */
public final class DbQuery extends OrdbMessage {
    public static final int MAX_CHUNKS = 64;
    public static final int MAX_COUNTER = 5;
    public static final long LIVE_EDGE = 0xffffffffL;

    private final HashName hashName;
    private final long chunk;
    private final int count;
    private final int counter;

    private DbQuery(HashName hashName, long chunk, int count, int counter) {
        if (chunk < 0 || chunk > 0xffffffffL) {
            throw new ProtocolException("DB_QUERY chunk " + chunk + " out of range");
        }
        if (count < 0 || count > MAX_CHUNKS) {
            throw new ProtocolException("DB_QUERY asks " + count + " chunks, limit " + MAX_CHUNKS);
        }
        if (counter < 0 || counter > MAX_COUNTER) {
            throw new ProtocolException("DB_QUERY counter " + counter + " over " + MAX_COUNTER);
        }
        this.hashName = hashName;
        this.chunk = chunk;
        this.count = count;
        this.counter = counter;
    }

    public static DbQuery info(HashName h, int counter) {
        return new DbQuery(h, 0, 0, counter);
    }

    public static DbQuery chunks(HashName h, long chunk, int count, int counter) {
        if (count == 0) {
            throw new IllegalArgumentException("count 0 is an info query");
        }
        return new DbQuery(h, chunk, count, counter);
    }

    /** The same query one hop further (counter + 1); throws at the limit. */
    public DbQuery forwarded() {
        return new DbQuery(hashName, chunk, count, counter + 1);
    }

    public static DbQuery decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        HashName h = HashName.read(r);
        int len = r.u8();
        if (len < 1 || len > 4) {
            throw new ProtocolException("DB_QUERY chunk number of " + len + " bytes, not 1..4");
        }
        long chunk = 0;
        for (int i = 0; i < len; i++) {
            chunk = chunk << 8 | r.u8();
        }
        DbQuery q = new DbQuery(h, chunk, r.u16(), r.u8());
        end(r, DB_QUERY);
        return q;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(41);
        hashName.write(w);
        return w.u8(4).u32(chunk).u16(count).u8(counter).toByteArray();
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
        return "DB_QUERY[" + hashName + " " + (count == 0 ? "info" : chunk + "+" + count) + " #" + counter + "]";
    }
}
