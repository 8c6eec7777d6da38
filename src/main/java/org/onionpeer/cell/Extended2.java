package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;

/** RELAY_EXTENDED2 (tor-spec §5.1.2): the body of a CREATED2, HLEN(2) HDATA; trailing bytes ignored. */
public final class Extended2 extends RelayMessage {
    private final byte[] handshakeData;

    public Extended2(byte[] handshakeData) {
        this.handshakeData = RelayData.fits(handshakeData, "EXTENDED2").clone();
        RelayData.fits(encode(), "EXTENDED2");
    }

    /** What the extending relay sends back on receiving {@code created} (tor-spec §5.3). */
    public static Extended2 from(Created2 created) {
        return new Extended2(created.handshakeData());
    }

    public byte[] handshakeData() {
        return handshakeData.clone();
    }

    @Override
    public int relayCommand() {
        return RelayCommand.EXTENDED2;
    }

    @Override
    public byte[] encode() {
        return new ByteWriter(2 + handshakeData.length).u16(handshakeData.length).bytes(handshakeData).toByteArray();
    }

    public static Extended2 decode(byte[] data) {
        ByteReader r = new ByteReader(data);
        int len = r.u16();
        return new Extended2(r.bytes(len));
    }
}
