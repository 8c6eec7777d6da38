package org.onionpeer.crypto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA3Digest;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * The ntor v3 handshake (proposal 332 "Ntor protocol with extra data, version 3", now tor-spec "The ntor-v3
 * handshake"), carried in CREATE2/CREATED2 and EXTEND2/EXTENDED2 with HTYPE 3. Unlike ntor v1 it carries an
 * encrypted, authenticated message each way; tor uses them to negotiate congestion control (proposal 324
 * §10.3, see {@link Extensions}).
 *
 * <pre>
 * client -> server  ID(32, Ed25519 identity) B(32) X(32) MSG(len CM) MAC(32)
 * server -> client  Y(32) AUTH(32) MSG(len SM, to the end)
 *
 * ENCAP(s) = u64 big-endian len(s) | s
 * H(s,t) = SHA3-256(ENCAP(t) | s)     MAC(k,m,t) = SHA3-256(ENCAP(t) | ENCAP(k) | m)
 * KDF(s,t) = SHAKE-256(ENCAP(t) | s)  ENC(k,m) = AES-256-CTR(k, m) with an all-zero IV
 *
 * phase1 = KDF_msgkdf(Bx | ID | X | B | PROTOID | ENCAP(VER)) -> ENC_K1(32) MAC_K1(32)
 * MSG = ENC(ENC_K1, CM)   MAC = MAC_msgmac(MAC_K1, ID | B | X | MSG)
 * secret_input = Xy | Xb | ID | B | X | Y | PROTOID | ENCAP(VER)
 * key_seed = H_key_seed(secret_input)   verify = H_verify(secret_input)
 * KDF_final(key_seed) -> ENC_KEY(32) | KEYSTREAM...    server MSG = ENC(ENC_KEY, SM)
 * AUTH = H_auth(verify | ID | B | Y | X | MAC | ENCAP(server MSG) | PROTOID | "Server")
 * </pre>
 *
 * For circuit extension VER is "circuit extend" (tor src/core/crypto/onion_crypto.c
 * NTOR3_CIRC_VERIFICATION; Arti uses the same) and KEYSTREAM is split like ntor v1's key material,
 * Df(20) Db(20) Kf(16) Kb(16) KH(20) (proposal 332 §A.2), giving a {@link HopKeys} for "tor1" relay crypto.
 * Ephemeral secrets come in as 32 random bytes so that vectors are deterministic. Every failure on the
 * peer's bytes is a {@link HandshakeException}.
 */
public final class NtorV3 {
    /** The CREATE2 HTYPE of this handshake (tor-spec "CREATE2": 0x0003 ntor-v3; tor or.h ONION_HANDSHAKE_TYPE_NTOR_V3). */
    public static final int HTYPE = 3;
    public static final int ID_LEN = 32;
    public static final int KEY_LEN = 32;
    public static final int MAC_LEN = 32;
    /** ID B X MAC with an empty message. */
    public static final int MIN_ONIONSKIN_LEN = ID_LEN + 2 * KEY_LEN + MAC_LEN;
    /** Y AUTH with an empty message. */
    public static final int MIN_REPLY_LEN = KEY_LEN + MAC_LEN;
    /** CREATE2/CREATED2 HLEN is a u16, so neither handshake can be longer. */
    public static final int MAX_HANDSHAKE_LEN = 0xffff;

    private static final String PROTOID_S = "ntor3-curve25519-sha3_256-1";
    private static final byte[] PROTOID = Bytes.ascii(PROTOID_S);
    private static final byte[] T_MSGKDF = Bytes.ascii(PROTOID_S + ":kdf_phase1");
    private static final byte[] T_MSGMAC = Bytes.ascii(PROTOID_S + ":msg_mac");
    private static final byte[] T_KEY_SEED = Bytes.ascii(PROTOID_S + ":key_seed");
    private static final byte[] T_VERIFY = Bytes.ascii(PROTOID_S + ":verify");
    private static final byte[] T_FINAL = Bytes.ascii(PROTOID_S + ":kdf_final");
    private static final byte[] T_AUTH = Bytes.ascii(PROTOID_S + ":auth_final");
    private static final byte[] SERVER = Bytes.ascii("Server");
    /** The verification string for circuit extension (tor onion_crypto.c NTOR3_CIRC_VERIFICATION). */
    private static final byte[] CIRCUIT_VERIFICATION = Bytes.ascii("circuit extend");

    private NtorV3() {
    }

    /** The client's handshake: ID(32) B(32) X(32) MSG MAC(32). */
    public static final class Onionskin {
        private final byte[] id;
        private final byte[] b;
        private final byte[] x;
        private final byte[] msg;
        private final byte[] mac;

        public Onionskin(byte[] id, byte[] b, byte[] x, byte[] encryptedMessage, byte[] mac) {
            if (id.length != ID_LEN || b.length != KEY_LEN || x.length != KEY_LEN || mac.length != MAC_LEN
                    || encryptedMessage.length > MAX_HANDSHAKE_LEN - MIN_ONIONSKIN_LEN) {
                throw new IllegalArgumentException("ntor3 onionskin needs ID(32) B(32) X(32) MSG MAC(32)");
            }
            this.id = id.clone();
            this.b = b.clone();
            this.x = x.clone();
            this.msg = encryptedMessage.clone();
            this.mac = mac.clone();
        }

        public byte[] id() {
            return id.clone();
        }

        public byte[] keyId() {
            return b.clone();
        }

        public byte[] x() {
            return x.clone();
        }

        public byte[] encryptedMessage() {
            return msg.clone();
        }

        public byte[] mac() {
            return mac.clone();
        }

        public byte[] encode() {
            return Bytes.concat(id, b, x, msg, mac);
        }

        /** The message runs from X to the last 32 bytes (proposal 332 "Client operation, phase 1"). */
        public static Onionskin decode(byte[] hdata) {
            lengthBetween(hdata, MIN_ONIONSKIN_LEN, "ntor3 onionskin");
            int msgLen = hdata.length - MIN_ONIONSKIN_LEN;
            int o = ID_LEN + 2 * KEY_LEN;
            return new Onionskin(Bytes.slice(hdata, 0, ID_LEN), Bytes.slice(hdata, ID_LEN, KEY_LEN),
                    Bytes.slice(hdata, ID_LEN + KEY_LEN, KEY_LEN), Bytes.slice(hdata, o, msgLen),
                    Bytes.slice(hdata, o + msgLen, MAC_LEN));
        }
    }

    /** The server's handshake: Y(32) AUTH(32) MSG (to the end). */
    public static final class Reply {
        private final byte[] y;
        private final byte[] auth;
        private final byte[] msg;

        public Reply(byte[] y, byte[] auth, byte[] encryptedMessage) {
            if (y.length != KEY_LEN || auth.length != MAC_LEN
                    || encryptedMessage.length > MAX_HANDSHAKE_LEN - MIN_REPLY_LEN) {
                throw new IllegalArgumentException("ntor3 reply needs Y(32) AUTH(32) MSG");
            }
            this.y = y.clone();
            this.auth = auth.clone();
            this.msg = encryptedMessage.clone();
        }

        public byte[] y() {
            return y.clone();
        }

        public byte[] auth() {
            return auth.clone();
        }

        public byte[] encryptedMessage() {
            return msg.clone();
        }

        public byte[] encode() {
            return Bytes.concat(y, auth, msg);
        }

        public static Reply decode(byte[] hdata) {
            lengthBetween(hdata, MIN_REPLY_LEN, "ntor3 reply");
            return new Reply(Bytes.slice(hdata, 0, KEY_LEN), Bytes.slice(hdata, KEY_LEN, MAC_LEN),
                    Bytes.slice(hdata, MIN_REPLY_LEN, hdata.length - MIN_REPLY_LEN));
        }
    }

    private static void lengthBetween(byte[] b, int min, String what) {
        if (b == null || b.length < min || b.length > MAX_HANDSHAKE_LEN) {
            throw new HandshakeException(HandshakeException.Reason.MALFORMED, what + " must be " + min + ".."
                    + MAX_HANDSHAKE_LEN + " bytes, got " + (b == null ? 0 : b.length));
        }
    }

    // --- the primitives of proposal 332 §A.1 -------------------------------------------------------------

    private static void encap(Digest d, byte[] s) {
        long n = s.length;
        for (int i = 7; i >= 0; i--) {
            d.update((byte) (n >>> (8 * i)));
        }
        d.update(s, 0, s.length);
    }

    private static void add(Digest d, byte[]... parts) {
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
    }

    /** H(s, t) = SHA3-256(ENCAP(t) | s). */
    private static byte[] h(byte[] tweak, byte[]... s) {
        SHA3Digest d = new SHA3Digest(256);
        encap(d, tweak);
        add(d, s);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    /** MAC(k, msg, t) = SHA3-256(ENCAP(t) | ENCAP(k) | msg). */
    private static byte[] mac(byte[] key, byte[] tweak, byte[]... msg) {
        SHA3Digest d = new SHA3Digest(256);
        encap(d, tweak);
        encap(d, key);
        add(d, msg);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    /** KDF(s, t) = SHAKE-256(ENCAP(t) | s), the first {@code n} bytes. */
    private static byte[] kdf(int n, byte[] tweak, byte[]... s) {
        SHAKEDigest d = new SHAKEDigest(256);
        encap(d, tweak);
        add(d, s);
        byte[] out = new byte[n];
        d.doFinal(out, 0, n);
        return out;
    }

    /** ENC(k, m) = AES-256-CTR with an all-zero IV (tor: crypto_cipher_new_with_bits(k, 256)); = DEC. */
    private static byte[] enc(byte[] key32, byte[] m) {
        return TunedAes128.ctr256(key32, m); // not BC's AESEngine: one AES implementation in onionpeer.js
    }

    static byte[] dh(byte[] secret, byte[] point, boolean[] ok) {
        byte[] out = new byte[KEY_LEN];
        ok[0] &= Curve25519.agreement(secret, point, out);
        return out;
    }

    /** ENC_K1 | MAC_K1 from phase 1 (both sides). */
    static byte[] phase1(byte[] bx, byte[] id, byte[] x, byte[] b, byte[] ver) {
        return kdf(64, T_MSGKDF, bx, id, x, b, PROTOID, encapped(ver));
    }

    private static byte[] encapped(byte[] s) {
        byte[] out = new byte[8 + s.length];
        long n = s.length;
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (n >>> (8 * (7 - i)));
        }
        System.arraycopy(s, 0, out, 8, s.length);
        return out;
    }

    /** {key_seed, verify} from secret_input (both sides). */
    static byte[][] seeds(byte[] xy, byte[] xb, byte[] id, byte[] b, byte[] x, byte[] y, byte[] ver) {
        byte[] encVer = encapped(ver);
        return new byte[][] {h(T_KEY_SEED, xy, xb, id, b, x, y, PROTOID, encVer),
            h(T_VERIFY, xy, xb, id, b, x, y, PROTOID, encVer)};
    }

    /** AUTH = H_auth(verify | ID | B | Y | X | MAC | ENCAP(MSG) | PROTOID | "Server"). */
    private static byte[] auth(byte[] verify, byte[] id, byte[] b, byte[] y, byte[] x, byte[] clientMac,
            byte[] encryptedServerMsg) {
        return h(T_AUTH, verify, id, b, y, x, clientMac, encapped(encryptedServerMsg), PROTOID, SERVER);
    }

    /** KDF_final(key_seed) = ENC_KEY(32) | KEYSTREAM: returns {ENC_KEY, the first n bytes of KEYSTREAM}. */
    static byte[][] finalKeys(byte[] keySeed, int n) {
        byte[] raw = kdf(32 + n, T_FINAL, keySeed);
        return new byte[][] {Bytes.slice(raw, 0, 32), Bytes.slice(raw, 32, n)};
    }

    // --- client --------------------------------------------------------------------------------------------

    /** What a completed handshake yields: the hop's keys and the relay's (decrypted) message. */
    public static final class Result {
        public final HopKeys keys;
        /** The relay's decrypted message (usually an {@link Extensions} encoding). */
        public final byte[] serverMessage;

        Result(HopKeys keys, byte[] serverMessage) {
            this.keys = keys;
            this.serverMessage = serverMessage;
        }
    }

    /** The client's side: holds x until CREATED2 arrives. */
    public static final class Client {
        private final byte[] id;
        private final byte[] b;
        private final Ntor.Keypair eph;
        private final byte[] ver;
        private final byte[] bx;
        private final byte[] onionskin;
        private final byte[] msgMac;

        private Client(byte[] id, byte[] b, Ntor.Keypair eph, byte[] ver, byte[] message) {
            this.id = id;
            this.b = b;
            this.eph = eph;
            this.ver = ver;
            boolean[] ok = {true};
            this.bx = dh(eph.secret(), b, ok);
            if (!ok[0]) {
                // B comes from a descriptor or consensus: still another party's bytes, so a HandshakeException.
                throw new HandshakeException(HandshakeException.Reason.BAD_POINT,
                        "ntor3: the relay's onion key B is a low-order point");
            }
            byte[] k1 = phase1(bx, id, eph.publicKey(), b, ver);
            byte[] msg = enc(Bytes.slice(k1, 0, 32), message);
            this.msgMac = mac(Bytes.slice(k1, 32, 32), T_MSGMAC, id, b, eph.publicKey(), msg);
            this.onionskin = new Onionskin(id, b, eph.publicKey(), msg, msgMac).encode();
        }

        /** The CREATE2 HDATA: ID | B | X | MSG | MAC. */
        public byte[] onionskin() {
            return onionskin.clone();
        }

        /**
         * Checks the server's Y | AUTH | MSG (CREATED2 HDATA) and returns the hop's keys and the relay's
         * decrypted message. {@link HandshakeException}: MALFORMED, BAD_POINT, BAD_AUTH.
         */
        public Result complete(byte[] reply) {
            byte[][] r = finish(reply, HopKeys.MATERIAL_LEN);
            // KEYSTREAM splits in the same order as ntor v1's HKDF output: Df Db Kf Kb KH (proposal 332 §A.2).
            return new Result(HopKeys.fromHkdf(r[1]), r[0]);
        }

        /** {server message, KEYSTREAM(keystreamLen)}; the known answers read the raw key stream. */
        byte[][] finish(byte[] reply, int keystreamLen) {
            Reply r = Reply.decode(reply);
            boolean[] ok = {true};
            byte[] yx = dh(eph.secret(), r.y, ok);
            byte[][] sv = seeds(yx, bx, id, b, eph.publicKey(), r.y, ver);
            byte[] expected = auth(sv[1], id, b, r.y, eph.publicKey(), msgMac, r.msg);
            // Compare AUTH whatever the point was, in constant time, then decide (proposal 332 security notes).
            boolean authOk = Bytes.constantTimeEquals(expected, r.auth);
            if (!ok[0]) {
                throw new HandshakeException(HandshakeException.Reason.BAD_POINT,
                        "ntor3: all-zero shared secret (server sent a low-order point Y)");
            }
            if (!authOk) {
                throw new HandshakeException(HandshakeException.Reason.BAD_AUTH, "ntor3: AUTH does not verify");
            }
            byte[][] k = finalKeys(sv[0], keystreamLen);
            return new byte[][] {enc(k[0], r.msg), k[1]};
        }
    }

    /**
     * Starts a circuit-extension handshake toward the relay with Ed25519 identity {@code relayEd25519Id} (32)
     * and ntor onion key {@code relayNtorKey} (32), sending {@code clientMessage} (usually
     * {@link Extensions#encode()}); {@code xSecret} is 32 fresh random bytes.
     */
    public static Client client(byte[] relayEd25519Id, byte[] relayNtorKey, byte[] xSecret, byte[] clientMessage) {
        return client(relayEd25519Id, relayNtorKey, xSecret, clientMessage, CIRCUIT_VERIFICATION);
    }

    /** As {@link #client(byte[], byte[], byte[], byte[])} with another verification string VER. */
    public static Client client(byte[] relayEd25519Id, byte[] relayNtorKey, byte[] xSecret, byte[] clientMessage,
            byte[] verification) {
        if (relayEd25519Id.length != ID_LEN || relayNtorKey.length != KEY_LEN) {
            throw new IllegalArgumentException("ntor3 client needs ID(32) and B(32)");
        }
        if (clientMessage.length > MAX_HANDSHAKE_LEN - MIN_ONIONSKIN_LEN) {
            throw new IllegalArgumentException("ntor3 client message too long: " + clientMessage.length);
        }
        return new Client(relayEd25519Id.clone(), relayNtorKey.clone(), Ntor.Keypair.fromSecret(xSecret),
                verification.clone(), clientMessage.clone());
    }

    // --- server --------------------------------------------------------------------------------------------

    /** Maps the client's decrypted message to the server's message; may throw ProtocolException to refuse. */
    public interface MessageHandler {
        byte[] reply(byte[] clientMessage);
    }

    /** What the server sends back (CREATED2 HDATA), keeps (the hop's keys) and learnt (the client's message). */
    public static final class ServerResult {
        public final byte[] reply;
        public final HopKeys keys;
        public final byte[] clientMessage;

        ServerResult(byte[] reply, HopKeys keys, byte[] clientMessage) {
            this.reply = reply;
            this.keys = keys;
            this.clientMessage = clientMessage;
        }
    }

    /** The relay's side. */
    public static final class Server {
        private Server() {
        }

        /**
         * Parsing and key selection without curve arithmetic (fuzzed on its own): decodes the onionskin,
         * checks ID against ours and picks the onion key named by B, scanning all keys in constant time.
         */
        public static Ntor.Keypair selectKey(byte[] ourEd25519Id, List<Ntor.Keypair> onionKeys, Onionskin skin) {
            Ntor.Keypair found = null;
            for (Ntor.Keypair k : onionKeys) {
                if (Bytes.constantTimeEquals(k.publicKey(), skin.b) & found == null) {
                    found = k;
                }
            }
            if (!Bytes.constantTimeEquals(ourEd25519Id, skin.id)) {
                throw new HandshakeException(HandshakeException.Reason.UNKNOWN_NODE_ID,
                        "ntor3: ID " + Bytes.hex(skin.id) + " is not this relay");
            }
            if (found == null) {
                throw new HandshakeException(HandshakeException.Reason.UNKNOWN_KEY_ID,
                        "ntor3: KEYID " + Bytes.hex(skin.b) + " is none of our onion keys");
            }
            return found;
        }

        /**
         * Answers a circuit-extension ntor3 onionskin as the relay with Ed25519 identity {@code ourEd25519Id}
         * holding {@code onionKeys}, with {@code ySecret} (32 fresh random bytes) as its ephemeral key;
         * {@code handler} turns the client's message into ours. {@link HandshakeException}: MALFORMED,
         * UNKNOWN_NODE_ID, UNKNOWN_KEY_ID, BAD_POINT (X is low-order), BAD_AUTH (the client's MAC).
         */
        public static ServerResult respond(byte[] ourEd25519Id, List<Ntor.Keypair> onionKeys, byte[] onionskin,
                byte[] ySecret, MessageHandler handler) {
            return respond(ourEd25519Id, onionKeys, onionskin, ySecret, handler, CIRCUIT_VERIFICATION,
                    HopKeys.MATERIAL_LEN, null);
        }

        /** The general form; when {@code keystreamOut} is non-null its [0] receives the raw KEYSTREAM. */
        static ServerResult respond(byte[] ourEd25519Id, List<Ntor.Keypair> onionKeys, byte[] onionskin,
                byte[] ySecret, MessageHandler handler, byte[] ver, int keystreamLen, byte[][] keystreamOut) {
            if (ourEd25519Id.length != ID_LEN) {
                throw new IllegalArgumentException("ID must be 32 bytes");
            }
            Onionskin skin = Onionskin.decode(onionskin);
            Ntor.Keypair key = selectKey(ourEd25519Id, onionKeys, skin);
            boolean[] ok = {true};
            byte[] xb = dh(key.secret(), skin.x, ok);
            byte[] k1 = phase1(xb, skin.id, skin.x, skin.b, ver);
            byte[] expected = mac(Bytes.slice(k1, 32, 32), T_MSGMAC, skin.id, skin.b, skin.x, skin.msg);
            boolean macOk = Bytes.constantTimeEquals(expected, skin.mac);
            if (!ok[0]) {
                throw new HandshakeException(HandshakeException.Reason.BAD_POINT,
                        "ntor3: all-zero shared secret (client sent a low-order point X)");
            }
            if (!macOk) {
                throw new HandshakeException(HandshakeException.Reason.BAD_AUTH, "ntor3: client MAC does not verify");
            }
            byte[] clientMessage = enc(Bytes.slice(k1, 0, 32), skin.msg);
            byte[] serverMessage = handler.reply(clientMessage.clone());
            if (serverMessage.length > MAX_HANDSHAKE_LEN - MIN_REPLY_LEN) {
                throw new IllegalArgumentException("ntor3 server message too long: " + serverMessage.length);
            }
            Ntor.Keypair eph = Ntor.Keypair.fromSecret(ySecret);
            byte[] xy = dh(eph.secret(), skin.x, ok);
            if (!ok[0]) { // cannot happen: X already gave a non-zero Xb, so it is not low-order
                throw new HandshakeException(HandshakeException.Reason.BAD_POINT, "ntor3: all-zero Xy");
            }
            byte[][] sv = seeds(xy, xb, skin.id, skin.b, skin.x, eph.publicKey(), ver);
            byte[][] k = finalKeys(sv[0], keystreamLen);
            byte[] encrypted = enc(k[0], serverMessage);
            byte[] auth = auth(sv[1], skin.id, skin.b, eph.publicKey(), skin.x, skin.mac, encrypted);
            if (keystreamOut != null) {
                keystreamOut[0] = k[1];
            }
            byte[] reply = new Reply(eph.publicKey(), auth, encrypted).encode();
            return new ServerResult(reply, HopKeys.fromHkdf(k[1]), clientMessage);
        }
    }

    // --- the message format ------------------------------------------------------------------------------

    /**
     * The extension list both messages carry for circuit extension: N_EXTENSIONS(1) then N times
     * EXT_FIELD_TYPE(1) EXT_FIELD_LEN(1) EXT_FIELD (tor trunnel/extension.trunnel {@code trn_extension};
     * proposal 332 §A.2 describes the fields, tor and Arti prefix their count). Decoding is strict: the
     * count must match and nothing may follow the last field (proposal 332 §A.2: "MUST reject messages that
     * are not well-formed"). Unknown types are kept, and readers ignore them; {@link #first} implements
     * "ignore occurrences after the first".
     */
    public static final class Extensions {
        /** Proposal 324 §10.3: "[01] -- Congestion Control Request", empty body (client to exit). */
        public static final int CC_FIELD_REQUEST = 0x01;
        /** Proposal 324 §10.3: "[02] -- Congestion Control Response", body sendme_inc(1) (exit to client). */
        public static final int CC_FIELD_RESPONSE = 0x02;
        public static final int MAX_FIELDS = 255;
        public static final int MAX_BODY_LEN = 255;

        /** One extension: a type and its body. */
        public static final class Field {
            public final int type;
            private final byte[] body;

            public Field(int type, byte[] body) {
                if (type < 0 || type > 255 || body.length > MAX_BODY_LEN) {
                    throw new IllegalArgumentException("extension type must be u8 and body at most 255 bytes");
                }
                this.type = type;
                this.body = body.clone();
            }

            public byte[] body() {
                return body.clone();
            }
        }

        private final List<Field> fields;

        public Extensions(List<Field> fields) {
            if (fields.size() > MAX_FIELDS) {
                throw new IllegalArgumentException("at most 255 extensions");
            }
            this.fields = Collections.unmodifiableList(new ArrayList<>(fields));
        }

        /** No extensions: the one byte 00 (what tor sends when it does not ask for congestion control). */
        public static Extensions empty() {
            return new Extensions(Collections.<Field>emptyList());
        }

        /** The client's congestion-control request (proposal 324 §10.3). */
        public static Extensions ccRequest() {
            return new Extensions(Collections.singletonList(new Field(CC_FIELD_REQUEST, new byte[0])));
        }

        /** The exit's congestion-control response carrying its cc_sendme_inc (proposal 324 §10.3). */
        public static Extensions ccResponse(int sendmeInc) {
            if (sendmeInc < 0 || sendmeInc > 255) {
                throw new IllegalArgumentException("sendme_inc is a u8");
            }
            return new Extensions(Collections.singletonList(new Field(CC_FIELD_RESPONSE, new byte[] {(byte) sendmeInc})));
        }

        public List<Field> fields() {
            return fields;
        }

        /** The body of the first extension of {@code type}, or null when there is none. */
        public byte[] first(int type) {
            for (Field f : fields) {
                if (f.type == type) {
                    return f.body();
                }
            }
            return null;
        }

        public boolean has(int type) {
            return first(type) != null;
        }

        /**
         * The exit's sendme_inc from the first CC_FIELD_RESPONSE, or -1 when there is none; a response
         * whose body is not exactly one byte is a ProtocolException.
         */
        public int ccSendmeInc() {
            byte[] body = first(CC_FIELD_RESPONSE);
            if (body == null) {
                return -1;
            }
            if (body.length != 1) {
                throw new ProtocolException("ntor3 CC_FIELD_RESPONSE must carry 1 byte, got " + body.length);
            }
            return body[0] & 0xff;
        }

        public byte[] encode() {
            int n = 1;
            for (Field f : fields) {
                n += 2 + f.body.length;
            }
            byte[] out = new byte[n];
            out[0] = (byte) fields.size();
            int o = 1;
            for (Field f : fields) {
                out[o++] = (byte) f.type;
                out[o++] = (byte) f.body.length;
                System.arraycopy(f.body, 0, out, o, f.body.length);
                o += f.body.length;
            }
            return out;
        }

        public static Extensions decode(byte[] msg) {
            if (msg == null) {
                throw new ProtocolException("ntor3 extensions: missing message");
            }
            ByteReader r = new ByteReader(msg);
            int n = r.u8();
            List<Field> fields = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int type = r.u8();
                int len = r.u8();
                fields.add(new Field(type, r.bytes(len)));
            }
            if (r.hasRemaining()) {
                throw new ProtocolException("ntor3 extensions: " + r.remaining() + " bytes after " + n + " fields");
            }
            return new Extensions(fields);
        }
    }
}
