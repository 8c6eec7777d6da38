package org.onionpeer.cell;

import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_BEGIN (tor-spec §6.2): ADDRPORT "address:port" NUL-terminated, then an optional FLAGS(4). The address is
 * a hostname, a dotted quad, or an IPv6 literal in square brackets; the port is decimal 1..65535. Bytes after
 * FLAGS, or a FLAGS field shorter than 4 bytes, are ignored (tor does the same; see its test_cell_formats.c).
 */
public final class Begin extends RelayMessage {
    /** Bit 1: IPv6 okay. */
    public static final long FLAG_IPV6_OK = 1;
    /** Bit 2: IPv4 not okay. */
    public static final long FLAG_IPV4_NOT_OK = 2;
    /** Bit 3: IPv6 preferred. */
    public static final long FLAG_IPV6_PREFERRED = 4;

    private final String host;
    private final int port;
    private final long flags;

    /**
     * {@code host} is a hostname or IPv4 literal, or an IPv6 literal without brackets (recognised by its ':');
     * {@code flags} 0 is sent as no FLAGS field at all.
     */
    public Begin(String host, int port, long flags) {
        checkHost(host);
        if (port < 1 || port > 65535) {
            throw new ProtocolException("BEGIN port out of range: " + port);
        }
        this.host = host;
        this.port = port;
        this.flags = FixedFields.u32(flags, "BEGIN flags");
        RelayData.fits(encode(), "BEGIN");
    }

    public Begin(String host, int port) {
        this(host, port, 0);
    }

    private static void checkHost(String host) {
        if (host.isEmpty()) {
            throw new ProtocolException("BEGIN address is empty");
        }
        boolean v6 = host.indexOf(':') >= 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '[' || c == ']') {
                throw new ProtocolException("BEGIN address has a bad character");
            }
            if (v6 && !(c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                    || (c >= 'A' && c <= 'F'))) {
                throw new ProtocolException("BEGIN IPv6 literal has a bad character");
            }
        }
    }

    public String host() {
        return host;
    }

    public boolean isIpv6Literal() {
        return host.indexOf(':') >= 0;
    }

    public int port() {
        return port;
    }

    public long flags() {
        return flags;
    }

    @Override
    public int relayCommand() {
        return RelayCommand.BEGIN;
    }

    @Override
    public byte[] encode() {
        String addr = (isIpv6Literal() ? "[" + host + "]" : host) + ":" + port;
        ByteWriter w = new ByteWriter(addr.length() + 5);
        w.bytes(Bytes.ascii(addr)).u8(0);
        if (flags != 0) {
            w.u32(flags);
        }
        return w.toByteArray();
    }

    public static Begin decode(byte[] data) {
        int nul = RelayData.nul(data, 0);
        if (nul < 0) {
            throw new ProtocolException("BEGIN address is not NUL-terminated");
        }
        String addrPort = RelayData.asciiToken(data, 0, nul, "BEGIN address");
        String host;
        String portText;
        if (addrPort.startsWith("[")) {
            int close = addrPort.indexOf(']');
            if (close < 0 || close + 1 >= addrPort.length() || addrPort.charAt(close + 1) != ':') {
                throw new ProtocolException("BEGIN IPv6 literal malformed");
            }
            host = addrPort.substring(1, close);
            if (host.indexOf(':') < 0) {
                throw new ProtocolException("bracketed BEGIN address is not IPv6");
            }
            portText = addrPort.substring(close + 2);
        } else {
            int colon = addrPort.indexOf(':');
            if (colon < 0 || addrPort.indexOf(':', colon + 1) >= 0) {
                throw new ProtocolException("BEGIN address needs exactly one ':' before the port");
            }
            host = addrPort.substring(0, colon);
            portText = addrPort.substring(colon + 1);
        }
        int port = parsePort(portText);
        long flags = 0;
        if (data.length - (nul + 1) >= 4) {
            flags = Bytes.u32(data, nul + 1);
        }
        return new Begin(host, port, flags);
    }

    private static int parsePort(String s) {
        if (s.isEmpty() || s.length() > 5) {
            throw new ProtocolException("BEGIN port malformed");
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("BEGIN port is not decimal");
            }
            v = v * 10 + (c - '0');
        }
        if (v < 1 || v > 65535) {
            throw new ProtocolException("BEGIN port out of range: " + v);
        }
        return v;
    }

    @Override
    public String toString() {
        return "BEGIN[" + host + " " + port + " flags " + flags + "]";
    }
}
