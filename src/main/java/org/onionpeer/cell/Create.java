package org.onionpeer.cell;

/**
 * CREATE (tor-spec §5.1): a TAP onion skin of TAP_C_HANDSHAKE_LEN = DH_LEN + KEY_LEN + KP_PAD_LEN = 128 + 16 + 42
 * = 186 bytes, kept opaque (Onionpeer does not speak TAP; the type exists so the bytes can be recognised).
 */
public final class Create extends ChannelMessage {
    public static final int ONIONSKIN_LEN = 186;
    private final byte[] onionskin;

    public Create(byte[] onionskin) {
        this.onionskin = FixedFields.exact(onionskin, ONIONSKIN_LEN, "CREATE onion skin");
    }

    public byte[] onionskin() {
        return onionskin.clone();
    }

    @Override
    public int command() {
        return CellCommand.CREATE;
    }

    @Override
    public byte[] encode() {
        return onionskin.clone();
    }

    public static Create decode(byte[] payload) {
        return new Create(FixedFields.prefix(payload, ONIONSKIN_LEN, "CREATE"));
    }
}
