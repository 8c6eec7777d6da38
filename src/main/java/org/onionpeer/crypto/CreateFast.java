package org.onionpeer.crypto;

import org.onionpeer.bytes.Bytes;

/**
 * The CREATE_FAST handshake (tor-spec §5.1.3 "CREATE_FAST/CREATED_FAST"), used only for the first hop over a
 * link already authenticated by TLS: the client sends X (20 random bytes), the server answers Y (20 random
 * bytes) and KH; both run KDF-TOR over K0 = X | Y (tor-spec §5.2.1) and split the output as
 * KH | Df | Db | Kf | Kb. The client checks the server's KH in constant time.
 *
 * <p>Randomness is passed in as bytes (X, Y) so that each platform supplies its own source and the
 * known-answer vectors stay deterministic. CREATE_FAST and CREATED_FAST are fixed-size cells with no length
 * field, so the decoders take the cell payload as is and ignore everything after the handshake bytes
 * (tor-spec: the rest is padding).
 */
public final class CreateFast {
    public static final int X_LEN = 20;
    public static final int Y_LEN = 20;
    public static final int KH_LEN = 20;
    public static final int REPLY_LEN = Y_LEN + KH_LEN;

    private CreateFast() {
    }

    /** The CREATED_FAST handshake: Y(20) KH(20). */
    public static final class Reply {
        private final byte[] y;
        private final byte[] kh;

        public Reply(byte[] y, byte[] kh) {
            if (y.length != Y_LEN || kh.length != KH_LEN) {
                throw new IllegalArgumentException("CREATED_FAST needs Y(20) and KH(20)");
            }
            this.y = y.clone();
            this.kh = kh.clone();
        }

        public byte[] y() {
            return y.clone();
        }

        public byte[] kh() {
            return kh.clone();
        }

        public byte[] encode() {
            return Bytes.concat(y, kh);
        }

        /** Reads Y and KH from the start of a CREATED_FAST payload; trailing padding is ignored. */
        public static Reply decode(byte[] payload) {
            if (payload == null || payload.length < REPLY_LEN) {
                throw new HandshakeException(HandshakeException.Reason.MALFORMED, "CREATED_FAST payload needs "
                        + REPLY_LEN + " bytes, got " + (payload == null ? 0 : payload.length));
            }
            return new Reply(Bytes.slice(payload, 0, Y_LEN), Bytes.slice(payload, Y_LEN, KH_LEN));
        }
    }

    /** The client's side: holds X until CREATED_FAST arrives. */
    public static final class Client {
        private final byte[] x;

        private Client(byte[] x) {
            this.x = x;
        }

        /** The CREATE_FAST handshake body: X. */
        public byte[] onionskin() {
            return x.clone();
        }

        /** Checks KH from CREATED_FAST and returns the hop's keys; {@link HandshakeException} if KH is wrong. */
        public HopKeys finish(byte[] createdFastPayload) {
            Reply r = Reply.decode(createdFastPayload);
            byte[] k = KdfTor.expand(Bytes.concat(x, r.y), HopKeys.MATERIAL_LEN);
            HopKeys keys = HopKeys.fromKdfTor(k);
            if (!Bytes.constantTimeEquals(keys.kh(), r.kh)) {
                throw new HandshakeException(HandshakeException.Reason.BAD_AUTH,
                        "CREATED_FAST: KH does not match the derived key (tor-spec 5.1.3)");
            }
            return keys;
        }
    }

    /** Starts a client handshake with {@code x}: 20 fresh random bytes from the platform's CSPRNG. */
    public static Client client(byte[] x) {
        if (x.length != X_LEN) {
            throw new IllegalArgumentException("CREATE_FAST X must be 20 bytes");
        }
        return new Client(x.clone());
    }

    /** What the server sends back (CREATED_FAST handshake bytes) and keeps (the hop's keys). */
    public static final class ServerResult {
        public final byte[] reply;
        public final HopKeys keys;

        ServerResult(byte[] reply, HopKeys keys) {
            this.reply = reply;
            this.keys = keys;
        }
    }

    /**
     * Answers a CREATE_FAST payload (X in its first 20 bytes, padding ignored) with {@code y}: 20 fresh random
     * bytes. {@link HandshakeException} if the payload is shorter than X.
     */
    public static ServerResult server(byte[] createFastPayload, byte[] y) {
        if (y.length != Y_LEN) {
            throw new IllegalArgumentException("CREATED_FAST Y must be 20 bytes");
        }
        byte[] x = parseX(createFastPayload);
        HopKeys keys = HopKeys.fromKdfTor(KdfTor.expand(Bytes.concat(x, y), HopKeys.MATERIAL_LEN));
        return new ServerResult(new Reply(y, keys.kh()).encode(), keys);
    }

    /** The X of a CREATE_FAST payload; trailing padding is ignored. */
    public static byte[] parseX(byte[] createFastPayload) {
        if (createFastPayload == null || createFastPayload.length < X_LEN) {
            throw new HandshakeException(HandshakeException.Reason.MALFORMED, "CREATE_FAST payload needs "
                    + X_LEN + " bytes, got " + (createFastPayload == null ? 0 : createFastPayload.length));
        }
        return Bytes.slice(createFastPayload, 0, X_LEN);
    }
}
