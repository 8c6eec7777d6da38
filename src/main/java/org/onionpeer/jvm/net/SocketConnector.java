package org.onionpeer.jvm.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.onionpeer.cell.EndReason;
import org.onionpeer.exit.StreamHost;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Connector;

/**
 * The JVM's {@link Connector}: plain TCP on the shared {@link NetLoops} with {@link TcpTransport}. Connecting
 * never blocks and takes no thread; only looking up a name does, on the small shared pool of
 * {@link NameResolution} (IP literals are parsed here and never looked up). Everything the core sees, the
 * {@link AddressFilter} question and the one callback, runs on the node's scheduler.
 *
 * <p>Order of events for {@code connect(host, port, filter, cb)}: resolve (a literal at once, a name on the
 * pool); on the scheduler ask the filter about every resolved address (an exit policy therefore judges the
 * address actually dialled, not the name: a name resolving to 127.0.0.1 is refused before any packet is
 * sent); dial the allowed addresses in the resolver's order until one answers within the connect timeout
 * (all of them share that one bound); on the scheduler call {@code connected} or {@code failed}. Failures map
 * to tor END reasons as tor's errno_to_stream_end_reason (reasons.c) does: unknown name RESOLVEFAILED,
 * refused CONNECTREFUSED, filtered EXITPOLICY, timed out TIMEOUT, unreachable NOROUTE, too many pending
 * connects RESOURCELIMIT, anything else MISC.
 */
public final class SocketConnector implements Connector, AutoCloseable {
    /** Name lookup; the default is {@link InetAddress#getAllByName}. Tests plug in fixed answers. */
    public interface Resolver {
        InetAddress[] resolve(String host) throws IOException;
    }

    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000;
    /** Connects under way at once (resolving or dialling); more fail at once with RESOURCELIMIT. */
    public static final int DEFAULT_MAX_PENDING = 1024;
    private static final int MAX_HOST_LENGTH = 255;
    /** TTL given with resolved addresses: the JVM's resolver does not tell the real one. */
    public static final int RESOLVE_TTL_SECONDS = 300;

    private final Scheduler scheduler;
    private final Resolver resolver;
    private final int connectTimeoutMillis;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;

    public SocketConnector(Scheduler scheduler) {
        this(scheduler, InetAddress::getAllByName, DEFAULT_CONNECT_TIMEOUT_MILLIS, DEFAULT_MAX_PENDING);
    }

    public SocketConnector(Scheduler scheduler, Resolver resolver, int connectTimeoutMillis, int maxPending) {
        this.scheduler = scheduler;
        this.resolver = resolver;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.maxPending = maxPending;
    }

    @Override
    public void connect(String host, int port, AddressFilter filter, ConnectCallback callback) {
        Attempt a = new Attempt(host, port, filter, callback);
        if (closed) {
            a.fail(EndReason.MISC, "connector closed");
            return;
        }
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
        InetAddress literal = literal(host);
        if (literal != null) {
            scheduler.execute(() -> a.filter(new InetAddress[] {literal}));
            return;
        }
        try {
            NameResolution.pool().execute(a::resolve);
        } catch (RejectedExecutionException e) {
            a.fail(EndReason.RESOURCELIMIT, "too many names being resolved");
        }
    }

    /**
     * An IP literal as an address (no lookup), or null for anything else: the core's {@link StreamHost} rules,
     * tor's (IPv4 only as four decimal fields; "0177.0.0.1" is not 127.0.0.1 here, nor 177.0.0.1). The exit
     * has already refused numeric-looking names that a resolver might read as an address.
     */
    public static InetAddress literal(String host) {
        org.onionpeer.cell.IpAddress ip = StreamHost.parseLiteral(host); // bare, or IPv6 in brackets as tor writes it
        if (ip == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(ip.bytes());
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
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

    /**
     * RELAY_RESOLVE's lookup: a name on the resolver pool, answered on the scheduler. The JVM does not tell
     * the DNS TTL, so answers carry {@link #RESOLVE_TTL_SECONDS} (the core clips TTLs as tor does anyway).
     * An unknown name is RESOLVEFAILED (permanent); any other failure MISC (transient).
     */
    @Override
    public void resolve(String host, ResolveCallback callback) {
        InetAddress literal = host == null ? null : literal(host);
        if (literal != null) {
            scheduler.execute(() -> callback.resolved(List.of(literal.getAddress()), RESOLVE_TTL_SECONDS));
            return;
        }
        if (closed || host == null || host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            scheduler.execute(() -> callback.failed(EndReason.MISC, closed ? "connector closed" : "bad host name"));
            return;
        }
        try {
            NameResolution.pool().execute(() -> {
                try {
                    InetAddress[] all = resolver.resolve(host);
                    List<byte[]> out = new ArrayList<>();
                    for (InetAddress a : all == null ? new InetAddress[0] : all) {
                        out.add(a.getAddress());
                    }
                    if (out.isEmpty()) {
                        scheduler.execute(() -> callback.failed(EndReason.RESOLVEFAILED, "no address for " + host));
                    } else {
                        scheduler.execute(() -> callback.resolved(out, RESOLVE_TTL_SECONDS));
                    }
                } catch (UnknownHostException e) {
                    scheduler.execute(() -> callback.failed(EndReason.RESOLVEFAILED, "unknown name " + host));
                } catch (IOException | RuntimeException e) {
                    scheduler.execute(() -> callback.failed(EndReason.MISC, "cannot resolve " + host + ": " + e));
                }
            });
        } catch (RejectedExecutionException e) {
            scheduler.execute(() -> callback.failed(EndReason.RESOURCELIMIT, "too many names being resolved"));
        }
    }

    /** Stops taking work; connects already under way may still complete. */
    @Override
    public void close() {
        closed = true;
    }

    /** One connect: carries the state between pool, I/O thread and scheduler, and guarantees one callback. */
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

        /** On the resolver pool. */
        void resolve() {
            InetAddress[] addrs;
            try {
                addrs = resolver.resolve(host);
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
            dial(allowed, 0, null);
        }

        /** Tries {@code allowed[i]}, then the next one on failure, within the one deadline. */
        void dial(List<InetAddress> allowed, int i, Throwable last) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (i >= allowed.size() || left <= 0 || closed) {
                Throwable e = closed ? new IOException("connector closed")
                        : left <= 0 ? new SocketTimeoutException("connect timed out")
                        : last == null ? new IOException("no address to dial") : last;
                IOException io = e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
                fail(endReasonFor(io), "connect to " + host + ":" + port + " failed: " + io.getMessage());
                return;
            }
            InetAddress a = allowed.get(i);
            TcpDial.connect(new InetSocketAddress(a, port), null, (int) Math.min(Integer.MAX_VALUE, left), null,
                    (ch, failure) -> {
                        if (ch == null) {
                            dial(allowed, i + 1, failure);
                            return;
                        }
                        TcpTransport t = TcpTransport.attach(ch, scheduler);
                        byte[] addr = a.getAddress();
                        if (done.compareAndSet(false, true)) {
                            release();
                            scheduler.execute(() -> callback.connected(t, addr));
                        } else {
                            t.close("already answered");
                        }
                    });
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
