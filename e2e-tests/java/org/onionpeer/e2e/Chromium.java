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
