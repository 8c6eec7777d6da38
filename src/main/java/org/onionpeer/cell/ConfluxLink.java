package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_CONFLUX_LINK (19, client to exit) and RELAY_CONFLUX_LINKED (20, the exit's answer) of proposal 329 §2.1
 * (tor's conflux.trunnel): the same body, {@code u8 version IN [0x01]} then for version 1
 * {@code nonce[32] u64 last_seqno_sent u64 last_seqno_recv u8 desired_ux}. The nonce ties the legs of one set
 * together: it is a secret of that set (never logged, prop329 §2.1), so {@link #toString} leaves it out. The
 * sequence numbers are 0 on a first link (we never resume a set). A desired_ux outside 0..4 is refused as tor's
 * parser refuses it; bytes after desired_ux are ignored.
 */
public final class ConfluxLink extends RelayMessage {
    public static final int VERSION = 1;
    public static final int NONCE_LEN = 32;
    /** prop329 §2.1 DESIRED_UX values. */
    public static final int UX_NO_OPINION = 0;
    public static final int UX_MIN_LATENCY = 1;
    public static final int UX_LOW_MEM_LATENCY = 2;
    public static final int UX_HIGH_THROUGHPUT = 3;
    public static final int UX_LOW_MEM_THROUGHPUT = 4;

    private final int command;
    private final byte[] nonce;
    private final long lastSeqSent;
    private final long lastSeqRecv;
    private final int desiredUx;

    private ConfluxLink(int command, byte[] nonce, long lastSeqSent, long lastSeqRecv, int desiredUx) {
        if (command != RelayCommand.CONFLUX_LINK && command != RelayCommand.CONFLUX_LINKED) {
            throw new IllegalArgumentException("not a conflux link command: " + command);
        }
        if (nonce.length != NONCE_LEN) {
            throw new ProtocolException("conflux nonce of " + nonce.length + " bytes, not " + NONCE_LEN);
        }
        if (desiredUx < UX_NO_OPINION || desiredUx > UX_LOW_MEM_THROUGHPUT) {
            throw new ProtocolException("conflux desired_ux " + desiredUx + " is not one of 0..4");
        }
        this.command = command;
        this.nonce = nonce.clone();
        this.lastSeqSent = lastSeqSent;
        this.lastSeqRecv = lastSeqRecv;
        this.desiredUx = desiredUx;
    }

    /** A client's LINK for a new set: sequence numbers 0. */
    public static ConfluxLink link(byte[] nonce, int desiredUx) {
        return new ConfluxLink(RelayCommand.CONFLUX_LINK, nonce, 0, 0, desiredUx);
    }

    /** An exit's LINKED answer (our relays do not link sets; tests and the self-test use it). */
    public static ConfluxLink linked(byte[] nonce, long lastSeqSent, long lastSeqRecv, int desiredUx) {
        return new ConfluxLink(RelayCommand.CONFLUX_LINKED, nonce, lastSeqSent, lastSeqRecv, desiredUx);
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    /** Whether {@code other} is this set's nonce, compared in time independent of where they differ. */
    public boolean nonceEquals(byte[] other) {
        if (other == null || other.length != NONCE_LEN) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < NONCE_LEN; i++) {
            diff |= nonce[i] ^ other[i];
        }
        return diff == 0;
    }

    /** Unsigned 64-bit value held in a long. */
    public long lastSeqSent() {
        return lastSeqSent;
    }

    /** Unsigned 64-bit value held in a long. */
    public long lastSeqRecv() {
        return lastSeqRecv;
    }

    public int desiredUx() {
        return desiredUx;
    }

    @Override
    public int relayCommand() {
        return command;
    }

    @Override
    public byte[] encode() {
        return new ByteWriter(1 + NONCE_LEN + 17).u8(VERSION).bytes(nonce)
                .u32(lastSeqSent >>> 32).u32(lastSeqSent & 0xffffffffL)
                .u32(lastSeqRecv >>> 32).u32(lastSeqRecv & 0xffffffffL)
                .u8(desiredUx).toByteArray();
    }

    /** Decodes the body of a cell whose relay command is {@code command} (LINK or LINKED). */
    public static ConfluxLink decode(int command, byte[] data) {
        ByteReader r = new ByteReader(data);
        int version = r.u8();
        if (version != VERSION) {
            throw new ProtocolException("unknown conflux link version " + version);
        }
        byte[] nonce = r.bytes(NONCE_LEN);
        long sent = (r.u32() << 32) | r.u32();
        long recv = (r.u32() << 32) | r.u32();
        return new ConfluxLink(command, nonce, sent, recv, r.u8());
    }

    @Override
    public String toString() {
        return RelayCommand.name(command) + "[sent=" + Long.toUnsignedString(lastSeqSent) + " recv="
                + Long.toUnsignedString(lastSeqRecv) + " ux=" + desiredUx + "]";
    }
}
