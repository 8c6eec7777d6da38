package org.onionpeer.browser;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/**
 * Runs a function as a new task on the page's event loop, after pending events (such as resolved
 * WebCrypto promises) have had their turn. A MessageChannel, not setTimeout, which browsers clamp to 4 ms.
 */
final class Later {
    private Later() {
    }

    @JSFunctor
    interface Task extends JSObject {
        void run();
    }

    // Locals end in $: TeaVM's minifier renames the parameter and must not collide with them.
    @JSBody(params = "fn", script = "var c$ = self.__onionpeerLater;"
            + "if (!c$) { c$ = self.__onionpeerLater = new MessageChannel(); c$.q = [];"
            + " c$.port1.onmessage = function () { var f$ = c$.q.shift(); f$(); }; }"
            + "c$.q.push(fn); c$.port2.postMessage(0);")
    static native void run(Task fn);
}
