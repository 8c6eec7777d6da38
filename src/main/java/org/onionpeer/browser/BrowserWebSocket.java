package org.onionpeer.browser;

import org.onionpeer.bytes.Bytes;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.transport.Transport;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSByRef;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.ArrayBuffer;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * A link transport over the browser's WebSocket (binary frames carry cells). The browser cannot pause a
 * WebSocket; the link's and streams' windows bound what a peer can make us hold.
 */
final class BrowserWebSocket implements Transport {
    interface Socket extends JSObject {
    }

    @JSFunctor
    interface BytesFn extends JSObject {
        void call(ArrayBuffer data);
    }

    @JSFunctor
    interface TextFn extends JSObject {
        void call(String reason);
    }

    // Inner names end in $ so TeaVM's minifier, which renames the parameters, cannot collide with them.
    @JSBody(params = {"url", "onOpen", "onData", "onClose"}, script = "var ws$ = new WebSocket(url);"
            + "ws$.binaryType = 'arraybuffer'; var done$ = false;"
            + "ws$.onopen = function () { onOpen(''); };"
            + "ws$.onmessage = function (ev$) { if (typeof ev$.data !== 'string') onData(ev$.data); };"
            + "ws$.onerror = function () { };"
            + "ws$.onclose = function (ev$) { if (!done$) { done$ = true; onClose('websocket closed (' + ev$.code + ')'); } };"
            + "return ws$;")
    private static native Socket open(String url, TextFn onOpen, BytesFn onData, TextFn onClose);

    @JSBody(params = {"ws", "data", "len"}, script = "ws.send(data.subarray(0, len));")
    private static native void send(Socket ws, @JSByRef byte[] data, int len);

    @JSFunctor
    interface Task extends JSObject {
        void run();
    }

    @JSBody(params = "fn", script = "Promise.resolve().then(fn);")
    private static native void atEndOfTask(Task fn);

    @JSBody(params = {"ws", "reason"}, script = "try { ws.close(1000, reason.substring(0, 100)); } catch (err$) { ws.close(); }")
    private static native void close(Socket ws, String reason);

    @JSBody(params = "ws", script = "return ws.bufferedAmount;")
    private static native double bufferedAmount(Socket ws);

    private Socket ws;
    private Listener listener;
    private boolean closed;
    /** At most this much is gathered into one message: a bridge refuses messages above its limit (64 KiB). */
    private static final int MAX_GATHERED = 16 * 1024;
    /**
     * Sends made in one task of the page, sent as one message at its end: each ws.send costs the page's thread
     * far more than its bytes (profiled, issue 13: ~0.2-0.6 ms a call under load), and a circuit's and a
     * stream's SENDMEs are often due in the same task. ws.send copies, so the buffer is reused.
     */
    private byte[] out = new byte[2048];
    private int outLen;
    private final Task flush = this::flush;

    /** Opens a WebSocket; exactly one of the callback's methods follows, on the page loop. */
    static void connect(String url, Dialer.DialCallback cb) {
        BrowserWebSocket t = new BrowserWebSocket();
        boolean[] opened = {false};
        t.ws = open(url, reason -> {
            opened[0] = true;
            cb.connected(t, null, null);
        }, data -> t.deliver(data), reason -> {
            if (!opened[0]) {
                cb.failed(reason);
            } else {
                t.closedByPeer(reason);
            }
        });
    }

    private void deliver(ArrayBuffer data) {
        if (!closed && listener != null) {
            listener.onData(Int8Array.create(data).copyToJavaArray());
        }
    }

    private void closedByPeer(String reason) {
        if (!closed) {
            closed = true;
            if (listener != null) {
                listener.onClosed(reason);
            }
        }
    }

    @Override
    public void send(byte[] data) {
        send(data, 0, data.length);
    }

    @Override
    public void send(byte[] data, int off, int len) {
        if (closed) {
            return;
        }
        if (outLen + len > MAX_GATHERED) {
            flush();
        }
        if (outLen == 0) {
            atEndOfTask(flush);
        }
        out = Bytes.append(out, outLen, data, off, len);
        outLen += len;
    }

    private void flush() {
        if (!closed && outLen > 0) {
            send(ws, out, outLen);
        }
        outLen = 0;
    }

    @Override
    public void close(String reason) {
        if (closed) {
            return;
        }
        flush(); // what was sent before close goes out first
        closed = true;
        close(ws, reason == null ? "" : reason);
        if (listener != null) {
            Listener l = listener;
            Later.run(() -> l.onClosed(reason));
        }
    }

    @Override
    public long bufferedAmount() {
        return (long) bufferedAmount(ws) + outLen;
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    /** Dials ws:// and wss:// relay addresses: the only kind a page can reach. */
    static final class WsDialer implements Dialer {
        @Override
        public boolean canDial(LinkTarget target) {
            return target.kind() == LinkTarget.WEBSOCKET;
        }

        @Override
        public void dial(LinkTarget target, DialCallback callback) {
            connect(target.toString(), callback);
        }
    }
}
