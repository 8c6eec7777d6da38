package org.onionpeer.browser.webrtc;

import java.util.function.Consumer;
import org.onionpeer.peer.PeerConnector;
import org.teavm.jso.JSBody;

/**
 * {@link PeerConnector} on RTCPeerConnection: one ordered, reliable data channel, no STUN/TURN servers,
 * descriptions sent once ICE gathering is complete (at most 3 s; on loopback and LANs it takes
 * milliseconds), so a whole setup is one offer and one answer. Every event is handed to the node's
 * scheduler.
 */
public final class RtcPeerConnector implements PeerConnector {
    private final Consumer<Runnable> node;

    public RtcPeerConnector(Consumer<Runnable> node) {
        this.node = node;
    }

    // Locals end in $ (TeaVM's minifier renames parameters). The gathering wait resolves either way.
    @JSBody(params = {"pc", "offer", "ok", "err"}, script = "var gathered$ = function () { return new Promise("
            + "function (r$) { if (pc.iceGatheringState === 'complete') { r$(); return; }"
            + " var t$ = setTimeout(r$, 3000); pc.addEventListener('icegatheringstatechange', function () {"
            + " if (pc.iceGatheringState === 'complete') { clearTimeout(t$); r$(); } }); }); };"
            + "var p$ = offer ? pc.setRemoteDescription({type: 'offer', sdp: offer}).then(function () {"
            + " return pc.createAnswer(); }) : pc.createOffer();"
            + "p$.then(function (d$) { return pc.setLocalDescription(d$); }).then(gathered$)"
            + ".then(function () { ok(pc.localDescription.sdp); }, function (e$) { err(String(e$)); });")
    private static native void describe(RTCPeerConnection pc, String offer, RTCPeerConnection.TextCallback ok,
            RTCPeerConnection.TextCallback err);

    @JSBody(params = {"pc", "answer", "err"}, script = "pc.setRemoteDescription({type: 'answer', sdp: answer})"
            + ".catch(function (e$) { err(String(e$)); });")
    private static native void setAnswer(RTCPeerConnection pc, String answer, RTCPeerConnection.TextCallback err);

    @Override
    public void offer(Events events) {
        RTCPeerConnection pc = WebRtc.create();
        Setup s = new Setup(pc, events);
        RTCDataChannel ch = WebRtc.createDataChannel(pc, "onionpeer");
        s.watch(ch);
        describe(pc, null, sdp -> node.accept(() -> s.described(sdp)), e -> node.accept(() -> s.fail(e)));
    }

    @Override
    public void answer(String offer, Events events) {
        RTCPeerConnection pc = WebRtc.create();
        Setup s = new Setup(pc, events);
        WebRtc.onDataChannel(pc, ch -> s.watch(ch));
        describe(pc, offer, sdp -> node.accept(() -> s.described(sdp)), e -> node.accept(() -> s.fail(e)));
    }

    /** One connection until its channel opens or it fails; then the transport owns the connection. */
    private final class Setup implements Session {
        final RTCPeerConnection pc;
        final Events events;
        boolean ended;
        DataChannelTransport transport;

        Setup(RTCPeerConnection pc, Events events) {
            this.pc = pc;
            this.events = events;
            WebRtc.onConnectionStateChange(pc, st -> node.accept(() -> {
                if (transport != null) {
                    transport.connectionState(st);
                } else if ("failed".equals(st)) {
                    fail("connection failed");
                }
            }));
        }

        void watch(RTCDataChannel ch) {
            ch.setBinaryType("arraybuffer");
            WebRtc.onOpen(ch, () -> node.accept(() -> {
                if (ended) {
                    ch.close();
                    return;
                }
                ended = true;
                DataChannelTransport t = new DataChannelTransport(ch);
                t.closeAlso(pc);
                transport = t;
                events.opened(t);
            }));
        }

        void described(String sdp) {
            if (!ended) {
                events.described(this, sdp);
            }
        }

        void fail(String reason) {
            if (!ended) {
                ended = true;
                pc.close();
                events.failed(reason);
            }
        }

        @Override
        public void setRemote(String description) {
            setAnswer(pc, description, e -> node.accept(() -> fail("bad answer: " + e)));
        }

        @Override
        public void close() {
            if (!ended) {
                ended = true;
                pc.close();
            }
        }
    }
}
