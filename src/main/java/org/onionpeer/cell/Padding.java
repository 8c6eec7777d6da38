package org.onionpeer.cell;

/** PADDING (tor-spec §3, §7.2): a keepalive whose payload is padding and is ignored. */
public final class Padding extends ChannelMessage {
    @Override
    public int command() {
        return CellCommand.PADDING;
    }

    @Override
    public byte[] encode() {
        return new byte[0];
    }

    public static Padding decode(byte[] payload) {
        return new Padding();
    }
}
