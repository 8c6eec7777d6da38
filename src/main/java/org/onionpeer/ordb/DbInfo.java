package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * DB_INFO, "I have something of hash_name": hashLen(1) = 32, hash_name(32), P(1: 0 = 25 %, 1 = 50 %,
 * 2 = 75 %, 3 = 100 %), then optionally F(1: 0 or 1, facilitator). Sent by a node that holds verified
 * chunks to the ORDBs it is linked to, and passed on by ORDBs to their ORDB peers only when new to them.
 */
public final class DbInfo extends OrdbMessage {
    public static final int P25 = 0;
    public static final int P100 = 3;

    private final HashName hashName;
    private final int pieces;
    private final boolean facilitator;

    private DbInfo(HashName hashName, int pieces, boolean facilitator) {
        if (pieces < P25 || pieces > P100) {
            throw new ProtocolException("DB_INFO P " + pieces + " is not 0..3");
        }
        this.hashName = hashName;
        this.pieces = pieces;
        this.facilitator = facilitator;
    }

    public static DbInfo of(HashName h, int pieces, boolean facilitator) {
        return new DbInfo(h, pieces, facilitator);
    }

    /** P for a share of {@code held} out of {@code total} chunks; -1 below 25 %. */
    public static int level(long held, long total) {
        return held * 4 < total ? -1 : (int) Math.min(P100, held * 4 / total - 1);
    }

    public static DbInfo decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        HashName h = HashName.read(r);
        int p = r.u8();
        boolean f = false;
        if (r.hasRemaining()) {
            int fv = r.u8();
            if (fv > 1) {
                throw new ProtocolException("DB_INFO F " + fv + " is not 0 or 1");
            }
            f = fv == 1;
        }
        end(r, DB_INFO);
        return new DbInfo(h, p, f);
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(35);
        hashName.write(w);
        w.u8(pieces);
        if (facilitator) {
            w.u8(1);
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

    @Override
    public String toString() {
        return "DB_INFO[" + hashName + " " + percent() + "%" + (facilitator ? " F" : "") + "]";
    }
}
