package org.onionpeer.cell;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * NETINFO (tor-spec §4.5): TIME(4) OTHERADDR NMYADDR(1) MYADDRS, each address ATYPE(1) ALEN(1) AVAL. Address
 * types 04 (IPv4, ALEN 4) and 06 (IPv6, ALEN 16) are understood; an unknown type or a wrong ALEN makes that one
 * address ignored, as §4.5 says, and bytes after the last address are ignored too.
 */
public final class Netinfo extends ChannelMessage {
    public static final int ATYPE_IPV4 = 4;
    public static final int ATYPE_IPV6 = 6;

    private final long time;
    private final IpAddress otherAddress;
    private final List<IpAddress> myAddresses;

    /** {@code otherAddress} may be null (encoded as ATYPE 0, ALEN 0, which every reader skips). */
    public Netinfo(long time, IpAddress otherAddress, List<IpAddress> myAddresses) {
        if (time < 0 || time > 0xffffffffL) {
            throw new ProtocolException("NETINFO time out of range");
        }
        if (myAddresses.size() > 255) {
            throw new ProtocolException("too many NETINFO addresses");
        }
        this.time = time;
        this.otherAddress = otherAddress;
        this.myAddresses = Collections.unmodifiableList(new ArrayList<>(myAddresses));
    }

    /** What a client sends (§4.5: clients SHOULD send time 0 and no addresses of their own). */
    public static Netinfo forClient(IpAddress peerAddress) {
        return new Netinfo(0, peerAddress, Collections.<IpAddress>emptyList());
    }

    /** Seconds since the Unix epoch, unsigned. */
    public long time() {
        return time;
    }

    /** The address the sender sees us at, or null if absent or unrecognized. */
    public IpAddress otherAddress() {
        return otherAddress;
    }

    /** The sender's own recognized addresses. */
    public List<IpAddress> myAddresses() {
        return myAddresses;
    }

    @Override
    public int command() {
        return CellCommand.NETINFO;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(64);
        w.u32(time);
        writeAddress(w, otherAddress);
        w.u8(myAddresses.size());
        for (IpAddress a : myAddresses) {
            writeAddress(w, a);
        }
        return w.toByteArray();
    }

    private static void writeAddress(ByteWriter w, IpAddress a) {
        if (a == null) {
            w.u8(0).u8(0);
        } else {
            w.u8(a.isIpv4() ? ATYPE_IPV4 : ATYPE_IPV6).u8(a.length()).bytes(a.bytes());
        }
    }

    public static Netinfo decode(byte[] payload) {
        ByteReader r = new ByteReader(payload);
        long time = r.u32();
        IpAddress other = readAddress(r);
        int n = r.u8();
        List<IpAddress> mine = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            IpAddress a = readAddress(r);
            if (a != null) {
                mine.add(a);
            }
        }
        return new Netinfo(time, other, mine);
    }

    /** Null for an address §4.5 says to ignore; a truncated field is still an error. */
    private static IpAddress readAddress(ByteReader r) {
        int type = r.u8();
        int len = r.u8();
        byte[] value = r.bytes(len);
        if ((type == ATYPE_IPV4 && len == 4) || (type == ATYPE_IPV6 && len == 16)) {
            return IpAddress.of(value);
        }
        return null;
    }
}
