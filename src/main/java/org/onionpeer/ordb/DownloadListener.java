package org.onionpeer.ordb;

/** What a {@link Download} reports, on its scheduler. */
public interface DownloadListener {
    /** Chunk {@code index}, verified, in order from 0. */
    void onData(long index, byte[] data, byte[][] proof);

    void onDone(String error);

    default void onManifest(Manifest m) {
    }

    default void onProgress(long bytes, long total) {
    }

    default void onSource(DownloadSource source, String event) {
    }
}
