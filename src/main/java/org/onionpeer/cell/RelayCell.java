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
    private final byte[] digest;
    private final byte[] data;
    /** Made by {@link #decode} from fresh slices: {@link #takeData} may hand the array over. */
    private final boolean decoded;

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
        this.decoded = false;
    }

    /** Takes over {@code digest} and {@code data}, fresh slices made by {@link #decode}: no second copy. */
    private RelayCell(int command, int recognized, int streamId, byte[] digest, byte[] data, boolean owned) {
        this.command = command;
        this.recognized = recognized;
        this.streamId = streamId;
        this.digest = digest;
        this.data = data;
        this.decoded = owned;
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
        return digest.clone();
    }

    public byte[] data() {
        return data.clone();
    }

    /**
     * The data for the cell's last user (a stream queueing what arrived): for a cell {@link #decode} made,
     * the array itself, which nothing else holds; otherwise a copy. The cell must not be used afterwards.
     */
    public byte[] takeData() {
        return decoded ? data : data.clone();
    }

    public int dataLength() {
        return data.length;
    }

    /** The typed relay message in this cell. */
    public RelayMessage message() {
        return RelayMessages.decode(command, data);
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
        out[off + COMMAND_OFFSET] = (byte) command;
        Bytes.putU16(out, off + RECOGNIZED_OFFSET, recognized);
        Bytes.putU16(out, off + STREAM_ID_OFFSET, streamId);
        System.arraycopy(digest, 0, out, off + DIGEST_OFFSET, DIGEST_LEN);
        Bytes.putU16(out, off + LENGTH_OFFSET, data.length);
        System.arraycopy(data, 0, out, off + DATA_OFFSET, data.length);
        int padAt = DATA_OFFSET + data.length;
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

    /** Parses a body of exactly 509 bytes; Length above 498 is a protocol violation. */
    public static RelayCell decode(byte[] buf, int off, int len) {
        if (len != BODY_LEN || off < 0 || off + len > buf.length) {
            throw new ProtocolException("relay body must be " + BODY_LEN + " bytes, not " + len);
        }
        int length = Bytes.u16(buf, off + LENGTH_OFFSET);
        if (length > MAX_DATA_LEN) {
            throw new ProtocolException("relay Length " + length + " exceeds " + MAX_DATA_LEN);
        }
        // Fields read from a u8/u16 are in range, and length was checked: the slices are ours to keep.
        return new RelayCell(buf[off + COMMAND_OFFSET] & 0xff, Bytes.u16(buf, off + RECOGNIZED_OFFSET),
                Bytes.u16(buf, off + STREAM_ID_OFFSET), Bytes.slice(buf, off + DIGEST_OFFSET, DIGEST_LEN),
                Bytes.slice(buf, off + DATA_OFFSET, length), true);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RelayCell)) {
            return false;
        }
        RelayCell c = (RelayCell) o;
        return c.command == command && c.recognized == recognized && c.streamId == streamId
                && Arrays.equals(c.digest, digest) && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return ((command * 31 + streamId) * 31 + recognized) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "RelayCell[" + RelayCommand.name(command) + " stream " + streamId + " len " + data.length + "]";
    }
}
