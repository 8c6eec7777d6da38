package org.onionpeer.cell;

import org.onionpeer.bytes.ProtocolException;

/** Relay data kept as bytes: commands this layer does not decode (onion-service, padding negotiation, conflux...). */
public final class OpaqueRelayMessage extends RelayMessage {
    private final int command;
    private final byte[] data;

    public OpaqueRelayMessage(int command, byte[] data) {
        this.command = FixedFields.u8(command, "relay command");
        if (data.length > RelayCell.MAX_DATA_LEN) {
            throw new ProtocolException("relay data too long: " + data.length);
        }
        this.data = data.clone();
    }

    @Override
    public int relayCommand() {
        return command;
    }

    public byte[] data() {
        return data.clone();
    }

    @Override
    public byte[] encode() {
        return data.clone();
    }
}
