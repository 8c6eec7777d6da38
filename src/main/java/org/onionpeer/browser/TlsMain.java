package org.onionpeer.browser;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.onionpeer.browser.tls.WebCryptoTlsCrypto;
import org.onionpeer.tls.Alert;
import org.onionpeer.tls.TlsClient;
import org.onionpeer.tls.TlsConfig;
import org.onionpeer.tls.TlsCrypto;
import org.onionpeer.tls.TlsException;
import org.onionpeer.tls.TrustStore;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSByRef;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * Entry point of tls.js, the page's TLS client (see browser/tls/TlsModule for the other side): loaded on the
 * first https:// fetch, with tls-roots.js (Mozilla's root store) before it, so pages that never use https
 * never load either. One handle per connection:
 * <ul>
 * <li>{@code open(host, anchorsPem, out(Int8Array), event(kind, text, Int8Array))}: a TLS 1.3 client for host,
 * trusting the shipped roots plus anchorsPem (from {@code onionpeer.start({trustAnchors})}), validating
 * certificates at the page's clock. out gets TLS records for the circuit stream; event gets 'c' (connected),
 * 'd' (application data), 'e' (the server's close_notify), 't' (the stream closed without one: a
 * truncation unless the application's framing says the data is whole) and 'f' (failed: the message says
 * why, a certificate's problem in words). Answers the handle, or -1 with event 'f' already called.</li>
 * <li>{@code push(h, bytes)}: bytes from the stream; {@code write(h, bytes)}: data to the server (held until
 * the handshake is done); {@code close(h)}: close_notify; {@code lost(h)}: the stream closed.</li>
 * </ul>
 */
public final class TlsMain {
    private static final List<TlsClient> CLIENTS = new ArrayList<>();
    private static final TlsCrypto CRYPTO = new WebCryptoTlsCrypto(new SecureRandom()::nextBytes);
    private static TrustStore roots;
    private static String anchorsPem;
    private static TrustStore withAnchors;

    private TlsMain() {
    }

    @JSFunctor
    interface OutFn extends JSObject {
        void call(Int8Array records);
    }

    @JSFunctor
    interface EventFn extends JSObject {
        void call(String kind, String text, Int8Array data);
    }

    @JSFunctor
    interface OpenFn extends JSObject {
        int call(String host, String anchorsPem, OutFn out, EventFn event);
    }

    @JSFunctor
    interface BytesFn extends JSObject {
        void call(int h, Int8Array bytes);
    }

    @JSFunctor
    interface HandleFn extends JSObject {
        void call(int h);
    }

    @JSBody(params = {"open", "push", "write", "close", "lost"}, script = "(window.onionpeer = window.onionpeer"
            + " || {}).tls = {open: open, push: push, write: write, close: close, lost: lost};")
    private static native void export(OpenFn open, BytesFn push, BytesFn write, HandleFn close, HandleFn lost);

    @JSBody(params = {"a", "off", "len"}, script = "return a.subarray(off, off + len);")
    private static native Int8Array view(@JSByRef byte[] a, int off, int len);

    @JSBody(script = "var r$ = window.onionpeer && window.onionpeer.tlsRoots; return r$ ? r$.pem : null;")
    private static native String rootsPem();

    @JSBody(script = "return Math.floor(Date.now() / 1000);")
    private static native double nowSeconds();

    public static void main(String[] args) {
        export(TlsMain::open, (h, b) -> {
            TlsClient c = client(h);
            if (c != null) {
                c.receive(b.toJavaArray()); // a view: the record layer copies what it keeps before returning
            }
        }, (h, b) -> {
            TlsClient c = client(h);
            if (c != null && c.state() != TlsClient.State.FAILED) {
                c.send(b.copyToJavaArray());
            }
        }, h -> {
            TlsClient c = client(h);
            if (c != null) {
                c.close();
            }
        }, h -> {
            TlsClient c = client(h);
            if (c != null) {
                c.transportClosed();
                CLIENTS.set(h, null);
            }
        });
    }

    private static TlsClient client(int h) {
        return h >= 0 && h < CLIENTS.size() ? CLIENTS.get(h) : null;
    }

    private static int open(String host, String anchors, OutFn out, EventFn event) {
        TrustStore trust;
        try {
            trust = trust(anchors == null ? "" : anchors);
        } catch (RuntimeException e) {
            event.call("f", "a trust anchor given to onionpeer.start() is not a certificate: " + e.getMessage(), null);
            return -1;
        }
        if (trust.size() == 0) {
            event.call("f", "no root certificates: tls-roots.js did not load and no trustAnchors were given", null);
            return -1;
        }
        int h = CLIENTS.size();
        TlsClient c = new TlsClient(TlsConfig.of(host, trust, (long) nowSeconds()), CRYPTO, new TlsClient.Listener() {
            @Override
            public void send(byte[] records) {
                out.call(Int8Array.fromJavaArray(records)); // made for this call, kept by no one here
            }

            @Override
            public void connected() {
                event.call("c", null, null);
            }

            @Override
            public void received(byte[] data) {
                received(data, 0, data.length);
            }

            @Override
            public void received(byte[] data, int off, int len) {
                event.call("d", null, view(data, off, len)); // the core keeps no reference to data: no copy
            }

            @Override
            public void closed() {
                event.call("e", null, null);
            }

            @Override
            public void failed(TlsException e) {
                CLIENTS.set(h, null);
                if (e.alert() == Alert.CLOSE_NOTIFY) { // the transport closed first: the caller judges the framing
                    event.call("t", e.getMessage(), null);
                    return;
                }
                event.call("f", (e.isCertificateError() ? "bad certificate from " + host + ": " : "TLS with " + host
                        + " failed: ") + e.getMessage(), null);
            }
        });
        CLIENTS.add(c);
        c.start();
        return h;
    }

    /** The shipped roots (parsed once) plus the page's own anchors (parsed again only when they change). */
    private static TrustStore trust(String anchors) {
        if (roots == null) {
            String pem = rootsPem();
            roots = pem == null ? TrustStore.empty() : TrustStore.fromPem(pem);
        }
        if (!anchors.equals(anchorsPem)) {
            withAnchors = anchors.isEmpty() ? roots : roots.withPem(anchors);
            anchorsPem = anchors;
        }
        return withAnchors;
    }
}
