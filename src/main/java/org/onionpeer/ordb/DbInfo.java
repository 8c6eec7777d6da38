package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * DB_INFO, "I have something of hash_name": hashLen(1) = 32, hash_name(32), P(1: 0 = 25 %, 1 = 50 %,
 * 2 = 75 %, 3 = 100 %), then optionally flags(1: bit 0 F, the sender is a facilitator; bit 1 K, keep). Sent
 * by a node that holds verified chunks to the ORDBs it is linked to, and passed on by ORDBs to their ORDB
 * peers only when new to them. K is a publisher asking the facilitator at the end of its circuit to fetch the
 * content and keep it (issue 11's "a share from the page"): it is never passed on.
 */
public final class DbInfo extends OrdbMessage {
    public static final int P25 = 0;
    public static final int P100 = 3;

    private final HashName hashName;
    private final int pieces;
    private final boolean facilitator;
    private final boolean keep;

    private DbInfo(HashName hashName, int pieces, boolean facilitator, boolean keep) {
        if (pieces < P25 || pieces > P100) {
            throw new ProtocolException("DB_INFO P " + pieces + " is not 0..3");
        }
        this.hashName = hashName;
        this.pieces = pieces;
        this.facilitator = facilitator;
        this.keep = keep;
    }

    public static DbInfo of(HashName h, int pieces, boolean facilitator) {
        return new DbInfo(h, pieces, facilitator, false);
    }

    /** A publisher's request to the facilitator it sends this to: fetch {@code h} (held whole) and keep it. */
    public static DbInfo keep(HashName h) {
        return new DbInfo(h, P100, false, true);
    }

    /** The same without the keep request, as it is passed on. */
    public DbInfo passedOn() {
        return keep ? new DbInfo(hashName, pieces, facilitator, false) : this;
    }

    /** P for a share of {@code held} out of {@code total} chunks; -1 below 25 %. */
    public static int level(long held, long total) {
        return held * 4 < total ? -1 : (int) Math.min(P100, held * 4 / total - 1);
    }

    public static DbInfo decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        HashName h = HashName.read(r);
        int p = r.u8();
        int fv = 0;
        if (r.hasRemaining()) {
            fv = r.u8();
            if (fv > 3) {
                throw new ProtocolException("DB_INFO flags " + fv + " unknown");
            }
        }
        end(r, DB_INFO);
        return new DbInfo(h, p, (fv & 1) != 0, (fv & 2) != 0);
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(35);
        hashName.write(w);
        w.u8(pieces);
        if (facilitator || keep) {
            w.u8((facilitator ? 1 : 0) | (keep ? 2 : 0));
        }
        return w.toByteArray();
    }

    @Override
    public int command() {
        return DB_INFO;
    }

    public HashName hashName() {
        return hashName;
    }

    /** 0..3 for 25..100 %. */
    public int pieces() {
        return pieces;
    }

    public int percent() {
        return 25 * (pieces + 1);
    }

    public boolean facilitator() {
        return facilitator;
    }

    public boolean keep() {
        return keep;
    }

    @Override
    public String toString() {
        return "DB_INFO[" + hashName + " " + percent() + "%" + (facilitator ? " F" : "") + (keep ? " K" : "") + "]";
    }
}
