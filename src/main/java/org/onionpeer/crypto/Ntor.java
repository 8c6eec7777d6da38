package org.onionpeer.crypto;

import java.util.Arrays;
import java.util.List;
import org.onionpeer.bytes.Bytes;

/**
 * The ntor handshake (tor-spec §5.1.4 "The ntor handshake", PROTOID "ntor-curve25519-sha256-1"), carried in
 * CREATE2/CREATED2 and EXTEND2/EXTENDED2 with HTYPE 2.
 *
 * <pre>
 * client -> server  NODEID(20) KEYID=B(32) X(32)                       (84 bytes)
 * server -> client  Y(32) AUTH(32)                                      (64 bytes)
 * secret_input = EXP(X,y) | EXP(X,b) | ID | B | X | Y | PROTOID          (server's view; the client computes
 *                EXP(Y,x) | EXP(B,x) | ...)
 * KEY_SEED = H(secret_input, t_key)   verify = H(secret_input, t_verify)
 * auth_input = verify | ID | B | Y | X | PROTOID | "Server"   AUTH = H(auth_input, t_mac)
 * keys = KDF-RFC5869(secret_input, t_key, m_expand) -> Df Db Kf Kb KH   (H = HMAC-SHA256 keyed with t)
 * </pre>
 *
 * X25519 comes from {@link Curve25519} (Bouncy Castle's rfc7748 code on the JVM, doubles in the page).
 * Ephemeral secrets (x, y) are passed in as 32 random bytes from the platform's CSPRNG, so vectors are
 * deterministic. Every failure on the peer's bytes is a {@link HandshakeException} (a ProtocolException) with a {@link HandshakeException.Reason}.
 * The decoders are strict about length: CREATE2/CREATED2 carry an explicit HLEN.
 */
public final class Ntor {
    public static final int NODE_ID_LEN = 20;
    public static final int KEY_LEN = 32;
    public static final int AUTH_LEN = 32;
    public static final int ONIONSKIN_LEN = NODE_ID_LEN + KEY_LEN + KEY_LEN;
    public static final int REPLY_LEN = KEY_LEN + AUTH_LEN;
    /** The CREATE2 HTYPE of this handshake. */
    public static final int HTYPE = 2;

    private static final byte[] PROTOID = Bytes.ascii("ntor-curve25519-sha256-1");
    private static final byte[] T_MAC = Bytes.ascii("ntor-curve25519-sha256-1:mac");
    private static final byte[] T_KEY = Bytes.ascii("ntor-curve25519-sha256-1:key_extract");
    private static final byte[] T_VERIFY = Bytes.ascii("ntor-curve25519-sha256-1:verify");
    private static final byte[] M_EXPAND = Bytes.ascii("ntor-curve25519-sha256-1:key_expand");
    private static final byte[] SERVER = Bytes.ascii("Server");

    private Ntor() {
    }

    /** The client's handshake: NODEID(20) KEYID(32) X(32). */
    public static final class Onionskin {
        private final byte[] nodeId;
        private final byte[] keyId;
        private final byte[] x;

        public Onionskin(byte[] nodeId, byte[] keyId, byte[] x) {
            if (nodeId.length != NODE_ID_LEN || keyId.length != KEY_LEN || x.length != KEY_LEN) {
                throw new IllegalArgumentException("ntor onionskin needs NODEID(20) KEYID(32) X(32)");
            }
            this.nodeId = nodeId.clone();
            this.keyId = keyId.clone();
            this.x = x.clone();
        }

        public byte[] nodeId() {
            return nodeId.clone();
        }

        public byte[] keyId() {
            return keyId.clone();
        }

        public byte[] x() {
            return x.clone();
        }

        public byte[] encode() {
            return Bytes.concat(nodeId, keyId, x);
        }

        public static Onionskin decode(byte[] hdata) {
            exactLength(hdata, ONIONSKIN_LEN, "ntor onionskin");
            return new Onionskin(Bytes.slice(hdata, 0, NODE_ID_LEN), Bytes.slice(hdata, NODE_ID_LEN, KEY_LEN),
                    Bytes.slice(hdata, NODE_ID_LEN + KEY_LEN, KEY_LEN));
        }
    }

    /** The server's handshake: Y(32) AUTH(32). */
    public static final class Reply {
        private final byte[] y;
        private final byte[] auth;

