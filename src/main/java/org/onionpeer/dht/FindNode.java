package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * FIND_NODE: header, sender contact, target ID (20), exclusion count (1, at most 8), excluded IDs (20 each).
 * Answered by NODES, leaving out the excluded IDs: a lookup's second pass names the nodes that failed it
 * (gone, or liars), so that they do not crowd the answer's k slots.
 */
public final class FindNode extends DhtMessage {
    private final Contact sender;
    private final NodeId target;
    private final List<NodeId> exclude;

    public FindNode(int requestId, Contact sender, NodeId target) {
        this(requestId, sender, target, List.of());
    }

    public FindNode(int requestId, Contact sender, NodeId target, List<NodeId> exclude) {
        super(requestId);
        if (exclude.size() > MAX_CONTACTS) {
            throw new ProtocolException("FIND_NODE excludes more than 8 IDs");
        }
        this.sender = sender;
        this.target = target;
        this.exclude = Collections.unmodifiableList(new ArrayList<>(exclude));
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

    public List<NodeId> exclude() {
        return exclude;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = header(420 + 20 * exclude.size());
        sender.write(w);
        target.write(w);
        w.u8(exclude.size());
        for (NodeId id : exclude) {
            id.write(w);
        }
        return w.toByteArray();
    }

    public static FindNode decode(byte[] data) {
        ByteReader r = open(data, FIND_NODE);
        int id = readRequestId(r);
        Contact s = Contact.read(r);
        NodeId t = NodeId.read(r);
        int n = r.u8();
        if (n > MAX_CONTACTS) {
            throw new ProtocolException("FIND_NODE excludes more than 8 IDs");
        }
        List<NodeId> ex = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ex.add(NodeId.read(r));
        }
        end(r, FIND_NODE);
        return new FindNode(id, s, t, ex);
    }
}
