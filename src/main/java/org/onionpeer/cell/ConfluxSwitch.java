package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_CONFLUX_SWITCH (22; proposal 329 §3, tor's conflux.trunnel {@code u32 seqnum}): the sender moved to this
 * leg; {@code seqnum} is how far the absolute sequence number moved on the other legs since this leg last sent,
 * so the receiver adds it to this leg's last received sequence number before counting the leg's next cell.
 * Bytes after the field are ignored, as trunnel's parser does.
 */
public final class ConfluxSwitch extends RelayMessage {
    private final long relativeSeq;

    public ConfluxSwitch(long relativeSeq) {
        if (relativeSeq < 0 || relativeSeq > 0xffffffffL) {
            throw new ProtocolException("conflux switch seqnum " + relativeSeq + " out of range");
        }
        this.relativeSeq = relativeSeq;
    }

    public long relativeSeq() {
        return relativeSeq;
    }

    @Override
    public int relayCommand() {
        return RelayCommand.CONFLUX_SWITCH;
    }

    @Override
    public byte[] encode() {
        return new ByteWriter(4).u32(relativeSeq).toByteArray();
    }

    public static ConfluxSwitch decode(byte[] data) {
        return new ConfluxSwitch(new ByteReader(data).u32());
    }
}
