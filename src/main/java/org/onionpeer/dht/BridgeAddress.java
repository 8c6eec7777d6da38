package org.onionpeer.dht;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * Where a peer's bridge listens (the Peersm "IP:port" of the bridge that can introduce the peer): a host
 * name or IP literal and a port. Wire form: host length (1), host (ASCII), port (2); a zero host length
 * means "no bridge", which {@link #readOptional} returns as null.
 */
public final class BridgeAddress {
    public static final int MAX_HOST = 253;

    private final String host;
    private final int port;

    private BridgeAddress(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** A host of 1..253 characters from [A-Za-z0-9.-:] (names, IPv4, bare IPv6) and a port of 1..65535. */
    public static BridgeAddress of(String host, int port) {
        if (host.isEmpty() || host.length() > MAX_HOST) {
            throw new ProtocolException("bridge host length out of 1..253");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '-' || c == ':';
            if (!ok) {
                throw new ProtocolException("bridge host has a bad character");
            }
        }
        if (port < 1 || port > 65535) {
            throw new ProtocolException("bridge port out of 1..65535");
        }
        return new BridgeAddress(host, port);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    static void writeOptional(BridgeAddress a, ByteWriter out) {
        if (a == null) {
            out.u8(0);
            return;
        }
        byte[] h = Bytes.ascii(a.host);
        out.u8(h.length).bytes(h).u16(a.port);
    }

    static BridgeAddress readOptional(ByteReader r) {
        int n = r.u8();
        if (n == 0) {
            return null;
        }
        byte[] h = r.bytes(n);
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) (h[i] & 0xff);
        }
        return of(new String(c), r.u16());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BridgeAddress && ((BridgeAddress) o).host.equals(host) && ((BridgeAddress) o).port == port;
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
