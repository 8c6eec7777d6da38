package org.onionpeer.cell;

import java.util.Arrays;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * One link specifier of EXTEND2 (tor-spec §5.1.2): LSTYPE(1) LSLEN(1) LSPEC. Types 00 IPv4+port (6 bytes),
 * 01 IPv6+port (18), 02 legacy RSA identity (20), 03 Ed25519 identity (32) must have exactly those lengths;
 * other types are kept as raw bytes, since nodes MUST ignore (and so pass over) unrecognized specifiers.
 */
public final class LinkSpecifier {
    public static final int TYPE_IPV4 = 0;
    public static final int TYPE_IPV6 = 1;
    public static final int TYPE_RSA_ID = 2;
    public static final int TYPE_ED25519_ID = 3;

    private final int type;
    private final byte[] body;

    private LinkSpecifier(int type, byte[] body) {
        this.type = FixedFields.u8(type, "link specifier type");
        if (body.length > 255) {
            throw new ProtocolException("link specifier too long: " + body.length);
        }
        int want = expectedLength(type);
        if (want >= 0 && body.length != want) {
            throw new ProtocolException("link specifier type " + type + " needs " + want + " bytes, not "
                    + body.length);
        }
        this.body = body;
    }

    /** Length rule per known type, -1 for unknown types. */
    public static int expectedLength(int type) {
        switch (type) {
            case TYPE_IPV4:
                return 6;
            case TYPE_IPV6:
                return 18;
            case TYPE_RSA_ID:
                return 20;
            case TYPE_ED25519_ID:
                return 32;
            default:
                return -1;
        }
    }

    public static LinkSpecifier ipv4(IpAddress address, int port) {
        if (!address.isIpv4()) {
            throw new ProtocolException("not an IPv4 address");
        }
        return new LinkSpecifier(TYPE_IPV4, Bytes.concat(address.bytes(), port(port)));
    }

    public static LinkSpecifier ipv6(IpAddress address, int port) {
        if (address.isIpv4()) {
            throw new ProtocolException("not an IPv6 address");
        }
        return new LinkSpecifier(TYPE_IPV6, Bytes.concat(address.bytes(), port(port)));
    }

    public static LinkSpecifier rsaId(byte[] sha1OfIdentityKey) {
        return new LinkSpecifier(TYPE_RSA_ID, FixedFields.exact(sha1OfIdentityKey, 20, "RSA identity"));
    }

    public static LinkSpecifier ed25519Id(byte[] key) {
        return new LinkSpecifier(TYPE_ED25519_ID, FixedFields.exact(key, 32, "Ed25519 identity"));
    }

    /** Any type, checked against the known-type lengths. */
    public static LinkSpecifier raw(int type, byte[] body) {
        return new LinkSpecifier(type, body.clone());
    }

    private static byte[] port(int port) {
        FixedFields.u16(port, "port");
        return new byte[] {(byte) (port >>> 8), (byte) port};
    }

    public int type() {
        return type;
    }

    public boolean isKnownType() {
        return expectedLength(type) >= 0;
    }

    public byte[] body() {
        return body.clone();
    }

    /** For IPv4/IPv6 specifiers: the address; otherwise ProtocolException. */
    public IpAddress address() {
        requireAddress();
        return IpAddress.of(Bytes.slice(body, 0, body.length - 2));
    }

    public int port() {
        requireAddress();
        return Bytes.u16(body, body.length - 2);
    }

    /** For identity specifiers: the 20- or 32-byte identity. */
    public byte[] identity() {
        if (type != TYPE_RSA_ID && type != TYPE_ED25519_ID) {
            throw new ProtocolException("not an identity link specifier");
        }
        return body.clone();
    }

    private void requireAddress() {
        if (type != TYPE_IPV4 && type != TYPE_IPV6) {
            throw new ProtocolException("not an address link specifier");
        }
    }

    public void encodeInto(ByteWriter w) {
        w.u8(type).u8(body.length).bytes(body);
    }

    public byte[] encode() {
        ByteWriter w = new ByteWriter(2 + body.length);
        encodeInto(w);
        return w.toByteArray();
    }

    public static LinkSpecifier decodeFrom(ByteReader r) {
        int type = r.u8();
        int len = r.u8();
        return new LinkSpecifier(type, r.bytes(len));
    }

    /** Exactly one specifier, no trailing bytes. */
    public static LinkSpecifier decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        LinkSpecifier s = decodeFrom(r);
        if (r.hasRemaining()) {
            throw new ProtocolException("trailing bytes after link specifier");
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkSpecifier && ((LinkSpecifier) o).type == type
                && Arrays.equals(((LinkSpecifier) o).body, body);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        switch (type) {
            case TYPE_IPV4:
                return "ls[" + address() + ":" + port() + "]";
            case TYPE_IPV6:
                return "ls[[" + address() + "]:" + port() + "]";
            case TYPE_RSA_ID:
                return "ls[rsa " + Bytes.hex(body) + "]";
            case TYPE_ED25519_ID:
                return "ls[ed25519 " + Bytes.hex(body) + "]";
            default:
                return "ls[type " + type + " " + Bytes.hex(body) + "]";
        }
    }
}
