package org.onionpeer.dht;

import org.onionpeer.bytes.ByteReader;

/** PING: header, sender contact. Answered by PONG; used for liveness checks. */
public final class Ping extends DhtMessage {
    private final Contact sender;

    public Ping(int requestId, Contact sender) {
        super(requestId);
        this.sender = sender;
    }

    @Override
    public int type() {
        return PING;
    }

    @Override
    public Contact sender() {
        return sender;
    }

    @Override
    public byte[] encode() {
        org.onionpeer.bytes.ByteWriter w = header(400);
        sender.write(w);
        return w.toByteArray();
    }

    public static Ping decode(byte[] data) {
        ByteReader r = open(data, PING);
        int id = readRequestId(r);
        Contact s = Contact.read(r);
        end(r, PING);
        return new Ping(id, s);
    }
}
