package org.onionpeer.cell;

import java.util.Arrays;
import org.onionpeer.bytes.Bytes;

/**
 * The payload of one channel cell, as a typed value. {@link #encode()} gives the payload bytes without the
 * fixed-cell NUL padding (the {@link Cell} adds it); each subclass has a static {@code decode(byte[])} that
 * ignores such padding. Two messages are equal when they are of the same type and encode identically.
 */
public abstract class ChannelMessage {
    ChannelMessage() {
    }

    /** The cell command that carries this message. */
    public abstract int command();

    /** The payload bytes. */
    public abstract byte[] encode();

    /** This message in a cell on circuit {@code circId} (0 for link-level cells). */
    public Cell toCell(long circId) {
        return new Cell(circId, command(), encode());
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(((ChannelMessage) o).encode(), encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode()) + command();
    }

    @Override
    public String toString() {
        byte[] e = encode();
        int shown = Math.min(e.length, 48);
        return CellCommand.name(command()) + "[" + Bytes.hex(e, 0, shown) + (shown < e.length ? ".." : "") + "]";
    }
}
