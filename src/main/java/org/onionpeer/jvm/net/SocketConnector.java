package org.onionpeer.jvm.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.onionpeer.cell.EndReason;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Connector;

/**
 * The JVM's {@link Connector}: plain TCP with {@link TcpTransport}. Resolution and connecting (both blocking
 * in java.net) run on a cached daemon thread pool; everything the core sees — the {@link AddressFilter}
 * question and the one callback — runs on the node's scheduler.
 *
 * <p>Order of events for {@code connect(host, port, filter, cb)}: resolve on the pool; on the scheduler ask
 * the filter about every resolved address (an exit policy therefore judges the address actually dialled, not
 * the name — a name resolving to 127.0.0.1 is refused before any packet is sent); back on the pool dial the
 * allowed addresses in the resolver's order until one answers within the connect timeout; on the scheduler
 * call {@code connected} or {@code failed}. Failures map to tor END reasons as tor's
 * errno_to_stream_end_reason (reasons.c) does: unknown name RESOLVEFAILED, refused CONNECTREFUSED,
 * filtered EXITPOLICY, timed out TIMEOUT, unreachable NOROUTE, too many pending connects RESOURCELIMIT,
 * anything else MISC.
 */
public final class SocketConnector implements Connector, AutoCloseable {
    /** Name lookup; the default is {@link InetAddress#getAllByName}. Tests plug in fixed answers. */
    public interface Resolver {
        InetAddress[] resolve(String host) throws IOException;
    }

    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000;
    public static final int DEFAULT_MAX_PENDING = 256;
    private static final int MAX_HOST_LENGTH = 255;

    private final Scheduler scheduler;
    private final Resolver resolver;
    private final int connectTimeoutMillis;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final ExecutorService pool;

    public SocketConnector(Scheduler scheduler) {
        this(scheduler, InetAddress::getAllByName, DEFAULT_CONNECT_TIMEOUT_MILLIS, DEFAULT_MAX_PENDING);
    }

    public SocketConnector(Scheduler scheduler, Resolver resolver, int connectTimeoutMillis, int maxPending) {
        this.scheduler = scheduler;
        this.resolver = resolver;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.maxPending = maxPending;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "connector-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void connect(String host, int port, AddressFilter filter, ConnectCallback callback) {
        Attempt a = new Attempt(host, port, filter, callback);
        if (host == null || host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            a.fail(EndReason.MISC, "bad host name");
            return;
        }
        if (port < 1 || port > 65535) {
            a.fail(EndReason.MISC, "bad port " + port);
            return;
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            a.fail(EndReason.RESOURCELIMIT, "too many connections pending");
            return;
        }
        a.counted = true;
        a.onPool(a::resolve);
    }

    /** The tor END reason for a failed resolve or connect (reasons.c errno_to_stream_end_reason). */
    public static int endReasonFor(IOException e) {
        if (e instanceof UnknownHostException) {
            return EndReason.RESOLVEFAILED;
        }
        if (e instanceof SocketTimeoutException) {
            return EndReason.TIMEOUT;
        }
        if (e instanceof NoRouteToHostException) {
            return EndReason.NOROUTE;
        }
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        if (m.contains("unreachable")) {
            return EndReason.NOROUTE;
        }
        if (m.contains("timed out")) {
            return EndReason.TIMEOUT;
        }
        if (e instanceof ConnectException || m.contains("refused")) {
            return EndReason.CONNECTREFUSED;
        }
        if (m.contains("reset")) {
            return EndReason.CONNRESET;
        }
        return EndReason.MISC;
    }

    /** Stops taking work; connects already under way may still complete. */
    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** One connect: carries the state between pool and scheduler steps and guarantees one callback. */
    private final class Attempt {
        final String host;
        final int port;
        final AddressFilter filter;
        final ConnectCallback callback;
        final AtomicBoolean done = new AtomicBoolean();
        boolean counted;
        final long deadline;

        Attempt(String host, int port, AddressFilter filter, ConnectCallback callback) {
            this.host = host;
            this.port = port;
            this.filter = filter;
            this.callback = callback;
            this.deadline = System.nanoTime() + connectTimeoutMillis * 1_000_000L;
        }

        void onPool(Runnable step) {
            try {
                pool.execute(step);
            } catch (RejectedExecutionException e) {
                fail(EndReason.MISC, "connector closed");
            }
        }

        void resolve() {
            String name = host;
            if (name.length() > 2 && name.charAt(0) == '[' && name.charAt(name.length() - 1) == ']') {
                name = name.substring(1, name.length() - 1); // tor writes IPv6 literals in brackets
            }
            InetAddress[] addrs;
            try {
                addrs = resolver.resolve(name);
            } catch (IOException e) {
                fail(EndReason.RESOLVEFAILED, "cannot resolve " + host + ": " + e.getMessage());
                return;
            } catch (RuntimeException e) { // e.g. SecurityException, or a resolver bug
                fail(EndReason.RESOLVEFAILED, "cannot resolve " + host + ": " + e);
                return;
            }
            if (addrs == null || addrs.length == 0) {
                fail(EndReason.RESOLVEFAILED, "no address for " + host);
                return;
            }
            scheduler.execute(() -> filter(addrs));
        }

        /** On the scheduler: the core's filter decides on each resolved address. */
        void filter(InetAddress[] addrs) {
            List<InetAddress> allowed = new ArrayList<>();
            for (InetAddress a : addrs) {
                if (filter == null || filter.allows(a.getAddress(), port)) {
                    allowed.add(a);
                }
            }
            if (allowed.isEmpty()) {
                fail(EndReason.EXITPOLICY, host + ":" + port + " (" + addrs[0].getHostAddress()
                    + ") refused by exit policy");
                return;
            }
            onPool(() -> dial(allowed));
        }

        void dial(List<InetAddress> allowed) {
            IOException last = null;
            for (InetAddress a : allowed) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    last = new SocketTimeoutException("connect timed out");
                    break;
                }
                Socket s = new Socket();
                try {
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress(a, port), (int) Math.min(Integer.MAX_VALUE, left));
                } catch (IOException e) {
                    last = e;
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // nothing to add to the connect error
                    }
                    continue;
                }
                TcpTransport t = new TcpTransport(s, scheduler);
                byte[] addr = a.getAddress();
                if (done.compareAndSet(false, true)) {
                    release();
                    scheduler.execute(() -> callback.connected(t, addr));
                } else {
                    t.close("already answered");
                }
                return;
            }
            IOException e = last == null ? new IOException("no address to dial") : last;
            fail(endReasonFor(e), "connect to " + host + ":" + port + " failed: " + e.getMessage());
        }

        void fail(int reason, String message) {
            if (done.compareAndSet(false, true)) {
                release();
                scheduler.execute(() -> callback.failed(reason, message));
            }
        }

        private void release() {
            if (counted) {
                pending.decrementAndGet();
            }
        }
    }
}
