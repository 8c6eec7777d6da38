package org.onionpeer.browser;

import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.SelfTest;

/**
 * Entry point of selftest.js: runs the core's known-answer suites inside the browser, so that the same
 * vectors that pass on the JVM are shown to pass in the TeaVM-compiled JavaScript. Exposes
 * {@code window.onionpeer.selftest()} (the report text, identical in form to the JVM's).
 */
public final class SelfTestMain {
    private SelfTestMain() {
    }

    public static void main(String[] args) {
        JsApi.export("selftest", (JsApi.StringFn) SelfTestMain::report);
        JsApi.exportString("selftestReady", "yes");
        JsApi.setText("status", "self-test loaded");
    }

    static String report() {
        Check c = SelfTest.runAll(new BcRelayPrimitives());
        String text = c.report();
        JsApi.setText("report", text);
        return text;
    }
}
