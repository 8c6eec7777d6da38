package org.onionpeer.cell;

import java.util.Arrays;
import org.onionpeer.bytes.Bytes;

/**
 * The data of one relay cell as a typed value; {@link #encode()} gives the Data field (at most 498 bytes) and
 * each subclass has a static {@code decode(byte[])}. Equal when of the same type and encoding identically.
 */
public abstract class RelayMessage {
    RelayMessage() {
    }

    public abstract int relayCommand();

    public abstract byte[] encode();

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(((RelayMessage) o).encode(), encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode()) + relayCommand();
    }

    @Override
    public String toString() {
        byte[] e = encode();
        int shown = Math.min(e.length, 48);
        return RelayCommand.name(relayCommand()) + "[" + Bytes.hex(e, 0, shown) + (shown < e.length ? ".." : "")
                + "]";
    }
}
