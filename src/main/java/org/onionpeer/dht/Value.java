package org.onionpeer.dht;

import org.onionpeer.bytes.ByteReader;

/** VALUE: header, value length (2, at most 1024), value. The answer to FIND_VALUE when stored. */
public final class Value extends DhtMessage {
    private final byte[] value;

    public Value(int requestId, byte[] value) {
        super(requestId);
        this.value = checkValue(value);
    }

    @Override
    public int type() {
        return VALUE;
    }

    public byte[] value() {
        return value.clone();
    }

    @Override
    public byte[] encode() {
        return header(7 + value.length).u16(value.length).bytes(value).toByteArray();
    }

    public static Value decode(byte[] data) {
        ByteReader r = open(data, VALUE);
        int id = readRequestId(r);
        byte[] v = readValue(r);
        end(r, VALUE);
        return new Value(id, v);
    }
}
