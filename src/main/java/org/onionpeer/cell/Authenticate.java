package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * AUTHENTICATE (tor-spec §4.4): AuthType(2) AuthLen(2) Authentication(AuthLen); extra bytes are ignored. The
 * body (e.g. AUTH0003) is kept opaque here; the link layer builds and checks it.
 */
public final class Authenticate extends ChannelMessage {
    public static final int TYPE_RSA_SHA256_TLSSECRET = 1;
    public static final int TYPE_ED25519_SHA256_RFC5705 = 3;

    private final int authType;
    private final byte[] authentication;

    public Authenticate(int authType, byte[] authentication) {
        this.authType = FixedFields.u16(authType, "AuthType");
        if (authentication.length > Cell.MAX_VAR_PAYLOAD_LEN - 4) {
            throw new ProtocolException("AUTHENTICATE body too long");
        }
        this.authentication = authentication.clone();
    }

    public int authType() {
        return authType;
    }

    public byte[] authentication() {
        return authentication.clone();
    }

    @Override
    public int command() {
        return CellCommand.AUTHENTICATE;
    }

    @Override
    public byte[] encode() {
        return new ByteWriter(4 + authentication.length).u16(authType).u16(authentication.length)
                .bytes(authentication).toByteArray();
    }

    public static Authenticate decode(byte[] payload) {
        ByteReader r = new ByteReader(payload);
        int type = r.u16();
        int len = r.u16();
        return new Authenticate(type, r.bytes(len));
    }
}
