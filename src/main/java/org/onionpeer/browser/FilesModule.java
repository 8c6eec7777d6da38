package org.onionpeer.browser;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.node.Bootstrap;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbMessage;
import org.onionpeer.platform.Scheduler;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * Downloads, stored files and the players ({@link Downloads}, {@link StoredFiles}, {@link Player},
 * {@link LivePlayer}) live in a third bundle, files.js (entry {@code FilesMain}), loaded from the bridge on
 * the first call of one of {@code onionpeer.download/stream/fileBlob/removeFile}: they kept onionpeer.js
 * over its 500 KB budget (issue 12), and a page that never downloads never loads them ({@code files()}, the
 * list, needs no files.js: {@link SharedStore}). Here are the page's functions, unchanged for callers: each
 * loads files.js once (later calls share the load) and hands the call to it; a failed load reaches the
 * caller's callback as the error. files.js reaches the node through {@code onionpeer._node} ({@link
 * NodeBridge}): whether it has a circuit, names of links, and for live streams ({@link LivePlayer}, whose
 * LiveDownload runs in files.js) the ORDBs' circuits, messages crossing as encoded bytes.
 */
final class FilesModule {
    private static final Map<Integer, Scheduler.Cancellable> waits = new HashMap<>();
    private static int nextWait;

    private FilesModule() {
    }

    @JSFunctor
    interface WhenReadyFn extends JSObject {
        int call(JsApi.StringSink waiting, NodeBridge.Ready ready, JsApi.StringSink failed);
    }

    @JSFunctor
    interface CancelFn extends JSObject {
        void call(int id);
    }

    // Inner names end in $ so TeaVM's minifier, which renames the parameters, cannot collide with them.
    @JSBody(params = {"base", "files"}, script = "var o$ = window.onionpeer = window.onionpeer || {};"
            + "function n$() {}"
            + "function load$(go, fail) { if (!o$.filesLoad) o$.filesLoad = new Promise(function (ok, no) {"
            + " var src$ = base() + '/files.js', s$ = document.createElement('script'); s$.src = src$;"
            + " s$.onload = function () { try { onionpeerFilesMain([]); ok(); }"
            + " catch (e$) { o$.filesLoad = null; no('cannot start ' + src$ + ': ' + e$); } };"
            + " s$.onerror = function () { o$.filesLoad = null; no('cannot load ' + src$); };"
            + " (document.head || document.documentElement).appendChild(s$); });"
            + " o$.filesLoad.then(function () { go(o$._files); }, function (e$) { fail(String(e$)); }); }"
            // While files.js loads, a download says what the node waits for, as it did when it ran here (its
            // own wait, once loaded, takes over); this also starts the node then, as the download did.
            + "function wait$(g$) { return o$._node.whenReady(function (s$) {"
            + " g$(0, -1, 0, -1, 'waiting for the node: ' + s$); }, n$, n$); }"
            + "o$.download = function (u$, p$) { p$ = p$ || {}; var g$ = p$.onProgress || n$, d$ = p$.onDone || n$;"
            + " var w$ = wait$(g$);"
            + " load$(function (f$) { o$._node.cancelReady(w$); f$.download(u$, g$, d$); },"
            + " function (e$) { o$._node.cancelReady(w$); d$(e$, null); }); };"
            + "o$.stream = function (u$, v$, p$) { p$ = p$ || {}; var g$ = p$.onProgress || n$, d$ = p$.onDone || n$;"
            // The video gets its MediaSource now, as when the players were here: a page that calls play() right
            // after stream() (while files.js loads) plays once media arrives, as before.
            + " var m$ = new MediaSource(); v$.src = URL.createObjectURL(m$); var w$ = wait$(g$);"
            + " load$(function (f$) { o$._node.cancelReady(w$); f$.stream(u$, v$, g$, d$, m$); },"
            + " function (e$) { o$._node.cancelReady(w$); d$(e$, null); }); };"
            + "o$.files = function (c$) { files(c$); };"
            + "o$.fileBlob = function (u$, c$) {"
            + " load$(function (f$) { f$.fileBlob(u$, c$); }, function (e$) { c$(e$, null); }); };"
            + "o$.removeFile = function (u$, c$) { c$ = c$ || n$;"
            + " load$(function (f$) { f$.removeFile(u$, c$); }, function (e$) { c$(e$); }); };")
    private static native void exportStubs(JsApi.StringFn base, ListFn files);

    @JSFunctor
    interface ListFn extends JSObject {
        void call(JSObject cb);
    }

    @JSBody(params = {"knownName", "base", "whenReady", "cancelReady", "event"}, script = "(window.onionpeer ="
            + " window.onionpeer || {})._node = {knownName: knownName, base: base, whenReady: whenReady,"
            + " cancelReady: cancelReady, event: event};")
    private static native void exportNode(JsApi.StringArgFn knownName, JsApi.StringFn base, WhenReadyFn whenReady,
            CancelFn cancelReady, JsApi.StringSink event);

