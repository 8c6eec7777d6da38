package org.onionpeer.browser.webrtc;

import org.onionpeer.transport.Transport;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * A link transport over an open RTCDataChannel (ordered, reliable). Large sends are cut into messages of
 * at most {@link #MAX_MESSAGE} bytes: the link frames cells itself, so any chunking is fine, and 64 KiB is
 * what every peer accepts (RFC 8841's default max-message-size; Chromium advertises 256 KiB). The fewer
 * the messages the better: each costs a send call, SCTP bookkeeping and a message event at the other end
 * (PeerBench, bulk through two relaying pages: 1.5 MB/s with 16 KiB messages, 1.9 MB/s with 64 KiB, raw
 * rate 4.3 MB/s). The browser cannot pause a data channel's receiving side;
 * the link's and streams' windows bound what a peer can make us hold.
 */
public final class DataChannelTransport implements Transport {
    /** Largest message handed to the channel. */
    public static final int MAX_MESSAGE = 65536;

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
            closePort(flusher);
            if (connection != null) {
                connection.close();
            }
            if (listener != null) {
                listener.onClosed(reason);
            }
        }
    }

    // Sends are gathered and handed to the channel in messages of up to MAX_MESSAGE bytes: a link sends one
    // 514-byte cell at a time, and a data channel message per cell costs far more (a JS call into the
    // browser's SCTP stack, framing, a receive event on the other side) than the cell itself. A partial batch
    // goes out in a task of its own (a MessageChannel message, never clamped like setTimeout), queued behind
    // the events already waiting: a relaying page gets one cell per incoming message, so flushing at the end
    // of each event (a microtask) sent one cell per message; measured in PeerBench, 40,000 messages for
    // 20 MB. When idle the extra task costs well under a millisecond; under load the batches fill.
    private final byte[] out = new byte[MAX_MESSAGE];
    private int outLen;
    private boolean flushScheduled;
    private final JSObject flusher = flusher(() -> {
        flushScheduled = false;
        flush();
    });

    @JSBody(params = "fn", script = "var c$ = new MessageChannel(); c$.port1.onmessage = function () { fn(); };"
            + " return c$.port2;")
    private static native JSObject flusher(Task fn);

    @JSBody(params = "port", script = "port.postMessage(0);")
    private static native void soon(JSObject port);

    /** Closing one end disentangles both, so a closed link's flush task can be collected. */
    @JSBody(params = "port", script = "port.close();")
    private static native void closePort(JSObject port);

    @Override
    public void send(byte[] data) {
        if (closed) {
            return;
        }
        int off = 0;
        while (off < data.length) {
            int n = Math.min(MAX_MESSAGE - outLen, data.length - off);
            System.arraycopy(data, off, out, outLen, n);
            outLen += n;
            off += n;
            if (outLen == MAX_MESSAGE && !flush()) {
                return;
            }
        }
        if (outLen > 0 && !flushScheduled) {
            flushScheduled = true;
            soon(flusher);
        }
    }

    /** Hands what is gathered to the channel; false (and the transport closed) if the channel refused it. */
    private boolean flush() {
        if (closed || outLen == 0) {
            return !closed;
        }
        int n = outLen;
        outLen = 0;
        // The channel copies what it is given at the call, so the one buffer serves every message.
        if (!WebRtc.sendPrefix(channel, out, n)) {
            // The channel refused: a hole in an ordered byte stream is fatal to the link.
            channel.close();
            closedBy("data channel refused a send (state " + channel.getReadyState() + ")");
            return false;
        }
        return true;
    }

    @Override
    public void close(String reason) {
        if (closed) {
            return;
        }
        flush(); // what the link sent last (a DESTROY, say) goes before the close
        closed = true;
        closePort(flusher);
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
        return (long) channel.getBufferedAmount() + outLen;
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }
}
