package org.onionpeer.cell;

/** RELAY_DATA (tor-spec §6.2): stream bytes, up to 498 per cell. */
public final class Data extends RelayMessage {
    private final byte[] bytes;

    public Data(byte[] bytes) {
        this.bytes = RelayData.fits(bytes, "DATA").clone();
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public int relayCommand() {
        return RelayCommand.DATA;
    }

    @Override
    public byte[] encode() {
        return bytes.clone();
    }

    public static Data decode(byte[] data) {
        return new Data(data);
    }
}
