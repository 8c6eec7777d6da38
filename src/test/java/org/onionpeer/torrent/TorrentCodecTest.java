package org.onionpeer.torrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.ordb.DbConnected;
import org.onionpeer.ordb.DbQuery;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.Manifest;
import org.onionpeer.ordb.OrdbMessage;

/** Magnet links, info dicts, TORRENT manifests and torrent queries: round trips and exact refusals. */
class TorrentCodecTest {
    static final String HEX = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";

    @Test
    void magnetLinksParseInHexAndBase32() {
        Magnet m = Magnet.parse("magnet:?xt=urn:btih:" + HEX.toUpperCase() + "&dn=a%20film.webm"
            + "&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce&tr=udp://127.0.0.1:6969");
        assertEquals(HEX, m.infoHashHex());
        assertEquals("a film.webm", m.displayName());
        assertEquals(List.of("http://127.0.0.1:6969/announce", "udp://127.0.0.1:6969"), m.trackers());
        assertEquals(m, Magnet.parse(m.uri()));
        // The same infohash in base32 (RFC 4648), as older magnet links carry it.
        Magnet b = Magnet.parse("magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK");
        assertEquals(HEX, b.infoHashHex());
    }

    @Test
    void badMagnetLinksAreRefusedWithTheReason() {
        assertEquals("not a magnet link (it must start with magnet:?)", reason(() -> Magnet.parse("http://x/")));
        assertEquals("the magnet link has no BitTorrent v1 infohash (xt=urn:btih:...)",
            reason(() -> Magnet.parse("magnet:?dn=x")));
        assertEquals("infohash of 39 characters, not 40 hex or 32 base32",
            reason(() -> Magnet.parse("magnet:?xt=urn:btih:" + HEX.substring(1))));
        assertEquals("infohash " + HEX.replace('c', 'x') + " is not hex",
            reason(() -> Magnet.parse("magnet:?xt=urn:btih:" + HEX.replace('c', 'x'))));
        assertEquals("tracker file:///etc/passwd is not http, https or udp",
            reason(() -> Magnet.parse("magnet:?xt=urn:btih:" + HEX + "&tr=file:///etc/passwd")));
    }

    @Test
    void anInfoDictChecksItsHashAndItsPieces() {
        byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        byte[] info = TorrentFixtures.info("clip.webm", data, 32768);
        byte[] ih = TorrentFixtures.infoHash(info);
        Manifest m = Manifest.torrent(ih, info);
        assertEquals(100_000, m.length());
        assertEquals(16384, m.chunkSize());
        assertEquals(7, m.chunkCount());
        assertEquals("video/webm", m.mime());
        assertEquals("clip.webm", new String(m.name(), StandardCharsets.UTF_8));
        assertEquals(HashName.ofTorrent(ih), m.hashName());
        InfoDict d = m.torrentInfo();
        assertEquals(4, d.pieceCount());
        assertEquals(2, d.chunksPerPiece());
        d.verifyPiece(3, java.util.Arrays.copyOfRange(data, 98304, 100_000));
        byte[] bad = java.util.Arrays.copyOfRange(data, 0, 32768);
        bad[5] ^= 1;
        assertEquals("piece 0 does not match its SHA-1 in the info dict", reason(() -> d.verifyPiece(0, bad)));
        assertEquals("piece 3 is 32768 bytes, not 1696", reason(() -> d.verifyPiece(3, bad)));
        assertEquals("a torrent's chunks are checked by whole pieces",
            reason(() -> m.verifyChunk(0, bad, new byte[0][])));

        // Through DB_CONNECTED and back: the manifest carries the info dict, the hash_name the infohash only.
        DbConnected c = (DbConnected) OrdbMessage.decode(OrdbMessage.DB_CONNECTED, DbConnected.of(m).encode());
        assertEquals(m.hashName(), c.checkFor(HashName.ofTorrent(ih)).hashName());
        assertArrayEquals(info, c.manifest().torrentInfo().encoded());

        // Refusals, each with its field.
        byte[] other = ih.clone();
        other[0] ^= 1;
        assertEquals("info dict does not hash to the infohash", reason(() -> Manifest.torrent(other, info)));
        byte[] odd = TorrentFixtures.info("x", data, 20000);
        assertEquals("piece length 20000 is not a multiple of 16384 up to 16777216",
            reason(() -> Manifest.torrent(TorrentFixtures.infoHash(odd), odd)));
        byte[] lying = new String(info, StandardCharsets.ISO_8859_1).replace("i100000e", "i200000e")
            .getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("4 piece hashes for 7 pieces", reason(() -> Manifest.torrent(TorrentFixtures.infoHash(lying), lying)));
        byte[] deep = "d4:namelllllllllleeeeeeeeeee".getBytes(StandardCharsets.US_ASCII);
        assertEquals("bencoding nested over 8 deep", reason(() -> Manifest.torrent(TorrentFixtures.infoHash(deep), deep)));
        byte[] longString = "d4:name99999:abce".getBytes(StandardCharsets.US_ASCII);
        assertEquals("bencoding: string of 99999 bytes at 13, 4 left",
            reason(() -> Manifest.torrent(TorrentFixtures.infoHash(longString), longString)));
    }

    @Test
    void torrentQueriesCarryTheInfohashAndTrackers() {
        Magnet m = Magnet.parse("magnet:?xt=urn:btih:" + HEX + "&tr=http://127.0.0.1:6969/announce");
        DbQuery q = DbQuery.torrent(m, 96, 32, 2);
        DbQuery back = (DbQuery) OrdbMessage.decode(OrdbMessage.DB_QUERY, q.encode());
        assertEquals(m, back.torrent());
        assertEquals(HashName.ofTorrent(Bytes.unhex(HEX)), back.hashName());
        assertEquals(96, back.chunk());
        assertEquals(32, back.count());
        assertEquals(3, back.forwarded().counter());
        assertEquals(m, back.forwarded().torrent());
        // A whole piece of up to 16 MiB may be asked at once; not more.
        assertEquals(1024, ((DbQuery) OrdbMessage.decode(OrdbMessage.DB_QUERY,
            DbQuery.torrent(m, 0, 1024, 0).encode())).count());
        assertEquals("DB_QUERY asks 1025 chunks, limit 1024", reason(() -> DbQuery.torrent(m, 0, 1025, 0)));
        byte[] b = q.encode();
        b[b.length - 30] = (byte) 'f'; // "http" -> "fttp": the tracker list is the last 30 bytes
        assertEquals("tracker fttp://127.0.0.1:6969/announce is not http, https or udp",
            reason(() -> OrdbMessage.decode(OrdbMessage.DB_QUERY, b)));
    }

    static String reason(Runnable r) {
        return assertThrows(ProtocolException.class, r::run).getMessage();
    }
}
