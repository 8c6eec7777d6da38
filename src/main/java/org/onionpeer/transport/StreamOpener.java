package org.onionpeer.transport;

/**
 * Opens an application byte stream to host:port: through a circuit for the onion proxy (the SOCKS5 port
 * and the browser use it), or directly for tests. The opened stream is a {@link Transport}. Callbacks
 * arrive on the caller's scheduler.
 */
public interface StreamOpener {
    /**
     * Opens a stream that shares a circuit only with streams of the same {@code isolation} (an opener without
     * circuits, such as a direct one, has nothing to isolate).
     */
    void open(String host, int port, Isolation isolation, OpenCallback callback);

    /** A stream without isolation credentials: {@link Isolation#NONE}. */
    default void open(String host, int port, OpenCallback callback) {
        open(host, port, Isolation.NONE, callback);
    }

    /** Exactly one of the two is called. */
    interface OpenCallback {
        void opened(Transport stream);

        /**
         * The stream could not be opened. {@code endReason} is a tor-spec RELAY_END reason (e.g. 3
         * CONNECTREFUSED, 4 EXITPOLICY, 2 RESOLVEFAILED, 7 TIMEOUT) so front ends can map it (SOCKS5 reply codes).
         */
        void failed(int endReason, String message);
    }
}
