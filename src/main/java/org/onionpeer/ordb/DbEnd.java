package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ProtocolException;

/**
 * DB_END: reason(1). Ends the query of its stream: sent by the server (UNAVAILABLE, DESTROYED, LOOP,
 * REFUSED), or by the requester to give up (FINISHED; the only reason a requester sends).
 * The seed's reasons 0..2, and two of ours: LOOP (the counter reached 5) and REFUSED (a query this ORDB
 * will not serve: out of range, too many in flight).
 */
public final class DbEnd extends OrdbMessage {
    public static final int UNAVAILABLE = 0;
    public static final int FINISHED = 1;
    public static final int DESTROYED = 2;
    public static final int LOOP = 3;
    public static final int REFUSED = 4;

    private static final String[] NAMES = {"UNAVAILABLE", "FINISHED", "DESTROYED", "LOOP", "REFUSED"};

    private final int reason;

    private DbEnd(int reason) {
        if (reason < 0 || reason >= NAMES.length) {
            throw new ProtocolException("DB_END reason " + reason + " unknown");
        }
        this.reason = reason;
    }

    public static DbEnd of(int reason) {
        return new DbEnd(reason);
    }

    public static DbEnd decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        DbEnd e = new DbEnd(r.u8());
        end(r, DB_END);
        return e;
    }

    @Override
    public byte[] encode() {
        return new byte[] {(byte) reason};
    }

    @Override
    public int command() {
        return DB_END;
    }

    public int reason() {
        return reason;
    }

    public String reasonName() {
        return NAMES[reason];
    }

    public static String name(int reason) {
        return reason >= 0 && reason < NAMES.length ? NAMES[reason] : "reason " + reason;
    }

    @Override
    public String toString() {
        return "DB_END[" + reasonName() + "]";
    }
}
