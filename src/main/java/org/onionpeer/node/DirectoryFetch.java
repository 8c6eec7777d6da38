package org.onionpeer.node;

import java.util.Collections;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.EndReason;
import org.onionpeer.circuit.CircuitOptions;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ClientStream;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Transport;

/**
 * One {@link OnionProxy#fetchDirectory}: a one-hop circuit to the directory, BEGIN_DIR, an HTTP/1.0 GET, and
 * the 200 response's body (bounded by {@code maxDirectoryBytes}, within {@code directoryTimeoutMillis}).
 * The circuit is closed afterwards and never joins the pool.
 */
final class DirectoryFetch implements ClientCircuit.Listener, ClientStream.ConnectListener, Transport.Listener {
    private final OnionProxy proxy;
    private final OnionProxy.Options options;
    private final RelayInfo bridge;
    private final byte[] request;
    private final OnionProxy.DirectoryCallback cb;
    private final ByteWriter received = new ByteWriter(4096);
    private ClientCircuit circuit;
    private ClientStream stream;
    private Scheduler.Cancellable timer;
    private boolean done;

    DirectoryFetch(OnionProxy proxy, RelayInfo bridge, byte[] request, OnionProxy.DirectoryCallback cb) {
        this.proxy = proxy;
        this.options = proxy.options();
        this.bridge = bridge;
        this.request = request;
        this.cb = cb;
    }

    void start() {
        timer = proxy.scheduler().schedule(options.directoryTimeoutMillis,
                () -> finish(null, "directory fetch timed out after " + options.directoryTimeoutMillis + " ms"));
        proxy.node().links().connect(bridge, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                if (done) {
                    return;
                }
                // A directory known only from its DirAuthority line has no ntor key yet: CREATE_FAST, which
                // ClientCircuit still allows only on a TLS link whose CERTS proved the expected identity.
                CircuitOptions o = options.circuit;
                if (bridge.ntorKey() == null) {
                    o = o.copy();
                    o.allowCreateFast = true;
                }
                circuit = new ClientCircuit(channel, proxy.node().circuits(), proxy.scheduler(), proxy.node().entropy(),
                        proxy.primitives(), Collections.singletonList(bridge), o, DirectoryFetch.this);
                circuit.start();
            }

            @Override
            public void failed(String reason) {
                finish(null, reason);
            }
        });
    }

    void finish(byte[] body, String error) {
        if (done) {
            return;
        }
        done = true;
        timer.cancel();
        if (circuit != null) {
            circuit.close();
        }
        if (error != null) {
            cb.failed(error);
        } else {
            cb.fetched(body);
        }
    }

    // circuit
    @Override
    public void built(ClientCircuit c) {
        if (!done) {
            stream = c.beginDir(this);
        }
    }

    @Override
    public void closed(ClientCircuit c, String reason) {
        finish(null, "directory circuit closed: " + reason);
    }

    // stream
    @Override
    public void connected(ClientStream s) {
        s.setListener(this);
        s.send(request);
    }

    @Override
    public void failed(ClientStream s, int endReason, String message, boolean retryable) {
        finish(null, "BEGIN_DIR failed: " + message);
    }

    @Override
    public void onData(byte[] data) {
        if (done) {
            return;
        }
        if (received.length() + data.length > options.maxDirectoryBytes) {
            finish(null, "directory response over " + options.maxDirectoryBytes + " bytes");
            return;
        }
        received.bytes(data);
    }

    @Override
    public void onClosed(String reason) {
        if (done) {
            return;
        }
        int end = stream == null ? 0 : stream.endReason();
        if (end != EndReason.DONE) {
            finish(null, "directory stream ended before the response was complete: " + reason);
            return;
        }
        try {
            HttpResponse resp = HttpResponse.decode(received.toByteArray());
            if (resp.status() != 200) {
                finish(null, "directory answered " + resp.status() + " " + resp.reason());
            } else {
                finish(resp.body(), null);
            }
        } catch (ProtocolException e) {
            finish(null, "bad directory response: " + e.getMessage());
        }
    }
}
