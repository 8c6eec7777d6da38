package org.onionpeer.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Serves the built web app (target/webapp) on 127.0.0.1 for browser tests and benchmarks that need only
 * static files. A page on http://127.0.0.1 is a secure context, so WebCrypto is available to it.
 */
public final class WebappServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;

    public WebappServer() throws IOException {
        this(webappDir());
    }

    public WebappServer(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        if (!Files.isRegularFile(this.root.resolve("selftest.js"))) {
            throw new IllegalStateException("no built web app in " + this.root + " (run mvn package first)");
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::serve);
        server.start();
    }

    /** target/webapp, as set by Maven (onionpeer.webapp) or relative to the working directory. */
    public static Path webappDir() {
        return Paths.get(System.getProperty("onionpeer.webapp", "target/webapp"));
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String p = ex.getRequestURI().getPath();
            Path f = root.resolve(p.substring(1)).normalize();
            if (!f.startsWith(root) || !Files.isRegularFile(f)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = Files.readAllBytes(f);
            ex.getResponseHeaders().set("Content-Type", contentType(f.getFileName().toString()));
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".webm")) {
            return "video/webm";
        }
        return "application/octet-stream";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
