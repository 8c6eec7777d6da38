package org.onionpeer.browser;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/** GET as text with XMLHttpRequest; no state of its own, so both onionpeer.js and torcheck.js use it. */
final class Http {
    private Http() {
    }

    @JSFunctor
    interface TextFn extends JSObject {
        void call(String text);
    }

    // Inner names end in $ so TeaVM's minifier, which renames the parameters, cannot collide with them.
    // The body's bytes as ISO-8859-1 chars, as the netdoc parsers take them (a Tor document's signature covers
    // its bytes): x-user-defined keeps bytes 0x00-0x7f and maps 0x80-0xff to U+F780-U+F7FF.
    @JSBody(params = {"url", "ok", "err"}, script = "var x$ = new XMLHttpRequest(); x$.open('GET', url);"
            + "x$.overrideMimeType('text/plain; charset=x-user-defined');"
            + "x$.onload = function () { if (x$.status === 200) ok(x$.responseText.replace(/[\\uf780-\\uf7ff]/g,"
            + " function (c$) { return String.fromCharCode(c$.charCodeAt(0) - 0xf700); }));"
            + " else err('HTTP ' + x$.status); };"
            + "x$.onerror = function () { err('cannot reach ' + url); }; x$.send();")
    static native void get(String url, TextFn ok, TextFn err);
}
