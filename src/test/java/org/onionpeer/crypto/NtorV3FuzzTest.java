package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.fuzz.Fuzzer;

/**
 * Hostile bytes through the ntor v3 decoders: only ProtocolException (HandshakeException) may escape. The
 * parsing steps get 1,000,000 inputs each; the whole handshakes (X25519, SHA3 and AES per input) get
 * 200,000 (server) and 100,000 (client), each a few seconds.
 */
class NtorV3FuzzTest {
    private static final int N = 1_000_000;
    private static final byte[] ID = Bytes.unhex(NtorV3KnownAnswers.ID);
    private static final Ntor.Keypair B = Ntor.Keypair.fromSecret(Bytes.unhex(NtorV3KnownAnswers.B_SECRET));
    private static final Ntor.Keypair B2 = Ntor.Keypair.fromSecret(new byte[32]);
    private static final byte[] Y = Bytes.unhex(NtorV3KnownAnswers.Y_SECRET);
    private static final NtorV3.Client CLIENT = NtorV3.client(ID, B.publicKey(),
            Bytes.unhex(NtorV3KnownAnswers.X_SECRET), NtorV3.Extensions.ccRequest().encode());
    private static final byte[] SKIN = CLIENT.onionskin();
    private static final NtorV3.MessageHandler CC = m -> NtorV3.Extensions.decode(m)
            .has(NtorV3.Extensions.CC_FIELD_REQUEST) ? NtorV3.Extensions.ccResponse(31).encode()
                    : NtorV3.Extensions.empty().encode();
    private static final byte[] REPLY = NtorV3.Server.respond(ID, List.of(B), SKIN, Y, CC).reply;

    private static Fuzzer fuzzer(long seed, byte[]... seeds) {
        int max = 128;
        for (byte[] s : seeds) {
            max = Math.max(max, s.length + 64);
        }
        Fuzzer f = new Fuzzer(seed).maxLen(max);
        for (byte[] s : seeds) {
            f.seed(s);
        }
        return f;
    }

    @Test
    void serverOnionskinParsingAndKeySelection() {
        Fuzzer f = fuzzer(11, SKIN, Bytes.unhex(NtorV3KnownAnswers.CLIENT_HANDSHAKE));
        String r = f.run("ntor3-onionskin", N,
                in -> NtorV3.Server.selectKey(ID, List.of(B2, B), NtorV3.Onionskin.decode(in)));
        System.out.println(r);
        assertTrue(f.accepted() > 1000 && f.rejected() > 1000, r);
    }

    @Test
    void serverWholeHandshake() {
        Fuzzer f = fuzzer(12, SKIN);
        String r = f.run("ntor3-server", 200_000, in -> NtorV3.Server.respond(ID, List.of(B), in, Y, CC));
        System.out.println(r);
        assertTrue(f.rejected() > 100_000, r);
    }

    @Test
    void clientReplyParsing() {
        Fuzzer f = fuzzer(13, REPLY, Bytes.unhex(NtorV3KnownAnswers.SERVER_HANDSHAKE));
        String r = f.run("ntor3-reply", N, NtorV3.Reply::decode);
        System.out.println(r);
        assertTrue(f.accepted() > 1000 && f.rejected() > 1000, r);
    }

    @Test
    void clientWholeComplete() {
        Fuzzer f = fuzzer(14, REPLY);
        String r = f.run("ntor3-client", 100_000, CLIENT::complete);
        System.out.println(r);
        assertTrue(f.rejected() > 95_000, r);
    }

    @Test
    void extensionsDecode() {
        Fuzzer f = fuzzer(15, NtorV3.Extensions.ccRequest().encode(), NtorV3.Extensions.ccResponse(31).encode(),
                Bytes.unhex("03770002012a020107"), NtorV3.Extensions.empty().encode());
        String r = f.run("ntor3-extensions", N, in -> NtorV3.Extensions.decode(in).ccSendmeInc());
        System.out.println(r);
        assertTrue(f.accepted() > 1000 && f.rejected() > 1000, r);
    }
}
