package org.onionpeer.jvm.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The process's socket threads: one Netty NIO event-loop group shared by every TLS link, exit connection,
 * SOCKS client and listener of every node in this JVM. A connection costs a registered channel, never a
 * thread, so a bridge holds thousands of links on {@link #THREADS} threads. Nothing that blocks may run on
 * these threads; the nodes' own state stays on their {@code EventLoop}s, reached through the scheduler.
 *
 * <p>Why Netty and NIO rather than our own SSLEngine loop (README, "Non-blocking I/O"): Netty's
 * {@code SslHandler} is the field's tested answer to the fiddly parts (handshake and close_notify on a
 * non-blocking socket, TLS 1.3 post-handshake messages, handshake timeouts), and its channels give us
 * back-pressure (auto-read) and a close that never waits. The NIO transport (not epoll) keeps the jar free of
 * native code; at our sizes the difference is not measurable.
 */
public final class NetLoops {
    /** Threads of the shared group: the cores, at least 2, at most 8. */
    public static final int THREADS = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));

    private static EventLoopGroup group;

    private NetLoops() {
    }

    /** The shared group, started on first use; its threads are daemons, so it never keeps the JVM up. */
    public static synchronized EventLoopGroup group() {
        if (group == null) {
            group = new MultiThreadIoEventLoopGroup(THREADS, new DefaultThreadFactory("onionpeer-io", true),
                    NioIoHandler.newFactory());
        }
        return group;
    }
}
