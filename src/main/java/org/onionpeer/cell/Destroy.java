package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;

/** DESTROY (tor-spec §5.4): one reason byte ({@link DestroyReason}); an OP always sends NONE. */
public final class Destroy extends ChannelMessage {
    private final int reason;

    public Destroy(int reason) {
        this.reason = FixedFields.u8(reason, "DESTROY reason");
    }

    public int reason() {
        return reason;
    }

    public String reasonName() {
        return DestroyReason.name(reason);
    }

    @Override
    public int command() {
        return CellCommand.DESTROY;
    }

    @Override
    public byte[] encode() {
        return new byte[] {(byte) reason};
    }

    public static Destroy decode(byte[] payload) {
        return new Destroy(new ByteReader(payload).u8());
    }

    @Override
    public String toString() {
        return "DESTROY[" + reasonName() + "]";
    }
}
