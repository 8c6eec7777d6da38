package org.onionpeer.cell;

import org.onionpeer.bytes.ProtocolException;

/** VPADDING (tor-spec §7.2): variable-length padding; only its length matters, sent as NUL bytes. */
public final class VPadding extends ChannelMessage {
    private final int length;

    public VPadding(int length) {
        if (length < 0 || length > Cell.MAX_VAR_PAYLOAD_LEN) {
            throw new ProtocolException("VPADDING length out of range: " + length);
        }
        this.length = length;
    }

    public int length() {
        return length;
    }

    @Override
    public int command() {
        return CellCommand.VPADDING;
    }

    @Override
    public byte[] encode() {
        return new byte[length];
    }

    public static VPadding decode(byte[] payload) {
        return new VPadding(payload.length);
    }
}
