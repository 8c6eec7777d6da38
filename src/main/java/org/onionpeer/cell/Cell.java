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
    /** The payload is {@code payload[off..off+len)}; off is 0 except for a {@link #view} into a reader's buffer. */
    private byte[] payload;
    private int off;
    private final int len;
    /** Made by a {@link CellReader}: its one consumer may take the payload itself ({@link #takePayload}). */
    private final boolean fromReader;
    /** The payload lies in a reader's buffer, which the reader reuses: valid until {@link #detach}. */
    private boolean view;
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
        this.len = this.payload.length;
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

    /**
     * A fixed cell whose payload is {@code buf[off..off+509)}, not copied: valid only while the caller leaves those
     * bytes alone. For a cell sent at once (a link encodes it before {@code send} returns), such as a relay
     * passing on a cell it decrypted in its link's read buffer; whoever keeps it longer calls {@link #detach}
     * first, which gives it its own copy.
     */
    public static Cell lend(long circId, int command, byte[] buf, int off) {
        if (CellCommand.isVariable(command) || circId < 0 || circId > 0xffffffffL || command < 0 || command > 255
                || off < 0 || buf.length - off < PAYLOAD_LEN) {
            throw new IllegalArgumentException("not a fixed cell over " + buf.length + " bytes at " + off);
        }
        return new Cell(circId, command, buf, off, PAYLOAD_LEN);
    }

    /** Wraps an array the caller hands over (no copy); used by the decoders on freshly sliced arrays. */
    private Cell(long circId, int command, byte[] payload, boolean fromReader) {
        this.circId = circId;
        this.command = command;
        this.payload = payload;
        this.len = payload.length;
        this.fromReader = fromReader;
    }

    private Cell(long circId, int command, byte[] buf, int off, int len) {
        this.circId = circId;
        this.command = command;
        this.payload = buf;
        this.off = off;
        this.len = len;
        this.fromReader = true;
        this.view = true;
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
        return Bytes.slice(payload, off, len);
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
            return view ? Bytes.slice(payload, off, len) : payload;
        }
        return payload.clone();
    }

    /**
     * For the cell's last user that works in place and keeps nothing after it returns (a client decrypting a
     * relay cell and handing its data on): the array that holds the payload at {@link #payloadOffset}, which it
     * may change. For a cell a link is dispatching, that is the link reader's own buffer, no copy, valid only
     * until the handler returns; for any other cell, a copy at offset 0. The cell must not be used afterwards.
     */
    public byte[] borrowPayload() {
        checkNotTaken();
        if (fromReader) {
            taken = true;
            return payload;
        }
        return payload.clone();
    }

    /** Where the payload starts in the array {@link #borrowPayload} returns. */
    public int payloadOffset() {
        return fromReader ? off : 0;
    }

    /**
     * Called by the link once its handler has returned: a cell still viewing the reader's buffer (one the
     * handler neither took nor borrowed, and so may have kept) gets its own copy before the buffer is reused.
     */
    public void detach() {
        if (view && !taken) {
            payload = Bytes.slice(payload, off, len);
            off = 0;
        }
        view = false;
    }

    private void checkNotTaken() {
        if (taken) {
            throw new IllegalStateException("the payload of this cell was taken by its consumer");
        }
    }

    public int payloadLength() {
        return len;
    }

    /** The whole cell on the wire in the given framing. */
    public byte[] encode(LinkFormat format) {
        // Straight into an array of the exact size: one allocation per cell, not two (ByteWriter + copy).
        byte[] out = new byte[encodedLength(format)];
        encode(out, 0, format);
        return out;
    }

    /**
     * The whole cell on the wire written into {@code out} at {@code at} (room for {@link #encodedLength} bytes);
     * returns that length. A fixed cell's unused payload bytes are written as zeros, so an array reused for one
     * cell after another (a link's scratch) never carries a byte of the previous cell.
     */
    public int encode(byte[] out, int at, LinkFormat format) {
        checkNotTaken();
        if (circId > format.maxCircId()) {
            throw new ProtocolException("CircID " + circId + " does not fit " + format);
        }
        int n = encodedLength(format);
        if (at < 0 || out.length - at < n) {
            throw new IllegalArgumentException("no room for a " + n + "-byte cell");
        }
        int p = at;
        if (format.circIdLen() == 2) {
            Bytes.putU16(out, p, (int) circId);
            p += 2;
        } else {
            Bytes.putU32(out, p, circId);
            p += 4;
        }
        out[p++] = (byte) command;
        if (isVariable()) {
            Bytes.putU16(out, p, len);
            p += 2;
        }
        System.arraycopy(payload, off, out, p, len);
        p += len;
        java.util.Arrays.fill(out, p, at + n, (byte) 0);
        return n;
    }

    public int encodedLength(LinkFormat format) {
        return isVariable() ? format.varHeaderLen() + len : format.fixedCellLen();
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
            w.u16(len);
        }
        w.bytes(payload, off, len);
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

    /** Used by {@link CellReader#nextView}: the payload is {@code buf[off..off+len)}, until {@link #detach}. */
    static Cell view(long circId, int command, byte[] buf, int off, int len) {
        return new Cell(circId, command, buf, off, len);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Cell)) {
            return false;
        }
        Cell c = (Cell) o;
        if (c.circId != circId || c.command != command || c.len != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (c.payload[c.off + i] != payload[off + i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = (int) (circId * 31 + command);
        for (int i = 0; i < len; i++) {
            h = h * 31 + payload[off + i];
        }
        return h;
    }

    @Override
    public String toString() {
        int shown = Math.min(len, 32);
        return "Cell[" + circId + " " + CellCommand.name(command) + " " + Bytes.hex(payload, off, shown)
                + (shown < len ? "..(" + len + ")" : "") + "]";
    }
}
