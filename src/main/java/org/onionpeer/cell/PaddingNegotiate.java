package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * PADDING_NEGOTIATE (tor-spec §7.2, padding-spec §2.5): Version(1)=0 Command(1) ito_low_ms(2) ito_high_ms(2).
 * Only version 0 with command 1 (STOP) or 2 (START) is defined; anything else is rejected, as tor does.
 */
public final class PaddingNegotiate extends ChannelMessage {
    public static final int STOP = 1;
    public static final int START = 2;

    private final int paddingCommand;
    private final int itoLowMs;
    private final int itoHighMs;

    public PaddingNegotiate(int paddingCommand, int itoLowMs, int itoHighMs) {
        if (paddingCommand != STOP && paddingCommand != START) {
            throw new ProtocolException("PADDING_NEGOTIATE command must be 1 or 2, not " + paddingCommand);
        }
        this.paddingCommand = paddingCommand;
        this.itoLowMs = FixedFields.u16(itoLowMs, "ito_low_ms");
        this.itoHighMs = FixedFields.u16(itoHighMs, "ito_high_ms");
    }

    /** STOP: ask the peer not to pad. */
    public static PaddingNegotiate stop() {
        return new PaddingNegotiate(STOP, 0, 0);
    }

    /** START with zeros: padding-spec §2.5 says this re-enables the consensus defaults. */
    public static PaddingNegotiate startDefault() {
        return new PaddingNegotiate(START, 0, 0);
    }

    public int paddingCommand() {
        return paddingCommand;
    }

    public int itoLowMs() {
        return itoLowMs;
    }

    public int itoHighMs() {
        return itoHighMs;
    }

    @Override
    public int command() {
        return CellCommand.PADDING_NEGOTIATE;
    }

    @Override
    public byte[] encode() {
        return new ByteWriter(6).u8(0).u8(paddingCommand).u16(itoLowMs).u16(itoHighMs).toByteArray();
    }

    public static PaddingNegotiate decode(byte[] payload) {
        ByteReader r = new ByteReader(payload);
        int version = r.u8();
        if (version != 0) {
            throw new ProtocolException("unknown PADDING_NEGOTIATE version " + version);
        }
        int cmd = r.u8();
        int low = r.u16();
        int high = r.u16();
        return new PaddingNegotiate(cmd, low, high);
    }
}
