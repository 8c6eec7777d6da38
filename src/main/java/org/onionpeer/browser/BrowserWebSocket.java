package org.onionpeer.browser;

import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.transport.Transport;
import org.teavm.jso.JSBody;
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

    @JSBody(params = {"ws", "data"}, script = "ws.send(data);")
    private static native void send(Socket ws, Int8Array data);

    @JSBody(params = {"ws", "reason"}, script = "try { ws.close(1000, reason.substring(0, 100)); } catch (err$) { ws.close(); }")
    private static native void close(Socket ws, String reason);

    @JSBody(params = "ws", script = "return ws.bufferedAmount;")
    private static native double bufferedAmount(Socket ws);

    private Socket ws;
    private Listener listener;
    private boolean closed;

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
        if (!closed) {
            send(ws, Int8Array.copyFromJavaArray(data));
        }
    }

    @Override
    public void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        close(ws, reason == null ? "" : reason);
        if (listener != null) {
            Listener l = listener;
            Later.run(() -> l.onClosed(reason));
        }
    }

    @Override
    public long bufferedAmount() {
        return (long) bufferedAmount(ws);
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
