package org.onionpeer.dht;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;

/** FIND_NODE: header, sender contact, target ID (20). Answered by NODES. */
public final class FindNode extends DhtMessage {
    private final Contact sender;
    private final NodeId target;

    public FindNode(int requestId, Contact sender, NodeId target) {
        super(requestId);
        this.sender = sender;
        this.target = target;
    }

    @Override
    public int type() {
        return FIND_NODE;
    }

    @Override
    public Contact sender() {
        return sender;
    }

    public NodeId target() {
        return target;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = header(420);
        sender.write(w);
        target.write(w);
        return w.toByteArray();
    }

    public static FindNode decode(byte[] data) {
        ByteReader r = open(data, FIND_NODE);
        int id = readRequestId(r);
        Contact s = Contact.read(r);
        NodeId t = NodeId.read(r);
        end(r, FIND_NODE);
        return new FindNode(id, s, t);
    }
}
