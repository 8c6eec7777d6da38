package org.onionpeer.browser.storage;

import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;

/** An IndexedDB transaction: complete once every request in it has been written. */
public interface IdbTransaction extends JSObject {
    IdbObjectStore objectStore(String name);

    @JSProperty
    JSObject getError();

    @JSProperty
    void setOncomplete(EventFn f);

    @JSProperty
    void setOnabort(EventFn f);

    @JSProperty
    void setOnerror(EventFn f);
}
