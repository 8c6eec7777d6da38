package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;

/** RELAY_TRUNCATED (tor-spec §5.4): one reason byte from the DESTROY list ({@link DestroyReason}). */
public final class Truncated extends RelayMessage {
    private final int reason;

    public Truncated(int reason) {
        this.reason = FixedFields.u8(reason, "TRUNCATED reason");
    }

    public int reason() {
        return reason;
    }

    @Override
    public int relayCommand() {
        return RelayCommand.TRUNCATED;
    }

    @Override
    public byte[] encode() {
        return new byte[] {(byte) reason};
    }

    public static Truncated decode(byte[] data) {
        return new Truncated(new ByteReader(data).u8());
    }

    @Override
    public String toString() {
        return "TRUNCATED[" + DestroyReason.name(reason) + "]";
    }
}
