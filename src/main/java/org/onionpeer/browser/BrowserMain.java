package org.onionpeer.browser;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.http.HttpUrl;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.node.Bootstrap;
import org.onionpeer.node.Node;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.node.TorNetworkCheck;
import org.onionpeer.peer.PeerDialer;
import org.onionpeer.transport.Transport;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSByRef;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * Entry point of onionpeer.js, the browser node: it fetches the bridge's signed directory, links to the
 * bridge over WebSocket, builds 3-hop circuits with ntor, and fetches URLs through them. The page and
 * scripts drive it through {@code window.onionpeer}:
 * <ul>
 * <li>{@code start([bridgeBase], [options])} or {@code start(options)}, options {@code {bridge, authorities:
 * [...], trustAnchors: [pem, ...]}}: bootstrap against this page's bridge (or another one); the node retries
 * and recovers by itself ({@link Bootstrap}). When the bridge has a Tor network behind it, the page checks
 * that network's consensus and descriptors itself ({@link TorNetworkCheck}) against the authorities given
 * here (v3 identities in hex, or DirAuthority lines), else against those the bridge offers. trustAnchors are
 * certificates the page's TLS client trusts beside the shipped roots (a private CA, a test's); they apply to
 * connections made after the call, which may come again for that;</li>
 * <li>{@code status()}: JSON with the state, the open circuits ({n, hops: [nicknames], streams: open streams}), and recent events;</li>
 * <li>{@code fetch(url, onProgress(bytes), onDone(error, httpStatus, bodyUint8Array))}: an HTTP/1.0 GET
 * through a circuit, TLS end to end for https:// ({@link TlsStream}); called before the node is ready it waits for it (at most 60 s), starting the node
 * against this page's origin if start() was not called.</li>
 * </ul>
 */
public final class BrowserMain {
    static final int MAX_BODY = 256 << 20;
    static final int MAX_EVENTS = 50;

    private static final BrowserScheduler SCHED = new BrowserScheduler();
    private static final SecureRandom RND = new SecureRandom();
    private static Bootstrap bootstrap;
    private static String state = Bootstrap.NOT_STARTED;
    private static final List<String> events = new ArrayList<>();

    private BrowserMain() {
    }

    @JSFunctor
    interface ProgressFn extends JSObject {
        void call(double bytes);
    }

    @JSFunctor
    interface DoneFn extends JSObject {
        void call(String error, int status, Int8Array body);
    }

    @JSFunctor
    interface FetchFn extends JSObject {
        void call(String url, ProgressFn progress, DoneFn done);
    }

    @JSFunctor
    interface StartFn extends JSObject {
        void call(String base, String authorities);
    }

    // start(opts) and start(base, opts) both work; the authorities go in as lines.
    @JSBody(params = {"start", "status", "fetch"}, script = "var o$ = window.onionpeer = window.onionpeer || {};"
            + "o$.version = '0.1.0'; o$.start = function (base$, opts$) {"
            + " if (base$ && typeof base$ === 'object') { opts$ = base$; base$ = opts$.bridge; }"
            + " if (opts$ && opts$.trustAnchors) o$.trustAnchorsPem = [].concat(opts$.trustAnchors).join('\\n');"
            + " start(base$ || location.origin, (opts$ && opts$.authorities || []).join('\\n')); };"
            + "o$.status = function () { return JSON.parse(status()); }; o$.fetch = fetch;")
    private static native void export(StartFn start, JsApi.StringFn status, FetchFn fetch);

    @JSBody(script = "return location.origin;")
    private static native String origin();

    public static void main(String[] args) {
        // X25519 in doubles: long arithmetic is emulated in JS (see crypto.X25519F64).
        org.onionpeer.crypto.Curve25519.useDoubles();
        export(BrowserMain::start, BrowserMain::statusJson, BrowserMain::fetch);
        BrowserHttpStream.export();
        FilesModule.export();   // download/stream/files/...: files.js, loaded on first use
        Peers.export();
        Sharing.export();
        Live.export();
        WebCryptoRelayPrimitives.exportStats();
        JsApi.setText("status", "Onionpeer node loaded");
    }

    static OnionProxy proxy() {
        return bootstrap == null ? null : bootstrap.proxy();
    }

    static BrowserScheduler scheduler() {
        return SCHED;
    }

    /** The bridge's origin, where media.js and files.js are too. */
    static String base() {
        return base != null ? base : origin();
    }

    private static String base;

    static void start(String base) {
        start(base, "");
    }

