package org.onionpeer.browser.webrtc;

import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;
import org.teavm.jso.typedarrays.ArrayBuffer;

/**
 * The browser's RTCDataChannel, binary only (binaryType 'arraybuffer'). Sending and the event handlers are
 * bound in {@link WebRtc}.
 */
public interface RTCDataChannel extends JSObject {
    @JSFunctor
    interface EventCallback extends JSObject {
        void call();
    }

    @JSFunctor
    interface BytesCallback extends JSObject {
        void call(ArrayBuffer data);
    }

    @JSProperty
    String getLabel();

    /** "connecting", "open", "closing" or "closed". */
    @JSProperty
    String getReadyState();

    @JSProperty
    String getBinaryType();

    @JSProperty
    void setBinaryType(String type);

    /** Bytes queued by send() but not yet handed to SCTP. */
    @JSProperty
    double getBufferedAmount();

    @JSProperty
    void setBufferedAmountLowThreshold(double bytes);

    void close();
}
