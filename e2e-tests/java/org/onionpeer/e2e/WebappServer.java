package org.onionpeer.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.onionpeer.jvm.StaticSite;

/**
 * The built web app (target/webapp) on 127.0.0.1, any free port, for browser tests and benchmarks that
 * need only static files. A page on http://127.0.0.1 is a secure context, so WebCrypto is available.
 */
public final class WebappServer implements AutoCloseable {
    private final StaticSite site;

    public WebappServer() throws IOException {
        Path root = webappDir();
        if (!Files.isRegularFile(root.resolve("selftest.js"))) {
            throw new IllegalStateException("no built web app in " + root.toAbsolutePath() + " (run mvn package first)");
        }
        site = new StaticSite("127.0.0.1", 0, root);
    }

    /** target/webapp, as set by Maven (onionpeer.webapp) or relative to the working directory. */
    public static Path webappDir() {
        return Paths.get(System.getProperty("onionpeer.webapp", "target/webapp"));
    }

    public String url(String path) {
        return site.url(path);
    }

    @Override
    public void close() {
        site.close();
    }
}
