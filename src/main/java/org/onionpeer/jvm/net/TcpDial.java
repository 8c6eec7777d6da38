package org.onionpeer.jvm.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.onionpeer.jvm.tls.TlsContexts;

/**
 * Outgoing TCP connections on the shared {@link NetLoops}, optionally with TLS: the connect and the TLS
 * handshake are asynchronous and bounded in time; the answer comes on the connection's I/O thread.
 */
public final class TcpDial {
    /** Exactly one of the two arguments is null. */
    public interface Done {
        void done(SocketChannel ch, Throwable failure);
    }

    private TcpDial() {
    }

    /**
     * Connects to {@code to} within {@code timeoutMillis}, then, when {@code tls} is a client context, completes
     * the TLS handshake within the same bound. {@code from} (nullable) binds the local address.
     */
    public static void connect(InetSocketAddress to, InetSocketAddress from, int timeoutMillis, SSLContext tls,
            Done done) {
        Bootstrap b = new Bootstrap()
                .group(NetLoops.group())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, tls == null)
                // Plain connections read nothing until their transport has a listener; TLS must read to shake hands.
                .option(ChannelOption.AUTO_READ, tls != null)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            SSLEngine engine = tls.createSSLEngine(to.getHostString(), to.getPort());
                            engine.setUseClientMode(true);
                            TlsContexts.configure(engine);
                            SslHandler ssl = new SslHandler(engine);
                            ssl.setHandshakeTimeoutMillis(timeoutMillis);
                            ch.pipeline().addLast("tls", ssl);
                        }
                    }
                });
        io.netty.channel.ChannelFuture cf = from == null ? b.connect(to) : b.connect(to, from);
        cf.addListener(f -> {
            SocketChannel ch = (SocketChannel) cf.channel();
            if (!f.isSuccess()) {
                ch.close();
                done.done(null, f.cause());
                return;
            }
            if (tls == null) {
                done.done(ch, null);
                return;
            }
            ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                if (h.isSuccess() && ch.isActive()) {
                    done.done(ch, null);
                } else {
                    ch.close();
                    done.done(null, h.cause() == null ? new java.io.IOException("closed during TLS handshake")
                            : h.cause());
                }
            });
        });
    }
}
