package org.onionpeer.browser;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/**
 * What onionpeer.js itself reads and writes in the downloads' IndexedDB database: the files this page shares
 * (stored so files() lists them and they are shared again after a reload), and the list {@code files()}
 * gives, which the bridge's page shows as it loads. Plain JavaScript on the schema of {@link StoredFiles},
 * which is in files.js: neither a node start nor a page listing its files should load that bundle. Keep the
 * two in step (database name and version, stores, record fields, {@code Idb.info}).
 */
final class SharedStore {
    private SharedStore() {
    }

    @JSFunctor
    interface SharedFn extends JSObject {
        void call(String url, String name, String type, JSObject blob);
    }

    // Opens the database as StoredFiles.db does (creating the stores on first use), then runs use(db).
    private static final String OPEN = "function open$(use, fail) { var r$ = indexedDB.open('"
            + Downloads.DB_NAME + "', 1);"
            + " r$.onupgradeneeded = function () { r$.result.createObjectStore('files', {keyPath: 'url'});"
            + " r$.result.createObjectStore('chunks'); };"
            + " r$.onsuccess = function () { use(r$.result); };"
            + " r$.onerror = function () { fail('IndexedDB unavailable: ' + (r$.error && r$.error.message || r$.error)); }; }";

    /** Stores blob as the finished file at url, shared by this page (as StoredFiles.storeShared did); done(error or null). */
    @JSBody(params = {"url", "blob", "name", "type", "size", "done"}, script = OPEN
            + "open$(function (d$) { var t$ = d$.transaction(['files', 'chunks'], 'readwrite'), once$ = false;"
            + " var c$ = t$.objectStore('chunks'); c$.delete(IDBKeyRange.bound([url, 0], [url, Infinity]));"
            + " c$.put(blob, [url, 0]);"
            + " t$.objectStore('files').put({url: url, name: name, type: type, total: size, received: size, chunks: 1,"
            + " done: true, updated: Date.now(), status: 200, resumedFrom: 0, shared: true});"
            + " t$.oncomplete = function () { done(null); };"
            + " t$.onabort = t$.onerror = function () { if (!once$) { once$ = true;"
            + " done('IndexedDB write failed: ' + (t$.error && t$.error.message || t$.error)); } }; }, done);")
    static native void store(String url, JSObject blob, String name, String type, double size, JsApi.StringSink done);

    /** Calls each(url, name, type, blob) for every finished file this page shared; nothing when there are none. */
    @JSBody(params = "each", script = OPEN
            + "open$(function (d$) { var r$ = d$.transaction('files').objectStore('files').getAll();"
            + " r$.onsuccess = function () { r$.result.forEach(function (m$) { if (!m$.done || !m$.shared) return;"
            + " var g$ = d$.transaction('chunks').objectStore('chunks')"
            + ".getAll(IDBKeyRange.bound([m$.url, 0], [m$.url, Infinity]));"
            + " g$.onsuccess = function () { each(m$.url, m$.name, m$.type || '', new Blob(g$.result, {type: m$.type || ''})); };"
            + " }); }; }, function () {});")
    static native void forEachShared(SharedFn each);

    /** {@code onionpeer.files(cb)}: cb(null, [info]) newest first, info as Idb.info gives it; or cb(error, null). */
    @JSBody(params = "cb", script = OPEN
            + "open$(function (d$) { var r$ = d$.transaction('files').objectStore('files').getAll();"
            + " r$.onsuccess = function () { cb(null, r$.result.sort(function (a$, b$) { return b$.updated - a$.updated; })"
            + ".map(function (m$) { return {url: m$.url, name: m$.name, type: m$.type || '', total: m$.total,"
            + " received: m$.received, done: !!m$.done, updated: m$.updated, shared: !!m$.shared}; })); };"
            + " r$.onerror = function () { cb(r$.error && r$.error.message || String(r$.error), null); }; },"
            + " function (e$) { cb(e$, null); });")
    static native void files(JSObject cb);
}
