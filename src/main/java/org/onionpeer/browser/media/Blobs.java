package org.onionpeer.browser.media;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/** Blob, object URLs and the byte buffers the downloader fills. */
public final class Blobs {
    private Blobs() {
    }

    @JSFunctor
    public interface BytesFn extends JSObject {
        void call(JSObject arrayBuffer);
    }

    @JSFunctor
    public interface ErrorFn extends JSObject {
        void call(String error);
    }

    /** A Blob holding the bytes of a typed array. */
    @JSBody(params = "bytes", script = "return new Blob([bytes]);")
    public static native JSObject of(JSObject bytes);

    /** A Blob made of the Blobs in a JS array, with a MIME type. */
    @JSBody(params = {"parts", "type"}, script = "return new Blob(parts, {type: type || ''});")
    public static native JSObject concat(JSObject parts, String type);

    @JSBody(params = "o", script = "return o instanceof Blob;")
    public static native boolean isBlob(JSObject o);

    /** Reads a Blob; callbacks, never a suspension. */
    @JSBody(params = {"blob", "ok", "err"}, script = "blob.arrayBuffer().then(function (a$) { ok(a$); },"
            + " function (e$) { err(e$ && e$.message ? e$.message : String(e$)); });")
    public static native void read(JSObject blob, BytesFn ok, ErrorFn err);

    @JSBody(params = "o", script = "return URL.createObjectURL(o);")
    public static native String createObjectUrl(JSObject o);

    @JSBody(params = {"element", "url"}, script = "element.src = url;")
    public static native void setSrc(JSObject element, String url);

    @JSBody(params = "n", script = "return new Uint8Array(n);")
    public static native JSObject buffer(int n);

    /** Copies data[from, from+n) into buf at at. */
    @JSBody(params = {"buf", "at", "data", "from", "n"}, script = "var u$ = new Uint8Array(data.buffer,"
            + " data.byteOffset, data.byteLength); buf.set(u$.subarray(from, from + n), at);")
    public static native void copy(JSObject buf, int at, Int8Array data, int from, int n);

    @JSBody(params = {"buf", "n"}, script = "return buf.slice(0, n);")
    public static native JSObject slice(JSObject buf, int n);

    @JSBody(params = "o", script = "return o.byteLength;")
    public static native int byteLength(JSObject o);
}
