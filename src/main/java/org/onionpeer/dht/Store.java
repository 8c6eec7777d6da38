package org.onionpeer.dht;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;

/**
 * STORE: header, sender contact, key (20), value length (2, at most 1024), value. The storing node keeps
 * the value for its configured expiry (one hour by default); the publisher re-STOREs before that.
 */
public final class Store extends DhtMessage {
    private final Contact sender;
    private final NodeId key;
    private final byte[] value;

    public Store(int requestId, Contact sender, NodeId key, byte[] value) {
        super(requestId);
        this.sender = sender;
        this.key = key;
        this.value = checkValue(value);
    }

    @Override
    public int type() {
        return STORE;
    }

    @Override
    public Contact sender() {
        return sender;
    }

    public NodeId key() {
        return key;
    }

    public byte[] value() {
        return value.clone();
    }

    @Override
    public byte[] encode() {
        ByteWriter w = header(430 + value.length);
        sender.write(w);
        key.write(w);
        w.u16(value.length).bytes(value);
        return w.toByteArray();
    }

    public static Store decode(byte[] data) {
        ByteReader r = open(data, STORE);
        int id = readRequestId(r);
        Contact s = Contact.read(r);
        NodeId k = NodeId.read(r);
        byte[] v = readValue(r);
        end(r, STORE);
        return new Store(id, s, k, v);
    }
}
