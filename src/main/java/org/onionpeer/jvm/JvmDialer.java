package org.onionpeer.jvm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.InetSocketAddress;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLContext;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.jvm.bridge.WebSocketTransport;
import org.onionpeer.jvm.net.NameResolution;
import org.onionpeer.jvm.net.SocketConnector;
import org.onionpeer.jvm.net.TcpDial;
import org.onionpeer.jvm.net.TcpTransport;
import org.onionpeer.jvm.tls.TlsContexts;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.platform.Scheduler;

/**
 * Reaches relays from the JVM: {@code tls://host:port} (an ORPort: TLS, and the CERTS cell bound to the
 * relay's TLS certificate) and {@code ws://host:port/path} (a bridge's WebSocket endpoint: unbound, so
 * circuits over it use ntor). TLS connects and handshakes run on the shared I/O threads ({@code NetLoops});
 * only a name (never an IP literal) is looked up on the small shared resolver pool.
 */
public final class JvmDialer implements Dialer, AutoCloseable {
    public static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Scheduler loop;
    private final SSLContext tls;
    private final WebSocketConnector ws;

    public JvmDialer(Scheduler loop, WebSocketConnector ws) {
        this.loop = loop;
        this.ws = ws;
        try {
            this.tls = TlsContexts.client();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS on this JVM", e);
        }
    }

    @Override
    public boolean canDial(LinkTarget target) {
        return target.kind() == LinkTarget.TLS || (ws != null && target.kind() == LinkTarget.WEBSOCKET);
    }

    @Override
    public void dial(LinkTarget target, DialCallback cb) {
        if (target.kind() == LinkTarget.TLS) {
            String host = target.host();
            int port = target.port();
            InetAddress literal = SocketConnector.literal(host);
            if (literal != null) {
                dialTls(new InetSocketAddress(literal, port), cb);
                return;
            }
            try {
                NameResolution.pool().execute(() -> {
                    try {
                        InetAddress a = InetAddress.getByName(host);
                        dialTls(new InetSocketAddress(a, port), cb);
                    } catch (IOException | RuntimeException e) {
                        loop.execute(() -> cb.failed("cannot resolve " + host + ": " + e.getMessage()));
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                loop.execute(() -> cb.failed("too many names being resolved"));
            }
            return;
        }
        if (ws != null && target.kind() == LinkTarget.WEBSOCKET) {
            URI uri;
            try {
                uri = URI.create(target.toString());
            } catch (IllegalArgumentException e) {
                loop.execute(() -> cb.failed("bad address " + target));
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
        loop.execute(() -> cb.failed("cannot dial " + target));
    }

    /** TLS to an ORPort on the shared I/O threads; the link (and its CERTS check) runs on our loop. */
    private void dialTls(InetSocketAddress to, DialCallback cb) {
        TcpDial.connect(to, null, CONNECT_TIMEOUT_MILLIS, tls, (ch, failure) -> {
            if (ch == null) {
                loop.execute(() -> cb.failed(failure.getClass().getSimpleName() + ": " + failure.getMessage()));
                return;
            }
            byte[] der;
            try {
                der = TlsContexts.peerCertificateDer(ch.pipeline().get(SslHandler.class).engine().getSession());
            } catch (IOException e) {
                ch.close();
                loop.execute(() -> cb.failed("TLS: " + e.getMessage()));
                return;
            }
            TcpTransport t = TcpTransport.attach(ch, loop);
            byte[] ip = to.getAddress().getAddress();
            loop.execute(() -> cb.connected(t, LinkBinding.tlsCertificate(der), IpAddress.of(ip)));
        });
    }

    @Override
    public void close() {
        // Nothing of our own to stop: connections live on the shared I/O threads, links close with the node.
    }
}
