package org.onionpeer.dht;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * One DHT message: type (1), request ID (4), body. Requests carry the sender's {@link Contact} so the
 * receiver can add it to its table; answers echo the request ID. See package-info for each body.
 */
public abstract class DhtMessage {
    public static final int PING = 1;
    public static final int PONG = 2;
    public static final int FIND_NODE = 3;
    public static final int NODES = 4;
    public static final int FIND_VALUE = 5;
    public static final int VALUE = 6;
    public static final int STORE = 7;
    public static final int STORED = 8;

    /** At most this many contacts in a NODES answer (Kademlia's k). */
    public static final int MAX_CONTACTS = 8;
    /** At most this many value bytes in STORE and VALUE. */
    public static final int MAX_VALUE = 1024;
    /** At most this many values in a VALUE answer (the values of several senders under one key). */
    public static final int MAX_VALUES = 8;
    /** At most this many value bytes in all in a VALUE answer (a DHT message must fit in 8 KiB). */
    public static final int MAX_VALUES_BYTES = 7168;

    private final int requestId;

    DhtMessage(int requestId) {
        this.requestId = requestId;
    }

    public abstract int type();

    public final int requestId() {
        return requestId;
    }

    /** The requester's own contact; null for answers. */
    public Contact sender() {
        return null;
    }

    public final boolean isRequest() {
        return (type() & 1) == 1;
    }

    public abstract byte[] encode();

    public static String typeName(int type) {
        switch (type) {
            case PING: return "PING";
            case PONG: return "PONG";
            case FIND_NODE: return "FIND_NODE";
            case NODES: return "NODES";
            case FIND_VALUE: return "FIND_VALUE";
            case VALUE: return "VALUE";
            case STORE: return "STORE";
            case STORED: return "STORED";
            default: return "type " + type;
        }
    }

    /** Decodes any DHT message by its type byte. */
    public static DhtMessage decode(byte[] data) {
        if (data.length == 0) {
            throw new ProtocolException("empty DHT message");
        }
        switch (data[0] & 0xff) {
            case PING: return Ping.decode(data);
            case PONG: return Pong.decode(data);
            case FIND_NODE: return FindNode.decode(data);
            case NODES: return Nodes.decode(data);
            case FIND_VALUE: return FindValue.decode(data);
            case VALUE: return Value.decode(data);
            case STORE: return Store.decode(data);
            case STORED: return Stored.decode(data);
            default: throw new ProtocolException("unknown DHT message type " + (data[0] & 0xff));
        }
    }

    ByteWriter header(int capacity) {
        return new ByteWriter(capacity).u8(type()).u32(requestId & 0xffffffffL);
    }

    /** Checks the type byte and returns a reader positioned after it (the request ID comes next). */
    static ByteReader open(byte[] data, int type) {
        if (data.length == 0 || (data[0] & 0xff) != type) {
            throw new ProtocolException("not a " + typeName(type) + " message");
        }
        ByteReader r = new ByteReader(data);
        r.skip(1);
        return r;
    }

    static int readRequestId(ByteReader r) {
        return (int) r.u32();
    }

    static void end(ByteReader r, int type) {
        if (r.hasRemaining()) {
            throw new ProtocolException("trailing bytes after " + typeName(type));
        }
    }

    static byte[] readValue(ByteReader r) {
        int n = r.u16();
        if (n > MAX_VALUE) {
            throw new ProtocolException("value longer than 1024 bytes");
        }
        return r.bytes(n);
    }

    static byte[] checkValue(byte[] v) {
        if (v.length > MAX_VALUE) {
            throw new ProtocolException("value longer than 1024 bytes");
        }
        return v.clone();
    }

    @Override
    public String toString() {
        return typeName(type()) + "#" + Integer.toHexString(requestId);
    }
}
