package org.onionpeer.cell;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_EXTEND2 (tor-spec §5.1.2): NSPEC(1) {LSTYPE LSLEN LSPEC} HTYPE(2) HLEN(2) HDATA. More than one legacy or
 * more than one Ed25519 identity is rejected (§5.1.2 SHOULD); bytes after HDATA are ignored (tor does the same).
 * Senders should list specifiers in the order 00, 02, 03, 01; this type keeps whatever order it is given.
 */
public final class Extend2 extends RelayMessage {
    private final List<LinkSpecifier> specifiers;
    private final int handshakeType;
    private final byte[] handshakeData;

    public Extend2(List<LinkSpecifier> specifiers, int handshakeType, byte[] handshakeData) {
        if (specifiers.size() > 255) {
            throw new ProtocolException("too many link specifiers");
        }
        int rsa = 0;
        int ed = 0;
        for (LinkSpecifier s : specifiers) {
            if (s.type() == LinkSpecifier.TYPE_RSA_ID) {
                rsa++;
            } else if (s.type() == LinkSpecifier.TYPE_ED25519_ID) {
                ed++;
            }
        }
        if (rsa > 1 || ed > 1) {
            throw new ProtocolException("EXTEND2 lists an identity more than once");
        }
        this.specifiers = Collections.unmodifiableList(new ArrayList<>(specifiers));
        this.handshakeType = FixedFields.u16(handshakeType, "HTYPE");
        this.handshakeData = handshakeData.clone();
        RelayData.fits(encode(), "EXTEND2");
    }

    public List<LinkSpecifier> specifiers() {
        return specifiers;
    }

    /** The first specifier of {@code type}, or null. */
    public LinkSpecifier first(int type) {
        for (LinkSpecifier s : specifiers) {
            if (s.type() == type) {
                return s;
            }
        }
        return null;
    }

    public int handshakeType() {
        return handshakeType;
    }

    public byte[] handshakeData() {
        return handshakeData.clone();
    }

    /** The CREATE2 the extending relay sends on (tor-spec §5.3). */
    public Create2 toCreate2() {
        return new Create2(handshakeType, handshakeData);
    }

    @Override
    public int relayCommand() {
        return RelayCommand.EXTEND2;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(128);
        w.u8(specifiers.size());
        for (LinkSpecifier s : specifiers) {
            s.encodeInto(w);
        }
        w.u16(handshakeType).u16(handshakeData.length).bytes(handshakeData);
        return w.toByteArray();
    }

    public static Extend2 decode(byte[] data) {
        ByteReader r = new ByteReader(data);
        int n = r.u8();
        List<LinkSpecifier> specs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            specs.add(LinkSpecifier.decodeFrom(r));
        }
        int type = r.u16();
        int len = r.u16();
        return new Extend2(specs, type, r.bytes(len));
    }
}
