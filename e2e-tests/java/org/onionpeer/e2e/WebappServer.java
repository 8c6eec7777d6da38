package org.onionpeer.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.bridge.BridgeServer;

/**
 * The built web app (target/webapp) served by the bridge's own HTTP server on 127.0.0.1, any free port,
 * for browser tests and benchmarks that need only static files. A page on http://127.0.0.1 is a secure
 * context, so WebCrypto is available.
 */
public final class WebappServer implements AutoCloseable {
    private final EventLoop loop = new EventLoop("webapp");
    private final BridgeServer server;

    public WebappServer() throws Exception {
        Path root = webappDir();
        if (!Files.isRegularFile(root.resolve("selftest.js"))) {
            throw new IOException("no built web app in " + root.toAbsolutePath() + " (run mvn package first)");
        }
        server = new BridgeServer(new BridgeServer.Options().port(0).webappDir(root), loop, null,
                t -> t.close("no links here"));
        server.start();
    }

    /** target/webapp, as set by Maven (onionpeer.webapp) or relative to the working directory. */
    public static Path webappDir() {
        return Paths.get(System.getProperty("onionpeer.webapp", "target/webapp"));
    }

    public String url(String path) {
        return server.url(path);
    }

    @Override
    public void close() {
        server.close();
        loop.close();
    }
}
