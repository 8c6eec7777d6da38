package org.onionpeer.cell;

import java.util.Arrays;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * A decrypted relay cell body, format v0 (tor-spec §6.1): Cmd(1) Recognized(2) StreamID(2) Digest(4) Length(2)
 * Data(Length <= 498) Padding. The field offsets are public because the relay crypto zeroes and fills
 * 'recognized' and 'digest' in place.
 */
public final class RelayCell {
    public static final int BODY_LEN = Cell.PAYLOAD_LEN;
    public static final int COMMAND_OFFSET = 0;
    public static final int RECOGNIZED_OFFSET = 1;
    public static final int STREAM_ID_OFFSET = 3;
    public static final int DIGEST_OFFSET = 5;
    public static final int DIGEST_LEN = 4;
    public static final int LENGTH_OFFSET = 9;
    public static final int DATA_OFFSET = 11;
    public static final int HEADER_LEN = DATA_OFFSET;
    /** RELAY_PAYLOAD_SIZE: 509 - 11. */
    public static final int MAX_DATA_LEN = BODY_LEN - HEADER_LEN;
    /** tor-spec §6.1: padding starts with up to four zero bytes, the rest is random. */
    public static final int ZERO_PAD_LEN = 4;

    private final int command;
    private final int recognized;
    private final int streamId;
    /** Null for a decoded cell: its digest is read from the body, just before the data. */
    private final byte[] digest;
    /** The data is {@code data[dataOff..dataOff+dataLen)}: the cell's own array, or the body it was decoded from. */
    private final byte[] data;
    private final int dataOff;
    private final int dataLen;

    /** A cell to send: recognized and digest zero (the crypto layer sets the digest). */
    public RelayCell(int command, int streamId, byte[] data) {
        this(command, 0, streamId, new byte[DIGEST_LEN], data);
    }

    public RelayCell(int command, int recognized, int streamId, byte[] digest, byte[] data) {
        this.command = FixedFields.u8(command, "relay command");
        this.recognized = FixedFields.u16(recognized, "recognized");
        this.streamId = FixedFields.u16(streamId, "stream ID");
        this.digest = FixedFields.exact(digest, DIGEST_LEN, "relay digest");
        if (data.length > MAX_DATA_LEN) {
            throw new ProtocolException("relay data too long: " + data.length);
        }
        this.data = data.clone();
        this.dataOff = 0;
        this.dataLen = data.length;
    }

    /** A view of a decoded body (no copy): fields already range-checked by {@link #decode}. */
    private RelayCell(int command, int recognized, int streamId, byte[] body, int dataOff, int dataLen) {
        this.command = command;
        this.recognized = recognized;
        this.streamId = streamId;
        this.digest = null;
        this.data = body;
        this.dataOff = dataOff;
        this.dataLen = dataLen;
    }

    /** A message on a stream (streamId 0 for circuit-level control messages). */
    public static RelayCell of(int streamId, RelayMessage message) {
        return new RelayCell(message.relayCommand(), streamId, message.encode());
    }

    public int command() {
        return command;
    }

    public int recognized() {
        return recognized;
    }

    public int streamId() {
        return streamId;
    }

    public byte[] digest() {
        return digest != null ? digest.clone() : Bytes.slice(data, dataOff - HEADER_LEN + DIGEST_OFFSET, DIGEST_LEN);
    }

    public byte[] data() {
        return Bytes.slice(data, dataOff, dataLen);
    }

    /** The data for the cell's last user (a stream queueing what arrived): a copy it may keep. */
    public byte[] takeData() {
        return data();
    }

    public int dataLength() {
        return dataLen;
    }

    /**
     * The array holding the data at {@link #dataOffset()}, no copy, for a consumer that reads it at once and
     * keeps nothing: a decoded cell views the body it was decoded from (for a client, the link reader's buffer,
     * valid only while the cell is being handled). Read only.
     */
    public byte[] dataArray() {
        return data;
    }

    public int dataOffset() {
        return dataOff;
    }

    /** This cell with its own copies of digest and data: for a consumer that keeps a decoded cell (a view). */
    public RelayCell detached() {
        return new RelayCell(command, recognized, streamId, digest(), data());
    }

    /** The typed relay message in this cell. */
    public RelayMessage message() {
        return RelayMessages.decode(command, data());
    }

    /** The 509-byte body: header, data, up to four zero bytes, then bytes from {@code padding}. */
    public byte[] encode(PaddingSource padding) {
        byte[] out = new byte[BODY_LEN];
        encodeInto(out, 0, padding);
        return out;
    }

