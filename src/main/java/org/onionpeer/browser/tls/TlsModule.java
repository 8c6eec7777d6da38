package org.onionpeer.browser.tls;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * The page's TLS client lives in a separate bundle, tls.js, with the root store in tls-roots.js: both are
 * loaded from the bridge on the first https:// fetch, so onionpeer.js keeps within its size budget and pages
 * that never use https never load them. The calls below cross to {@code TlsMain} through
 * {@code window.onionpeer.tls}; bytes cross as typed arrays (two TeaVM programs share no Java objects).
 */
public final class TlsModule {
    private TlsModule() {
    }

    @JSFunctor
    public interface Loaded extends JSObject {
        void call(String error);
    }

    @JSFunctor
    public interface OutFn extends JSObject {
        void call(Int8Array records);
    }

    @JSFunctor
    public interface EventFn extends JSObject {
        void call(String kind, String text, Int8Array data);
    }

    /** Loads base/tls-roots.js then base/tls.js once per page; done(null) or done(why not). */
    @JSBody(params = {"base", "done"}, script = "var o$ = window.onionpeer; if (!o$.tlsLoad) o$.tlsLoad ="
            + " new Promise(function (ok, no) { var n$ = 0;"
            + " function add$(src$, then$) { var s$ = document.createElement('script'); s$.src = src$;"
            + "  s$.onload = then$; s$.onerror = function () { o$.tlsLoad = null; no('cannot load ' + src$); };"
            + "  (document.head || document.documentElement).appendChild(s$); }"
            + " add$(base + '/tls-roots.js', function () { add$(base + '/tls.js', function () {"
            + "  onionpeerTlsMain([]); ok(); }); }); });"
            + " o$.tlsLoad.then(function () { done(null); }, done);")
    public static native void load(String base, Loaded done);

    /** The PEM anchors the page gave {@code onionpeer.start({trustAnchors})}, or "". */
    @JSBody(script = "return window.onionpeer.trustAnchorsPem || '';")
    public static native String anchors();

    @JSBody(params = {"host", "anchors", "out", "event"}, script = "return window.onionpeer.tls.open(host, anchors, out, event);")
    public static native int open(String host, String anchors, OutFn out, EventFn event);

    @JSBody(params = {"h", "b"}, script = "window.onionpeer.tls.push(h, b);")
    public static native void push(int h, Int8Array b);

    @JSBody(params = {"h", "b"}, script = "window.onionpeer.tls.write(h, b);")
    public static native void write(int h, Int8Array b);

    @JSBody(params = "h", script = "window.onionpeer.tls.close(h);")
    public static native void close(int h);

    @JSBody(params = "h", script = "window.onionpeer.tls.lost(h);")
    public static native void lost(int h);
}
