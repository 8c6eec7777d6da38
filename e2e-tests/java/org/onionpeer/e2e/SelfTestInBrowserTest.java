package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.SelfTest;

/**
 * Runs the core's known-answer vectors in TeaVM-compiled JavaScript inside headless Chromium and compares
 * the browser's report with the JVM's, line by line: same checks, same produced bytes, all passing. Both
 * reports are printed and kept in target/selftest-{jvm,browser}.txt.
 */
@Tag("browser")
class SelfTestInBrowserTest {
    private static WebappServer server;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        server = new WebappServer();
        chromium = new Chromium();
        chromium.open(server.url("selftest.html"));
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void browserReportEqualsJvmReport() throws Exception {
        Check jvm = SelfTest.run(SelfTest.coreSuites());
        String jvmReport = jvm.report();
        String browserReport = (String) chromium.js("return window.onionpeer.selftest();");
        Path dir = Paths.get("target");
        Files.writeString(dir.resolve("selftest-jvm.txt"), jvmReport);
        Files.writeString(dir.resolve("selftest-browser.txt"), browserReport);
        System.out.println("[browser core self-test, Chromium " + chromium.version() + "]\n" + browserReport);
        assertEquals(0, jvm.failures(), jvmReport);
        assertTrue(jvm.results().size() > 5);
        assertTrue(browserReport.endsWith(jvm.results().size() + " passed, 0 failed\n"), browserReport);
        assertEquals(jvmReport, browserReport, "JS and JVM must produce the same bytes for every vector");
        chromium.assertCspInForceWithoutViolations(); // the page did all that under its policy
    }

    @Test
    void browserPlatformPrimitivesPass() {
        String report = (String) chromium.js("return window.onionpeer.selftestPlatform();");
        System.out.println("[browser platform primitives]\n" + report);
        assertTrue(report.endsWith(" 0 failed\n") && !report.startsWith("0 passed"), report);
    }
}
