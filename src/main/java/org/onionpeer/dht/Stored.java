package org.onionpeer.dht;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ProtocolException;

/**
 * STORED: header, status (1): 0 stored, 1 refused because the node's value table is full, 2 refused because
 * the value does not verify (see {@link ValueValidator}).
 */
public final class Stored extends DhtMessage {
    public static final int OK = 0;
    public static final int FULL = 1;
    public static final int INVALID = 2;

    private final int status;

    public Stored(int requestId, int status) {
        super(requestId);
        if (status != OK && status != FULL && status != INVALID) {
            throw new ProtocolException("unknown STORED status " + status);
        }
        this.status = status;
    }

    @Override
    public int type() {
        return STORED;
    }

    public int status() {
        return status;
    }

    @Override
    public byte[] encode() {
        return header(6).u8(status).toByteArray();
    }

    public static Stored decode(byte[] data) {
        ByteReader r = open(data, STORED);
        int id = readRequestId(r);
        int status = r.u8();
        end(r, STORED);
        return new Stored(id, status);
    }
}
