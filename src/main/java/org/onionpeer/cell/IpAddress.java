package org.onionpeer.cell;

import java.util.Arrays;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address in network order, as carried in NETINFO, CONNECTED, etc. */
public final class IpAddress {
    private final byte[] bytes;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Throws ProtocolException unless {@code b} is 4 or 16 bytes long. */
    public static IpAddress of(byte[] b) {
        if (b.length != 4 && b.length != 16) {
            throw new ProtocolException("address must be 4 or 16 bytes, not " + b.length);
        }
        return new IpAddress(b.clone());
    }

    public static IpAddress ipv4(int a, int b, int c, int d) {
        return new IpAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    }

    public boolean isIpv4() {
        return bytes.length == 4;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** Dotted quad, or RFC 5952 text for IPv6 (longest zero run of two or more groups shortened to "::"). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (isIpv4()) {
            for (int i = 0; i < 4; i++) {
                if (i > 0) {
                    sb.append('.');
                }
                sb.append(bytes[i] & 0xff);
            }
            return sb.toString();
        }
        int bestAt = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && Bytes.u16(bytes, 2 * j) == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(Bytes.u16(bytes, 2 * i)));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress && Arrays.equals(((IpAddress) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