    @JSFunctor
    interface LiveFindFn extends JSObject {
        void call(String link, JsApi.StringSink failed, NodeBridge.IdFn found);
    }

    @JSFunctor
    interface LinkOpenFn extends JSObject {
        int call(int connector, String avoid, NodeBridge.MessageFn message, NodeBridge.Ready closed);
    }

    @JSFunctor
    interface LinkNameFn extends JSObject {
        String call(int link);
    }

    @JSFunctor
    interface LinkSendFn extends JSObject {
        void call(int link, int stream, int command, Int8Array body);
    }

    @JSBody(params = {"find", "release", "open", "name", "send", "close"}, script = "var n$ = window.onionpeer._node;"
            + " n$.liveFind = find; n$.liveRelease = release; n$.linkOpen = open; n$.linkName = name;"
            + " n$.linkSend = send; n$.linkClose = close;")
    private static native void exportLive(LiveFindFn find, CancelFn release, LinkOpenFn open, LinkNameFn name,
            LinkSendFn send, CancelFn close);

    static void export() {
        exportStubs(BrowserMain::base, SharedStore::files); // the list needs no files.js (SharedStore)
        exportNode(Sharing::knownName, BrowserMain::base, FilesModule::whenReady, FilesModule::cancelReady,
                BrowserMain::event);
        exportLive(FilesModule::liveFind, connectors::remove, FilesModule::linkOpen,
                l -> links.containsKey(l) ? links.get(l).name() : "?", FilesModule::linkSend, FilesModule::linkClose);
    }

    // ---- live streams: files.js's LiveDownload on the node's circuits (NodeBridge.Connector) ----

    private static final Map<Integer, OrdbLink.Connector> connectors = new HashMap<>();
    private static final Map<Integer, OrdbLink> links = new HashMap<>();
    private static int nextId;

    private static void liveFind(String link, JsApi.StringSink failed, NodeBridge.IdFn found) {
        HashName h;
        try {
            h = HashName.ofLink(link);
        } catch (ProtocolException e) {
            failed.call(e.getMessage());
            return;
        }
        BrowserMain.scheduler().execute(() -> Sharing.whenOrdb(() -> Sharing.ordb().findLive(h, failed::call, c -> {
            int id = nextId++;
            connectors.put(id, c);
            found.call(id);
        }), failed::call));
    }

    private static int linkOpen(int connector, String avoid, NodeBridge.MessageFn message, NodeBridge.Ready closed) {
        OrdbLink.Connector c = connectors.get(connector);
        if (c == null) {
            return -1;
        }
        int id = nextId++;
        Set<String> names = new HashSet<>();
        for (String n : avoid.isEmpty() ? new String[0] : Text.split(avoid, "\n")) {
            names.add(n);
        }
        OrdbLink l = c.open(names, new OrdbLink.Handler() {
            @Override
            public void onMessage(int stream, int command, byte[] body) {
                message.call(stream, command, Int8Array.copyFromJavaArray(body));
            }

            @Override
            public void onClosed() {
                links.remove(id);
                closed.call();
            }
        });
        if (l == null) {
            return -1;
        }
        links.put(id, l);
        return id;
    }

    private static void linkSend(int link, int stream, int command, Int8Array body) {
        OrdbLink l = links.get(link);
        if (l == null) {
            return;
        }
        try {
            l.send(stream, OrdbMessage.decode(command, body.copyToJavaArray()));
        } catch (ProtocolException e) {
            links.remove(link);
            l.close();
        }
    }

    private static void linkClose(int link) {
        OrdbLink l = links.remove(link);
        if (l != null) {
            l.close();
        }
    }

    /** As the downloads did in the node: on the node's scheduler, {@link BrowserMain#whenReady}. */
    private static int whenReady(JsApi.StringSink waiting, NodeBridge.Ready ready, JsApi.StringSink failed) {
        int id = nextWait++;
        waits.put(id, null); // pending: cancelReady before the task runs removes it
        BrowserMain.scheduler().execute(() -> {
            if (!waits.containsKey(id)) {
                return;
            }
            Scheduler.Cancellable c = BrowserMain.whenReady(new Bootstrap.Waiter() {
                @Override
                public void waiting(String state) {
                    waiting.call(state);
                }

                @Override
                public void ready(OnionProxy proxy) {
                    waits.remove(id);
                    ready.call();
                }

                @Override
                public void failed(String message) {
                    waits.remove(id);
                    failed.call(message);
                }
            });
            if (waits.containsKey(id)) {
                waits.put(id, c);
            }
        });
        return id;
    }

    private static void cancelReady(int id) {
        Scheduler.Cancellable c = waits.remove(id);
        if (c != null) {
            c.cancel();
        }
    }
}
