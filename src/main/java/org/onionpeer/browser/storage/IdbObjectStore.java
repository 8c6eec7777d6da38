package org.onionpeer.browser.storage;

import org.teavm.jso.JSObject;

/** An IndexedDB object store, within a transaction. Keys and ranges are made by {@link Idb}. */
public interface IdbObjectStore extends JSObject {
    IdbRequest get(JSObject key);

    IdbRequest getAll();

    IdbRequest getAll(JSObject range);

    IdbRequest put(JSObject value);

    IdbRequest put(JSObject value, JSObject key);

    IdbRequest delete(JSObject keyOrRange);
}
