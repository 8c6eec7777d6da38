package org.onionpeer.browser;

import org.onionpeer.browser.tls.TlsModule;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.http.HttpUrl;
import org.onionpeer.node.Bootstrap;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.transport.StreamOpener;
import org.onionpeer.transport.Transport;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * {@code onionpeer.httpStream(url, from, onHead, onData, onEnd)}: an HTTP GET through a circuit whose body
 * is handed to the page as it arrives, never collected. The head is parsed as soon as its blank line is in
 * (bounded by {@link HttpHead#MAX_BYTES}); {@code from > 0} asks for the rest of the resource with
 * {@code Range: bytes=from-} (RFC 9110 §14.2). The page's downloader (Downloads.java) stores the body in
 * IndexedDB and feeds Media Source playback.
 * <ul>
 * <li>{@code onHead(status, contentLength, contentType, rangeStart, rangeTotal, control)}: -1 for absent
 * numbers; {@code control('pause'|'resume'|'close')} throttles or ends the stream;</li>
 * <li>{@code onData(Int8Array)}: body bytes, in order;</li>
 * <li>{@code onEnd(error)}: null when the whole body (Content-Length, else up to the close) arrived.</li>
 * </ul>
 */
final class BrowserHttpStream {
    private BrowserHttpStream() {
    }

    @JSFunctor
    interface ControlFn extends JSObject {
        void call(String command);
    }

    @JSFunctor
    interface HeadFn extends JSObject {
        void call(int status, double contentLength, String contentType, double rangeStart, double rangeTotal,
                ControlFn control);
    }

    @JSFunctor
    interface DataFn extends JSObject {
        void call(Int8Array data);
    }

    @JSFunctor
    interface EndFn extends JSObject {
        void call(String error);
    }

    @JSFunctor
    interface OpenFn extends JSObject {
        void call(String url, double from, HeadFn head, DataFn data, EndFn end);
    }

    @JSBody(params = "fn", script = "(window.onionpeer = window.onionpeer || {}).httpStream = fn;")
    private static native void exportOpen(OpenFn fn);

    static void export() {
        exportOpen((url, from, head, data, end) -> BrowserMain.scheduler().execute(
                () -> open(url, (long) from, head, data, end)));
    }

    private static void open(String url, long from, HeadFn head, DataFn data, EndFn end) {
        // Before the node has a circuit, wait for one (bounded); the wait's failure says what it waited for.
        BrowserMain.whenReady(new Bootstrap.Waiter() {
            @Override
            public void ready(OnionProxy proxy) {
                open(proxy, url, from, head, data, end);
            }

            @Override
            public void failed(String message) {
                end.call(message);
            }
        });
    }

    private static void open(OnionProxy proxy, String url, long from, HeadFn head, DataFn data, EndFn end) {
        if (org.onionpeer.torrent.Magnet.isMagnet(url)) {
            Sharing.openMagnet(url, from, head, data, end); // a torrent: fetched by facilitators from its swarm
            return;
        }
        if (Sharing.linkOf(url) != null || url.contains(org.onionpeer.ordb.HashName.LINK_FRAGMENT)) {
            Sharing.open(url, from, head, data, end); // content shared by a page: fetched from ORDBs
            return;
        }
        HttpUrl target;
        try {
            target = HttpUrl.parse(url);
        } catch (ProtocolException e) {
            end.call(e.getMessage());
            return;
        }
        open(proxy, target, (stream, error) -> {
            if (error != null) {
                end.call(error);
                return;
            }
            stream.setListener(new Reader(stream, head, data, end));
            stream.send(Bytes.ascii(target.getRequest(from)));
        });
    }

    /** What {@link #open(OnionProxy, HttpUrl, Opened)} gives: the stream (TLS inside for https), or why not. */
    interface Opened {
        void opened(Transport stream, String error);
    }

    /**
     * Opens a circuit stream to the URL's host and port; for https, loads the TLS client (tls.js) first and
     * runs it over the stream, so what the caller sends and reads is plaintext that only the page and the
     * site see. Certificate errors come later, as the stream's close reason ({@link TlsStream#FAILED}).
     */
    static void open(OnionProxy proxy, HttpUrl target, Opened cb) {
        if (target.secure()) {
            TlsModule.load(BrowserMain.base(), err -> BrowserMain.scheduler().execute(() -> {
                if (err != null) {
                    cb.opened(null, "https needs the page's TLS client, which did not load: " + err);
                } else {
                    openStream(proxy, target, cb);
                }
            }));
        } else {
            openStream(proxy, target, cb);
        }
    }

    private static void openStream(OnionProxy proxy, HttpUrl target, Opened cb) {
        proxy.open(target.host(), target.port(), new StreamOpener.OpenCallback() {
            @Override
            public void opened(Transport stream) {
                cb.opened(target.secure() ? new TlsStream(stream, target.host()) : stream, null);
            }

            @Override
            public void failed(int endReason, String message) {
                cb.opened(null, "could not open a stream to " + target.hostHeader() + ": " + message);
            }
        });
    }

    /** A new Int8Array holding {@code b[off..off+len)}. */
    @JSBody(params = {"b", "off", "len"}, script = "return b.slice(off, off + len);")
    private static native Int8Array copyOf(@org.teavm.jso.JSByRef byte[] b, int off, int len);

    /** Splits the response into head and body as it arrives, and tells the page. */
    private static final class Reader implements Transport.Listener {
        final Transport stream;
        final HeadFn head;
        final DataFn data;
        final EndFn end;
        byte[] headBuf = new byte[4096];
        int headLen;
        HttpHead parsed;
        long expected = -1;
        long received;
        boolean finished;

        Reader(Transport stream, HeadFn head, DataFn data, EndFn end) {
            this.stream = stream;
            this.head = head;
            this.data = data;
            this.end = end;
        }

        @Override
        public void onData(byte[] d) {
            onData(d, 0, d.length);
        }

        /** A stream's bytes as they come: a cell's data at a time, so no slice per cell (~330 ms of 20 MB). */
        @Override
        public void onData(byte[] b, int off, int len) {
            if (finished) {
                return;
            }
            if (parsed != null) {
                deliver(b, off, len);
                return;
            }
            headBuf = Bytes.append(headBuf, headLen, b, off, len);
            headLen += len;
            int e;
            try {
                e = HttpHead.headEnd(headBuf, headLen);
                if (e < 0) {
                    return;
                }
                parsed = HttpHead.decode(headBuf, e);
            } catch (ProtocolException ex) {
                finish("bad HTTP response: " + ex.getMessage());
                return;
            }
            // Bodies of other statuses are not the resource: stop after the head.
            boolean body = parsed.status() == 200 || parsed.status() == 206;
            expected = parsed.contentLength();
            head.call(parsed.status(), parsed.contentLength(), parsed.contentType(), parsed.rangeStart(),
                    parsed.rangeTotal(), command -> BrowserMain.scheduler().execute(() -> control(command)));
            if (!body) {
                finish(null);
                return;
            }
            byte[] buf = headBuf;
            headBuf = null;
            if (headLen > e) {
                deliver(buf, e, headLen - e);
            }
        }

        /** Body bytes {@code b[off..off+len)}, up to Content-Length: one copy, the array the page gets. */
        private void deliver(byte[] b, int off, int len) {
            int n = len;
            if (expected >= 0 && received + n > expected) {
                n = (int) (expected - received);
            }
            received += n;
            data.call(copyOf(b, off, n));
            if (!finished && expected >= 0 && received == expected) {
                finish(null);
            }
        }

        /** Runs on the node's scheduler: the page may call it from any event (an IndexedDB completion, say). */
        private void control(String command) {
            if ("pause".equals(command)) {
                stream.pauseReading(true);
            } else if ("resume".equals(command)) {
                stream.pauseReading(false);
            } else if ("close".equals(command) && !finished) {
                finished = true;
                stream.close("closed by the page");
            }
        }

        private void finish(String error) {
            finished = true;
            stream.close("done");
            end.call(error);
        }

        @Override
        public void onClosed(String reason) {
            if (finished) {
                return;
            }
            finished = true;
            if (reason.startsWith(TlsStream.FAILED)) {
                end.call(reason.substring(TlsStream.FAILED.length())); // the certificate's problem, in words
            } else if (parsed == null) {
                end.call("the stream closed before the HTTP head arrived (" + reason + ")");
            } else if (expected >= 0 && received < expected) {
                end.call("the stream closed after " + received + " of " + expected + " bytes (" + reason + ")");
            } else if (reason.startsWith(TlsStream.TRUNCATED)) {
                // No Content-Length: only the server's close_notify shows the body is whole.
                end.call("the response may be truncated: the server closed without TLS close_notify after "
                        + received + " bytes and gave no Content-Length");
            } else {
                end.call(null);
            }
        }
    }
}
