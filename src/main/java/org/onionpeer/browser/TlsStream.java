package org.onionpeer.browser;

import java.util.ArrayDeque;
import org.onionpeer.browser.tls.TlsModule;
import org.onionpeer.transport.Transport;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * HTTPS end to end: a circuit stream to the site carrying a TLS session whose client runs in the page
 * (tls.js), so the exit relays only TLS records and never sees the request, the response or the site's
 * certificate checks. A {@link Transport} of plaintext over the stream's ciphertext; callbacks arrive on the
 * node's scheduler like the stream's own. A failed handshake or a bad certificate closes it with a reason
 * that starts with {@link #FAILED}, which callers show as it is.
 */
final class TlsStream implements Transport {
    /** How a TLS failure's close reason starts ("TLS: bad certificate from …: certificate expired on …"). */
    static final String FAILED = "TLS: ";
    /**
     * How the close reason starts when the stream closed without the server's close_notify. Many servers
     * do that after a whole response, so it is an error only where the HTTP framing (Content-Length) does not
     * show the response whole: an attacker on the path could otherwise cut a response short unseen.
     */
    static final String TRUNCATED = "TLS closed without close_notify: ";

    private final Transport stream;
    private final BrowserScheduler sched = BrowserMain.scheduler();
    private final int handle;
    private Listener listener;
    private boolean closed;
    /** While we call into tls.js: what it answers at once waits for a task of its own (no re-entry). */
    private int inTls;
    /** tls.js's answers waiting for that task, in order. */
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();

    TlsStream(Transport stream, String host) {
        this.stream = stream;
        inTls++;
        this.handle = TlsModule.open(host, TlsModule.anchors(),
                records -> {
                    byte[] r = records.toJavaArray(); // tls.js made it for this call and keeps no reference
                    fromTls(() -> {
                        if (!closed) {
                            stream.send(r);
                        }
                    });
                },
                (kind, text, data) -> {
                    byte[] d = data == null ? null : data.toJavaArray(); // likewise
                    fromTls(() -> event(kind, text, d));
                });
        inTls--;
        stream.setListener(new Listener() {
            @Override
            public void onData(byte[] d) {
                onData(d, 0, d.length);
            }

            @Override
            public void onData(byte[] b, int off, int len) {
                if (!closed && handle >= 0) {
                    // A view of the cell's data: tls.js copies what it keeps before push returns, so no array
                    // per cell (the default of this method made one: ~270 ms of a 20 MB download's main thread).
                    inTls++;
                    TlsModule.push(handle, BrowserMain.view(b, off, len));
                    inTls--;
                }
            }

            @Override
            public void onClosed(String reason) {
                if (handle >= 0 && !closed) {
                    // Records may still be decrypting in tls.js: it answers once they are done, with the
                    // server's close_notify ('e') or a truncation ('f'), and we end then.
                    inTls++;
                    TlsModule.lost(handle);
                    inTls--;
                } else {
                    end(reason);
                }
            }
        });
    }

    /**
     * An answer from tls.js. Most come from its own promise callbacks (WebCrypto's answers), a fresh event
     * of the page's loop: they run at once, which saves a task per record. Those given while we are calling
     * into tls.js (and any after them, to keep the order) wait for a task of the node's scheduler.
     */
    private void fromTls(Runnable r) {
        if (inTls == 0 && waiting.isEmpty()) {
            run(r);
            return;
        }
        waiting.add(r);
        if (waiting.size() == 1) {
            sched.execute(() -> {
                while (!waiting.isEmpty()) {
                    run(waiting.peekFirst());
                    waiting.pollFirst();
                }
            });
        }
    }

    private static void run(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // Never into tls.js: one failing consumer must not fail the TLS client that called us.
            BrowserScheduler.log("onionpeer: https consumer failed: " + e);
        }
    }

    private void event(String kind, String text, byte[] data) {
        if (closed) {
            return;
        }
        switch (kind) {
            case "d":
                if (listener != null) {
                    listener.onData(data);
                }
                break;
            case "e": // the server's close_notify: the response is whole
                end("done");
                break;
            case "f":
                end(FAILED + text);
                break;
            case "t":
                end(TRUNCATED + text);
                break;
            default: // "c": connected; requests were held until now by the client itself
                break;
        }
    }

    private void end(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        stream.close(reason);
        if (listener != null) {
            listener.onClosed(reason);
        }
    }

    @Override
    public void send(byte[] data) {
        if (!closed && handle >= 0) {
            inTls++;
            TlsModule.write(handle, Int8Array.copyFromJavaArray(data));
            inTls--;
        }
    }

    @Override
    public void close(String reason) {
        if (closed) {
            return;
        }
        if (handle >= 0) {
            inTls++;
            TlsModule.close(handle);
            inTls--;
        }
        end(reason);
    }

    @Override
    public long bufferedAmount() {
        return stream.bufferedAmount();
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void pauseReading(boolean paused) {
        stream.pauseReading(paused);
    }
}
