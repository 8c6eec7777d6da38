package org.onionpeer.dht;

import org.onionpeer.bytes.ByteReader;

/** PONG: header only. */
public final class Pong extends DhtMessage {
    public Pong(int requestId) {
        super(requestId);
    }

    @Override
    public int type() {
        return PONG;
    }

    @Override
    public byte[] encode() {
        return header(5).toByteArray();
    }

    public static Pong decode(byte[] data) {
        ByteReader r = open(data, PONG);
        int id = readRequestId(r);
        end(r, PONG);
        return new Pong(id);
    }
}