    static void start(String base, String authorities) {
        if (bootstrap != null) {
            return;
        }
        BrowserMain.base = base;
        Identity.start();
        bootstrap = new Bootstrap(SCHED, RND::nextBytes, BrowserMain::getText, base + "/tor/directory", d -> {
            PeerDialer dialer = new PeerDialer(new BrowserWebSocket.WsDialer());
            Node node = new Node(SCHED, RND::nextBytes, dialer, null);
            OnionProxy.Options o = new OnionProxy.Options();
            o.firstHopFilter = BrowserMain::reachableFromPage;
            OnionProxy p = new OnionProxy(node, SelfTestMain.platformPrimitives(), d, o);
            Peers.attach(node, p, o, dialer, base);
            return p;
        }, null);
        bootstrap.setCheck(new TorNetworkCheck(SCHED, BrowserMain::getText, base, authorities,
                new TorCheckModule(base)));
        bootstrap.setListener(new Bootstrap.Listener() {
            @Override
            public void state(String s) {
                setState(s);
            }

            @Override
            public void event(String e) {
                BrowserMain.event(e);
            }

            @Override
            public void circuitBuilt(int n, List<String> hops) {
                event("circuit " + n + " built: " + String.join(" > ", hops));
            }

            @Override
            public void circuitClosed(int n, String reason) {
                event("circuit " + n + " closed: " + reason);
            }

            @Override
            public void buildFailed(String reason) {
                event("build failed: " + reason);
            }

            @Override
            public void streamFailed(String target, int endReason, String msg) {
                event("stream to " + target + " failed: " + msg);
            }
        });
        bootstrap.start();
    }

    /** The core's "GET this URL as text", with XMLHttpRequest; the answer comes back as a task of the node. */
    private static void getText(String url, Bootstrap.TextCallback cb) {
        Http.get(url, text -> SCHED.execute(() -> cb.text(text)), err -> SCHED.execute(() -> cb.failed(err)));
    }

    /**
     * Waits (bounded, see {@link Bootstrap#whenReady}) until the node has a circuit. An API call before
     * start() starts the node as start() without an argument would, against this page's own origin: the
     * bridge's page and the bookmarklet call start() first anyway, with the right bridge.
     */
    static Scheduler.Cancellable whenReady(Bootstrap.Waiter w) {
        if (bootstrap == null) {
            start(origin());
        }
        return bootstrap.whenReady(w);
    }

    /** A page's own circuits start at a bridge (relays of the bridge have WebSocket addresses too, for pages
     * that relay circuits to extend to them, but are not first hops) or at a peer. */
    private static boolean reachableFromPage(RelayInfo r) {
        return r.hasFlag(RelayInfo.FLAG_BRIDGE) && r.hasTarget(LinkTarget.WEBSOCKET);
    }

    static void fetch(String url, ProgressFn progress, DoneFn done) {
        SCHED.execute(() -> doFetch(url, progress, done));
    }

    private static void doFetch(String url, ProgressFn progress, DoneFn done) {
        HttpUrl target;
        try {
            target = HttpUrl.parse(url);
        } catch (ProtocolException e) {
            done.call(e.getMessage(), 0, null);
            return;
        }
        // Called before the node has a circuit, the fetch waits for one; status() says what the node waits for.
        whenReady(new Bootstrap.Waiter() {
            @Override
            public void ready(OnionProxy proxy) {
                BrowserHttpStream.open(proxy, target, (stream, error) -> {
                    if (error != null) {
                        done.call(error, 0, null);
                    } else {
                        collect(stream, target, progress, done);
                    }
                });
            }

            @Override
            public void failed(String message) {
                done.call(message, 0, null);
            }
        });
    }

    /**
     * Collects the whole response (bounded by MAX_BODY) and hands the body over when the stream ends, as a view
     * of the buffer it was collected in: no copy at the end (a 20 MB body was copied four times: issue 13).
     */
    private static void collect(Transport stream, HttpUrl target, ProgressFn progress, DoneFn done) {
        Body body = new Body();
        stream.setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
                onData(data, 0, data.length);
            }

            @Override
            public void onData(byte[] data, int off, int len) {
                // A cell's data straight from the link's buffer: this is its one copy.
                if (body.overflow) {
                    return;
                }
                if (!body.add(data, off, len)) {
                    stream.close("response too large");
                    done.call("response larger than " + MAX_BODY + " bytes", 0, null);
                    return;
                }
                progress.call(body.length);
            }

