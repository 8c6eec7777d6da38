package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Hashes;

/**
 * Forged and malformed answers from one ORDB: it is banned with the exact reason, the download completes
 * byte-identical from the others, and the sink (which re-verifies as it stores) only ever sees verified
 * chunks. When every ORDB lies, the download fails and nothing is stored.
 */
class OrdbHostileTest {
    static final int CHUNK = 1024;
    static final byte[] FILE = new byte[100_000];

    static {
        new Random(3).nextBytes(FILE);
    }

    /** Rewrites the {@code nth} message of {@code command} that the ORDB sends. */
    static SimNet.Tamper nth(int command, int nth, java.util.function.UnaryOperator<byte[]> f) {
        int[] seen = {0};
        return (c, body) -> c == command && ++seen[0] == nth ? f.apply(body.clone()) : body;
    }

    private static Swarm.Sink run(Swarm sw, Download[] out) {
        Swarm.Sink sink = new Swarm.Sink(sw.scheduler);
        Download d = new Download(sw.scheduler, OrdbSimulationTest.entropy(1), sw.hashName(), sw.connector,
                new Download.Config(), sink);
        d.start();
        sw.run(d, 120_000);
        out[0] = d;
        return sink;
    }

    /** ORDB2 of 3 applies {@code t}; returns ORDB2's fate after a download that must succeed. */
    private static String fateOfLiar(SimNet.Tamper t) {
        Swarm sw = new Swarm(FILE, CHUNK, 3, 20, 5000, 500);
        sw.tamperers.put("ORDB2", t);
        Download[] d = new Download[1];
        Swarm.Sink sink = run(sw, d);
        assertNull(sink.error, Swarm.report(d[0]));
        assertArrayEquals(Hashes.sha256(FILE), sink.digest());
        assertEquals(sw.published.manifest().chunkCount(), sink.held.held());
        return d[0].sources().stream().filter(s -> s.name.equals("ORDB2")).findFirst().get().fate;
    }

    @Test
    void aForgedManifest() {
        Manifest other = Manifest.file(FILE.length, CHUNK, new byte[32], "file.bin".getBytes(), "application/octet-stream");
        assertEquals("banned: " + DbConnected.WRONG_CONTENT,
                fateOfLiar(nth(OrdbMessage.DB_CONNECTED, 1, b -> DbConnected.of(other).encode())));
    }

    @Test
    void aChunkWithABadProof() {
        assertEquals("banned: chunk 8: " + MerkleTree.BAD_PROOF,
                fateOfLiar(nth(OrdbMessage.DB_DATA, 3, b -> {
                    b[6 + 5] ^= 0x40; // a byte of the first proof hash
                    return b;
                })));
    }

    @Test
    void aProofOfTheWrongLength() {
        assertEquals("banned: chunk 6: proof for chunk 6 has 6 hashes, not 7",
                fateOfLiar(nth(OrdbMessage.DB_DATA, 1, b -> {
                    DbData d = DbData.decode(b);
                    return DbData.of(d.chunk(), d.data(), Arrays.copyOf(d.proof(), d.proof().length - 1)).encode();
                })));
    }

    @Test
    void aChunkOfTheWrongLength() {
        assertEquals("banned: chunk 6: chunk 6 is 1023 bytes, not 1024",
                fateOfLiar(nth(OrdbMessage.DB_DATA, 1, b -> {
                    DbData d = DbData.decode(b);
                    return DbData.of(d.chunk(), Arrays.copyOf(d.data(), 1023), d.proof()).encode();
                })));
    }

    @Test
    void anOversizedClaim() {
        assertEquals("banned: DB_DATA: DB_DATA claims 2147483647 data bytes, limit 65536",
                fateOfLiar(nth(OrdbMessage.DB_DATA, 2, b -> {
                    int at = 6 + 32 * (b[5] & 0xff);
                    Bytes.putU32(b, at, 0x7fffffffL);
                    return b;
                })));
    }

    @Test
    void aChunkForAnotherPlace() {
        assertEquals("banned: DB_DATA for chunk 8, expected 7",
                fateOfLiar(nth(OrdbMessage.DB_DATA, 2, b -> {
                    Bytes.putU32(b, 0, Bytes.u32(b, 0) + 1);
                    return b;
                })));
    }

    @Test
    void aSourceThatHasNothingIsDroppedNotBanned() {
        Swarm sw = new Swarm(FILE, CHUNK, 3, 20, 5000, 500);
        sw.addIsolated("ORDB4"); // knows no source and has no finder
        Download[] d = new Download[1];
        Swarm.Sink sink = run(sw, d);
        assertNull(sink.error);
        assertArrayEquals(Hashes.sha256(FILE), sink.digest());
        assertEquals("dropped: DB_END[UNAVAILABLE]", d[0].sources().get(3).fate);
        assertEquals(1, sw.ordbs.get("ORDB4").stats().unavailable);
    }

    @Test
    void whenEveryOrdbLiesNothingIsStored() {
        Swarm sw = new Swarm(FILE, CHUNK, 3, 20, 5000, 500);
        for (String n : sw.ordbs.keySet()) {
            sw.tamperers.put(n, (c, body) -> {
                if (c == OrdbMessage.DB_DATA) {
                    body = body.clone();
                    body[body.length - 1] ^= 1;
                }
                return body;
            });
        }
        Download[] d = new Download[1];
        Swarm.Sink sink = run(sw, d);
        assertEquals("no ORDB left to ask (last: banned: chunk 12: " + MerkleTree.BAD_PROOF + ")", sink.error,
                Swarm.report(d[0]));
        assertEquals(0, sink.bytes);
        assertEquals(0, sink.held.held());
    }

    @Test
    void contentKeepsOnlyVerifiedChunks() {
        Content pub = Content.publish(FILE, new byte[0], "a/b", CHUNK);
        Content c = Content.empty(pub.manifest());
        byte[] bad = pub.chunk(3);
        bad[0] ^= 1;
        assertEquals(MerkleTree.BAD_PROOF, assertThrows(ProtocolException.class, () -> c.put(3, bad, pub.proof(3)))
                .getMessage());
        assertEquals(MerkleTree.BAD_PROOF, assertThrows(ProtocolException.class, () -> c.put(3, pub.chunk(3), pub.proof(4))).getMessage());
        assertEquals("chunk 98 is out of range (98 chunks)",
                assertThrows(ProtocolException.class, () -> c.put(98, pub.chunk(3), pub.proof(3))).getMessage());
        assertFalse(c.has(3));
        assertEquals(0, c.held());
        c.put(3, pub.chunk(3), pub.proof(3));
        assertEquals(1, c.held());
        assertEquals(-1, c.level());
    }
}
