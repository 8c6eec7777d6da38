package org.onionpeer.browser;

import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.selftest.SelfTest;

/**
 * Entry point of selftest.js: runs the core's known-answer suites inside the browser, so that the same
 * vectors that pass on the JVM are shown to pass in the TeaVM-compiled JavaScript.
 * {@code window.onionpeer.selftest()} returns the core report (identical text to the JVM's);
 * {@code window.onionpeer.selftestPlatform()} the checks of the browser's own relay primitives.
 */
public final class SelfTestMain {
    private SelfTestMain() {
    }

    public static void main(String[] args) {
        JsApi.export("selftest", (JsApi.StringFn) SelfTestMain::core);
        JsApi.export("selftestPlatform", (JsApi.StringFn) SelfTestMain::platform);
        JsApi.setText("status", "self-test loaded");
    }

    /** The relay primitives this browser build uses for relay cells. */
    static RelayPrimitives platformPrimitives() {
        return new BcRelayPrimitives();
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
