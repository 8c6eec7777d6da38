package org.onionpeer.torrent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.onionpeer.crypto.Hashes;

/** Single-file v1 info dicts for tests, bencoded as BEP 3 says (keys sorted). */
public final class TorrentFixtures {
    private TorrentFixtures() {
    }

    public static byte[] info(String name, byte[] data, int pieceLength) {
        ByteArrayOutputStream pieces = new ByteArrayOutputStream();
        for (int off = 0; off < data.length; off += pieceLength) {
            int n = Math.min(pieceLength, data.length - off);
            pieces.writeBytes(Hashes.sha1(java.util.Arrays.copyOfRange(data, off, off + n)));
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("d6:lengthi" + data.length + "e4:name" + str(name) + "12:piece lengthi" + pieceLength
            + "e6:pieces" + pieces.size() + ":").getBytes(StandardCharsets.UTF_8));
        b.writeBytes(pieces.toByteArray());
        b.write('e');
        return b.toByteArray();
    }

    private static String str(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length + ":" + s;
    }

    public static byte[] infoHash(byte[] info) {
        return Hashes.sha1(info);
    }
}
