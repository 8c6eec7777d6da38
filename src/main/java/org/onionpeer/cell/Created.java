package org.onionpeer.cell;

/** CREATED (tor-spec §5.1): TAP_S_HANDSHAKE_LEN = DH_LEN + HASH_LEN = 148 bytes, opaque. */
public final class Created extends ChannelMessage {
    public static final int REPLY_LEN = 148;
    private final byte[] reply;

    public Created(byte[] reply) {
        this.reply = FixedFields.exact(reply, REPLY_LEN, "CREATED reply");
    }

    public byte[] reply() {
        return reply.clone();
    }

    @Override
    public int command() {
        return CellCommand.CREATED;
    }

    @Override
    public byte[] encode() {
        return reply.clone();
    }

    public static Created decode(byte[] payload) {
        return new Created(FixedFields.prefix(payload, REPLY_LEN, "CREATED"));
    }
}
