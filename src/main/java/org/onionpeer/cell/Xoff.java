package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_XOFF (relay command 43; proposal 324 §4.1, tor's flow_control_cells.trunnel): "stop sending on this
 * stream", used instead of stream SENDMEs once a circuit hop negotiated congestion control. The body is
 * {@code u8 version IN [0x00]}; an unknown version is a protocol violation (prop324 §4.1). Bytes after the
 * version are ignored, as trunnel's parser (and C tor, which does not parse XOFF at all) ignores them.
 */
public final class Xoff extends RelayMessage {
    public static final int VERSION = 0;

    @Override
    public int relayCommand() {
        return RelayCommand.XOFF;
    }

    @Override
    public byte[] encode() {
        return new byte[] {VERSION};
    }

    public static Xoff decode(byte[] data) {
        int version = new ByteReader(data).u8();
        if (version != VERSION) {
            throw new ProtocolException("unknown XOFF version " + version);
        }
        return new Xoff();
    }
}
