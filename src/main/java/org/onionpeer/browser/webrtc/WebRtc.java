package org.onionpeer.browser.webrtc;

import org.onionpeer.browser.webrtc.RTCDataChannel.BytesCallback;
import org.onionpeer.browser.webrtc.RTCDataChannel.EventCallback;
import org.onionpeer.browser.webrtc.RTCPeerConnection.ChannelCallback;
import org.onionpeer.browser.webrtc.RTCPeerConnection.TextCallback;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSByRef;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * WebRTC, callback-driven: every promise is resolved with {@code .then} inside the script and reported to
 * a Java callback, so nothing ever blocks (JSPromise.await fails when called from an event). Locals in the
 * scripts end in $ so TeaVM's minifier, which renames the parameters, cannot collide with them.
 */
public final class WebRtc {
    private WebRtc() {
    }

    /** A peer connection with no STUN/TURN servers: host candidates only (loopback and LAN). */
    @JSBody(script = "return new RTCPeerConnection({iceServers: []});")
    public static native RTCPeerConnection create();

    /** An ordered, reliable data channel; its binaryType is already 'arraybuffer'. */
    @JSBody(params = {"pc", "label"}, script = "var ch$ = pc.createDataChannel(label, {ordered: true});"
            + "ch$.binaryType = 'arraybuffer'; return ch$;")
    public static native RTCDataChannel createDataChannel(RTCPeerConnection pc, String label);

    /** Creates an offer; {@code ok} gets the description as JSON, or {@code err} a message. */
    @JSBody(params = {"pc", "ok", "err"}, script = "pc.createOffer().then(function (d$) {"
            + " ok(JSON.stringify(d$)); }, function (e$) { err('createOffer: ' + e$); });")
    public static native void createOffer(RTCPeerConnection pc, TextCallback ok, TextCallback err);

    /** Creates an answer (after the remote offer is set); {@code ok} gets it as JSON. */
    @JSBody(params = {"pc", "ok", "err"}, script = "pc.createAnswer().then(function (d$) {"
            + " ok(JSON.stringify(d$)); }, function (e$) { err('createAnswer: ' + e$); });")
    public static native void createAnswer(RTCPeerConnection pc, TextCallback ok, TextCallback err);

    /** Sets the local description from JSON; {@code ok} gets "" once it applies. */
    @JSBody(params = {"pc", "json", "ok", "err"}, script = "var d$;"
            + "try { d$ = JSON.parse(json); } catch (e$) { err('bad description JSON'); return; }"
            + "pc.setLocalDescription(d$).then(function () { ok(''); },"
            + " function (e$) { err('setLocalDescription: ' + e$); });")
    public static native void setLocalDescription(RTCPeerConnection pc, String json, TextCallback ok,
            TextCallback err);

    /** Sets the remote description from JSON; {@code ok} gets "" once it applies. */
    @JSBody(params = {"pc", "json", "ok", "err"}, script = "var d$;"
            + "try { d$ = JSON.parse(json); } catch (e$) { err('bad description JSON'); return; }"
            + "pc.setRemoteDescription(d$).then(function () { ok(''); },"
            + " function (e$) { err('setRemoteDescription: ' + e$); });")
    public static native void setRemoteDescription(RTCPeerConnection pc, String json, TextCallback ok,
            TextCallback err);

    /** Adds a remote ICE candidate given as JSON (only after the remote description is set). */
    @JSBody(params = {"pc", "json", "ok", "err"}, script = "var c$;"
            + "try { c$ = JSON.parse(json); } catch (e$) { err('bad candidate JSON'); return; }"
            + "pc.addIceCandidate(c$).then(function () { ok(''); },"
            + " function (e$) { err('addIceCandidate: ' + e$); });")
    public static native void addIceCandidate(RTCPeerConnection pc, String json, TextCallback ok,
            TextCallback err);

    /**
     * Each local ICE candidate as JSON; "" marks the end of gathering (the browser's null candidate), which
     * is not to be forwarded.
     */
    @JSBody(params = {"pc", "fn"}, script = "pc.onicecandidate = function (ev$) {"
            + " fn(ev$.candidate ? JSON.stringify(ev$.candidate) : ''); };")
    public static native void onIceCandidate(RTCPeerConnection pc, TextCallback fn);

    /** A channel the remote peer opened; its binaryType is set to 'arraybuffer' before Java sees it. */
    @JSBody(params = {"pc", "fn"}, script = "pc.ondatachannel = function (ev$) {"
            + " ev$.channel.binaryType = 'arraybuffer'; fn(ev$.channel); };")
    public static native void onDataChannel(RTCPeerConnection pc, ChannelCallback fn);

    /** Each change of connectionState. */
    @JSBody(params = {"pc", "fn"}, script = "pc.onconnectionstatechange = function () { fn(pc.connectionState); };")
    public static native void onConnectionStateChange(RTCPeerConnection pc, TextCallback fn);

    /** Sends a copy of the bytes; false if the channel refused them (not open, or over its queue limit). */
    public static boolean send(RTCDataChannel ch, byte[] data) {
        return sendArray(ch, Int8Array.copyFromJavaArray(data));
    }

    @JSBody(params = {"ch", "data"}, script = "try { ch.send(data); return true; } catch (e$) { return false; }")
    private static native boolean sendArray(RTCDataChannel ch, Int8Array data);

    /**
     * Sends the first {@code len} bytes of {@code data} without copying them into a new array first (the
     * channel itself copies at the call, so the caller may reuse the array); false if refused.
     */
    @JSBody(params = {"ch", "data", "len"}, script = "try { ch.send(len === data.length ? data"
            + " : data.subarray(0, len)); return true; } catch (e$) { return false; }")
    public static native boolean sendPrefix(RTCDataChannel ch, @JSByRef byte[] data, int len);

    @JSBody(params = {"ch", "fn"}, script = "ch.onopen = function () { fn(); };")
    public static native void onOpen(RTCDataChannel ch, EventCallback fn);

    /** Binary messages only; string messages are dropped. */
    @JSBody(params = {"ch", "fn"}, script = "ch.onmessage = function (ev$) {"
            + " if (typeof ev$.data !== 'string') fn(ev$.data); };")
    public static native void onMessage(RTCDataChannel ch, BytesCallback fn);

    @JSBody(params = {"ch", "fn"}, script = "ch.onclose = function () { fn(); };")
    public static native void onClose(RTCDataChannel ch, EventCallback fn);

    @JSBody(params = {"ch", "fn"}, script = "ch.onbufferedamountlow = function () { fn(); };")
    public static native void onBufferedAmountLow(RTCDataChannel ch, EventCallback fn);
}
