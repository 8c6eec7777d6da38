package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * NODES: header, count (1, at most 8), contacts. The answer to FIND_NODE, and to FIND_VALUE when the value
 * is not stored. Every contact is verified (ID == SHA-1(key)) while decoding, and one ID may appear once.
 */
public final class Nodes extends DhtMessage {
    private final List<Contact> contacts;

    public Nodes(int requestId, List<Contact> contacts) {
        super(requestId);
        if (contacts.size() > MAX_CONTACTS) {
            throw new ProtocolException("NODES has more than 8 contacts");
        }
        this.contacts = Collections.unmodifiableList(new ArrayList<>(contacts));
    }

    @Override
    public int type() {
        return NODES;
    }

    public List<Contact> contacts() {
        return contacts;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = header(6 + 400 * contacts.size()).u8(contacts.size());
        for (Contact c : contacts) {
            c.write(w);
        }
        return w.toByteArray();
    }

    public static Nodes decode(byte[] data) {
        ByteReader r = open(data, NODES);
        int id = readRequestId(r);
        int n = r.u8();
        if (n > MAX_CONTACTS) {
            throw new ProtocolException("NODES has more than 8 contacts");
        }
        List<Contact> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Contact c = Contact.read(r);
            for (Contact p : l) {
                if (p.id().equals(c.id())) {
                    throw new ProtocolException("NODES lists a contact twice");
                }
            }
            l.add(c);
        }
        end(r, NODES);
        return new Nodes(id, l);
    }
}
