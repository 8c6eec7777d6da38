package org.onionpeer.cell;

/**
 * RELAY or RELAY_EARLY (tor-spec §5.5, §5.6, §6.1): a 509-byte body, encrypted until some hop recognizes it;
 * {@link RelayCell} parses the body once decrypted.
 */
public final class Relay extends ChannelMessage {
    private final boolean early;
    private final byte[] body;

    private Relay(boolean early, byte[] body) {
        this.early = early;
        this.body = FixedFields.exact(body, Cell.PAYLOAD_LEN, "relay cell body");
    }

    /** A RELAY cell body. */
    public static Relay of(byte[] body) {
        return new Relay(false, body);
    }

    /** A RELAY_EARLY cell body (EXTEND2 must travel in these; at most 8 per circuit, §5.6). */
    public static Relay early(byte[] body) {
        return new Relay(true, body);
    }

    public boolean isEarly() {
        return early;
    }

    public byte[] body() {
        return body.clone();
    }

    @Override
    public int command() {
        return early ? CellCommand.RELAY_EARLY : CellCommand.RELAY;
    }

    @Override
    public byte[] encode() {
        return body.clone();
    }

    public static Relay decode(byte[] payload) {
        return new Relay(false, payload);
    }

    public static Relay decodeEarly(byte[] payload) {
        return new Relay(true, payload);
    }
}