        public Reply(byte[] y, byte[] auth) {
            if (y.length != KEY_LEN || auth.length != AUTH_LEN) {
                throw new IllegalArgumentException("ntor reply needs Y(32) AUTH(32)");
            }
            this.y = y.clone();
            this.auth = auth.clone();
        }

        public byte[] y() {
            return y.clone();
        }

        public byte[] auth() {
            return auth.clone();
        }

        public byte[] encode() {
            return Bytes.concat(y, auth);
        }

        public static Reply decode(byte[] hdata) {
            exactLength(hdata, REPLY_LEN, "ntor reply");
            return new Reply(Bytes.slice(hdata, 0, KEY_LEN), Bytes.slice(hdata, KEY_LEN, AUTH_LEN));
        }
    }

    private static void exactLength(byte[] b, int n, String what) {
        if (b == null || b.length != n) {
            throw new HandshakeException(HandshakeException.Reason.MALFORMED,
                    what + " must be " + n + " bytes, got " + (b == null ? 0 : b.length));
        }
    }

    /** A Curve25519 key pair: the relay's onion key (b, B) or an ephemeral one. */
    public static final class Keypair {
        private final byte[] secret;
        private final byte[] pub;

        private Keypair(byte[] secret, byte[] pub) {
            this.secret = secret;
            this.pub = pub;
        }

        /** From 32 secret bytes (clamped by X25519 on use, RFC 7748 §5). */
        public static Keypair fromSecret(byte[] secret32) {
            if (secret32.length != KEY_LEN) {
                throw new IllegalArgumentException("Curve25519 secret must be 32 bytes");
            }
            return new Keypair(secret32.clone(), Ntor.publicKey(secret32));
        }

        public byte[] publicKey() {
            return pub.clone();
        }

        byte[] secret() {
            return secret;
        }
    }

    /** X25519(secret, 9): the public key for 32 secret bytes. */
    public static byte[] publicKey(byte[] secret32) {
        if (secret32.length != KEY_LEN) {
            throw new IllegalArgumentException("Curve25519 secret must be 32 bytes");
        }
        byte[] pub = new byte[KEY_LEN];
        Curve25519.scalarMultBase(secret32, pub);
        return pub;
    }

    /** X25519(secret, point); false in {@code ok[0]} when the result is all zero (a low-order point). */
    private static byte[] dh(byte[] secret, byte[] point, boolean[] ok) {
        byte[] out = new byte[KEY_LEN];
        ok[0] &= Curve25519.agreement(secret, point, out);
        return out;
    }

    /** secret_input, then KEY material and AUTH, from the two shared secrets and the public values. */
    private static byte[][] derive(byte[] xy, byte[] xb, byte[] id, byte[] b, byte[] x, byte[] y) {
        byte[] secretInput = Bytes.concat(xy, xb, id, b, x, y, PROTOID);
        byte[] verify = Hashes.hmacSha256(T_VERIFY, secretInput);
        byte[] auth = Hashes.hmacSha256(T_MAC, verify, id, b, y, x, PROTOID, SERVER);
        byte[] keys = Hkdf.derive(secretInput, T_KEY, M_EXPAND, HopKeys.MATERIAL_LEN);
        Arrays.fill(secretInput, (byte) 0);
        return new byte[][] {keys, auth};
    }

    /** The client's side: holds x until CREATED2 arrives. */
    public static final class Client {
        private final byte[] nodeId;
        private final byte[] b;
        private final Keypair eph;

        private Client(byte[] nodeId, byte[] b, Keypair eph) {
            this.nodeId = nodeId;
            this.b = b;
            this.eph = eph;
        }

        /** The CREATE2 HDATA: NODEID | B | X (84 bytes). */
        public byte[] onionskin() {
            return new Onionskin(nodeId, b, eph.pub).encode();
        }

