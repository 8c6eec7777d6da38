package org.onionpeer.jvm.bridge;

/**
 * Per-session limits of a {@link WebSocketTransport}, the same on both ends. Immutable; the {@code with...}
 * methods return changed copies.
 *
 * <ul>
 * <li>{@code maxMessageBytes}: largest binary message (and frame) accepted; a bigger one closes the session
 * with 1009. 64 KiB holds over a hundred 514-byte cells, far more than a browser sends in one frame.</li>
 * <li>{@code maxSendQueueBytes}: bytes handed to {@link WebSocketTransport#send} but not yet written; going
 * over closes the session with "send queue overflow" (a peer that stops reading must not grow our
 * memory without bound; the link layer watches {@code bufferedAmount()} to stay well below).</li>
 * <li>{@code receiveWindowBytes}: bytes received but not yet handed to the listener (queued on the scheduler);
 * at or above it we stop demanding frames, which stops reading the socket and pushes back on the peer
 * through TCP.</li>
 * <li>{@code idleTimeoutMillis}: a session with no traffic in either direction for this long is closed. The
 * link layer is expected to keep busy links alive with PADDING cells well within it.</li>
 * </ul>
 */
public final class WebSocketLimits {
    public static final WebSocketLimits DEFAULT = new WebSocketLimits(64 * 1024, 1024 * 1024, 256 * 1024,
            5 * 60 * 1000L);

    /** Text frames are refused anyway; this only bounds what Jetty would buffer before we see one. */
    static final int MAX_TEXT_MESSAGE_BYTES = 1024;

    private final int maxMessageBytes;
    private final long maxSendQueueBytes;
    private final long receiveWindowBytes;
    private final long idleTimeoutMillis;

    public WebSocketLimits(int maxMessageBytes, long maxSendQueueBytes, long receiveWindowBytes,
            long idleTimeoutMillis) {
        if (maxMessageBytes < 1 || maxSendQueueBytes < 1 || receiveWindowBytes < 1 || idleTimeoutMillis < 1) {
            throw new IllegalArgumentException("WebSocket limits must be positive");
        }
        this.maxMessageBytes = maxMessageBytes;
        this.maxSendQueueBytes = maxSendQueueBytes;
        this.receiveWindowBytes = receiveWindowBytes;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public long maxSendQueueBytes() {
        return maxSendQueueBytes;
    }

    public long receiveWindowBytes() {
        return receiveWindowBytes;
    }

    public long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    public WebSocketLimits withMaxMessageBytes(int v) {
        return new WebSocketLimits(v, maxSendQueueBytes, receiveWindowBytes, idleTimeoutMillis);
    }

    public WebSocketLimits withMaxSendQueueBytes(long v) {
        return new WebSocketLimits(maxMessageBytes, v, receiveWindowBytes, idleTimeoutMillis);
    }

    public WebSocketLimits withReceiveWindowBytes(long v) {
        return new WebSocketLimits(maxMessageBytes, maxSendQueueBytes, v, idleTimeoutMillis);
    }

    public WebSocketLimits withIdleTimeoutMillis(long v) {
        return new WebSocketLimits(maxMessageBytes, maxSendQueueBytes, receiveWindowBytes, v);
    }

    @Override
    public String toString() {
        return "WebSocketLimits{maxMessage=" + maxMessageBytes + ", maxSendQueue=" + maxSendQueueBytes
                + ", receiveWindow=" + receiveWindowBytes + ", idleTimeoutMs=" + idleTimeoutMillis + "}";
    }
}
