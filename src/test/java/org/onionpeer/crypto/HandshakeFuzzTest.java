package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.fuzz.Fuzzer;

/**
 * Hostile bytes through every handshake decoder: only ProtocolException (HandshakeException) may escape.
 * The parsing steps get 1,000,000 inputs each; the paths with X25519 (about 0.1 ms an input on Bouncy Castle)
 * get fewer, after their parsing was fuzzed on its own.
 */
class HandshakeFuzzTest {
    private static final int N = 1_000_000;
    private static final byte[] ID = Bytes.unhex("69546f6c64596f7541626f75745374616972732e");
    private static final Ntor.Keypair B = Ntor.Keypair.fromSecret(
            Bytes.unhex("4820544f4c4420594f5520444f474954204b454550532048415050454e494e47"));
    private static final Ntor.Keypair B2 = Ntor.Keypair.fromSecret(new byte[32]);
    private static final Ntor.Client CLIENT = Ntor.client(ID, B.publicKey(),
            Bytes.unhex("706f6461792069207075742e2e2e2e2e2e2e2e4a454c4c59206f6e2074686973"));
    private static final byte[] Y = Bytes.unhex("70686520737175697272656c2e2e2e2e2e2e2e2e686173206869732067616d65");
    private static final byte[] SKIN = CLIENT.onionskin();
    private static final byte[] REPLY = Ntor.server(ID, List.of(B), SKIN, Y).reply;

    /** maxLen stays above the longest seed: the shared Fuzzer's splice assumes seeds fit in maxLen. */
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
    void ntorServerOnionskinParsingAndKeySelection() {
        Fuzzer f = fuzzer(1, SKIN);
        String r = f.run("ntor-onionskin", N, in -> Ntor.selectKey(ID, List.of(B2, B), Ntor.Onionskin.decode(in)));
        System.out.println(r);
        assertTrue(f.accepted() > 1000 && f.rejected() > 1000, r);
    }

    @Test
    void ntorServerWholeHandshake() {
        Fuzzer f = fuzzer(2, SKIN);
        String r = f.run("ntor-server", 50_000, in -> Ntor.server(ID, List.of(B), in, Y));
        System.out.println(r);
        assertTrue(f.accepted() > 100, r);
    }

    @Test
    void ntorClientReplyParsing() {
        Fuzzer f = fuzzer(3, REPLY);
        String r = f.run("ntor-reply", N, in -> Ntor.Reply.decode(in));
        System.out.println(r);
        assertTrue(f.accepted() > 1000 && f.rejected() > 1000, r);
    }

    @Test
    void ntorClientWholeFinish() {
        Fuzzer f = fuzzer(4, REPLY);
        String r = f.run("ntor-client", 20_000, CLIENT::finish);
        System.out.println(r);
        // Only the genuine reply verifies; mutations that leave it intact are rare but possible.
        assertTrue(f.rejected() > 19_000, r);
    }

    @Test
    void createFastReplyAndFinish() {
        CreateFast.Client c = CreateFast.client(Bytes.unhex("080E247DF7C252FCD2DC10F459703480C223E3A6"));
        byte[] reply = Bytes.unhex("BA95C0D092335428BF80093BBED0B7A26C49E1E8696FBF9C8D6BE26504219C000D26AFE370FCEF04");
        Fuzzer f = fuzzer(5, reply, java.util.Arrays.copyOf(reply, 509));
        String r = f.run("created-fast", N, c::finish);
        System.out.println(r);
        assertTrue(f.rejected() > N / 2, r);
    }

    @Test
    void createFastServer() {
        byte[] y = new byte[20];
        Fuzzer f = fuzzer(6, Bytes.unhex("080E247DF7C252FCD2DC10F459703480C223E3A6"));
        String r = f.run("create-fast", N, in -> CreateFast.server(in, y));
        System.out.println(r);
        assertTrue(f.accepted() > 1000 && f.rejected() > 1000, r);
    }
}
