package org.onionpeer.cell;

import org.onionpeer.bytes.ProtocolException;

/** A payload kept as bytes: CERTS (decoded by the cert package) and commands this layer does not know. */
public final class OpaqueMessage extends ChannelMessage {
    private final int command;
    private final byte[] payload;

    public OpaqueMessage(int command, byte[] payload) {
        if (command < 0 || command > 255) {
            throw new ProtocolException("command out of range: " + command);
        }
        this.command = command;
        this.payload = payload.clone();
    }

    @Override
    public int command() {
        return command;
    }

    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public byte[] encode() {
        return payload.clone();
    }
}
