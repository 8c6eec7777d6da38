package org.onionpeer.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves media files at /media/NAME as application/octet-stream (the page must not learn the type from the
 * server), honouring "Range: bytes=N-" with 206. A gated file's first whole-file request stops after half
 * the file until {@link #release}: the download cannot end before the test has seen playback.
 */
final class MediaWebServer implements AutoCloseable {
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final HttpServer http;

    MediaWebServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
        http.createContext("/media/", this::serve);
        http.setExecutor(Executors.newCachedThreadPool());
        http.start();
    }

    String url(String name) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/media/" + name;
    }

    void gate(String name) {
        gates.put(name, new CountDownLatch(1));
    }

    void release() {
        gates.values().forEach(CountDownLatch::countDown);
    }

    private void serve(HttpExchange ex) throws IOException {
        String name = ex.getRequestURI().getPath().substring("/media/".length());
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(name + " " + range);
        byte[] body = files.get(name.contains("?") ? name.substring(0, name.indexOf('?')) : name);
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        int from = range != null && range.startsWith("bytes=") && range.endsWith("-")
                ? Integer.parseInt(range.substring(6, range.length() - 1)) : 0;
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        if (from > 0) {
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        CountDownLatch gate = from == 0 ? gates.remove(name) : null;
        try (OutputStream o = ex.getResponseBody()) {
            for (int p = from; p < body.length; p += 16384) {
                if (gate != null && p >= body.length / 2) {
                    o.flush();
                    gate.await(60, TimeUnit.SECONDS);
                    gate = null;
                }
                o.write(body, p, Math.min(16384, body.length - p));
            }
        } catch (IOException | InterruptedException e) {
            // the page closed the stream (a moov fetch that has what it needs) or the test is over
        }
    }

    @Override
    public void close() {
        release();
        http.stop(0);
    }
}
