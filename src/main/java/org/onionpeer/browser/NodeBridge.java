package org.onionpeer.browser;

import java.util.Set;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbMessage;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * What files.js (downloads, stored files, the file player) asks of the node in onionpeer.js. The two are
 * separate TeaVM programs that share no Java objects, so the node exports these as plain functions on
 * {@code window.onionpeer._node} ({@link FilesModule}) and files.js calls them here.
 */
final class NodeBridge {
    private NodeBridge() {
    }

    /** The name the node knows for a link or magnet (from its manifest, or a magnet's dn=), or null. */
    @JSBody(params = "url", script = "var r$ = window.onionpeer._node.knownName(url); return r$ == null ? null : r$;")
    static native String knownName(String url);

    /** The bridge's origin, where media.js is too. */
    @JSBody(script = "return window.onionpeer._node.base();")
    static native String base();

    @JSFunctor
    interface Ready extends JSObject {
        void call();
    }

    /**
     * Calls ready() once the node has a circuit (starting the node if needed), waiting(state) meanwhile, or
     * failed(why) after the node's bound; gives an id for {@link #cancelReady}.
     */
    @JSBody(params = {"waiting", "ready", "failed"},
            script = "return window.onionpeer._node.whenReady(waiting, ready, failed);")
    static native int whenReady(JsApi.StringSink waiting, Ready ready, JsApi.StringSink failed);

    @JSBody(params = "id", script = "window.onionpeer._node.cancelReady(id);")
    static native void cancelReady(int id);

    /** A line in the node's events (status().events). */
    @JSBody(params = "text", script = "window.onionpeer._node.event(text);")
    static native void event(String text);

    @JSFunctor
    interface IdFn extends JSObject {
        void call(int id);
    }

    /**
     * Finds the ORDBs to play live link from (OrdbNode.findLive, once the page's ORDB runs): found(connector
     * id) for {@link Connector}, or failed(why).
     */
    @JSBody(params = {"link", "failed", "found"}, script = "window.onionpeer._node.liveFind(link, failed, found);")
    static native void liveFind(String link, JsApi.StringSink failed, IdFn found);

    @JSBody(params = "id", script = "window.onionpeer._node.liveRelease(id);")
    static native void liveRelease(int id);

    @JSFunctor
    interface MessageFn extends JSObject {
        void call(int stream, int command, Int8Array body);
    }

    @JSBody(params = {"c", "avoid", "message", "closed"},
            script = "return window.onionpeer._node.linkOpen(c, avoid, message, closed);")
    private static native int linkOpen(int c, String avoid, MessageFn message, Ready closed);

    @JSBody(params = "l", script = "return window.onionpeer._node.linkName(l);")
    private static native String linkName(int l);

    @JSBody(params = {"l", "stream", "command", "body"},
            script = "window.onionpeer._node.linkSend(l, stream, command, body);")
    private static native void linkSend(int l, int stream, int command, Int8Array body);

    @JSBody(params = "l", script = "window.onionpeer._node.linkClose(l);")
    private static native void linkClose(int l);

    /**
     * The node's connector {@code id} as the core's: the circuits are the node's, the messages cross the
     * boundary as (stream, command, encoded body), decoded on each side.
     */
    static final class Connector implements OrdbLink.Connector {
        private final int id;

        Connector(int id) {
            this.id = id;
        }

        @Override
        public OrdbLink open(Set<String> avoid, OrdbLink.Handler handler) {
            // avoid as lines: plain strings cross the boundary without conversions
            int l = linkOpen(id, String.join("\n", avoid), (stream, command, body) ->
                    handler.onMessage(stream, command, body.copyToJavaArray()), handler::onClosed);
            if (l < 0) {
                return null;
            }
            String name = linkName(l);
            return new OrdbLink() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public void send(int stream, OrdbMessage m) {
                    linkSend(l, stream, m.command(), Int8Array.copyFromJavaArray(m.encode()));
                }

                @Override
                public void close() {
                    linkClose(l);
                }
            };
        }
    }
}
