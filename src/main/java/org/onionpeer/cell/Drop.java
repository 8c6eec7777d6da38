package org.onionpeer.cell;

/** RELAY_DROP (tor-spec §6.2, §7.2): long-range padding; the body is padding and the receiver drops it. */
public final class Drop extends RelayMessage {
    private final byte[] padding;

    public Drop(byte[] padding) {
        this.padding = RelayData.fits(padding, "DROP").clone();
    }

    public Drop() {
        this(new byte[0]);
    }

    public byte[] padding() {
        return padding.clone();
    }

    @Override
    public int relayCommand() {
        return RelayCommand.DROP;
    }

    @Override
    public byte[] encode() {
        return padding.clone();
    }

    public static Drop decode(byte[] data) {
        return new Drop(data);
    }
}
