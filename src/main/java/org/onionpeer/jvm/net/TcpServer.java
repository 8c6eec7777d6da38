package org.onionpeer.jvm.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.onionpeer.jvm.tls.TlsContexts;

/**
 * A listening TCP port on the shared {@link NetLoops}: plain, or TLS (an ORPort). Each accepted connection
 * passes the {@link ConnectionGate} first (refused ones are reset at once, before any TLS work), then, for
 * TLS, completes its handshake within {@link Options#handshakeTimeoutMillis}, and only then reaches the
 * {@link Handler}, on the connection's I/O thread. No thread per connection, nothing blocks.
 */
public final class TcpServer implements AutoCloseable {
    /** Told about each connection that passed the gate (and the TLS handshake); on its I/O thread. */
    public interface Handler {
        void connected(SocketChannel ch);
    }

    /** Settings; plain fields, read once by the constructor. */
    public static final class Options {
        public String host = "127.0.0.1";
        /** 0 picks a free port. */
        public int port;
        public int backlog = 1024;
        /** Null: no caps (tests). */
        public ConnectionGate gate;
        /** Null: plain TCP; otherwise a server context (TLS 1.3 and 1.2 only). */
        public SSLContext tls;
        public long handshakeTimeoutMillis = 10_000;
    }

    private final io.netty.channel.Channel server;
    private final ConnectionGate gate;

    /** Binds (blocking the caller until bound: call it at start-up, never on a loop) and starts accepting. */
    public TcpServer(Options o, Handler handler) throws IOException {
        this.gate = o.gate;
        ServerBootstrap b = new ServerBootstrap()
                .group(NetLoops.group())
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, o.backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Plain streams may be half-closed (a client done sending still reads the answer); TLS may not.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, o.tls == null)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept(ch, o, handler);
                    }
                });
        try {
            server = b.bind(new InetSocketAddress(InetAddress.getByName(o.host), o.port)).syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            throw new IOException("cannot listen on " + o.host + ":" + o.port + ": " + e.getMessage(), e);
        }
    }

    private void accept(SocketChannel ch, Options o, Handler handler) {
        InetAddress from = ch.remoteAddress().getAddress();
        if (gate != null) {
            if (gate.tryAcquire(from) != null) {
                reset(ch);
                return;
            }
            ch.closeFuture().addListener(f -> gate.release(from));
        }
        if (o.tls == null) {
            handler.connected(ch);
            return;
        }
        SSLEngine engine = o.tls.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(false);
        engine.setWantClientAuth(false); // tor authenticates initiating relays with AUTHENTICATE cells instead
        TlsContexts.configure(engine);
        SslHandler ssl = new SslHandler(engine);
        ssl.setHandshakeTimeoutMillis(o.handshakeTimeoutMillis);
        ch.pipeline().addLast("tls", ssl);
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess() && ch.isActive()) {
                handler.connected(ch);
            } else {
                ch.close();
            }
        });
    }

    /** Closes with a reset: a refused connection should not sit in TIME_WAIT or get a graceful goodbye. */
    static void reset(io.netty.channel.Channel ch) {
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
        ch.close();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public InetAddress address() {
        return ((InetSocketAddress) server.localAddress()).getAddress();
    }

    /** Stops accepting; connections already handed out stay open. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }
}
