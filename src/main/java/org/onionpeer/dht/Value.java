package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * VALUE: header, count (1, 1..8), then per value its length (2, at most 1024) and bytes, at most 7168
 * value bytes in all. The answer to FIND_VALUE when stored: the values of up to 8 senders, newest first.
 */
public final class Value extends DhtMessage {
    private final List<byte[]> values;

    public Value(int requestId, byte[] value) {
        this(requestId, List.of(value));
    }

    public Value(int requestId, List<byte[]> values) {
        super(requestId);
        if (values.isEmpty() || values.size() > MAX_VALUES) {
            throw new ProtocolException("VALUE with " + values.size() + " values, not 1.." + MAX_VALUES);
        }
        List<byte[]> l = new ArrayList<>(values.size());
        int total = 0;
        for (byte[] v : values) {
            l.add(checkValue(v));
            total += v.length;
        }
        if (total > MAX_VALUES_BYTES) {
            throw new ProtocolException("VALUE with " + total + " value bytes, limit " + MAX_VALUES_BYTES);
        }
        this.values = Collections.unmodifiableList(l);
    }

    @Override
    public int type() {
        return VALUE;
    }

    /** The first (newest) value. */
    public byte[] value() {
        return values.get(0).clone();
    }

    public List<byte[]> values() {
        List<byte[]> out = new ArrayList<>(values.size());
        for (byte[] v : values) {
            out.add(v.clone());
        }
        return out;
    }

    @Override
    public byte[] encode() {
        int n = 6;
        for (byte[] v : values) {
            n += 2 + v.length;
        }
        ByteWriter w = header(n).u8(values.size());
        for (byte[] v : values) {
            w.u16(v.length).bytes(v);
        }
        return w.toByteArray();
    }

    public static Value decode(byte[] data) {
        ByteReader r = open(data, VALUE);
        int id = readRequestId(r);
        int n = r.u8();
        if (n < 1 || n > MAX_VALUES) {
            throw new ProtocolException("VALUE with " + n + " values, not 1.." + MAX_VALUES);
        }
        List<byte[]> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(readValue(r));
        }
        end(r, VALUE);
        return new Value(id, l);
    }
}