    public void encodeInto(byte[] out, int off, PaddingSource padding) {
        if (off < 0 || out.length - off < BODY_LEN) {
            throw new IllegalArgumentException("no room for a relay body");
        }
        write(out, off, command, recognized, streamId, data, dataOff, dataLen, padding);
        if (digest != null) {
            System.arraycopy(digest, 0, out, off + DIGEST_OFFSET, DIGEST_LEN);
        } else {
            System.arraycopy(data, dataOff - HEADER_LEN + DIGEST_OFFSET, out, off + DIGEST_OFFSET, DIGEST_LEN);
        }
    }

    /**
     * Writes the body of a cell to be sent, recognized and digest zero (the sender's crypto fills the digest), with
     * {@code data[dataOff..dataOff+len)} and its padding, into {@code out} at {@code off}: an exit packaging a
     * stream's bytes straight from its read buffer, no RelayCell or array per cell. Throws as the constructor does.
     */
    public static void encodeInto(int command, int streamId, byte[] data, int dataOff, int len, byte[] out, int off,
            PaddingSource padding) {
        if (len < 0 || len > MAX_DATA_LEN) {
            throw new ProtocolException("relay data too long: " + len);
        }
        if (off < 0 || out.length - off < BODY_LEN) {
            throw new IllegalArgumentException("no room for a relay body");
        }
        write(out, off, FixedFields.u8(command, "relay command"), 0, FixedFields.u16(streamId, "stream ID"), data,
                dataOff, len, padding);
        java.util.Arrays.fill(out, off + DIGEST_OFFSET, off + DIGEST_OFFSET + DIGEST_LEN, (byte) 0);
    }

    /** Every field but the digest; tor-spec §6.1 and prop289: 4 zero bytes after the data, then random padding. */
    private static void write(byte[] out, int off, int command, int recognized, int streamId, byte[] data,
            int dataOff, int dataLen, PaddingSource padding) {
        out[off + COMMAND_OFFSET] = (byte) command;
        Bytes.putU16(out, off + RECOGNIZED_OFFSET, recognized);
        Bytes.putU16(out, off + STREAM_ID_OFFSET, streamId);
        Bytes.putU16(out, off + LENGTH_OFFSET, dataLen);
        System.arraycopy(data, dataOff, out, off + DATA_OFFSET, dataLen);
        int padAt = DATA_OFFSET + dataLen;
        int zeros = Math.min(ZERO_PAD_LEN, BODY_LEN - padAt);
        for (int i = 0; i < zeros; i++) {
            out[off + padAt + i] = 0;
        }
        int randomAt = padAt + zeros;
        if (randomAt < BODY_LEN) {
            padding.fill(out, off + randomAt, BODY_LEN - randomAt);
        }
    }

    public static RelayCell decode(byte[] body) {
        return decode(body, 0, body.length);
    }

    /**
     * Parses a body of exactly 509 bytes; Length above 498 is a protocol violation. The cell views
     * {@code buf} (no copy): the caller must not change those bytes while it uses the cell.
     */
    public static RelayCell decode(byte[] buf, int off, int len) {
        if (len != BODY_LEN || off < 0 || off + len > buf.length) {
            throw new ProtocolException("relay body must be " + BODY_LEN + " bytes, not " + len);
        }
        int length = Bytes.u16(buf, off + LENGTH_OFFSET);
        if (length > MAX_DATA_LEN) {
            throw new ProtocolException("relay Length " + length + " exceeds " + MAX_DATA_LEN);
        }
        // Fields read from a u8/u16 are in range, and length was checked.
        return new RelayCell(buf[off + COMMAND_OFFSET] & 0xff, Bytes.u16(buf, off + RECOGNIZED_OFFSET),
                Bytes.u16(buf, off + STREAM_ID_OFFSET), buf, off + DATA_OFFSET, length);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RelayCell)) {
            return false;
        }
        RelayCell c = (RelayCell) o;
        return c.command == command && c.recognized == recognized && c.streamId == streamId
                && Arrays.equals(c.digest(), digest()) && Arrays.equals(c.data(), data());
    }

    @Override
    public int hashCode() {
        return ((command * 31 + streamId) * 31 + recognized) * 31 + Arrays.hashCode(data());
    }

    @Override
    public String toString() {
        return "RelayCell[" + RelayCommand.name(command) + " stream " + streamId + " len " + dataLen + "]";
    }
}
