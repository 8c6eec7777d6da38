package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;

/** Every DB_* message's round trip, and the exact reason each malformed or oversized one is refused with. */
class OrdbCodecTest {
    static final HashName H = HashName.of(Bytes.unhex("0102030405060708091011121314151617181920212223242526272829303132"));

    /** Sample valid messages of every type (fuzz seeds too). */
    static List<OrdbMessage> samples() {
        List<OrdbMessage> l = new ArrayList<>();
        l.add(DbQuery.info(H, 0));
        l.add(DbQuery.chunks(H, 123456, 6, 2));
        l.add(DbQuery.chunks(H, DbQuery.LIVE_EDGE, 64, 5));
        byte[] content = new byte[3000];
        new Random(7).nextBytes(content);
        MerkleTree t = MerkleTree.ofContent(content, 256);
        Manifest m = Manifest.file(content.length, 256, t.root(), Bytes.ascii("a.bin"), "application/octet-stream");
        l.add(DbConnected.of(m));
        Ed25519.KeyPair key = Ed25519.fromSeed(new byte[32]);
        Manifest live = Manifest.live(1024, 16, key.publicKey(), new byte[0], "video/webm");
        LiveWindow w = LiveWindow.sign(key, live, 9, 3, 1_750_000_000L, t.root());
        l.add(DbConnected.live(live, w));
        l.add(DbConnected.live(live, null));
        l.add(DbData.of(5, Bytes.slice(content, 5 * 256, 256), t.proof(5)));
        l.add(DbData.of(11, Bytes.slice(content, 11 * 256, 184), t.proof(11)));
        l.add(DbData.live(9 * 16 + 1, new byte[100], t.proof(1), w));
        l.add(DbInfo.of(H, 0, false));
        l.add(DbInfo.of(H, 3, true));
        l.add(DbInfo.keep(H));
        for (int r = 0; r <= DbEnd.REFUSED; r++) {
            l.add(DbEnd.of(r));
        }
        return l;
    }

    private static String reason(int command, byte[] body) {
        return assertThrows(ProtocolException.class, () -> OrdbMessage.decode(command, body)).getMessage();
    }

    @Test
    void samplesRoundTrip() {
        for (OrdbMessage m : samples()) {
            byte[] enc = m.encode();
            OrdbMessage back = OrdbMessage.decode(m.command(), enc);
            assertEquals(m.getClass(), back.getClass());
            assertArrayEquals(enc, back.encode(), m.toString());
        }
        DbQuery q = (DbQuery) OrdbMessage.decode(OrdbMessage.DB_QUERY, DbQuery.chunks(H, 77, 6, 4).encode());
        assertEquals(77, q.chunk());
        assertEquals(6, q.count());
        assertEquals(5, q.forwarded().counter());
        assertEquals("DB_QUERY counter 6 over 5", assertThrows(ProtocolException.class,
                () -> q.forwarded().forwarded()).getMessage());
        assertEquals(-1, DbInfo.level(24, 100));
        assertEquals(0, DbInfo.level(25, 100));
        assertEquals(2, DbInfo.level(99, 100));
        assertEquals(3, DbInfo.level(100, 100));
    }

    @Test
    void limitsAreAsDocumented() {
        assertEquals(430, Manifest.MAX_LENGTH);
        assertEquals(138, LiveWindow.LENGTH);
        assertEquals(66_452, OrdbMessage.MAX_LENGTH);
        assertEquals(0xD0, OrdbMessage.DB_QUERY);
        assertEquals(0xD4, OrdbMessage.DB_END);
    }

    @Test
    void seedChunkNumbersOfAnyLength() {
        // The seed's [chunk nb length 1B][chunk nb]: 1..4 bytes are read; we always write 4.
        byte[] b = new ByteWriter().u8(32).bytes(H.bytes()).u8(2).u16(0x0102).u16(3).u8(1).toByteArray();
        DbQuery q = DbQuery.decode(b);
        assertEquals(0x0102, q.chunk());
        assertEquals(3, q.count());
    }

