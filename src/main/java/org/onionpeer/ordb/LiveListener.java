package org.onionpeer.ordb;

/** What a {@link LiveDownload} reports, on its scheduler. */
public interface LiveListener {
    /** The init segment (window 0), whole, before any media. */
    void onInit(byte[] init);

    /**
     * Media chunk {@code index}, verified, in order: the bytes are contiguous, the numbers jump to the next
     * window's first chunk after a window closed short, and further only after {@link #onSkip}.
     */
    void onData(long index, byte[] data);

    void onDone(String error);

    default void onManifest(Manifest m, LiveWindow latest) {
    }

    /** Chunks {@code from} .. {@code to - 1} will never be played: {@code why}. */
    default void onSkip(long from, long to, String why) {
    }

    default void onSource(DownloadSource source, String event) {
    }
}
