package org.onionpeer.browser.webrtc;

import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;

/**
 * The browser's RTCPeerConnection. Its promise-returning methods are bound in {@link WebRtc}, callback
 * style; session descriptions and ICE candidates cross into Java as JSON strings.
 */
public interface RTCPeerConnection extends JSObject {
    /** A JavaScript function of one string: a result (a JSON description or candidate) or an error message. */
    @JSFunctor
    interface TextCallback extends JSObject {
        void call(String text);
    }

    /** Receives the data channel a remote peer opened. */
    @JSFunctor
    interface ChannelCallback extends JSObject {
        void call(RTCDataChannel channel);
    }

    /** "new", "connecting", "connected", "disconnected", "failed" or "closed". */
    @JSProperty
    String getConnectionState();

    void close();
}
