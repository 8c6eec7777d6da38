package org.onionpeer.jvm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.jvm.bridge.WebSocketTransport;
import org.onionpeer.jvm.net.TcpTransport;
import org.onionpeer.jvm.tls.TlsContexts;
import org.onionpeer.link.Dialer;
import org.onionpeer.platform.Scheduler;

/**
 * Reaches relays from the JVM: {@code tls://host:port} (an ORPort: TLS, and the CERTS cell bound to the
 * relay's TLS certificate) and {@code ws://host:port/path} (a bridge's WebSocket endpoint: unbound, so
 * circuits over it use ntor). The blocking TLS connect runs on a small pool, never on the node's loop.
 */
public final class JvmDialer implements Dialer, AutoCloseable {
    public static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Scheduler loop;
    private final SSLContext tls;
    private final WebSocketConnector ws;
    private final ExecutorService pool;

    public JvmDialer(Scheduler loop, WebSocketConnector ws) {
        this.loop = loop;
        this.ws = ws;
        try {
            this.tls = TlsContexts.client();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS on this JVM", e);
        }
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "onionpeer-dial");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public boolean canDial(String address) {
        return address.startsWith("tls://") || (ws != null && (address.startsWith("ws://") || address.startsWith("wss://")));
    }

    @Override
    public void dial(String address, DialCallback cb) {
        if (address.startsWith("tls://")) {
            String hp = address.substring("tls://".length());
            int colon = hp.lastIndexOf(':');
            if (colon < 0) {
                loop.execute(() -> cb.failed("bad address " + address));
                return;
            }
            String host = hp.substring(0, colon).replace("[", "").replace("]", "");
            int port;
            try {
                port = Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                loop.execute(() -> cb.failed("bad port in " + address));
                return;
            }
            pool.execute(() -> {
                try {
                    SSLSocket s = TlsContexts.connect(tls, host, port, CONNECT_TIMEOUT_MILLIS);
                    byte[] der = TlsContexts.peerCertificateDer(s);
                    InetAddress ia = s.getInetAddress();
                    TcpTransport t = new TcpTransport(s, loop);
                    loop.execute(() -> cb.connected(t, LinkBinding.tlsCertificate(der), IpAddress.of(ia.getAddress())));
                } catch (IOException | RuntimeException e) {
                    loop.execute(() -> cb.failed(e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
            });
            return;
        }
        if (ws != null && (address.startsWith("ws://") || address.startsWith("wss://"))) {
            URI uri;
            try {
                uri = URI.create(address);
            } catch (IllegalArgumentException e) {
                loop.execute(() -> cb.failed("bad address " + address));
                return;
            }
            ws.connect(uri, loop, new WebSocketConnector.Callback() {
                @Override
                public void connected(WebSocketTransport transport) {
                    cb.connected(transport, null, null);
                }

                @Override
                public void failed(String message, int httpStatus) {
                    cb.failed(message + (httpStatus > 0 ? " (HTTP " + httpStatus + ")" : ""));
                }
            });
            return;
        }
        loop.execute(() -> cb.failed("cannot dial " + address));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
