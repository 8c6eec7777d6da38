package org.onionpeer.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.fuzz.Fuzzer;

/**
 * Garbage inbound bodies: the OP's and the relay's inbound paths must return "not recognized" (or, for a
 * buffer of the wrong size, throw ProtocolException) and nothing else, for 1,000,000 inputs each.
 */
class RelayCryptoFuzzTest {
    private static final int N = 1_000_000;
    private final RelayPrimitives p = new BcRelayPrimitives();

    private static HopKeys hop(int i) {
        return RelayCryptoKnownAnswers.hopKeys(i);
    }

    private static byte[] validWireCell(RelayPrimitives p) {
        ClientCircuitCrypto op = new ClientCircuitCrypto(p);
        op.addHop(hop(0));
        byte[] b = RelayCryptoKnownAnswers.body(2, 1, "seed");
        op.encrypt(b, 0, 0);
        return b;
    }

    @Test
    void clientInbound() {
        ClientCircuitCrypto op = new ClientCircuitCrypto(p);
        op.addHop(hop(0));
        int[] recognized = {0};
        Fuzzer f = new Fuzzer(11).maxLen(530).seed(validWireCell(p));
        String r = f.run("op-inbound", N, in -> {
            int hop = op.decrypt(in, 0);
            if (hop != ClientCircuitCrypto.NOT_RECOGNIZED) {
                recognized[0]++;
            }
        });
        System.out.println(r);
        assertEquals(0, recognized[0], "a garbage cell was taken as genuine");
        assertTrue(f.accepted() > N / 2, r);
    }

    @Test
    void relayInbound() {
        RelayCircuitCrypto relay = new RelayCircuitCrypto(hop(0), p);
        int[] recognized = {0};
        Fuzzer f = new Fuzzer(12).maxLen(530).seed(validWireCell(p));
        String r = f.run("relay-inbound", N, in -> {
            if (relay.decryptForward(in, 0)) {
                recognized[0]++;
            }
        });
        System.out.println(r);
        assertEquals(0, recognized[0], "a garbage cell was taken as genuine");
        assertTrue(f.accepted() > N / 2, r);
    }

    /** The digest check alone on plaintext garbage with Recognized 0, so that the SHA-1 path runs every time. */
    @Test
    void recognizeOnPlaintextGarbage() {
        RelayLayer layer = new RelayLayer(new byte[16], new byte[20], p);
        byte[] seed = RelayCryptoKnownAnswers.body(2, 1, "seed");
        int[] recognized = {0};
        Fuzzer f = new Fuzzer(13).maxLen(530).seed(seed);
        String r = f.run("recognize", N, in -> {
            if (in.length > 2) {
                in[1] = 0;
                in[2] = 0;
            }
            if (layer.recognize(in, 0)) {
                recognized[0]++;
            }
        });
        System.out.println(r);
        assertEquals(0, recognized[0], "a garbage cell was taken as genuine");
    }
}
