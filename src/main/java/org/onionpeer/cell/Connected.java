package org.onionpeer.cell;

import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_CONNECTED (tor-spec §6.2): empty (BEGIN_DIR, onion services), IPv4(4) TTL(4), or 00000000 06 IPv6(16)
 * TTL(4). Parsing follows tor's connected_cell_parse: an IPv4 answer without a whole TTL is accepted with the
 * TTL absent (-1); the IPv6 form needs all 25 bytes; 1..3 bytes or another address type is an error; bytes
 * after a complete answer are ignored.
 */
public final class Connected extends RelayMessage {
    private final IpAddress address;
    private final long ttl;

    private Connected(IpAddress address, long ttl) {
        this.address = address;
        this.ttl = ttl;
    }

    /** The empty form. */
    public static Connected empty() {
        return new Connected(null, -1);
    }

    /** With an address and a TTL in seconds (0..2^32-1), or -1 for an IPv4 answer without TTL. */
    public static Connected of(IpAddress address, long ttl) {
        if (ttl < -1 || ttl > 0xffffffffL) {
            throw new ProtocolException("TTL out of range");
        }
        if (ttl == -1 && !address.isIpv4()) {
            throw new ProtocolException("an IPv6 CONNECTED needs a TTL");
        }
        if (address.isIpv4() && Bytes.u32(address.bytes(), 0) == 0) {
            throw new ProtocolException("0.0.0.0 would read as the IPv6 form");
        }
        return new Connected(address, ttl);
    }

    /** Null for the empty form. */
    public IpAddress address() {
        return address;
    }

    /** Seconds, or -1 when absent. */
    public long ttl() {
        return ttl;
    }

    @Override
    public int relayCommand() {
        return RelayCommand.CONNECTED;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(25);
        if (address == null) {
            return w.toByteArray();
        }
        if (address.isIpv4()) {
            w.bytes(address.bytes());
        } else {
            w.u32(0).u8(6).bytes(address.bytes());
        }
        if (ttl >= 0) {
            w.u32(ttl);
        }
        return w.toByteArray();
    }

    public static Connected decode(byte[] data) {
        if (data.length == 0) {
            return empty();
        }
        if (data.length < 4) {
            throw new ProtocolException("CONNECTED too short: " + data.length);
        }
        if (Bytes.u32(data, 0) != 0) {
            long ttl = data.length >= 8 ? Bytes.u32(data, 4) : -1;
            return new Connected(IpAddress.of(Bytes.slice(data, 0, 4)), ttl);
        }
        if (data.length < 25) {
            throw new ProtocolException("CONNECTED IPv6 form needs 25 bytes, has " + data.length);
        }
        if (data[4] != 6) {
            throw new ProtocolException("CONNECTED address type " + (data[4] & 0xff) + " unknown");
        }
        return new Connected(IpAddress.of(Bytes.slice(data, 5, 16)), Bytes.u32(data, 21));
    }

    @Override
    public String toString() {
        return "CONNECTED[" + (address == null ? "-" : address + " ttl " + ttl) + "]";
    }
}