            @Override
            public void onClosed(String reason) {
                if (body.overflow) {
                    return;
                }
                if (reason.startsWith(TlsStream.FAILED)) {
                    done.call(reason.substring(TlsStream.FAILED.length()), 0, null);
                    return;
                }
                try {
                    if (!body.sized) {
                        throw new ProtocolException("HTTP response ends inside its header block");
                    }
                    if (body.headError != null) {
                        throw body.headError;
                    }
                    HttpHead head = body.head;
                    int start = body.headEnd;
                    long n = head.contentLength();
                    if (n > body.length - start) {
                        throw new ProtocolException("HTTP body shorter than its Content-Length");
                    }
                    if (n < 0 && reason.startsWith(TlsStream.TRUNCATED)) {
                        done.call("the response may be truncated: the server closed without TLS close_notify and"
                                + " gave no Content-Length", 0, null);
                        return;
                    }
                    done.call(null, head.status(), view(body.buf, start, n < 0 ? body.length - start : (int) n));
                } catch (ProtocolException e) {
                    done.call("bad HTTP response: " + e.getMessage() + " (" + reason + ")", 0, null);
                }
            }
        });
        stream.send(Bytes.ascii(target.getRequest(0)));
    }

    /** {@code b[off..off+len)} as a JavaScript Int8Array sharing b's memory. */
    @JSBody(params = {"b", "off", "len"}, script = "return b.subarray(off, off + len);")
    static native Int8Array view(@JSByRef byte[] b, int off, int len);

    /**
     * A bounded response buffer. Once the head has arrived with a Content-Length it is sized to the whole
     * response, so a large body is copied once, as it arrives.
     */
    private static final class Body {
        byte[] buf = new byte[64 * 1024];
        int length;
        boolean sized;
        boolean overflow;
        /** Once sized: the head parsed (and where it ends), or why it could not be: parsed once, as it arrived. */
        HttpHead head;
        int headEnd;
        ProtocolException headError;

        boolean add(byte[] d, int off, int len) {
            if (length + len > MAX_BODY) {
                overflow = true;
                return false;
            }
            if (length + len > buf.length) {
                grow(Math.max(length + len, buf.length * 2));
            }
            System.arraycopy(d, off, buf, length, len);
            length += len;
            if (!sized) {
                sizeForContentLength();
            }
            return true;
        }

        private void sizeForContentLength() {
            int e;
            try {
                e = HttpHead.headEnd(buf, length);
                if (e < 0) {
                    return;
                }
                sized = true;
                head = HttpHead.decode(buf, e);
                headEnd = e;
                long n = head.contentLength();
                if (n >= 0 && e + n <= MAX_BODY && e + n > buf.length) {
                    grow((int) (e + n));
                }
            } catch (ProtocolException bad) {
                sized = true;
                headError = bad; // reported when the stream ends
            }
        }

        private void grow(int size) {
            buf = java.util.Arrays.copyOf(buf, size);
        }
    }

    private static void setState(String s) {
        state = s;
        JsApi.setText("status", s);
    }

    static void event(String e) {
        events.add(e);
        if (events.size() > MAX_EVENTS) {
            events.remove(0);
        }
        JsApi.setText("events", String.join("\n", events));
    }

    static String statusJson() {
        StringBuilder sb = new StringBuilder("{\"state\":").append(quote(state));
        sb.append(",\"identity\":").append(Identity.id() == null ? "null" : quote(Identity.id()));
        sb.append(",\"circuits\":[");
        // Live from the proxy (built circuits only), so a page or test sees which circuit carries streams.
        boolean first = true;
        OnionProxy proxy = proxy();
        for (ClientCircuit c : proxy == null ? new ArrayList<ClientCircuit>() : proxy.circuits()) {
            if (!c.isOpen()) {
                continue;
            }
            sb.append(first ? "" : ",").append("{\"n\":").append(proxy.numberOf(c)).append(",\"hops\":[");
            first = false;
            List<RelayInfo> path = c.path();
            for (int h = 0; h < path.size(); h++) {
                sb.append(h > 0 ? "," : "").append(Peers.hopJson(path.get(h)));
            }
            sb.append("],\"streams\":").append(c.streamCount()).append('}');
        }
        sb.append("],\"peers\":").append(Peers.statusJson());
        sb.append(",\"events\":[");
        for (int i = 0; i < events.size(); i++) {
            sb.append(i > 0 ? "," : "").append(quote(events.get(i)));
        }
        return sb.append("]}").toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(' ');
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
