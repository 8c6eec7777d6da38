package org.onionpeer.cell;

import org.onionpeer.bytes.Bytes;

/**
 * RELAY_EXTEND, legacy TAP form (tor-spec §5.1.2): Address(4) Port(2) Onion skin(186) Identity(20) = 212 bytes,
 * kept opaque; Onionpeer extends with EXTEND2. Trailing bytes are ignored.
 */
public final class Extend extends RelayMessage {
    public static final int LEN = 4 + 2 + Create.ONIONSKIN_LEN + 20;
    private final byte[] body;

    public Extend(byte[] body) {
        this.body = FixedFields.exact(body, LEN, "EXTEND body");
    }

    public byte[] body() {
        return body.clone();
    }

    public IpAddress address() {
        return IpAddress.of(Bytes.slice(body, 0, 4));
    }

    public int port() {
        return Bytes.u16(body, 4);
    }

    @Override
    public int relayCommand() {
        return RelayCommand.EXTEND;
    }

    @Override
    public byte[] encode() {
        return body.clone();
    }

    public static Extend decode(byte[] data) {
        return new Extend(FixedFields.prefix(data, LEN, "EXTEND"));
    }
}
