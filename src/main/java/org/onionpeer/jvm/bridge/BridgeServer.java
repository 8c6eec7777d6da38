package org.onionpeer.jvm.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.onionpeer.platform.Scheduler;

/**
 * The bridge's HTTP face (Jetty 12 core API, no servlets), on one port:
 * <ul>
 * <li>the static web app (GET/HEAD) from a directory or, when none is given, from the classpath
 * ({@code /webapp} inside the jar), with {@code Cache-Control: no-store} and
 * {@code X-Content-Type-Options: nosniff}; no directory listings, no way out of the root;</li>
 * <li>{@code GET /tor/directory} (configurable): the text document the node supplies (our relay list);</li>
 * <li>WebSocket {@code /link} (configurable): each accepted session becomes a {@link WebSocketTransport}
 * handed to the node; binary frames carry cells, text frames close the session (1008);</li>
 * <li>more routes added by the node ({@link #addRoute}, {@link #addTextRoute}), e.g. {@code /bookmarklet}.</li>
 * </ul>
 * Limits are explicit ({@link Options}): WebSocket message size, concurrent link sessions (more upgrades are
 * refused with 503), idle timeout, per-session send queue and receive window.
 *
 * <p>Any origin may open a link: browsers of any site are the bridge's clients, and a link authenticates
 * itself inside the Tor protocol, not by where it comes from.
 */
public final class BridgeServer implements AutoCloseable {
    /** Settings; plain fields with fluent setters, read once by the constructor. */
    public static final class Options {
        String host = "127.0.0.1";
        int port = 8080;
        Path webappDir;
        String classpathRoot = "/webapp";
        String linkPath = "/link";
        String directoryPath = "/tor/directory";
        int maxSessions = 128;
        WebSocketLimits limits = WebSocketLimits.DEFAULT;
        int maxThreads = 64;
        long httpIdleTimeoutMillis = 30_000;

        /** Address to listen on (default 127.0.0.1). */
        public Options host(String v) {
            host = v;
            return this;
        }

        /** Port; 0 picks a free one (see {@link BridgeServer#port()}). Default 8080. */
        public Options port(int v) {
            if (v < 0 || v > 65535) {
                throw new IllegalArgumentException("port out of range: " + v);
            }
            port = v;
            return this;
        }

        /** Serve the web app from this directory; null (default) serves it from the classpath. */
        public Options webappDir(Path v) {
            webappDir = v;
            return this;
        }

        /** Classpath folder of the web app when no directory is given (default /webapp). */
        public Options classpathRoot(String v) {
            classpathRoot = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
            return this;
        }

        public Options linkPath(String v) {
            linkPath = requirePath(v);
            return this;
        }

        public Options directoryPath(String v) {
            directoryPath = requirePath(v);
            return this;
        }

        /** Concurrent link sessions; upgrades beyond are refused with 503. Default 128. */
        public Options maxSessions(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxSessions < 0");
            }
            maxSessions = v;
            return this;
        }

        public Options limits(WebSocketLimits v) {
            limits = v;
            return this;
        }

        /** Jetty's thread pool bound (WebSocket sessions hold no thread while idle). Default 64. */
        public Options maxThreads(int v) {
            maxThreads = Math.max(8, v);
            return this;
        }

