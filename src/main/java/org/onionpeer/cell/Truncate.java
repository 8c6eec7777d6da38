package org.onionpeer.cell;

/** RELAY_TRUNCATE (tor-spec §5.4): empty; the body is ignored. */
public final class Truncate extends RelayMessage {
    @Override
    public int relayCommand() {
        return RelayCommand.TRUNCATE;
    }

    @Override
    public byte[] encode() {
        return new byte[0];
    }

    public static Truncate decode(byte[] data) {
        return new Truncate();
    }
}
