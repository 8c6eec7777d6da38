package org.onionpeer.jvm.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
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
 * Limits are explicit ({@link Options}): WebSocket message size, concurrent link sessions in all and per source
 * address (more upgrades are refused with 503), idle timeout, per-session send queue and receive window.
 *
 * <p>A link session takes its slot only when it opens and gives it back however it ends (close, error, idle
 * timeout, {@link #stop}): an upgrade that dies before the session opens takes nothing. So the caps are
 * checked twice, at the upgrade (503, nothing opened) and again at the open, where a session that raced past
 * the first check is closed with 1013 (Try Again Later). Pending upgrades are not counted: Jetty's HTTP idle
 * timeout bounds how long one can stay pending.
 *
 * <p>HTML responses carry a Content-Security-Policy made for the page (its inline scripts and styles allowed by
 * hash, {@code blob:} media and workers (the keystream worker), WebSockets to this bridge and the connect
 * sources added with {@link #addConnectSource}), {@code frame-ancestors 'none'} and
 * {@code X-Frame-Options: DENY}; every response carries {@code Referrer-Policy: no-referrer}. Scripts and the
 * directory get no CSP: a bookmarklet loads them into pages of any origin.
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
        int maxSessions = 10_000;
        int maxSessionsPerAddress = 50;
        WebSocketLimits limits = WebSocketLimits.DEFAULT;
        /**
         * Jetty's worker threads at most. WebSocket sessions hold none while idle, and a frame's work is a short
         * hand-off to the node's loop, so a burst of thousands of upgrades needs a handful; more threads would only
         * raise the process's thread count under load (the load test holds it under 100 with 7,000 links).
         */
        int maxThreads = 24;
        long httpIdleTimeoutMillis = 30_000;
        String publicOrigin;

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

        /**
         * Concurrent link sessions in all (every page keeps one to its bridge); upgrades beyond are refused with
         * 503. Default 10,000: an idle session costs a socket and a few KB, no thread.
         */
        public Options maxSessions(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxSessions < 0");
            }
            maxSessions = v;
            return this;
        }

        /**
         * Concurrent link sessions from one source address (IPv6: one /64, what one host usually holds); 0 = no
         * such cap (behind a reverse proxy every page has the proxy's address). Default 50, tor's
         * DoSConnectionMaxConcurrentCount: far more tabs than one person keeps open, yet filling a bridge of
         * 10,000 takes 200 addresses.
         */
        public Options maxSessionsPerAddress(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxSessionsPerAddress < 0");
            }
            maxSessionsPerAddress = v;
            return this;
        }

        public Options limits(WebSocketLimits v) {
            limits = v;
            return this;
        }

        /** Jetty's thread pool bound (WebSocket sessions hold no thread while idle). Default 24. */
        public Options maxThreads(int v) {
            maxThreads = Math.max(8, v);
            return this;
        }

        /**
         * The bridge's public URL, e.g. {@code https://bridge.example.org/} behind a TLS proxy: pages, the
         * bookmarklet and the advertised link address ({@code wss://bridge.example.org:443/link}) name it.
         * Null (default): {@code http://host:port/} as configured. Never taken from a request.
         *
         * @throws IllegalArgumentException if not http(s)://host[:port][/]
         */
        public Options publicUrl(String v) {
            publicOrigin = v == null ? null : publicOrigin(v);
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
    private static final HttpField NO_REFERRER = new PreEncodedHttpField("Referrer-Policy", "no-referrer");
    /** For browsers without CSP's frame-ancestors. */
    private static final HttpField NO_FRAMES = new PreEncodedHttpField("X-Frame-Options", "DENY");
    private static final java.util.regex.Pattern INLINE = java.util.regex.Pattern.compile(
            "<(script|style)(\\s[^>]*)?>(.*?)</\\1\\s*>",
            java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.DOTALL);
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
    private final Map<String, java.util.function.Function<String, byte[]>> prefixRoutes = new ConcurrentHashMap<>();
    private final Set<String> connectSources = new java.util.concurrent.CopyOnWriteArraySet<>();
    /** Open sessions holding a slot, and the slots per address key; both guarded by {@code slots}. */
    private final Object slots = new Object();
    private final Map<WebSocketTransport, Slot> sessions = new HashMap<>();
    private final Map<String, Integer> perAddress = new HashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** Links to other relays of this bridge, by name under the link path: each on its relay's own loop. */
    private final Map<String, LinkRoute> relayLinks = new ConcurrentHashMap<>();

    private static final class LinkRoute {
        final Scheduler scheduler;
        final Consumer<? super WebSocketTransport> onLink;
        final BooleanSupplier open;

        LinkRoute(Scheduler scheduler, Consumer<? super WebSocketTransport> onLink, BooleanSupplier open) {
            this.scheduler = scheduler;
            this.onLink = onLink;
            this.open = open;
        }
    }

    /** Tests only: runs on Jetty's thread once an upgrade has passed the checks, before the session opens. */
    volatile Runnable afterUpgradeCheck;

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
            container.addMapping(options.linkPath, (req, resp, cb) -> upgrade(req, resp, cb, null));
            container.addMapping(options.linkPath + "/*", (req, resp, cb) -> {
                String path = Request.getPathInContext(req);
                LinkRoute r = relayLinks.get(path.substring(path.lastIndexOf('/') + 1));
                // A closed relay's loop drops tasks: a link accepted for it would hang, unanswered, and whoever
                // extends to it would wait for its extend timeout. Refused, the extend fails at once.
                if (r == null || !r.open.getAsBoolean()) {
                    Response.writeError(req, resp, cb, HttpStatus.NOT_FOUND_404);
                    return null;
                }
                return upgrade(req, resp, cb, r);
            });
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

    /** The origin the bridge names itself by: the public URL's, else http://host:port (never a request's). */
    public String origin() {
        return options.publicOrigin != null ? options.publicOrigin : "http://" + hostForUrl() + ":" + port();
    }

    /**
     * The link address to advertise in the directory: the public URL's host with ws/wss (http/https) and
     * its port (the scheme's default when it names none), else ws://host:port + the link path.
     */
    public String linkAddress() {
        if (options.publicOrigin == null) {
            return linkUri().toString();
        }
        URI u = URI.create(options.publicOrigin);
        boolean tls = u.getScheme().equals("https");
        int p = u.getPort() >= 0 ? u.getPort() : tls ? 443 : 80;
        return (tls ? "wss://" : "ws://") + u.getHost() + ":" + p + options.linkPath;
    }

    /** Allows pages to open WebSockets (and fetches) to {@code source} too, e.g. a joined bridge's origin. */
    public void addConnectSource(String source) {
        if (!source.matches("(ws|wss|http|https)://[A-Za-z0-9.\\-\\[\\]:]+")) {
            throw new IllegalArgumentException("not a connect source: " + source);
        }
        connectSources.add(source);
    }

    /**
     * {@code scheme://host[:port]} of a public URL, checked: http or https, a host, no user info, no path
     * beyond "/", no query or fragment.
     */
    public static String publicOrigin(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + url);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("must be http:// or https://: " + url);
        }
        String host = u.getHost();
        if (host == null || u.getRawUserInfo() != null || !host.matches("[A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+\\]")) {
            throw new IllegalArgumentException("needs a plain host name or address: " + url);
        }
        String path = u.getRawPath();
        if (!(path == null || path.isEmpty() || path.equals("/"))) {
            throw new IllegalArgumentException("no path allowed (the bridge serves from /): " + url);
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("no query or fragment allowed: " + url);
        }
        return scheme + "://" + host.toLowerCase(java.util.Locale.ROOT) + (u.getPort() >= 0 ? ":" + u.getPort() : "");
    }

    /** Link sessions open now (each holding a slot). */
    public int sessionCount() {
        synchronized (slots) {
            return sessions.size();
        }
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

    /**
     * Adds a GET/HEAD route for every path starting with {@code prefix} (C tor's directory paths such as
     * {@code /tor/server/d/D1+D2}): {@code body.apply(path)} on Jetty's thread (so it may read only immutable
     * snapshots), bytes sent as they are (text/plain, no charset conversion); null answers 404.
     */
    public void addBytesPrefixRoute(String prefix, java.util.function.Function<String, byte[]> body) {
        prefixRoutes.put(Options.requirePath(prefix), body);
    }

    /** Closes every link session (onClosed fires on each), then stops the server. Idempotent. */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        List<WebSocketTransport> open;
        synchronized (slots) {
            open = new ArrayList<>(sessions.keySet());
        }
        for (WebSocketTransport t : open) {
            t.closeWith(StatusCode.SHUTDOWN, "bridge stopping");
        }
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("[onionpeer] bridge stop: " + e);
        }
        // Jetty has reported every session it ended; should one have gone unreported, its slot goes too.
        synchronized (slots) {
            for (Slot slot : new ArrayList<>(sessions.values())) {
                slot.release();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ---------------------------------------------------------------- WebSocket

    /**
     * Lets pages link to another relay of this bridge (one of its embedded relays) at link path + "/" +
     * {@code name}, so a page relaying a circuit can extend to it; its links deliver on {@code scheduler}.
     * Returns that address. Links to it are refused (404) once {@code open} says false.
     */
    public String addRelayLink(String name, Scheduler relayLoop, Consumer<? super WebSocketTransport> onLink,
            BooleanSupplier open) {
        relayLinks.put(name, new LinkRoute(relayLoop, onLink, open));
        String base = linkAddress().toString();
        return base + "/" + name;
    }

    private Object upgrade(Request req, Response resp, Callback cb, LinkRoute route) {
        if (stopping.get()) {
            refuse(req, resp, cb, "bridge stopping");
            return null;
        }
        String key = addressKey(req.getConnectionMetaData().getRemoteSocketAddress());
        String refusal;
        synchronized (slots) {
            refusal = refusal(key);
        }
        if (refusal != null) {
            refuse(req, resp, cb, refusal);
            return null;
        }
        Runnable hook = afterUpgradeCheck;
        if (hook != null) {
            hook.run();
        }
        WebSocketTransport.refuseExtensions(resp);
        // No slot yet: it is taken when (if) the session opens, so a connection that dies first costs nothing.
        Slot slot = new Slot(key, route);
        return new WebSocketTransport(route == null ? scheduler : route.scheduler, options.limits, slot::opened,
                slot::ended).endpoint();
    }

    /** Why a session from {@code key} may not open now, or null. Holds {@code slots}. */
    private String refusal(String key) {
        if (sessions.size() >= options.maxSessions) {
            return "too many link sessions (max-page-links " + options.maxSessions + ")";
        }
        if (options.maxSessionsPerAddress > 0 && key != null
                && perAddress.getOrDefault(key, 0) >= options.maxSessionsPerAddress) {
            return "too many link sessions from this address (max-page-links-per-address "
                    + options.maxSessionsPerAddress + ")";
        }
        return null;
    }

    /** 503 with the reason as a plain-text body (a WebSocket client sees the status; a person, the reason). */
    private static void refuse(Request req, Response resp, Callback cb, String reason) {
        byte[] body = reason.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(HttpStatus.SERVICE_UNAVAILABLE_503);
        resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        resp.getHeaders().put(NO_STORE);
        resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        resp.write(true, ByteBuffer.wrap(body), cb);
    }

    /**
     * The per-address key: the IPv4 address, or the /64 of an IPv6 address (one host usually has a whole /64,
     * so counting single IPv6 addresses would limit nothing). Null if unknown.
     */
    static String addressKey(java.net.SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress) || ((InetSocketAddress) remote).getAddress() == null) {
            return null;
        }
        InetAddress a = ((InetSocketAddress) remote).getAddress();
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            java.util.Arrays.fill(b, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(b).getHostAddress() + "/64";
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return a.getHostAddress();
    }

    /** One upgrade's claim on a session slot: taken at open, given back once at the end. */
    private final class Slot {
        private final String key;
        private final LinkRoute route;
        private WebSocketTransport held; // guarded by slots
        private boolean ended; // guarded by slots

        Slot(String key, LinkRoute route) {
            this.key = key;
            this.route = route;
        }

        /** The session opened (Jetty's thread): take a slot, or close it if the bridge filled up meanwhile. */
        void opened(WebSocketTransport t) {
            String refusal;
            synchronized (slots) {
                refusal = ended ? "ended" : stopping.get() ? "bridge stopping" : refusal(key);
                if (refusal == null) {
                    held = t;
                    sessions.put(t, this);
                    if (key != null) {
                        perAddress.merge(key, 1, Integer::sum);
                    }
                }
            }
            if (refusal != null) {
                t.closeWith(stopping.get() ? StatusCode.SHUTDOWN : StatusCode.TRY_AGAIN_LATER, refusal);
                return;
            }
            if (route == null) {
                scheduler.execute(() -> onLink.accept(t));
            } else {
                route.scheduler.execute(() -> route.onLink.accept(t));
            }
        }

        /** Jetty reported the session gone (close, error, idle timeout). */
        void ended() {
            synchronized (slots) {
                release();
            }
        }

        /** Holds {@code slots}. Idempotent. */
        void release() {
            ended = true;
            if (held == null) {
                return;
            }
            sessions.remove(held);
            held = null;
            if (key != null) {
                perAddress.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    // ---------------------------------------------------------------- HTTP

    private boolean route(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        // Pages of other origins (the bookmarklet) read the directory and the Tor documents under /tor/ too.
        if (path.equals(options.directoryPath) || path.endsWith(".js") || path.startsWith("/tor/")) {
            response.getHeaders().put(ANY_ORIGIN);
        }
        Request.Handler h = routes.get(path);
        if (h != null) {
            return h.handle(request, response, callback);
        }
        if (!allowGetHead(request, response, callback)) {
            return true;
        }
        for (Map.Entry<String, java.util.function.Function<String, byte[]>> e : prefixRoutes.entrySet()) {
            if (path.startsWith(e.getKey())) {
                byte[] b = e.getValue().apply(path);
                if (b == null) {
                    Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                } else {
                    send(request, response, callback, "text/plain", b);
                }
                return true;
            }
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

    private void send(Request request, Response response, Callback callback, String type, byte[] body) {
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(NO_STORE);
        response.getHeaders().put(NOSNIFF);
        response.getHeaders().put(NO_REFERRER);
        if (type.startsWith("text/html")) {
            response.getHeaders().put("Content-Security-Policy", contentSecurityPolicy(body));
            response.getHeaders().put(NO_FRAMES);
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (HttpMethod.HEAD.is(request.getMethod())) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    /**
     * The policy for one HTML page: nothing but what the page uses. Its own inline scripts and styles are
     * allowed by hash (the pages are static, so the hashes are too); scripts, styles and images from this
     * origin; {@code blob:} media (Media Source playback) and images; fetches and WebSockets to this origin
     * ('self' covers ws/wss of the same host in CSP 3 browsers, the explicit ws form the others) and to added
     * connect sources. No frames, plugins, workers or base changes; forms post here only; nobody frames it.
     */
    String contentSecurityPolicy(byte[] html) {
        StringBuilder scripts = new StringBuilder();
        StringBuilder styles = new StringBuilder();
        java.util.regex.Matcher m = INLINE.matcher(new String(html, StandardCharsets.UTF_8));
        while (m.find()) {
            boolean script = m.group(1).equalsIgnoreCase("script");
            String attrs = m.group(2) == null ? "" : m.group(2).toLowerCase(java.util.Locale.ROOT);
            if (script && attrs.matches("(?s).*\\bsrc\\s*=.*")) {
                continue; // loaded from 'self'
            }
            (script ? scripts : styles).append(" 'sha256-").append(sha256(m.group(3))).append('\'');
        }
        String origin = origin();
        String ws = (origin.startsWith("https:") ? "wss:" : "ws:") + origin.substring(origin.indexOf(':') + 1);
        StringBuilder connect = new StringBuilder("'self' ").append(ws);
        for (String c : connectSources) {
            connect.append(' ').append(c);
        }
        return "default-src 'none'; script-src 'self'" + scripts + "; style-src 'self'" + styles
                + "; img-src 'self' data: blob:; media-src 'self' blob:; worker-src blob:; connect-src " + connect
                + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    }

    private static String sha256(String text) {
        try {
            return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
