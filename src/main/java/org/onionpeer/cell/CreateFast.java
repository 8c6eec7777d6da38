package org.onionpeer.cell;

/** CREATE_FAST (tor-spec §5.1.5): key material X, HASH_LEN (20) bytes. */
public final class CreateFast extends ChannelMessage {
    public static final int X_LEN = 20;
    private final byte[] x;

    public CreateFast(byte[] x) {
        this.x = FixedFields.exact(x, X_LEN, "CREATE_FAST X");
    }

    public byte[] x() {
        return x.clone();
    }

    @Override
    public int command() {
        return CellCommand.CREATE_FAST;
    }

    @Override
    public byte[] encode() {
        return x.clone();
    }

    public static CreateFast decode(byte[] payload) {
        return new CreateFast(FixedFields.prefix(payload, X_LEN, "CREATE_FAST"));
    }
}
