package org.onionpeer.e2e;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.CellReader;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cell.LinkFormat;
import org.onionpeer.cell.LinkVersions;
import org.onionpeer.cell.Netinfo;
import org.onionpeer.cell.Padding;
import org.onionpeer.cell.Versions;
import org.onionpeer.jvm.tls.TlsContexts;

/**
 * A load client: opens many Tor links to a bridge and holds them, all on one Netty NIO event loop group of
 * {@link #THREADS} threads, so this process holds thousands of links without a thread each.
 *
 * <p>Two kinds of link, chosen by the target's scheme:
 * <ul>
 * <li>{@code tls://host:port}, a relay's ORPort: TLS with a trust-all client context
 * ({@link TlsContexts#client()}: the CERTS cell would authenticate the relay; nobody checks it here), then the
 * link handshake as an unauthenticated initiator;</li>
 * <li>{@code ws://host:port/path}, the bridge's page endpoint: a minimal client WebSocket written here
 * (netty-codec-http is not on the class path): HTTP/1.1 upgrade with a random Sec-WebSocket-Key, 101 and
 * Sec-WebSocket-Accept checked, masked binary frames out, unmasked frames in; then the same handshake inside
 * binary frames, as a page does.</li>
 * </ul>
 * The handshake: our VERSIONS (3, 4, 5; {@link LinkVersions#ours()}), the responder's VERSIONS, CERTS,
 * AUTH_CHALLENGE and NETINFO read with {@link CellReader}, then our NETINFO ({@link Netinfo#forClient}) in the
 * negotiated format. A link counts as opened only when the responder's NETINFO came after its VERSIONS and
 * CERTS and our NETINFO was written. After that we read and discard, answer nothing, and send a PADDING cell
 * every {@link Options#paddingMillis} so the bridge never sees the link idle.
 *
 * <p>Bounded: link i goes to target i mod targets, from source address 127.0.0.(2 + i / perAddress) upward
 * (Linux routes all of 127/8 to lo), at most {@link Options#inFlight} handshakes at once, each within
 * {@link Options#handshakeMillis}; {@link #open} returns when every link opened or failed or its deadline
 * passed; after {@link Options#lifetimeMillis} every link is closed by itself, and {@link #close} closes them
 * and the group.
 */
final class LinkLoad implements AutoCloseable {
    static final int THREADS = 2;

    /** Knobs; the defaults suit the load test. */
    static final class Options {
        /** Links per source address (the bridge will cap links per address; this stays below). */
        int perAddress = 40;
        /** Handshakes (TCP + TLS or upgrade + link handshake) under way at once. */
        int inFlight = 200;
        long handshakeMillis = 30_000;
        long paddingMillis = 60_000;
        /** Every link is closed this long after the load client started, whatever happens. */
        long lifetimeMillis = 10 * 60_000;
        /** First source address used: 127.0.0.2 + this (lets two loads in one process use other addresses). */
        int firstAddressIndex = 0;
    }

    /** What one {@link #open} call achieved. */
    static final class Result {
        final String kind;
        final int asked;
        int opened;
        int failed;
        long wallNanos;
        /** Per opened link, connect start to NETINFO sent, in ms, sorted. */
        double[] handshakeMs = new double[0];
        /** Failure reasons and how often each came. */
        final Map<String, Integer> failures = new LinkedHashMap<>();

        Result(String kind, int asked) {
            this.kind = kind;
            this.asked = asked;
        }

        double percentile(double p) {
            return LinkLoad.percentile(handshakeMs, p);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %d of %d opened, %d failed in %.1f s; handshake p50 %.0f ms,"
                    + " p99 %.0f ms, max %.0f ms%s", kind, opened, asked, failed, wallNanos / 1e9, percentile(50),
                    percentile(99), handshakeMs.length == 0 ? 0 : handshakeMs[handshakeMs.length - 1],
                    failures.isEmpty() ? "" : "; failures " + topFailures(5));
        }

