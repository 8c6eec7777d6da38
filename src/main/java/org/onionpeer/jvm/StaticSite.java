package org.onionpeer.jvm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves the web app (the page, its bundles) over HTTP on a loopback address. Files come from a directory
 * when one is given (development, tests: target/webapp), else from the jar's /webapp resources, so that
 * {@code java -jar target/onionpeer.jar} is self-contained. Only GET/HEAD of known files; no listing, no
 * path escapes.
 */
public final class StaticSite implements AutoCloseable {
    private final HttpServer server;
    private final Path dir;

    public StaticSite(String host, int port, Path dir) throws IOException {
        this.dir = dir == null ? null : dir.toAbsolutePath().normalize();
        server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.createContext("/", this::serve);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url(String path) {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/" + path;
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            String p = ex.getRequestURI().getPath();
            if (p.endsWith("/")) {
                p = p + "index.html";
            }
            byte[] body = load(p.substring(1));
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", contentType(p));
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (method.equals("HEAD")) {
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        }
    }

    private byte[] load(String rel) throws IOException {
        if (rel.contains("..") || rel.contains("\\")) {
            return null;
        }
        if (dir != null) {
            Path f = dir.resolve(rel).normalize();
            return f.startsWith(dir) && Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
        }
        try (InputStream in = StaticSite.class.getResourceAsStream("/webapp/" + rel)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        if (name.endsWith(".webm")) {
            return "video/webm";
        }
        if (name.endsWith(".mp4")) {
            return "video/mp4";
        }
        return "application/octet-stream";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
