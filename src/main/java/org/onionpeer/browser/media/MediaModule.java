package org.onionpeer.browser.media;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * The media parsers (org.onionpeer.media) live in a bundle of their own, media.js, loaded from the bridge on
 * the first stream() (by the players in files.js) or shareLive() (by onionpeer.js): they would not fit in
 * onionpeer.js's size budget, and pages that never play media never load them. See {@code MediaMain} for the
 * other side of these calls.
 */
public final class MediaModule {
    private MediaModule() {
    }

    @JSFunctor
    public interface Loaded extends JSObject {
        void call(String error);
    }

    /** What one push gave: an error, the type, where to fetch the moov from, whether a tail is whole, bytes to append. */
    public abstract static class Step implements JSObject {
        @JSProperty("e")
        public abstract String getError();

        @JSProperty("t")
        public abstract String getType();

        @JSProperty("m")
        public abstract double getMoovAt();

        @JSProperty("d")
        public abstract boolean isTailDone();

        @JSProperty("o")
        public abstract JSObject getOut();
    }

    /** Loads src once per page (later calls share the first load); done(null) or done(why not). */
    @JSBody(params = {"src", "done"}, script = "var o$ = window.onionpeer; if (!o$.mediaLoad) o$.mediaLoad ="
            + " new Promise(function (ok, no) { var s$ = document.createElement('script'); s$.src = src;"
            + " s$.onload = function () { onionpeerMediaMain([]); ok(); };"
            + " s$.onerror = function () { o$.mediaLoad = null; no('cannot load ' + src); };"
            + " (document.head || document.documentElement).appendChild(s$); });"
            + " o$.mediaLoad.then(function () { done(null); }, done);")
    public static native void load(String src, Loaded done);

    /**
     * Plays {@code ms}, already a video's source: {@code opened} runs once the MediaSource is open (a
     * SourceBuffer may be added; it may be open already, as it was set while files.js loaded), {@code loaded}
     * once media.js (from {@code base}, the bridge) is loaded (null) or could not be (why).
     */
    public static void attach(MediaSource ms, String base, Runnable opened, Loaded loaded) {
        if ("open".equals(ms.getReadyState())) {
            opened.run();
        } else {
            ms.addEventListener("sourceopen", e -> opened.run());
        }
        load(base + "/media.js", loaded);
    }

    @JSBody(script = "return window.onionpeer.media.open();")
    public static native int open();

    /** Pushes file bytes (an ArrayBuffer or typed array); tail: bytes from the moov's offset on. */
    @JSBody(params = {"h", "b", "tail"}, script = "return window.onionpeer.media.push(h,"
            + " b instanceof ArrayBuffer ? new Int8Array(b) : new Int8Array(b.buffer, b.byteOffset, b.byteLength), tail);")
    public static native Step push(int h, JSObject b, boolean tail);

    /**
     * Restarts at the key frame (MP4) or Cluster (WebM) before t seconds: the file offset to push from; -1
     * when the file cannot seek by bytes; -2 minus an offset when a WebM's Cues must be fetched from there
     * (as a tail) first.
     */
    @JSBody(params = {"h", "t"}, script = "return window.onionpeer.media.seek(h, t);")
    public static native double seek(int h, double t);

    @JSFunctor
    public interface Seeking extends JSObject {
        void call(double t);
    }

    /** Calls fn(t) when the element seeks to a time t that is not buffered. */
    @JSBody(params = {"v", "fn"}, script = "v.addEventListener('seeking', function () { var t$ = v.currentTime,"
            + " b$ = v.buffered; for (var i$ = 0; i$ < b$.length; i$++) if (t$ >= b$.start(i$) && t$ < b$.end(i$))"
            + " return; fn(t$); });")
    public static native void onSeekAway(JSObject v, Seeking fn);

    @JSBody(params = "h", script = "window.onionpeer.media.close(h);")
    public static native void close(int h);

    @JSBody(params = "a", script = "return a.length;")
    public static native int length(JSObject a);

    @JSBody(params = {"a", "i"}, script = "return a[i];")
    public static native JSObject at(JSObject a, int i);

    /** A fragmented MP4 cut for a live stream (MediaMain.cut): an error, or the init segment and the fragments. */
    public abstract static class Cut implements JSObject {
        @JSProperty("e")
        public abstract String getError();

        @JSProperty("i")
        public abstract Int8Array getInit();

        @JSProperty("f")
        public abstract JSObject getFragments();

        @JSProperty("ms")
        public abstract JSObject getMillis();
    }

    /** Cuts a fragmented MP4 (an ArrayBuffer) with media.js, which must be loaded. */
    @JSBody(params = "b", script = "return window.onionpeer.media.cut(new Int8Array(b));")
    public static native Cut cut(JSObject b);

    @JSBody(params = {"a", "i"}, script = "return a[i];")
    public static native double numberAt(JSObject a, int i);
}
