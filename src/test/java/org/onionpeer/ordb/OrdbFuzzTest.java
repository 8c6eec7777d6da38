package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.onionpeer.fuzz.Fuzzer;

/**
 * Mutated or random inputs through every ORDB decoder; only ProtocolException may escape (the Fuzzer
 * reports any other throwable with its input). The valid seeds must decode and re-encode exactly.
 */
class OrdbFuzzTest {
    private static final int N = 300_000;

    private static void fuzz(String name, int command, Consumer<byte[]> decoder) {
        long seed = Long.getLong("ordb.fuzz.seed", System.nanoTime());
        System.out.println("[fuzz] " + name + " seed " + seed + " (-Dordb.fuzz.seed=" + seed + " replays)");
        Fuzzer f = new Fuzzer(seed).maxLen(1500);
        int seeds = 0;
        for (OrdbMessage m : OrdbCodecTest.samples()) {
            if (command < 0 || m.command() == command) {
                byte[] enc = m.encode();
                assertArrayEquals(enc, OrdbMessage.decode(m.command(), enc).encode(), "seed " + m);
                // for the any-command run, the first byte picks the command (0xD0 + b0 & 7)
                f.seed(command < 0 ? org.onionpeer.bytes.Bytes.concat(new byte[] {(byte) (m.command() - 0xD0)}, enc) : enc);
                seeds++;
            }
        }
        assertTrue(seeds > 0);
        String summary = f.run(name, N, decoder);
        System.out.println("[fuzz] " + summary);
        assertEquals(N, f.accepted() + f.rejected(), summary);
        assertTrue(f.accepted() > 0, "the mutator must reach valid messages too: " + summary);
    }

    @Test
    void dbQuery() {
        fuzz("DbQuery.decode", OrdbMessage.DB_QUERY, DbQuery::decode);
    }

    @Test
    void dbConnected() {
        fuzz("DbConnected.decode", OrdbMessage.DB_CONNECTED, DbConnected::decode);
    }

    @Test
    void dbData() {
        fuzz("DbData.decode", OrdbMessage.DB_DATA, DbData::decode);
    }

    @Test
    void dbInfoAndEnd() {
        fuzz("DbInfo.decode", OrdbMessage.DB_INFO, DbInfo::decode);
        fuzz("DbEnd.decode", OrdbMessage.DB_END, DbEnd::decode);
    }

    @Test
    void anyCommand() {
        fuzz("OrdbMessage.decode(any)", -1, b -> OrdbMessage.decode(b.length == 0 ? 0 : 0xD0 + (b[0] & 7),
                java.util.Arrays.copyOfRange(b, Math.min(1, b.length), b.length)));
    }
}
