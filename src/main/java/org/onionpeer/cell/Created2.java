package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/** CREATED2 (tor-spec §5.1): HLEN(2) HDATA; also the body of EXTENDED2 ({@link Extended2}). */
public final class Created2 extends ChannelMessage {
    /** PAYLOAD_LEN minus HLEN. */
    public static final int MAX_HDATA_LEN = Cell.PAYLOAD_LEN - 2;

    private final byte[] handshakeData;

    public Created2(byte[] handshakeData) {
        if (handshakeData.length > MAX_HDATA_LEN) {
            throw new ProtocolException("CREATED2 HDATA too long: " + handshakeData.length);
        }
        this.handshakeData = handshakeData.clone();
    }

    public byte[] handshakeData() {
        return handshakeData.clone();
    }

    @Override
    public int command() {
        return CellCommand.CREATED2;
    }

    @Override
    public byte[] encode() {
        return new ByteWriter(2 + handshakeData.length).u16(handshakeData.length).bytes(handshakeData).toByteArray();
    }

    public static Created2 decode(byte[] payload) {
        ByteReader r = new ByteReader(payload);
        int len = r.u16();
        if (len > MAX_HDATA_LEN) {
            throw new ProtocolException("CREATED2 HLEN too large: " + len);
        }
        return new Created2(r.bytes(len));
    }
}
