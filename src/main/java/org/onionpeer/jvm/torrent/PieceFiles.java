package org.onionpeer.jvm.torrent;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.libtorrent4j.FileStorage;

/**
 * Where a torrent's pieces lie in the files libtorrent writes under a dir, copied out of its metadata once
 * (later native calls then go through the torrent handle only, never through a pointer into its info).
 */
final class PieceFiles {
    private final byte[][] hashes;
    private final long length;
    private final int pieceLength;
    private final Path[] files;
    private final long[] starts;
    private final boolean[] pads;

    /** @throws IllegalArgumentException if the torrent names a file outside {@code dir} */
    PieceFiles(Path dir, FileStorage fs, byte[][] hashes) {
        this.hashes = hashes;
        length = fs.totalSize();
        pieceLength = fs.pieceLength();
        files = new Path[fs.numFiles()];
        starts = new long[files.length];
        pads = new boolean[files.length];
        for (int i = 0; i < files.length; i++) {
            files[i] = dir.resolve(fs.filePath(i)).normalize();
            starts[i] = fs.fileOffset(i);
            pads[i] = fs.padFileAt(i);
            if (!files[i].startsWith(dir)) {
                throw new IllegalArgumentException("the torrent names a file outside its directory");
            }
        }
    }

    /** The piece's bytes from the files it spans, or null if they are not all there or fail the SHA-1. */
    byte[] read(int piece) throws IOException {
        long start = (long) piece * pieceLength;
        byte[] out = new byte[(int) Math.min(pieceLength, length - start)];
        long end = start + out.length;
        for (int i = 0; i < files.length; i++) {
            long a = Math.max(start, starts[i]);
            long b = Math.min(end, i + 1 < files.length ? starts[i + 1] : length);
            if (a >= b || pads[i]) {
                continue; // not in this piece, or a pad file (zeros, never written)
            }
            try (RandomAccessFile raf = new RandomAccessFile(files[i].toFile(), "r")) {
                raf.seek(a - starts[i]);
                raf.readFully(out, (int) (a - start), (int) (b - a));
            } catch (EOFException | FileNotFoundException e) {
                return null;
            }
        }
        try {
            return MessageDigest.isEqual(MessageDigest.getInstance("SHA-1").digest(out), hashes[piece]) ? out : null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
