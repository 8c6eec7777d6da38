package org.onionpeer.browser.media;

import org.onionpeer.browser.storage.EventFn;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;

/** Media Source Extensions' MediaSource: a video element's source that the page feeds with bytes. */
public abstract class MediaSource implements JSObject {
    @JSBody(script = "return new MediaSource();")
    public static native MediaSource create();

    @JSBody(params = "type", script = "return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(type);")
    public static native boolean isTypeSupported(String type);

    @JSProperty
    public abstract String getReadyState();

    public abstract SourceBuffer addSourceBuffer(String type);

    public abstract void endOfStream();

    public abstract void addEventListener(String type, EventFn handler);
}
