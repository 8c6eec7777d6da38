package org.onionpeer.browser;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/** The few raw JavaScript bindings the entry points need that teavm-jso-apis does not give. */
final class JsApi {
    private JsApi() {
    }

    /** A JavaScript function of no arguments returning a string. */
    @JSFunctor
    interface StringFn extends JSObject {
        String call();
    }

    /** A JavaScript function of one string argument returning a string. */
    @JSFunctor
    interface StringArgFn extends JSObject {
        String call(String arg);
    }

    /** A JavaScript function of one string argument returning nothing: a completion callback. */
    @JSFunctor
    interface StringSink extends JSObject {
        void call(String result);
    }

    /** A JavaScript function taking a completion callback: an asynchronous export. */
    @JSFunctor
    interface CallbackFn extends JSObject {
        void call(StringSink done);
    }

    @JSBody(params = {"name", "fn"}, script = "(window.onionpeer = window.onionpeer || {})[name] = fn;")
    static native void export(String name, CallbackFn fn);

    // One overload per functor type: TeaVM turns a lambda into a JS function only where the parameter's
    // declared type is the @JSFunctor interface itself.
    @JSBody(params = {"name", "fn"}, script = "(window.onionpeer = window.onionpeer || {})[name] = fn;")
    static native void export(String name, StringFn fn);

    @JSBody(params = {"name", "fn"}, script = "(window.onionpeer = window.onionpeer || {})[name] = fn;")
    static native void export(String name, StringArgFn fn);

    @JSBody(params = {"name", "value"}, script = "(window.onionpeer = window.onionpeer || {})[name] = value;")
    static native void exportString(String name, String value);

    @JSBody(script = "return performance.now();")
    static native double now();

    @JSBody(params = {"id", "text"}, script = "var e$ = document.getElementById(id); if (e$) e$.textContent = text;")
    static native void setText(String id, String text);
}
