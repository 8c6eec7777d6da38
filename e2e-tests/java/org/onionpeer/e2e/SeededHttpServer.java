package org.onionpeer.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server on 127.0.0.1 whose bodies are pseudo-random bytes derived from the path:
 * {@code GET /blob/SEED/SIZE} answers SIZE bytes from a generator seeded with SEED, so a test can know every
 * body's SHA-256 without keeping the bodies. Responses carry Content-Length and the connection closes after
 * one exchange. {@link #serve} adds fixed bodies at other paths. Handlers run on a cached pool, so a slow reader never starves the others.
 */
final class SeededHttpServer implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService pool;

    SeededHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "seeded-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/blob/", ex -> {
            try (ex) {
                String[] p = ex.getRequestURI().getPath().split("/");
                long seed;
                long size;
                try {
                    seed = Long.parseLong(p[2]);
                    size = Long.parseLong(p[3]);
                } catch (RuntimeException e) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.getResponseHeaders().set("Connection", "close");
                ex.sendResponseHeaders(200, size);
                OutputStream out = ex.getResponseBody();
                Generator g = new Generator(seed);
                byte[] buf = new byte[CHUNK];
                for (long left = size; left > 0; ) {
                    int n = (int) Math.min(buf.length, left);
                    g.fill(buf, n);
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
        });
        server.start();
    }

    /** Serves {@code body} (kept in memory, nothing generated per request) at {@code path}. */
    void serve(String path, byte[] body) {
        server.createContext(path, ex -> {
            try (ex) {
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.getResponseHeaders().set("Connection", "close");
                ex.sendResponseHeaders(200, body.length);
                OutputStream out = ex.getResponseBody();
                for (int off = 0; off < body.length; off += CHUNK) {
                    out.write(body, off, Math.min(CHUNK, body.length - off));
                }
            }
        });
    }

    int port() {
        return server.getAddress().getPort();
    }

    static String path(long seed, long size) {
        return "/blob/" + seed + "/" + size;
    }

    /** SHA-256 (hex) of the body served at {@link #path}(seed, size). */
    static String sha256(long seed, long size) {
        MessageDigest md = sha256();
        Generator g = new Generator(seed);
        byte[] buf = new byte[CHUNK];
        for (long left = size; left > 0; ) {
            int n = (int) Math.min(buf.length, left);
            g.fill(buf, n);
            md.update(buf, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    /** The body bytes: a seeded stream, identical on the server and in the checker. */
    static final class Generator {
        private final SplittableRandom rnd;
        private long word;
        private int left;

        Generator(long seed) {
            rnd = new SplittableRandom(seed);
        }

        void fill(byte[] b, int n) {
            for (int i = 0; i < n; i++) {
                if (left == 0) {
                    word = rnd.nextLong();
                    left = 8;
                }
                b[i] = (byte) word;
                word >>>= 8;
                left--;
            }
        }
    }
}
