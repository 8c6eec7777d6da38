package org.onionpeer.browser.storage;

import org.teavm.jso.JSObject;

/** An open IndexedDB database. */
public interface IdbDatabase extends JSObject {
    IdbObjectStore createObjectStore(String name, JSObject options);

    /** A read-only transaction over one store. */
    IdbTransaction transaction(String store);

    /** A transaction over the stores in {@code stores} (a JS array from {@link Idb#names}). */
    IdbTransaction transaction(JSObject stores, String mode);
}
