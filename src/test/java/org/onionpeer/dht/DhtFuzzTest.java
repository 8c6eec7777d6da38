package org.onionpeer.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.onionpeer.fuzz.Fuzzer;

/**
 * One million mutated or random inputs through every DHT decoder; only ProtocolException may escape (the
 * Fuzzer reports any other throwable with its input). The valid seeds must decode and re-encode exactly.
 */
class DhtFuzzTest {
    private static final int N = 1_000_000;

    private static void fuzz(String name, Consumer<byte[]> decoder) {
        long seed = Long.getLong("dht.fuzz.seed", System.nanoTime());
        System.out.println("[fuzz] " + name + " seed " + seed + " (-Ddht.fuzz.seed=" + seed + " replays)");
        Fuzzer f = new Fuzzer(seed).maxLen(1500);
        for (DhtMessage m : DhtCodecTest.samples()) {
            byte[] enc = m.encode();
            assertArrayEquals(enc, DhtMessage.decode(enc).encode(), "seed " + m);
            f.seed(enc);
        }
        f.seed(DhtCodecTest.contact(3).encode());
        String summary = f.run(name, N, decoder);
        System.out.println("[fuzz] " + summary);
        assertEquals(N, f.accepted() + f.rejected(), summary);
        assertTrue(f.accepted() > 0, "the mutator must reach valid messages too: " + summary);
    }

    @Test
    void dhtMessageDecode() {
        fuzz("DhtMessage.decode", DhtMessage::decode);
    }

    @Test
    void contactDecode() {
        fuzz("Contact.decode", Contact::decode);
    }
}
