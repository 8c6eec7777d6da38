package org.onionpeer.browser.webrtc;

import org.onionpeer.transport.Transport;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * A link transport over an open RTCDataChannel (ordered, reliable). Large sends are cut into messages of
 * at most {@link #MAX_MESSAGE} bytes: the link frames cells itself, so any chunking is fine, and 16 KiB is
 * the size every browser's SCTP stack accepts. The browser cannot pause a data channel's receiving side;
 * the link's and streams' windows bound what a peer can make us hold.
 */
public final class DataChannelTransport implements Transport {
    /** Largest message handed to the channel. */
    public static final int MAX_MESSAGE = 16384;

    @JSFunctor
    interface Task extends JSObject {
        void run();
    }

    // A new task on the event loop, so onClosed never runs inside the caller's close().
    @JSBody(params = "fn", script = "setTimeout(function () { fn(); }, 0);")
    private static native void later(Task fn);

    private final RTCDataChannel channel;
    private RTCPeerConnection connection;
    private Listener listener;
    private boolean closed;

    /** Wraps a channel (open, or about to open: sends before it opens fail and close the transport). */
    public DataChannelTransport(RTCDataChannel channel) {
        this.channel = channel;
        channel.setBinaryType("arraybuffer");
        WebRtc.onMessage(channel, data -> {
            if (!closed && listener != null) {
                listener.onData(Int8Array.create(data).copyToJavaArray());
            }
        });
        WebRtc.onClose(channel, () -> closedBy("data channel closed"));
    }

    /** How long a connection may stay "disconnected" (ICE consent lost) before the link is given up. */
    static final int DISCONNECTED_GRACE_MS = 5000;
    private int disconnectedSince = -1;

    @JSBody(params = {"fn", "ms"}, script = "setTimeout(function () { fn(); }, ms);")
    private static native void after(Task fn, int ms);

    /**
     * The peer connection's state: a closed tab or a dead peer shows as "disconnected" within seconds (ICE
     * consent checks fail), long before the data channel would close by itself; unless it recovers within
     * {@link #DISCONNECTED_GRACE_MS}, the link closes, so circuits through it fail now and are rebuilt.
     */
    public void connectionState(String state) {
        if ("failed".equals(state) || "closed".equals(state)) {
            close("peer connection " + state);
        } else if ("disconnected".equals(state)) {
            int mark = ++disconnectedSince;
            after(() -> {
                if (mark == disconnectedSince && "disconnected".equals(connection.getConnectionState())) {
                    close("peer connection disconnected for " + DISCONNECTED_GRACE_MS / 1000 + " s");
                }
            }, DISCONNECTED_GRACE_MS);
        } else {
            disconnectedSince++;
        }
    }

    /** Closes {@code pc} too when this transport closes (a link owns its connection). */
    public void closeAlso(RTCPeerConnection pc) {
        this.connection = pc;
    }

    public RTCDataChannel channel() {
        return channel;
    }

    private void closedBy(String reason) {
        if (!closed) {
            closed = true;
            if (connection != null) {
                connection.close();
            }
            if (listener != null) {
                listener.onClosed(reason);
            }
        }
    }

    @Override
    public void send(byte[] data) {
        if (closed) {
            return;
        }
        for (int off = 0; off < data.length; off += MAX_MESSAGE) {
            int n = Math.min(MAX_MESSAGE, data.length - off);
            byte[] piece = data;
            if (off != 0 || n != data.length) {
                piece = new byte[n];
                System.arraycopy(data, off, piece, 0, n);
            }
            if (!WebRtc.send(channel, piece)) {
                // The channel refused: a hole in an ordered byte stream is fatal to the link.
                channel.close();
                closedBy("data channel refused a send (state " + channel.getReadyState() + ")");
                return;
            }
        }
    }

    @Override
    public void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        channel.close();
        if (connection != null) {
            connection.close();
        }
        if (listener != null) {
            Listener l = listener;
            later(() -> l.onClosed(reason));
        }
    }

    @Override
    public long bufferedAmount() {
        return (long) channel.getBufferedAmount();
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }
}
