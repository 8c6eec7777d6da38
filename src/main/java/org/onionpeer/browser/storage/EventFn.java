package org.onionpeer.browser.storage;

import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/** A DOM event handler (the event itself is not needed by our callers). */
@JSFunctor
public interface EventFn extends JSObject {
    void handle(JSObject event);
}
