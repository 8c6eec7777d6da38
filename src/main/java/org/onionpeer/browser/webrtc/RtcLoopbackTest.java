package org.onionpeer.browser.webrtc;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.transport.Transport;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/**
 * A test hook, {@code onionpeer.rtcLoopbackTest(nBytes, callback)}: two peer connections in one page,
 * signalled in Java (offer, answer and candidates passed directly, no server), one data channel, and
 * nBytes of deterministic bytes sent in uneven chunks through a {@link DataChannelTransport} with
 * back-pressure; the receiving transport checks every byte and its order. The callback gets
 * "ok &lt;bytes&gt; &lt;ms&gt;" or "error: ...".
 *
 * <p>A second hook, {@code onionpeer.rtcCloseTest(callback)}, sends 1000 bytes the same way, then closes
 * the sending transport twice and sends once more after closing; each side's listener must hear onClosed
 * exactly once (counted until 300 ms after both have), the closer with its own reason. It reports
 * "closed &lt;sender onClosed count&gt; &lt;receiver onClosed count&gt; &lt;sender's reason&gt;".
 */
public final class RtcLoopbackTest {
    static final long HIGH_WATER = 1 << 20;
    static final int TIMEOUT_MS = 25000;

    @JSFunctor
    interface Done extends JSObject {
        void call(String result);
    }

    @JSFunctor
    interface Hook extends JSObject {
        void call(int nBytes, Done done);
    }

    @JSFunctor
    interface Task extends JSObject {
        void run();
    }

    @JSFunctor
    interface CloseHook extends JSObject {
        void call(Done done);
    }

    @JSBody(params = "fn", script = "(window.onionpeer = window.onionpeer || {}).rtcLoopbackTest = fn;")
    private static native void exportHook(Hook fn);

    @JSBody(params = "fn", script = "(window.onionpeer = window.onionpeer || {}).rtcCloseTest = fn;")
    private static native void exportCloseHook(CloseHook fn);

    @JSBody(params = {"fn", "ms"}, script = "setTimeout(function () { fn(); }, ms);")
    private static native void after(Task fn, int ms);

    @JSBody(script = "return performance.now();")
    private static native double now();

    /** Installs the hook on window.onionpeer. */
    public static void export() {
        exportHook((n, done) -> new RtcLoopbackTest(n, false, done).start());
        exportCloseHook(done -> new RtcLoopbackTest(1000, true, done).start());
    }

    /** The byte at stream offset i: varies with both low and high bits so shifts and swaps show. */
    static byte pattern(long i) {
        return (byte) (i * 31 + (i >>> 8) * 7 + (i >>> 16) * 13);
    }

    /** Holds remote candidates until the remote description is set, as addIceCandidate requires. */
    private static final class Side {
        final RTCPeerConnection pc = WebRtc.create();
        final List<String> pending = new ArrayList<>();
        boolean remoteSet;
    }

    private final int total;
    private final boolean closeMode;
    private boolean closing;
    private boolean settling;
    private int senderCloses;
    private int receiverCloses;
    private String senderReason;
    private final Done done;
    private final Side a = new Side();
    private final Side b = new Side();
    private final double t0 = now();
    private boolean finished;
    private DataChannelTransport sender;
    private DataChannelTransport receiver;
    private long sent;
    private long received;
    private int chunkNo;

    private RtcLoopbackTest(int total, boolean closeMode, Done done) {
        this.total = total;
        this.closeMode = closeMode;
        this.done = done;
    }

