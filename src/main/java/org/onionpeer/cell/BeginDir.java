package org.onionpeer.cell;

/** RELAY_BEGIN_DIR (tor-spec §6.2.1): clients send an empty body, relays ignore whatever is there. */
public final class BeginDir extends RelayMessage {
    @Override
    public int relayCommand() {
        return RelayCommand.BEGIN_DIR;
    }

    @Override
    public byte[] encode() {
        return new byte[0];
    }

    public static BeginDir decode(byte[] data) {
        return new BeginDir();
    }
}
