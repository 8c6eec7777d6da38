package org.onionpeer.cell;

/** AUTHORIZE (tor-spec §3, §4): reserved for scanning-resistance designs; the payload is unspecified. */
public final class Authorize extends ChannelMessage {
    private final byte[] payload;

    public Authorize(byte[] payload) {
        this.payload = payload.clone();
    }

    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public int command() {
        return CellCommand.AUTHORIZE;
    }

    @Override
    public byte[] encode() {
        return payload.clone();
    }

    public static Authorize decode(byte[] payload) {
        return new Authorize(payload);
    }
}
