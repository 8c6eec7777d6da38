package org.onionpeer.browser.storage;

import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;

/** An IndexedDB request (IDBRequest / IDBOpenDBRequest): the answer arrives through its handlers. */
public interface IdbRequest extends JSObject {
    @JSProperty
    JSObject getResult();

    @JSProperty
    JSObject getError();

    @JSProperty
    void setOnsuccess(EventFn f);

    @JSProperty
    void setOnerror(EventFn f);

    @JSProperty
    void setOnupgradeneeded(EventFn f);
}