    private void start() {
        if (total < 0) {
            finish("error: negative byte count");
            return;
        }
        after(() -> finish("error: timeout after " + TIMEOUT_MS + " ms, " + received + " of " + total
                + " bytes arrived, states " + a.pc.getConnectionState() + "/" + b.pc.getConnectionState()),
                TIMEOUT_MS);
        WebRtc.onIceCandidate(a.pc, c -> candidate(b, c));
        WebRtc.onIceCandidate(b.pc, c -> candidate(a, c));
        WebRtc.onDataChannel(b.pc, ch -> {
            receiver = new DataChannelTransport(ch);
            receiver.setListener(new Transport.Listener() {
                @Override
                public void onData(byte[] data) {
                    check(data);
                }

                @Override
                public void onClosed(String reason) {
                    if (closing) {
                        receiverCloses++;
                        closesHeard();
                        return;
                    }
                    finish("error: receiving side closed: " + reason);
                }
            });
        });
        RTCDataChannel ch = WebRtc.createDataChannel(a.pc, "onionpeer");
        WebRtc.onOpen(ch, () -> {
            sender = new DataChannelTransport(ch);
            sender.setListener(new Transport.Listener() {
                @Override
                public void onData(byte[] data) {
                    finish("error: unexpected data on the sending side");
                }

                @Override
                public void onClosed(String reason) {
                    if (closing) {
                        senderCloses++;
                        senderReason = reason;
                        closesHeard();
                        return;
                    }
                    finish("error: sending side closed: " + reason);
                }
            });
            ch.setBufferedAmountLowThreshold(HIGH_WATER / 4);
            WebRtc.onBufferedAmountLow(ch, this::pump);
            pump();
            if (total == 0) {
                finish("ok 0 " + Math.round(now() - t0));
            }
        });
        RTCPeerConnection.TextCallback fail = this::finish;
        WebRtc.createOffer(a.pc, offer ->
                WebRtc.setLocalDescription(a.pc, offer, x1 ->
                        WebRtc.setRemoteDescription(b.pc, offer, x2 -> {
                            remoteSet(b);
                            WebRtc.createAnswer(b.pc, answer ->
                                    WebRtc.setLocalDescription(b.pc, answer, x3 ->
                                            WebRtc.setRemoteDescription(a.pc, answer,
                                                    x4 -> remoteSet(a), fail), fail), fail);
                        }, fail), fail), fail);
    }

    private void candidate(Side to, String json) {
        if (json.isEmpty() || finished) {
            return;
        }
        if (to.remoteSet) {
            WebRtc.addIceCandidate(to.pc, json, x -> { }, this::finish);
        } else {
            to.pending.add(json);
        }
    }

    private void remoteSet(Side s) {
        s.remoteSet = true;
        for (String json : s.pending) {
            WebRtc.addIceCandidate(s.pc, json, x -> { }, this::finish);
        }
        s.pending.clear();
    }

    /** Sends until the channel's queue reaches the high-water mark; onbufferedamountlow resumes it. */
    private void pump() {
        while (!finished && sent < total && sender.bufferedAmount() < HIGH_WATER) {
            // Uneven sizes, some above DataChannelTransport.MAX_MESSAGE, so splitting is exercised too.
            int size = (int) Math.min(total - sent, 1 + (chunkNo++ * 7919L) % 100000);
            byte[] chunk = new byte[size];
            for (int i = 0; i < size; i++) {
                chunk[i] = pattern(sent + i);
            }
            sender.send(chunk);
            sent += size;
        }
    }

    private void check(byte[] data) {
        if (finished) {
            return;
        }
        for (int i = 0; i < data.length; i++) {
            long at = received + i;
            if (at >= total) {
                finish("error: more than " + total + " bytes arrived");
                return;
            }
            if (data[i] != pattern(at)) {
                finish("error: byte " + at + " is " + data[i] + ", expected " + pattern(at));
                return;
            }
        }
        received += data.length;
        if (received == total) {
            if (closeMode) {
                closing = true;
                sender.close("bye");
                sender.close("again");
                sender.send(new byte[10]);
                return;
            }
            finish("ok " + total + " " + Math.round(now() - t0));
        }
    }

    /** Once both sides have heard onClosed, waits a little for any (wrong) second notice, then reports. */
    private void closesHeard() {
        if (senderCloses > 0 && receiverCloses > 0 && !settling) {
            settling = true;
            after(() -> finish("closed " + senderCloses + " " + receiverCloses + " " + senderReason), 300);
        }
    }

    private void finish(String result) {
        if (finished) {
            return;
        }
        finished = true;
        if (sender != null) {
            sender.setListener(null);
            sender.close("test over");
        }
        if (receiver != null) {
            receiver.setListener(null);
            receiver.close("test over");
        }
        a.pc.close();
        b.pc.close();
        done.call(result);
    }
}
