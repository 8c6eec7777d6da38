package org.onionpeer.jvm.net;

import java.io.IOException;
import java.net.InetAddress;
import java.util.function.Consumer;
import org.onionpeer.platform.Scheduler;

/**
 * Accepts plain TCP connections and hands each to the core as a {@link TcpTransport}, on the scheduler.
 * Reading starts only when the core sets the transport's listener. Used by tests and by plain (non-TLS)
 * listeners; the ORPort is a {@link TcpServer} with TLS.
 */
public final class TcpListener implements AutoCloseable {
    private final TcpServer server;

    /** Binds {@code bind}:{@code port} (0 = any free port) and starts accepting. */
    public TcpListener(Scheduler scheduler, InetAddress bind, int port, Consumer<TcpTransport> onAccept)
            throws IOException {
        TcpServer.Options o = new TcpServer.Options();
        o.host = bind.getHostAddress();
        o.port = port;
        server = new TcpServer(o, ch -> {
            TcpTransport t = TcpTransport.attach(ch, scheduler);
            scheduler.execute(() -> onAccept.accept(t));
        });
    }

    public int port() {
        return server.port();
    }

    /** Stops accepting; transports already handed out stay open. */
    @Override
    public void close() {
        server.close();
    }
}
