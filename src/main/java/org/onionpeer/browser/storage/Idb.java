package org.onionpeer.browser.storage;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSObject;

/** The entry points of IndexedDB that are not methods of an object we already hold, and key helpers. */
public final class Idb {
    private Idb() {
    }

    @JSBody(params = {"name", "version"}, script = "return indexedDB.open(name, version);")
    public static native IdbRequest open(String name, int version);

    /** A string key. */
    @JSBody(params = "s", script = "return s;")
    public static native JSObject key(String s);

    /** An array key [s, n]. */
    @JSBody(params = {"s", "n"}, script = "return [s, n];")
    public static native JSObject key(String s, int n);

    /** Every array key [s, any number]. */
    @JSBody(params = "s", script = "return IDBKeyRange.bound([s, 0], [s, Infinity]);")
    public static native JSObject keysOf(String s);

    @JSBody(params = {"a", "b"}, script = "return [a, b];")
    public static native JSObject names(String a, String b);

    @JSBody(params = "keyPath", script = "return {keyPath: keyPath};")
    public static native JSObject keyPath(String keyPath);

    @JSBody(script = "return {};")
    public static native JSObject noOptions();

    /** Words for a DOMException or other error value. */
    @JSBody(params = "e", script = "return e && e.message ? e.message : String(e);")
    public static native String describe(JSObject e);

    @JSBody(params = "o", script = "return o === undefined || o === null;")
    public static native boolean absent(JSObject o);

    @JSBody(params = "a", script = "return a.length;")
    public static native int length(JSObject array);

    @JSBody(params = {"a", "i"}, script = "return a[i];")
    public static native JSObject at(JSObject array, int i);

    @JSBody(script = "return {url: '', name: '', type: '', total: -1, received: 0, chunks: 0, done: false,"
            + " updated: 0, status: 0, resumedFrom: 0};")
    public static native StoredFile newFile();

    /** What the page is shown of a stored file: {url, name, type, total, received, done, updated}. */
    @JSBody(params = "m", script = "return {url: m.url, name: m.name, type: m.type || '', total: m.total,"
            + " received: m.received, done: !!m.done, updated: m.updated, shared: !!m.shared};")
    public static native JSObject info(StoredFile m);

    @JSBody(script = "return [];")
    public static native JSObject newArray();

    @JSBody(params = {"a", "v"}, script = "a.push(v);")
    public static native void push(JSObject array, JSObject value);
}
