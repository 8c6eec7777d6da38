package org.onionpeer.jvm.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;
import org.onionpeer.platform.Scheduler;

/**
 * Accepts plain TCP connections and hands each to the core as a {@link TcpTransport}, on the scheduler.
 * Reading starts only when the core sets the transport's listener. Used by tests and by plain (non-TLS)
 * listeners; the OR port will wrap its own sockets in TLS first.
 */
public final class TcpListener implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;

    /** Binds {@code bind}:{@code port} (0 = any free port) and starts accepting. */
    public TcpListener(Scheduler scheduler, InetAddress bind, int port, Consumer<TcpTransport> onAccept)
            throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(bind, port), 128);
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    TcpTransport t = new TcpTransport(s, scheduler);
                    scheduler.execute(() -> onAccept.accept(t));
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                    // A failed accept (e.g. the client reset at once) must not stop the listener.
                }
            }
        }, "tcp-accept " + server.getLocalSocketAddress());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Stops accepting; transports already handed out stay open. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
