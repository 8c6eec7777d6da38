package org.onionpeer.browser.media;

import org.onionpeer.browser.storage.EventFn;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;

/** One track buffer of a {@link MediaSource}; takes one append at a time (until its updateend). */
public abstract class SourceBuffer implements JSObject {
    @JSProperty
    public abstract boolean isUpdating();

    public abstract void addEventListener(String type, EventFn handler);

    /** Appends bytes (an ArrayBuffer or typed array); null, or why the buffer refused them. */
    @JSBody(params = {"sb", "bytes"}, script = "try { sb.appendBuffer(bytes); return null; }"
            + " catch (e$) { return e$ && e$.message ? e$.message : String(e$); }")
    public static native String append(SourceBuffer sb, JSObject bytes);

    /** Drops an append in progress and resets the parser, so bytes from another place in the file may follow. */
    @JSBody(params = "sb", script = "try { sb.abort(); } catch (e$) { }")
    public static native void abort(SourceBuffer sb);
}
