package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/** AUTH_CHALLENGE (tor-spec §4.3): Challenge(32) N_Methods(2) Methods(2 each); extra bytes are ignored. */
public final class AuthChallenge extends ChannelMessage {
    public static final int CHALLENGE_LEN = 32;
    /** Ed25519-SHA256-RFC5705 (tor-spec §4.4.2). */
    public static final int METHOD_ED25519_SHA256_RFC5705 = 3;

    private final byte[] challenge;
    private final int[] methods;

    public AuthChallenge(byte[] challenge, int[] methods) {
        this.challenge = FixedFields.exact(challenge, CHALLENGE_LEN, "AUTH_CHALLENGE challenge");
        if (methods.length > (Cell.MAX_VAR_PAYLOAD_LEN - CHALLENGE_LEN - 2) / 2) {
            throw new ProtocolException("too many AUTH_CHALLENGE methods");
        }
        for (int m : methods) {
            FixedFields.u16(m, "auth method");
        }
        this.methods = methods.clone();
    }

    public byte[] challenge() {
        return challenge.clone();
    }

    public int[] methods() {
        return methods.clone();
    }

    public boolean offers(int method) {
        for (int m : methods) {
            if (m == method) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int command() {
        return CellCommand.AUTH_CHALLENGE;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(CHALLENGE_LEN + 2 + 2 * methods.length);
        w.bytes(challenge).u16(methods.length);
        for (int m : methods) {
            w.u16(m);
        }
        return w.toByteArray();
    }

    public static AuthChallenge decode(byte[] payload) {
        ByteReader r = new ByteReader(payload);
        byte[] challenge = r.bytes(CHALLENGE_LEN);
        int n = r.u16();
        if (n * 2 > r.remaining()) {
            throw new ProtocolException("AUTH_CHALLENGE lists " + n + " methods, room for " + r.remaining() / 2);
        }
        int[] methods = new int[n];
        for (int i = 0; i < n; i++) {
            methods[i] = r.u16();
        }
        return new AuthChallenge(challenge, methods);
    }
}
