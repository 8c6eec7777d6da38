package org.onionpeer.cell;

import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_END (tor-spec §6.3): Reason(1), and for EXITPOLICY optionally an IPv4 (4) or IPv6 (16) address and a
 * TTL(4). Per §6.3 an empty END means MISC, a missing TTL means 0xffffffff, and an address of the wrong length
 * is ignored while the END is still processed; other reasons' extra bytes are ignored.
 */
public final class End extends RelayMessage {
    private final int reason;
    private final IpAddress address;
    private final long ttl;

    private End(int reason, IpAddress address, long ttl) {
        this.reason = FixedFields.u8(reason, "END reason");
        this.address = address;
        this.ttl = ttl;
    }

    public static End of(int reason) {
        return new End(reason, null, -1);
    }

    /** EXITPOLICY with the address the exit refused; {@code ttl} -1 omits the TTL field. */
    public static End exitPolicy(IpAddress address, long ttl) {
        if (ttl < -1 || ttl > 0xffffffffL) {
            throw new ProtocolException("TTL out of range");
        }
        return new End(EndReason.EXITPOLICY, address, ttl);
    }

    public int reason() {
        return reason;
    }

    public String reasonName() {
        return EndReason.name(reason);
    }

    /** For EXITPOLICY: the refused address, or null. */
    public IpAddress address() {
        return address;
    }

    /** The TTL as sent, or -1 when absent (§6.3: then treat it as 0xffffffff). */
    public long ttl() {
        return ttl;
    }

    @Override
    public int relayCommand() {
        return RelayCommand.END;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(21).u8(reason);
        if (address != null) {
            w.bytes(address.bytes());
            if (ttl >= 0) {
                w.u32(ttl);
            }
        }
        return w.toByteArray();
    }

    public static End decode(byte[] data) {
        if (data.length == 0) {
            return of(EndReason.MISC);
        }
        int reason = data[0] & 0xff;
        if (reason != EndReason.EXITPOLICY) {
            return of(reason);
        }
        int rest = data.length - 1;
        switch (rest) {
            case 4:
                return new End(reason, IpAddress.of(Bytes.slice(data, 1, 4)), -1);
            case 8:
                return new End(reason, IpAddress.of(Bytes.slice(data, 1, 4)), Bytes.u32(data, 5));
            case 16:
                return new End(reason, IpAddress.of(Bytes.slice(data, 1, 16)), -1);
            case 20:
                return new End(reason, IpAddress.of(Bytes.slice(data, 1, 16)), Bytes.u32(data, 17));
            default:
                return of(reason);
        }
    }

    @Override
    public String toString() {
        return "END[" + reasonName() + (address == null ? "" : " " + address + " ttl " + ttl) + "]";
    }
}
