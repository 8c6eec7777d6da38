package org.onionpeer.dht;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;

/** FIND_VALUE: header, sender contact, key (20). Answered by VALUE if stored, else NODES. */
public final class FindValue extends DhtMessage {
    private final Contact sender;
    private final NodeId key;

    public FindValue(int requestId, Contact sender, NodeId key) {
        super(requestId);
        this.sender = sender;
        this.key = key;
    }

    @Override
    public int type() {
        return FIND_VALUE;
    }

    @Override
    public Contact sender() {
        return sender;
    }

    public NodeId key() {
        return key;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = header(420);
        sender.write(w);
        key.write(w);
        return w.toByteArray();
    }

    public static FindValue decode(byte[] data) {
        ByteReader r = open(data, FIND_VALUE);
        int id = readRequestId(r);
        Contact s = Contact.read(r);
        NodeId k = NodeId.read(r);
        end(r, FIND_VALUE);
        return new FindValue(id, s, k);
    }
}