        private static String requirePath(String v) {
            if (!v.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/': " + v);
            }
            return v;
        }
    }

    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");
    private static final HttpField NOSNIFF = new PreEncodedHttpField("X-Content-Type-Options", "nosniff");
    /** On public data only (the directory, the scripts): a bookmarklet on another origin reads them. */
    private static final HttpField ANY_ORIGIN = new PreEncodedHttpField(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    /** Largest static file served (the bundles are a few MB at most); bigger ones are 404. */
    static final long MAX_STATIC_FILE_BYTES = 64L * 1024 * 1024;

    private final Options options;
    private final Scheduler scheduler;
    private final Consumer<? super WebSocketTransport> onLink;
    private final Path dir;
    private final Server server;
    private final ServerConnector connector;
    private final Map<String, Request.Handler> routes = new ConcurrentHashMap<>();
    private final Set<WebSocketTransport> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();

    /**
     * @param scheduler the node's loop: link transports deliver on it, {@code onLink} and route suppliers
     *        run on it
     * @param directory the document for the directory path, or null for no such route; called on the
     *        scheduler for each request, null answers 503
     * @param onLink receives each new link session, on the scheduler, before any of its data
     */
    public BridgeServer(Options options, Scheduler scheduler, Supplier<String> directory,
            Consumer<? super WebSocketTransport> onLink) {
        this.options = options;
        this.scheduler = scheduler;
        this.onLink = onLink;
        this.dir = options.webappDir == null ? null : options.webappDir.toAbsolutePath().normalize();

        QueuedThreadPool pool = new QueuedThreadPool(options.maxThreads, 4);
        pool.setName("onionpeer-bridge");
        pool.setDaemon(true);
        server = new Server(pool);
        server.setStopTimeout(2_000);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(8 * 1024);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(options.host);
        connector.setPort(options.port);
        connector.setIdleTimeout(options.httpIdleTimeoutMillis);
        server.addConnector(connector);

        WebSocketLimits limits = options.limits;
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxBinaryMessageSize(limits.maxMessageBytes());
            container.setMaxFrameSize(limits.maxMessageBytes());
            container.setMaxTextMessageSize(WebSocketLimits.MAX_TEXT_MESSAGE_BYTES);
            container.setIdleTimeout(Duration.ofMillis(limits.idleTimeoutMillis()));
            container.addMapping(options.linkPath, (req, resp, cb) -> upgrade(req, resp, cb));
        });
        ws.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return route(request, response, callback);
            }
        });
        server.setHandler(ws);
        if (directory != null) {
            addTextRoute(options.directoryPath, "text/plain; charset=utf-8", directory);
        }
    }

    public void start() throws Exception {
        server.start();
    }

    /** The bound port (the real one when 0 was asked for). */
    public int port() {
        return connector.getLocalPort();
    }

    /** http://host:port/ + path (without a leading slash). */
    public String url(String path) {
        return "http://" + hostForUrl() + ":" + port() + "/" + path;
    }

    /** ws://host:port/link */
    public URI linkUri() {
        return URI.create("ws://" + hostForUrl() + ":" + port() + options.linkPath);
    }

    private String hostForUrl() {
        String h = options.host;
        return h.contains(":") ? "[" + h + "]" : h;
    }

    /** Link sessions open now. */
    public int sessionCount() {
        return sessions.size();
    }

    public Options options() {
        return options;
    }

    /**
     * Adds (or replaces) a route for exactly {@code path}, answered by a Jetty core handler on Jetty's threads
     * (it must not touch node state directly; use the scheduler). Routes win over static files.
     */
    public void addRoute(String path, Request.Handler handler) {
        routes.put(Options.requirePath(path), handler);
    }

    /**
     * Adds a GET/HEAD route for exactly {@code path} whose body is {@code body.get()}, evaluated on the
     * scheduler per request (so it may read node state); null answers 503.
     */
    public void addTextRoute(String path, String contentType, Supplier<String> body) {
        addRoute(path, (request, response, callback) -> {
            if (!allowGetHead(request, response, callback)) {
                return true;
            }
            scheduler.execute(() -> {
                String text;
                try {
                    text = body.get();
                } catch (RuntimeException e) {
                    Response.writeError(request, response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500);
                    return;
                }
                if (text == null) {
                    Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                            "not ready");
                    return;
                }
                send(request, response, callback, contentType, text.getBytes(StandardCharsets.UTF_8));
            });
            return true;
        });
    }

    /**
     * Adds a GET/HEAD route for exactly {@code path} whose body is made from the request (on Jetty's thread,
     * so it must not touch node state), e.g. a page that names the origin it was asked for.
     */
    public void addRequestTextRoute(String path, String contentType, java.util.function.Function<Request, String> body) {
        addRoute(path, (request, response, callback) -> {
            if (allowGetHead(request, response, callback)) {
                send(request, response, callback, contentType, body.apply(request).getBytes(StandardCharsets.UTF_8));
            }
            return true;
        });
    }

    /** Closes every link session (onClosed fires on each), then stops the server. Idempotent. */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        List<WebSocketTransport> open = new ArrayList<>(sessions);
        for (WebSocketTransport t : open) {
            t.closeWith(StatusCode.SHUTDOWN, "bridge stopping");
        }
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("[onionpeer] bridge stop: " + e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ---------------------------------------------------------------- WebSocket

    private Object upgrade(Request req, Response resp, Callback cb) {
        if (stopping.get()) {
            Response.writeError(req, resp, cb, HttpStatus.SERVICE_UNAVAILABLE_503, "bridge stopping");
            return null;
        }
        if (reserved.incrementAndGet() > options.maxSessions) {
            reserved.decrementAndGet();
            Response.writeError(req, resp, cb, HttpStatus.SERVICE_UNAVAILABLE_503, "too many link sessions");
            return null;
        }
        // The slot is held from here until Jetty reports the session gone. (Should the connection die between
        // this point and the session opening, Jetty reports nothing and the slot stays taken: rare enough.)
        AtomicBoolean released = new AtomicBoolean();
        WebSocketTransport[] self = new WebSocketTransport[1];
        self[0] = new WebSocketTransport(scheduler, options.limits, this::accepted, () -> {
            if (released.compareAndSet(false, true)) {
                sessions.remove(self[0]);
                reserved.decrementAndGet();
            }
        });
        return self[0].endpoint();
    }

    private void accepted(WebSocketTransport t) {
        sessions.add(t);
        if (stopping.get()) {
            t.closeWith(StatusCode.SHUTDOWN, "bridge stopping");
        }
        scheduler.execute(() -> onLink.accept(t));
    }

    // ---------------------------------------------------------------- HTTP

    private boolean route(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (path.equals(options.directoryPath) || path.endsWith(".js")) {
            response.getHeaders().put(ANY_ORIGIN);
        }
        Request.Handler h = routes.get(path);
        if (h != null) {
            return h.handle(request, response, callback);
        }
        if (!allowGetHead(request, response, callback)) {
            return true;
        }
        String rel = path.endsWith("/") ? path + "index.html" : path;
        byte[] body = load(rel.substring(1));
        if (body == null) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return true;
        }
        send(request, response, callback, contentType(rel), body);
        return true;
    }

    private static boolean allowGetHead(Request request, Response response, Callback callback) {
        String m = request.getMethod();
        if (HttpMethod.GET.is(m) || HttpMethod.HEAD.is(m)) {
            return true;
        }
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
        return false;
    }

    private static void send(Request request, Response response, Callback callback, String type, byte[] body) {
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(NO_STORE);
        response.getHeaders().put(NOSNIFF);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (HttpMethod.HEAD.is(request.getMethod())) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    /**
     * The file at {@code rel} under the web root, or null. Jetty has already decoded and normalised the path
     * (and refuses ambiguous encodings such as %2F or %2e%2e segments); the checks here hold on their own.
     */
    private byte[] load(String rel) throws IOException {
        if (rel.isEmpty() || rel.contains("..") || rel.contains("\\") || rel.contains("\0") || rel.startsWith("/")
                || rel.contains("//") || rel.contains(":")) {
            return null;
        }
        if (dir != null) {
            Path f = dir.resolve(rel).normalize();
            if (!f.startsWith(dir) || !Files.isRegularFile(f) || Files.size(f) > MAX_STATIC_FILE_BYTES) {
                return null;
            }
            // A symbolic link must not lead out of the root either.
            if (!f.toRealPath().startsWith(dir.toRealPath())) {
                return null;
            }
            return Files.readAllBytes(f);
        }
        return loadResource(options.classpathRoot + "/" + rel);
    }

    /** A regular file on the classpath (a plain file or a jar entry), never a directory. */
    private static byte[] loadResource(String name) {
        URL url = BridgeServer.class.getResource(name);
        if (url == null) {
            return null;
        }
        try {
            URLConnection c = url.openConnection();
            c.setUseCaches(false);
            if (c instanceof JarURLConnection) {
                JarEntry e = ((JarURLConnection) c).getJarEntry();
                if (e == null || e.isDirectory()) {
                    return null;
                }
            } else if ("file".equals(url.getProtocol())) {
                Path p = Path.of(url.toURI());
                if (!Files.isRegularFile(p)) {
                    return null; // a directory would read as a listing
                }
            } else {
                return null; // no other kind of class path is expected
            }
            try (InputStream in = c.getInputStream()) {
                byte[] b = in.readNBytes((int) MAX_STATIC_FILE_BYTES + 1);
                return b.length > MAX_STATIC_FILE_BYTES ? null : b;
            }
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    static String contentType(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (n.endsWith(".js") || n.endsWith(".mjs")) {
            return "text/javascript; charset=utf-8";
        }
        if (n.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (n.endsWith(".svg")) {
            return "image/svg+xml";
        }
        if (n.endsWith(".webm")) {
            return "video/webm";
        }
        if (n.endsWith(".mp4")) {
            return "video/mp4";
        }
        if (n.endsWith(".json")) {
            return "application/json";
        }
        if (n.endsWith(".wasm")) {
            return "application/wasm";
        }
        if (n.endsWith(".png")) {
            return "image/png";
        }
        if (n.endsWith(".ico")) {
            return "image/x-icon";
        }
        if (n.endsWith(".txt")) {
            return "text/plain; charset=utf-8";
        }
        return "application/octet-stream";
    }
}
