package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;

/**
 * The WebRTC bindings in headless Chromium: the self-test page's rtcLoopbackTest hook (in selftest.js, since the
 * node does not use WebRTC yet) connects two peer connections
 * inside the page (signalled in Java, no server), opens a data channel, and pushes 1 MiB of patterned bytes
 * through a DataChannelTransport; the receiving side checks every byte and their order. Closing tells each
 * side's listener once.
 */
@Tag("browser")
class WebRtcBindingsTest {
    static Bridge bridge;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        bridge = new Bridge(TestBridges.options(1));
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    private String loopback(int bytes) {
        Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var n = arguments[0];"
                + "var t0 = Date.now();"
                + "(function poll() { if (window.onionpeer && window.onionpeer.rtcLoopbackTest)"
                + "  window.onionpeer.rtcLoopbackTest(n, function (r) { cb(r); });"
                + " else if (Date.now() - t0 > 10000) cb('error: no rtcLoopbackTest hook');"
                + " else setTimeout(poll, 20); })();"
                + "setTimeout(function () { cb('error: no answer in 30 s'); }, 30000);", bytes);
        return String.valueOf(r);
    }

    @Test
    void oneMebibyteCrossesADataChannelIntactAndInOrder() {
        chromium.open(bridge.server().url("selftest.html"));
        String r = loopback(1048576);
        assertTrue(r.matches("ok 1048576 \\d+"), r);
        System.out.println("webrtc loopback in one page: " + r + " (ms from start incl. ICE)");
    }

    @Test
    void smallAndEmptyTransfersAlsoComplete() {
        chromium.open(bridge.server().url("selftest.html"));
        String r = loopback(1);
        assertTrue(r.matches("ok 1 \\d+"), r);
        r = loopback(0);
        assertTrue(r.matches("ok 0 \\d+"), r);
    }

    @Test
    void closingTellsEachSideExactlyOnce() {
        chromium.open(bridge.server().url("selftest.html"));
        Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { if (window.onionpeer && window.onionpeer.rtcCloseTest)"
                + "  window.onionpeer.rtcCloseTest(function (r) { cb(r); });"
                + " else if (Date.now() - t0 > 10000) cb('error: no rtcCloseTest hook');"
                + " else setTimeout(poll, 20); })();"
                + "setTimeout(function () { cb('error: no answer in 30 s'); }, 30000);");
        assertEquals("closed 1 1 bye", r, "onClosed counts on the closing and the remote side, and the reason");
    }
}
