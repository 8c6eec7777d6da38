package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/** CREATE2 (tor-spec §5.1): HTYPE(2) HLEN(2) HDATA; HDATA must fit the 509-byte payload. */
public final class Create2 extends ChannelMessage {
    public static final int HTYPE_TAP = 0;
    public static final int HTYPE_NTOR = 2;
    public static final int HTYPE_NTOR_V3 = 3;
    /** PAYLOAD_LEN minus HTYPE and HLEN. */
    public static final int MAX_HDATA_LEN = Cell.PAYLOAD_LEN - 4;

    private final int handshakeType;
    private final byte[] handshakeData;

    public Create2(int handshakeType, byte[] handshakeData) {
        if (handshakeType < 0 || handshakeType > 0xffff) {
            throw new ProtocolException("HTYPE out of range");
        }
        if (handshakeData.length > MAX_HDATA_LEN) {
            throw new ProtocolException("CREATE2 HDATA too long: " + handshakeData.length);
        }
        this.handshakeType = handshakeType;
        this.handshakeData = handshakeData.clone();
    }

    public int handshakeType() {
        return handshakeType;
    }

    public byte[] handshakeData() {
        return handshakeData.clone();
    }

    @Override
    public int command() {
        return CellCommand.CREATE2;
    }

    @Override
    public byte[] encode() {
        return new ByteWriter(4 + handshakeData.length).u16(handshakeType).u16(handshakeData.length)
                .bytes(handshakeData).toByteArray();
    }

    public static Create2 decode(byte[] payload) {
        ByteReader r = new ByteReader(payload);
        int type = r.u16();
        int len = r.u16();
        if (len > MAX_HDATA_LEN) {
            throw new ProtocolException("CREATE2 HLEN too large: " + len);
        }
        return new Create2(type, r.bytes(len));
    }
}
