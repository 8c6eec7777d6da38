package org.onionpeer.browser;

/**
 * Entry point of files.js, the downloads bundle (see {@link FilesModule}, its loader in onionpeer.js):
 * {@link Downloads}, {@link StoredFiles} and {@link Player} behind {@code window.onionpeer._files}, which
 * onionpeer.js's {@code download/stream/files/fileBlob/removeFile} call. The node is reached through
 * {@link NodeBridge} only: nothing here may use BrowserMain, Sharing or the core's node classes, which are
 * another program's objects.
 */
public final class FilesMain {
    private FilesMain() {
    }

    public static void main(String[] args) {
        Downloads.export();
    }
}