        String topFailures(int n) {
            List<Map.Entry<String, Integer>> e = new ArrayList<>(failures.entrySet());
            e.sort((a, b) -> b.getValue() - a.getValue());
            return e.subList(0, Math.min(n, e.size())).toString();
        }
    }

    private final Options options;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(THREADS, NioIoHandler.newFactory());
    private final ChannelGroup open = new DefaultChannelGroup("links", GlobalEventExecutor.INSTANCE);
    private final SSLContext tls;
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger dropped = new AtomicInteger();
    private final Map<String, Integer> dropReasons = new ConcurrentHashMap<>();
    private int nextLink;

    LinkLoad(Options options) throws Exception {
        this.options = options;
        this.tls = TlsContexts.client();
        group.schedule(() -> open.close(), options.lifetimeMillis, TimeUnit.MILLISECONDS);
    }

    /** Links opened and still open now. */
    int held() {
        return open.size();
    }

    /** Links that opened and were closed since by the peer (or by an error), and why. */
    int dropped() {
        return dropped.get();
    }

    Map<String, Integer> dropReasons() {
        return new LinkedHashMap<>(dropReasons);
    }

    /**
     * Opens {@code count} links spread over {@code targets} (tls:// or ws:// URIs, all of one kind or mixed) and
     * returns once each has opened or failed; no more than {@code deadlineMillis} in all (links still
     * handshaking then count as failed and are closed).
     */
    Result open(String kind, List<URI> targets, int count, long deadlineMillis) throws InterruptedException {
        Result r = new Result(kind, count);
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        Semaphore slots = new Semaphore(options.inFlight);
        double[] times = new double[count];
        AtomicInteger opened = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        List<Channel> started = new ArrayList<>();
        int launched = 0;
        for (int i = 0; i < count; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !slots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            URI target = targets.get(i % targets.size());
            InetAddress source = sourceAddress(options.firstAddressIndex + nextLink++ / options.perAddress);
            Outcome outcome = new Outcome() {
                @Override
                public void opened(long nanos) {
                    times[opened.getAndIncrement()] = nanos / 1e6;
                    slots.release();
                }

                @Override
                public void failed(String why) {
                    failures.merge(why, 1, Integer::sum);
                    slots.release();
                }
            };
            started.add(connect(target, source, outcome));
            launched++;
        }
        // Every launched link reports once (opened, or failed with its own handshake deadline); wait for all.
        long left = Math.max(0, deadline - System.nanoTime());
        if (slots.tryAcquire(options.inFlight, left, TimeUnit.NANOSECONDS)) {
            slots.release(options.inFlight);
        }
        r.wallNanos = System.nanoTime() - t0;
        int ok = opened.get();
        int reported = ok + failures.values().stream().mapToInt(Integer::intValue).sum();
        if (reported < launched) {
            failures.merge("no outcome before the deadline", launched - reported, Integer::sum);
            for (Channel c : started) {
                if (!Boolean.TRUE.equals(c.attr(LinkHandler.OPENED).get())) {
                    c.close();
                }
            }
        }
        if (launched < count) {
            failures.merge("not started before the deadline", count - launched, Integer::sum);
        }
        r.opened = ok;
        r.failed = count - ok;
        r.handshakeMs = Arrays.copyOf(times, ok);
        Arrays.sort(r.handshakeMs);
        r.failures.putAll(failures);
        return r;
    }

    /** 127.0.0.2 + index, carried into the higher octets (127.0.1.0 follows 127.0.0.255). */
    static InetAddress sourceAddress(int index) {
        int a = 2 + index;
        try {
            return InetAddress.getByAddress(new byte[] {127, (byte) (a >> 16), (byte) (a >> 8), (byte) a});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    interface Outcome {
        void opened(long nanos);

        void failed(String why);
    }

    private Channel connect(URI target, InetAddress source, Outcome outcome) {
        boolean ws = "ws".equals(target.getScheme());
        if (!ws && !"tls".equals(target.getScheme())) {
            throw new IllegalArgumentException("not a tls:// or ws:// address: " + target);
        }
        long t0 = System.nanoTime();
        LinkHandler link = new LinkHandler(outcome, t0, options.paddingMillis);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.handshakeMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ws) {
                            ch.pipeline().addLast(new WebSocketClient(target, random));
                        } else {
                            SSLEngine e = tls.createSSLEngine(target.getHost(), target.getPort());
                            e.setUseClientMode(true);
                            TlsContexts.configure(e);
                            SslHandler ssl = new SslHandler(e);
                            ssl.setHandshakeTimeoutMillis(options.handshakeMillis);
                            ch.pipeline().addLast(ssl);
                        }
                        ch.pipeline().addLast(link);
                    }
                });
        ChannelFuture f = b.connect(new InetSocketAddress(target.getHost(), target.getPort()),
                new InetSocketAddress(source, 0));
        Channel ch = f.channel();
        f.addListener(x -> {
            if (!x.isSuccess()) {
                link.fail("connect: " + describe(x.cause()));
            }
        });
        group.schedule(() -> {
            if (link.fail("handshake not done within " + options.handshakeMillis + " ms")) {
                ch.close();
            }
        }, options.handshakeMillis, TimeUnit.MILLISECONDS);
        return ch;
    }

    static String describe(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        // Ports and addresses vary per connection; keep reasons countable.
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.replaceAll("/?127\\.[0-9.]+(:[0-9]+)?", "*"));
    }

    /** Signals that the transport under a link (TLS handshake, WebSocket upgrade) is ready for cells. */
    static final Object TRANSPORT_READY = new Object();

    /**
     * The link handshake as an unauthenticated initiator over a byte stream (TLS, or WebSocket payloads), then
     * holding: read and discard, PADDING now and then, nothing else.
     */
    final class LinkHandler extends ChannelInboundHandlerAdapter {
        static final io.netty.util.AttributeKey<Boolean> OPENED = io.netty.util.AttributeKey.valueOf("opened");
        private final Outcome outcome;
        private final long t0;
        private final long paddingMillis;
        private CellReader reader = new CellReader();
        private LinkFormat format = LinkFormat.INITIAL;
        private boolean gotCerts;
        private boolean done;
        private boolean opened;
        private ScheduledFuture<?> padding;

        LinkHandler(Outcome outcome, long t0, long paddingMillis) {
            this.outcome = outcome;
            this.t0 = t0;
            this.paddingMillis = paddingMillis;
        }

        @Override
        public boolean isSharable() {
            return false;
        }

        /** Reports a failure once (before the link opened); true if this call reported it. */
        boolean fail(String why) {
            synchronized (this) {
                if (done) {
                    return false;
                }
                done = true;
            }
            outcome.failed(why);
            return true;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent) {
                SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
                if (e.isSuccess()) {
                    startLink(ctx);
                } else {
                    fail(e.cause() instanceof java.nio.channels.ClosedChannelException
                            ? "TLS: connection closed by the peer during the TLS handshake"
                            : "TLS: " + describe(e.cause()));
                    ctx.close();
                }
                return;
            }
            if (evt == TRANSPORT_READY) {
                startLink(ctx);
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        private void startLink(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(LinkVersions.ours().toCell(0).encode(LinkFormat.INITIAL)));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (opened || done) {
                    return; // held: read and discard
                }
                byte[] b = new byte[in.readableBytes()];
                in.readBytes(b);
                reader.push(b);
                Cell c;
                while (!opened && (c = reader.next()) != null) {
                    handshake(ctx, c);
                }
            } catch (RuntimeException e) {
                fail("link: " + describe(e));
                ctx.close();
            } finally {
                in.release();
            }
        }

        private void handshake(ChannelHandlerContext ctx, Cell c) {
            int cmd = c.command();
            if (format == LinkFormat.INITIAL) {
                if (cmd != CellCommand.VERSIONS) {
                    throw new IllegalStateException("expected VERSIONS, got " + CellCommand.name(cmd));
                }
                int v = LinkVersions.negotiate(Versions.decode(c.payload()));
                reader.setLinkVersion(v);
                format = LinkFormat.forVersion(v);
                return;
            }
            switch (cmd) {
                case CellCommand.CERTS:
                    gotCerts = true;
                    return;
                case CellCommand.AUTH_CHALLENGE:
                case CellCommand.VPADDING:
                case CellCommand.PADDING:
                    return;
                case CellCommand.NETINFO:
                    if (!gotCerts) {
                        throw new IllegalStateException("NETINFO before CERTS");
                    }
                    Netinfo theirs = Netinfo.decode(c.payload());
                    InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(Netinfo.forClient(IpAddress.of(peer.getAddress()
                            .getAddress())).toCell(0).encode(format))).addListener(w -> {
                                if (w.isSuccess()) {
                                    opened(ctx, theirs);
                                } else {
                                    fail("NETINFO write: " + describe(w.cause()));
                                    ctx.close();
                                }
                            });
                    return;
                default:
                    throw new IllegalStateException("unexpected " + CellCommand.name(cmd) + " in the handshake");
            }
        }

        private void opened(ChannelHandlerContext ctx, Netinfo theirs) {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                opened = true;
            }
            reader = null; // nothing more is parsed: keep no buffer per held link
            ctx.channel().attr(OPENED).set(true);
            open.add(ctx.channel());
            byte[] pad = new Padding().toCell(0).encode(format);
            padding = ctx.executor().scheduleAtFixedRate(
                    () -> ctx.writeAndFlush(Unpooled.wrappedBuffer(pad)), paddingMillis, paddingMillis,
                    TimeUnit.MILLISECONDS);
            outcome.opened(System.nanoTime() - t0);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (padding != null) {
                padding.cancel(false);
            }
            if (opened) {
                dropped.incrementAndGet();
                dropReasons.merge(closeReason(ctx), 1, Integer::sum);
            } else {
                fail("closed by the peer during the handshake" + (format == LinkFormat.INITIAL ? " (no VERSIONS)" : ""));
            }
            super.channelInactive(ctx);
        }

        private String closeReason(ChannelHandlerContext ctx) {
            String r = ctx.channel().attr(WebSocketClient.CLOSE_REASON).get();
            return r == null ? "connection closed" : r;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!opened) {
                fail(describe(cause));
            } else {
                ctx.channel().attr(WebSocketClient.CLOSE_REASON).setIfAbsent(describe(cause));
            }
            ctx.close();
        }
    }

    /**
     * A minimal client WebSocket (RFC 6455) below a handler that speaks in stream bytes: the upgrade, then
     * each outbound ByteBuf as one masked binary frame, each inbound data frame's payload passed up (a cell
     * reader does not care where frames split). Ping is answered with pong; a close frame closes the
     * connection (its code and reason recorded). Frames are bounded by {@link #MAX_FRAME}.
     */
    static final class WebSocketClient extends ChannelDuplexHandler {
        static final io.netty.util.AttributeKey<String> CLOSE_REASON = io.netty.util.AttributeKey.valueOf("wsClose");
        static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
        static final int MAX_HEAD = 8192;
        static final int MAX_FRAME = 1 << 20;
        private final URI uri;
        private final SecureRandom random;
        private final String key;
        private ByteBuf buffer;
        private boolean upgraded;

        WebSocketClient(URI uri, SecureRandom random) {
            this.uri = uri;
            this.random = random;
            byte[] k = new byte[16];
            random.nextBytes(k);
            key = Base64.getEncoder().encodeToString(k);
        }

        static String accept(String key) {
            try {
                return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            buffer = ctx.alloc().buffer(256);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            buffer.release();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            String hostPort = uri.getHost() + ":" + uri.getPort();
            String req = "GET " + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + " HTTP/1.1\r\nHost: " + hostPort + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\nOrigin: http://" + hostPort
                    + "\r\n\r\n";
            ctx.writeAndFlush(Unpooled.copiedBuffer(req, StandardCharsets.US_ASCII));
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            ByteBuf in = (ByteBuf) msg;
            try {
                buffer.writeBytes(in);
            } finally {
                in.release();
            }
            if (!upgraded) {
                int end = indexOfHeadEnd(buffer);
                if (end < 0) {
                    if (buffer.readableBytes() > MAX_HEAD) {
                        throw new IllegalStateException("upgrade response head over " + MAX_HEAD + " bytes");
                    }
                    return;
                }
                String head = buffer.readCharSequence(end + 4 - buffer.readerIndex(), StandardCharsets.ISO_8859_1)
                        .toString();
                String status = head.substring(0, head.indexOf("\r\n"));
                if (!status.startsWith("HTTP/1.1 101")) {
                    throw new IllegalStateException("upgrade refused: " + status);
                }
                String acceptHeader = null;
                for (String line : head.split("\r\n")) {
                    int c = line.indexOf(':');
                    if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase("Sec-WebSocket-Accept")) {
                        acceptHeader = line.substring(c + 1).trim();
                    }
                }
                if (!accept(key).equals(acceptHeader)) {
                    throw new IllegalStateException("bad Sec-WebSocket-Accept: " + acceptHeader);
                }
                upgraded = true;
                ctx.fireUserEventTriggered(TRANSPORT_READY);
            }
            while (upgraded && ctx.channel().isActive()) {
                ByteBuf payload = nextFrame(ctx);
                if (payload == null) {
                    break;
                }
                ctx.fireChannelRead(payload);
            }
            buffer.discardReadBytes();
        }

        /** The next data frame's payload (binary or continuation), control frames handled; null if incomplete. */
        private ByteBuf nextFrame(ChannelHandlerContext ctx) {
            while (true) {
                int start = buffer.readerIndex();
                if (buffer.readableBytes() < 2) {
                    return null;
                }
                int b0 = buffer.getUnsignedByte(start);
                int b1 = buffer.getUnsignedByte(start + 1);
                if ((b1 & 0x80) != 0) {
                    throw new IllegalStateException("masked frame from the server");
                }
                long len = b1 & 0x7f;
                int header = 2;
                if (len == 126) {
                    if (buffer.readableBytes() < 4) {
                        return null;
                    }
                    len = buffer.getUnsignedShort(start + 2);
                    header = 4;
                } else if (len == 127) {
                    if (buffer.readableBytes() < 10) {
                        return null;
                    }
                    len = buffer.getLong(start + 2);
                    header = 10;
                }
                if (len < 0 || len > MAX_FRAME) {
                    throw new IllegalStateException("frame of " + len + " bytes");
                }
                if (buffer.readableBytes() < header + len) {
                    return null;
                }
                buffer.skipBytes(header);
                ByteBuf payload = buffer.readRetainedSlice((int) len);
                int opcode = b0 & 0x0f;
                switch (opcode) {
                    case 0x0: // continuation
                    case 0x2: // binary
                        return payload;
                    case 0x9: // ping: pong with the same payload
                        ctx.writeAndFlush(frame(ctx, 0xA, payload));
                        continue;
                    case 0xA: // pong
                        payload.release();
                        continue;
                    case 0x8: { // close: record it, answer, close
                        int code = payload.readableBytes() >= 2 ? payload.readUnsignedShort() : 1005;
                        String why = payload.toString(StandardCharsets.UTF_8);
                        payload.release();
                        ctx.channel().attr(CLOSE_REASON).setIfAbsent("WebSocket close " + code
                                + (why.isEmpty() ? "" : " " + why));
                        ctx.writeAndFlush(frame(ctx, 0x8, Unpooled.EMPTY_BUFFER)).addListener(x -> ctx.close());
                        return null;
                    }
                    default:
                        payload.release();
                        throw new IllegalStateException("unexpected WebSocket opcode " + opcode);
                }
            }
        }

        private static int indexOfHeadEnd(ByteBuf b) {
            for (int i = b.readerIndex(); i + 3 < b.writerIndex(); i++) {
                if (b.getByte(i) == '\r' && b.getByte(i + 1) == '\n' && b.getByte(i + 2) == '\r'
                        && b.getByte(i + 3) == '\n') {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (upgraded && msg instanceof ByteBuf) {
                ctx.write(frame(ctx, 0x2, (ByteBuf) msg), promise);
            } else {
                ctx.write(msg, promise);
            }
        }

        /** One final, masked frame carrying {@code payload} (released). */
        private ByteBuf frame(ChannelHandlerContext ctx, int opcode, ByteBuf payload) {
            int len = payload.readableBytes();
            ByteBuf f = ctx.alloc().buffer(14 + len);
            f.writeByte(0x80 | opcode);
            if (len < 126) {
                f.writeByte(0x80 | len);
            } else if (len < 65536) {
                f.writeByte(0x80 | 126).writeShort(len);
            } else {
                f.writeByte(0x80 | 127).writeLong(len);
            }
            byte[] mask = new byte[4];
            random.nextBytes(mask);
            f.writeBytes(mask);
            for (int i = 0; i < len; i++) {
                f.writeByte(payload.getByte(payload.readerIndex() + i) ^ mask[i & 3]);
            }
            payload.release();
            return f;
        }
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Closes every link and stops the event loop group (bounded wait). */
    @Override
    public void close() {
        open.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