    @Test
    void oversizedAndMalformedClaimsAreRefusedExactly() {
        byte[] q = DbQuery.chunks(H, 1, 1, 0).encode();
        byte[] many = q.clone();
        Bytes.putU16(many, 38, 65535);
        assertEquals("DB_QUERY asks 65535 chunks, limit 64", reason(OrdbMessage.DB_QUERY, many));
        byte[] loop = q.clone();
        loop[40] = 6;
        assertEquals("DB_QUERY counter 6 over 5", reason(OrdbMessage.DB_QUERY, loop));
        byte[] shortHash = q.clone();
        shortHash[0] = 16; // 20 is a torrent query's infohash
        assertEquals("hash_name is 16 bytes, not 32", reason(OrdbMessage.DB_QUERY, shortHash));
        byte[] wide = q.clone();
        wide[33] = 5;
        assertEquals("DB_QUERY chunk number of 5 bytes, not 1..4", reason(OrdbMessage.DB_QUERY, wide));
        assertEquals("trailing bytes after DB_QUERY", reason(OrdbMessage.DB_QUERY, Bytes.concat(q, new byte[1])));

        byte[] huge = new ByteWriter().u32(1).u8(0).u8(0).u32(0x7fffffffL).toByteArray();
        assertEquals("DB_DATA claims 2147483647 data bytes, limit 65536", reason(OrdbMessage.DB_DATA, huge));
        byte[] deep = new ByteWriter().u32(1).u8(0).u8(200).toByteArray();
        assertEquals("DB_DATA proof of 200 hashes, limit 24", reason(OrdbMessage.DB_DATA, deep));
        byte[] flags = new ByteWriter().u32(1).u8(2).u8(0).u32(0).toByteArray();
        assertEquals("DB_DATA flags 2 unknown", reason(OrdbMessage.DB_DATA, flags));
        byte[] truncated = new ByteWriter().u32(1).u8(0).u8(0).u32(100).zeros(99).toByteArray();
        assertEquals("bytes: need 100 bytes, have 99", reason(OrdbMessage.DB_DATA, truncated));

        byte[] bigManifest = new ByteWriter().u16(5000).zeros(5000).toByteArray();
        assertEquals("manifest of 5000 bytes over " + Manifest.MAX_LENGTH,
                reason(OrdbMessage.DB_CONNECTED, bigManifest));
        byte[] hugeManifest = new ByteWriter().u16(65535).zeros(65535).toByteArray();
        assertEquals("DB_CONNECTED manifest of 65535 bytes is not in 1.." + Manifest.MAX_TORRENT_LENGTH,
                reason(OrdbMessage.DB_CONNECTED, hugeManifest));
        assertEquals("DB_CONNECTED for a file carries a live window", reason(OrdbMessage.DB_CONNECTED,
                Bytes.concat(samples().get(3).encode(), ((DbConnected) samples().get(4)).window().encode())));
        assertEquals("DB_INFO P 4 is not 0..3", reason(OrdbMessage.DB_INFO,
                new ByteWriter().u8(32).bytes(H.bytes()).u8(4).toByteArray()));
        assertEquals("DB_INFO flags 4 unknown", reason(OrdbMessage.DB_INFO,
                new ByteWriter().u8(32).bytes(H.bytes()).u8(1).u8(4).toByteArray()));
        assertEquals("DB_END reason 9 unknown", reason(OrdbMessage.DB_END, new byte[] {9}));
        assertEquals("u8: need 1 bytes, have 0", reason(OrdbMessage.DB_END, new byte[0]));
        assertEquals("not an ORDB command: 2", reason(2, new byte[0]));
        assertEquals("DB_DATA of 70000 bytes over " + OrdbMessage.MAX_LENGTH,
                reason(OrdbMessage.DB_DATA, new byte[70000]));
    }
}