        /**
         * Checks the server's Y | AUTH (CREATED2 HDATA, exactly 64 bytes) and returns the hop's keys.
         * {@link HandshakeException}: MALFORMED (length), BAD_POINT (an all-zero shared secret), BAD_AUTH.
         */
        public HopKeys finish(byte[] reply) {
            Reply r = Reply.decode(reply);
            boolean[] ok = {true};
            byte[] xy = dh(eph.secret, r.y, ok);
            byte[] xb = dh(eph.secret, b, ok);
            byte[][] ka = derive(xy, xb, nodeId, b, eph.pub, r.y);
            // Compare AUTH whatever the points were, in constant time, and only then decide (tor-spec 5.1.4).
            boolean authOk = Bytes.constantTimeEquals(ka[1], r.auth);
            if (!ok[0]) {
                throw new HandshakeException(HandshakeException.Reason.BAD_POINT,
                        "ntor: all-zero shared secret (server sent a low-order point)");
            }
            if (!authOk) {
                throw new HandshakeException(HandshakeException.Reason.BAD_AUTH, "ntor: AUTH does not verify");
            }
            return HopKeys.fromHkdf(ka[0]);
        }
    }

    /**
     * Starts a client handshake toward the relay with RSA identity digest {@code nodeId} (20) and ntor onion
     * key {@code onionKeyB} (32); {@code xSecret} is 32 fresh random bytes.
     */
    public static Client client(byte[] nodeId, byte[] onionKeyB, byte[] xSecret) {
        if (nodeId.length != NODE_ID_LEN || onionKeyB.length != KEY_LEN) {
            throw new IllegalArgumentException("ntor client needs NODEID(20) and B(32)");
        }
        return new Client(nodeId.clone(), onionKeyB.clone(), Keypair.fromSecret(xSecret));
    }

    /** What the server sends back (CREATED2 HDATA: Y | AUTH) and keeps (the hop's keys). */
    public static final class ServerResult {
        public final byte[] reply;
        public final HopKeys keys;

        ServerResult(byte[] reply, HopKeys keys) {
            this.reply = reply;
            this.keys = keys;
        }
    }

    /**
     * The parsing half of the server: decodes the onionskin, checks NODEID against ours and selects the onion
     * key named by KEYID (scanning all keys in constant time; relays keep the current and previous key).
     * No curve arithmetic; fuzzed on its own.
     */
    public static Keypair selectKey(byte[] ourNodeId, List<Keypair> onionKeys, Onionskin skin) {
        Keypair found = null;
        for (Keypair k : onionKeys) {
            if (Bytes.constantTimeEquals(k.pub, skin.keyId) & found == null) {
                found = k;
            }
        }
        if (!Bytes.constantTimeEquals(ourNodeId, skin.nodeId)) {
            throw new HandshakeException(HandshakeException.Reason.UNKNOWN_NODE_ID,
                    "ntor: NODEID " + Bytes.hex(skin.nodeId) + " is not this relay");
        }
        if (found == null) {
            throw new HandshakeException(HandshakeException.Reason.UNKNOWN_KEY_ID,
                    "ntor: KEYID " + Bytes.hex(skin.keyId) + " is none of our onion keys");
        }
        return found;
    }

    /**
     * Answers an ntor onionskin as the relay with RSA identity digest {@code ourNodeId} holding
     * {@code onionKeys}, using {@code ySecret} (32 fresh random bytes) as its ephemeral key.
     * {@link HandshakeException}: MALFORMED, UNKNOWN_NODE_ID, UNKNOWN_KEY_ID, BAD_POINT (X is low-order).
     */
    public static ServerResult server(byte[] ourNodeId, List<Keypair> onionKeys, byte[] onionskin, byte[] ySecret) {
        if (ourNodeId.length != NODE_ID_LEN) {
            throw new IllegalArgumentException("NODEID must be 20 bytes");
        }
        Onionskin skin = Onionskin.decode(onionskin);
        Keypair key = selectKey(ourNodeId, onionKeys, skin);
        Keypair eph = Keypair.fromSecret(ySecret);
        boolean[] ok = {true};
        byte[] xy = dh(eph.secret, skin.x, ok);
        byte[] xb = dh(key.secret, skin.x, ok);
        if (!ok[0]) {
            throw new HandshakeException(HandshakeException.Reason.BAD_POINT,
                    "ntor: all-zero shared secret (client sent a low-order point X)");
        }
        byte[][] ka = derive(xy, xb, ourNodeId, key.pub, skin.x, eph.pub);
        return new ServerResult(new Reply(eph.pub, ka[1]).encode(), HopKeys.fromHkdf(ka[0]));
    }
}
