package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_XON (relay command 44; proposal 324 §4.1, tor's flow_control_cells.trunnel): "resume sending on this
 * stream", with advisory rate information. The body is {@code u8 version IN [0x00]; u32 kbps_ewma;}: the
 * sender's drain rate in units of 1000 bytes/s, where 0 means unlimited (never "do not send", prop324 §4.1).
 * An unknown version is a protocol violation; bytes after kbps_ewma are ignored, as trunnel's parser does.
 */
public final class Xon extends RelayMessage {
    public static final int VERSION = 0;
    /** kbps_ewma 0: no rate advice, the stream's rate is unlimited. */
    public static final long UNLIMITED = 0;

    private final long kbpsEwma;

    /** {@code kbpsEwma} in 0..2^32-1, 1000 bytes/s units; 0 = unlimited. */
    public Xon(long kbpsEwma) {
        if (kbpsEwma < 0 || kbpsEwma > 0xffffffffL) {
            throw new ProtocolException("XON kbps_ewma " + kbpsEwma + " out of range");
        }
        this.kbpsEwma = kbpsEwma;
    }

    public long kbpsEwma() {
        return kbpsEwma;
    }

    @Override
    public int relayCommand() {
        return RelayCommand.XON;
    }

    @Override
    public byte[] encode() {
        return new ByteWriter(5).u8(VERSION).u32(kbpsEwma).toByteArray();
    }

    public static Xon decode(byte[] data) {
        ByteReader r = new ByteReader(data);
        int version = r.u8();
        if (version != VERSION) {
            throw new ProtocolException("unknown XON version " + version);
        }
        return new Xon(r.u32());
    }
}
