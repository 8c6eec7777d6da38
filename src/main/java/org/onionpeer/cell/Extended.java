package org.onionpeer.cell;

/** RELAY_EXTENDED, legacy TAP form (tor-spec §5.1.2): the 148-byte CREATED body, opaque. */
public final class Extended extends RelayMessage {
    private final byte[] body;

    public Extended(byte[] body) {
        this.body = FixedFields.exact(body, Created.REPLY_LEN, "EXTENDED body");
    }

    public byte[] body() {
        return body.clone();
    }

    @Override
    public int relayCommand() {
        return RelayCommand.EXTENDED;
    }

    @Override
    public byte[] encode() {
        return body.clone();
    }

    public static Extended decode(byte[] data) {
        return new Extended(FixedFields.prefix(data, Created.REPLY_LEN, "EXTENDED"));
    }
}
