package org.onionpeer.cell;

import java.util.Arrays;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * One channel cell (tor-spec §3): CircID, command and payload. Fixed-size cells always hold exactly
 * {@link #PAYLOAD_LEN} payload bytes (shorter payloads are NUL-padded on construction, as §3 asks senders to);
 * variable cells hold 0..65535 bytes. The CircID is an unsigned 32-bit value kept in a long.
 */
public final class Cell {
    /** tor-spec §0.2 PAYLOAD_LEN. */
    public static final int PAYLOAD_LEN = 509;
    /** The Len field of a variable cell is a u16. */
    public static final int MAX_VAR_PAYLOAD_LEN = 0xffff;

    private final long circId;
    private final int command;
    private final byte[] payload;
    /** Made by a {@link CellReader}: its one consumer may take the payload itself ({@link #takePayload}). */
    private final boolean fromReader;
    private boolean taken;

    /** Throws ProtocolException for a CircID or command out of range or a payload too long for its kind. */
    public Cell(long circId, int command, byte[] payload) {
        if (circId < 0 || circId > 0xffffffffL) {
            throw new ProtocolException("CircID out of range: " + circId);
        }
        if (command < 0 || command > 255) {
            throw new ProtocolException("command out of range: " + command);
        }
        if (CellCommand.isVariable(command)) {
            if (payload.length > MAX_VAR_PAYLOAD_LEN) {
                throw new ProtocolException("variable cell payload too long: " + payload.length);
            }
            this.payload = payload.clone();
        } else {
            if (payload.length > PAYLOAD_LEN) {
                throw new ProtocolException("fixed cell payload too long: " + payload.length);
            }
            this.payload = Arrays.copyOf(payload, PAYLOAD_LEN);
        }
        this.circId = circId;
        this.command = command;
        this.fromReader = false;
    }

    /**
     * A cell that takes over {@code payload} (no copy): the caller must not touch the array afterwards. For
     * hot paths that made the payload themselves, such as a relay passing on a cell it just decrypted: in
     * a page every byte array is a typed array, and allocating one per cell per copy showed as ~12% of a
     * relaying page's time. Checks as the constructor does; a short fixed payload is still padded (copied).
     */
    public static Cell adopt(long circId, int command, byte[] payload) {
        if (CellCommand.isVariable(command) || payload.length != PAYLOAD_LEN || circId < 0
                || circId > 0xffffffffL || command < 0 || command > 255) {
            return new Cell(circId, command, payload);
        }
        return new Cell(circId, command, payload, false);
    }

    /** Wraps an array the caller hands over (no copy); used by the decoders on freshly sliced arrays. */
    private Cell(long circId, int command, byte[] payload, boolean fromReader) {
        this.circId = circId;
        this.command = command;
        this.payload = payload;
        this.fromReader = fromReader;
    }

    public long circId() {
        return circId;
    }

    public int command() {
        return command;
    }

    public boolean isVariable() {
        return CellCommand.isVariable(command);
    }

    /** A copy of the payload (509 bytes for fixed cells). */
    public byte[] payload() {
        checkNotTaken();
        return payload.clone();
    }

    /**
     * The payload for the cell's last user, who may change it (a relay or client decrypting in place): for
     * a cell just read off a link, the array itself, no copy (a per-cell copy is a typed array allocated
     * off the heap in a page); for any other cell, a copy. Once taken, the cell must not be used again:
     * {@link #payload} and {@link #encode} then throw.
     */
    public byte[] takePayload() {
        checkNotTaken();
        if (fromReader) {
            taken = true;
            return payload;
        }
        return payload.clone();
    }

    private void checkNotTaken() {
        if (taken) {
            throw new IllegalStateException("the payload of this cell was taken by its consumer");
        }
    }

    public int payloadLength() {
        return payload.length;
    }

    /** The whole cell on the wire in the given framing. */
    public byte[] encode(LinkFormat format) {
        checkNotTaken();
        // Straight into an array of the exact size: one allocation per cell, not two (ByteWriter + copy).
        if (circId > format.maxCircId()) {
            throw new ProtocolException("CircID " + circId + " does not fit " + format);
        }
        byte[] out = new byte[encodedLength(format)];
        int at;
        if (format.circIdLen() == 2) {
            Bytes.putU16(out, 0, (int) circId);
            at = 2;
        } else {
            Bytes.putU32(out, 0, circId);
            at = 4;
        }
        out[at++] = (byte) command;
        if (isVariable()) {
            Bytes.putU16(out, at, payload.length);
            at += 2;
        }
        System.arraycopy(payload, 0, out, at, payload.length);
        return out;
    }

    public int encodedLength(LinkFormat format) {
        return isVariable() ? format.varHeaderLen() + payload.length : format.fixedCellLen();
    }

    public void encodeInto(ByteWriter w, LinkFormat format) {
        checkNotTaken();
        if (circId > format.maxCircId()) {
            throw new ProtocolException("CircID " + circId + " does not fit " + format);
        }
        if (format.circIdLen() == 2) {
            w.u16((int) circId);
        } else {
            w.u32(circId);
        }
        w.u8(command);
        if (isVariable()) {
            w.u16(payload.length);
        }
        w.bytes(payload);
    }

    /** Decodes exactly one whole cell; trailing bytes are an error (use {@link CellReader} for streams). */
    public static Cell decode(LinkFormat format, byte[] wire) {
        ByteReader r = new ByteReader(wire);
        Cell c = decodeFrom(r, format, MAX_VAR_PAYLOAD_LEN);
        if (r.hasRemaining()) {
            throw new ProtocolException("trailing bytes after cell: " + r.remaining());
        }
        return c;
    }

    static Cell decodeFrom(ByteReader r, LinkFormat format, int maxVarPayload) {
        long circId = format.circIdLen() == 2 ? r.u16() : r.u32();
        int command = r.u8();
        byte[] payload;
        if (CellCommand.isVariable(command)) {
            int len = r.u16();
            if (len > maxVarPayload) {
                throw new ProtocolException("variable cell payload " + len + " exceeds limit " + maxVarPayload);
            }
            payload = r.bytes(len);
        } else {
            payload = r.bytes(PAYLOAD_LEN);
        }
        return new Cell(circId, command, payload, false);
    }

    /** Used by {@link CellReader}: the payload slice is already a private copy. */
    static Cell owned(long circId, int command, byte[] payload) {
        return new Cell(circId, command, payload, true);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Cell)) {
            return false;
        }
        Cell c = (Cell) o;
        return c.circId == circId && c.command == command && Arrays.equals(c.payload, payload);
    }

    @Override
    public int hashCode() {
        return (int) (circId * 31 + command) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        int shown = Math.min(payload.length, 32);
        return "Cell[" + circId + " " + CellCommand.name(command) + " " + Bytes.hex(payload, 0, shown)
                + (shown < payload.length ? "..(" + payload.length + ")" : "") + "]";
    }
}
