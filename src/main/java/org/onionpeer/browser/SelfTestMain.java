package org.onionpeer.browser;

import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.crypto.TunedRelayPrimitives;
import org.onionpeer.selftest.SelfTest;

/**
 * Entry point of selftest.js: runs the core's known-answer suites inside the browser, so that the same
 * vectors that pass on the JVM are shown to pass in the TeaVM-compiled JavaScript.
 * {@code window.onionpeer.selftest()} returns the core report (identical text to the JVM's);
 * {@code window.onionpeer.selftestPlatform()} the checks of the browser's own relay primitives;
 * {@code window.onionpeer.selftestPool(callback)} checks the WebCrypto keystream pool against Bouncy Castle
 * over ~60 MB of mixed calls with batches arriving in between, and passes "ok ..." or "FAIL ..." to callback.
 */
public final class SelfTestMain {
    private SelfTestMain() {
    }

    public static void main(String[] args) {
        // X25519 in doubles: long arithmetic is emulated in JS (see crypto.X25519F64).
        org.onionpeer.crypto.Curve25519.useDoubles();
        JsApi.export("selftest", (JsApi.StringFn) SelfTestMain::core);
        // The WebRTC bindings' test hooks live here, not in onionpeer.js: the node does not use WebRTC yet.
        org.onionpeer.browser.webrtc.RtcLoopbackTest.export();
        JsApi.export("selftestPlatform", (JsApi.StringFn) SelfTestMain::platform);
        JsApi.export("selftestPool", (JsApi.CallbackFn) done -> new PoolCheck(done::call).start());
        JsApi.setText("status", "self-test loaded");
    }

    /**
     * The relay primitives this browser build uses for relay cells: the WebCrypto keystream pool where the
     * page is a secure context (fastest: see the bench), else the tuned pure-Java ones. Run synchronously
     * right after construction (as the platform suite does) the pool has no batch yet and every byte comes
     * from its tuned fallback; {@code selftestPool} checks the pool path itself.
     */
    static RelayPrimitives platformPrimitives() {
        return WebCryptoRelayPrimitives.available() ? new WebCryptoRelayPrimitives() : new TunedRelayPrimitives();
    }

    static String core() {
        String text = SelfTest.run(SelfTest.coreSuites()).report();
        JsApi.setText("report", text);
        return text;
    }

    static String platform() {
        return SelfTest.run(SelfTest.platformSuites(platformPrimitives())).report();
    }
}
