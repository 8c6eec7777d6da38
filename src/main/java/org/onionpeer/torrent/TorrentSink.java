package org.onionpeer.torrent;

/**
 * What a BitTorrent fetch hands its caller, ORDB-agnostic so the core can relay it later without knowing
 * the library behind it. Calls come one at a time, in this order: {@link #onMetadata} once, then
 * {@link #onPiece} for each piece of the requested range in increasing index order, exactly once each, then
 * {@link #onDone}; or {@link #onError} at any point, after which nothing more comes.
 */
public interface TorrentSink {
    /**
     * The torrent's info dict, as far as a requester needs it to check pieces: piece {@code i} covers bytes
     * {@code [i * pieceLength, min((i + 1) * pieceLength, length))} of the torrent's content (its files
     * concatenated) and its SHA-1 is {@code pieceHashes[i]} (20 bytes, BEP 3). {@code firstPiece} and
     * {@code lastPiece} (inclusive) are the pieces the requested byte range spans.
     */
    void onMetadata(String name, long length, int pieceLength, byte[][] pieceHashes, int firstPiece, int lastPiece);

    /** A whole piece whose SHA-1 matched the info dict; the caller trims the range's first and last piece. */
    void onPiece(int index, byte[] bytes);

    /** Every piece of the range was delivered. */
    void onDone();

    /** The fetch failed for good (no metadata, no peer, a file error); the text says why for a person. */
    void onError(String message);
}
