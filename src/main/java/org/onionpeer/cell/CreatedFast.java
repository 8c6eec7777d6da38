package org.onionpeer.cell;

import org.onionpeer.bytes.Bytes;

/** CREATED_FAST (tor-spec §5.1.5): Y (20 bytes) then the derivative key data KH (20 bytes). */
public final class CreatedFast extends ChannelMessage {
    public static final int Y_LEN = 20;
    public static final int KH_LEN = 20;
    private final byte[] y;
    private final byte[] kh;

    public CreatedFast(byte[] y, byte[] kh) {
        this.y = FixedFields.exact(y, Y_LEN, "CREATED_FAST Y");
        this.kh = FixedFields.exact(kh, KH_LEN, "CREATED_FAST KH");
    }

    public byte[] y() {
        return y.clone();
    }

    public byte[] kh() {
        return kh.clone();
    }

    @Override
    public int command() {
        return CellCommand.CREATED_FAST;
    }

    @Override
    public byte[] encode() {
        return Bytes.concat(y, kh);
    }

    public static CreatedFast decode(byte[] payload) {
        byte[] b = FixedFields.prefix(payload, Y_LEN + KH_LEN, "CREATED_FAST");
        return new CreatedFast(Bytes.slice(b, 0, Y_LEN), Bytes.slice(b, Y_LEN, KH_LEN));
    }
}
