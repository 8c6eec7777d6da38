package org.onionpeer.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium under Selenium, with the flags that work on this closed, loopback-only
 * machine (see shared/reference/browser-testing.md). The driver and browser paths are fixed so Selenium
 * never tries to download its own.
 */
public final class Chromium implements AutoCloseable {
    public static final String BINARY = System.getProperty("onionpeer.chromium", "/usr/bin/chromium");
    public static final String DRIVER = System.getProperty("onionpeer.chromedriver", "/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final Path profile;

    public Chromium() throws IOException {
        if (!Files.isExecutable(Paths.get(BINARY)) || !Files.isExecutable(Paths.get(DRIVER))) {
            throw new IllegalStateException("Chromium not installed (" + BINARY + ", " + DRIVER
                    + "): run .ci/run, or apt-get install chromium chromium-driver");
        }
        profile = Files.createTempDirectory("onionpeer-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(BINARY);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile,
                "--allow-loopback-in-peer-connection", "--use-fake-ui-for-media-stream");
        // The console, so tests can see Content-Security-Policy violations (see cspViolations).
        o.setCapability("goog:loggingPrefs", java.util.Map.of(org.openqa.selenium.logging.LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Paths.get(DRIVER).toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        driver.manage().timeouts().scriptTimeout(Duration.ofMinutes(5));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofMinutes(1));
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    /** Runs a script in the page and returns its (JSON-mapped) result. */
    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs an async script: the script's last argument is the callback that delivers the result. */
    public Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /**
     * Console messages about Content-Security-Policy violations since the last call (Chromium logs each
     * refused script, style, connection... as "Refused to ... violates the following Content Security
     * Policy directive"). Reading the log empties it.
     */
    public java.util.List<String> cspViolations() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (org.openqa.selenium.logging.LogEntry e : driver.manage().logs()
                .get(org.openqa.selenium.logging.LogType.BROWSER)) {
            if (e.getMessage().contains("Content Security Policy")) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    /**
     * Asserts the open page works under its policy: no violation so far, and the policy is in force (an
     * inline script added now is refused and reported).
     */
    public void assertCspInForceWithoutViolations() {
        java.util.List<String> before = cspViolations();
        if (!before.isEmpty()) {
            throw new AssertionError("CSP violations on " + driver.getCurrentUrl() + ": " + before);
        }
        js("var s = document.createElement('script'); s.textContent = 'window.cspProbe = 1;';"
                + " document.body.appendChild(s);");
        Object ran = js("return window.cspProbe === 1;");
        java.util.List<String> after = cspViolations();
        if (!Boolean.FALSE.equals(ran) || after.isEmpty()) {
            throw new AssertionError("no CSP in force on " + driver.getCurrentUrl() + " (probe ran: " + ran
                    + ", reports: " + after + ")");
        }
    }

    public String version() {
        return String.valueOf(driver.getCapabilities().getBrowserVersion());
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp profile left behind is harmless
        }
    }
}
