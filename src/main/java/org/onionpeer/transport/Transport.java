package org.onionpeer.transport;

/**
 * A reliable, ordered byte transport under one link: TCP+TLS, a WebSocket (one binary frame = one or more
 * whole cells), a WebRTC data channel, or an in-process pipe. The link frames cells itself, so a transport
 * may deliver any chunking of the byte stream. Callbacks arrive on the node's scheduler.
 */
public interface Transport {
    /** Queues bytes for sending; never blocks. */
    void send(byte[] data);

    /**
     * Queues {@code b[off..off+len)} for sending; the caller may change or reuse {@code b} once this returns (a
     * link encodes every cell into the same scratch array). Transports that copy what they queue anyway
     * override it to copy once; the default makes the copy.
     */
    default void send(byte[] b, int off, int len) {
        send(org.onionpeer.bytes.Bytes.slice(b, off, len));
    }

    /** Closes the transport; {@link Listener#onClosed} follows once. */
    void close(String reason);

    /** Bytes queued but not yet handed to the network: links use it for back-pressure. */
    long bufferedAmount();

    void setListener(Listener listener);

    /**
     * Asks the transport to stop (true) or resume (false) delivering data: back-pressure from a consumer
     * that cannot keep up, so the peer is throttled instead of filling our memory. Transports that cannot
     * pause ignore it.
     */
    default void pauseReading(boolean paused) {
    }

    /**
     * RFC 5705 keying material exported from this transport's TLS session (tor-spec §4.4.2 binds AUTHENTICATE
     * to it), or null when the transport is not TLS or its platform cannot export (JDK before 25, browsers).
     */
    default byte[] exportKeyingMaterial(String label, byte[] context, int length) {
        return null;
    }

    /** What the link hears from its transport. */
    interface Listener {
        void onData(byte[] data);

        /**
         * {@code b[off..off+len)}, valid only during the call (a stream handing on a cell's data from the link's
         * buffer, no copy). Listeners that copy what they read anyway override it; the default makes the copy.
         */
        default void onData(byte[] b, int off, int len) {
            onData(org.onionpeer.bytes.Bytes.slice(b, off, len));
        }

        void onClosed(String reason);
    }
}
