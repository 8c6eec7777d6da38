package org.onionpeer.jvm.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.platform.Scheduler.Cancellable;
import org.onionpeer.transport.Isolation;
import org.onionpeer.transport.StreamOpener;
import org.onionpeer.transport.Transport;

/**
 * A SOCKS5 front end (RFC 1928) on 127.0.0.1: applications CONNECT through it and each request becomes a
 * {@link StreamOpener#open} (a stream through a circuit, or a direct connection in tests).
 *
 * <p>Protocol: methods 0 (no authentication) and 2 (username/password, RFC 1929) are offered; like tor,
 * method 2 is preferred when the client offers it and any credentials are accepted: as tor's IsolateSOCKSAuth
 * (its default) they only isolate streams, each pair its own {@link Isolation}, passed to the opener. CONNECT
 * with IPv4, DOMAINNAME and IPv6 addresses; BIND, UDP ASSOCIATE and anything else get reply 0x07. The reply to
 * a failed open maps the tor END reason as tor's stream_end_reason_to_socks5_response (reasons.c) does, see
 * {@link #replyFor}. Success replies carry BND.ADDR 0.0.0.0:0, as tor's do.
 *
 * <p>Limits: at most {@link Options#maxClients} connections at once (more are closed on accept), the whole
 * handshake within {@link Options#handshakeTimeoutMillis}, the open within {@link Options#openTimeoutMillis}
 * (reply 0x06 after that, tor's TIMEOUT mapping). Request fields are bounded by the protocol itself (a name
 * is at most 255 bytes) and read exactly, so no request can make the server buffer more. A malformed request
 * gets the proper reply where RFC 1928 has one (0x01 general failure, 0x07, 0x08, method 0xFF) and is then
 * closed; nothing escapes as an exception.
 *
 * <p>Threads: none of its own. The handshake is a state machine on the connection's I/O thread (the shared
 * {@link NetLoops}); bytes sent after the request are kept and delivered first (optimistic data). From the
 * open on, the client is a {@link TcpTransport} and every step runs on the scheduler. Bytes are pumped both ways with back-pressure: reading from the client pauses
 * while the stream has more than {@link Options#highWater} bytes queued and resumes below
 * {@link Options#lowWater} (polled, as {@link Transport} has no "drained" event); reading from the stream is
 * paused likewise when the stream is a {@link TcpTransport} (the Transport interface has no pause).
 */
public final class Socks5Server implements AutoCloseable {
    /** Tunables; the defaults suit a local proxy port. */
    public static final class Options {
        /** Clients at once (each costs a socket and its buffers, no thread); more are reset on accept. */
        public int maxClients = 4096;
        public int handshakeTimeoutMillis = 10_000;
        public int openTimeoutMillis = 120_000;
        public long highWater = 256 * 1024;
        public long lowWater = 64 * 1024;
        public int pollMillis = 5;
    }

    // RFC 1928 §6 reply codes.
    public static final int REP_SUCCEEDED = 0x00;
    public static final int REP_GENERAL_FAILURE = 0x01;
    public static final int REP_NOT_ALLOWED = 0x02;
    public static final int REP_NETWORK_UNREACHABLE = 0x03;
    public static final int REP_HOST_UNREACHABLE = 0x04;
    public static final int REP_CONNECTION_REFUSED = 0x05;
    public static final int REP_TTL_EXPIRED = 0x06;
    public static final int REP_COMMAND_NOT_SUPPORTED = 0x07;
    public static final int REP_ADDRESS_TYPE_NOT_SUPPORTED = 0x08;

    private static final int VERSION = 5;
    private static final int METHOD_NONE = 0x00;
    private static final int METHOD_USERPASS = 0x02;
    private static final int NO_ACCEPTABLE_METHOD = 0xff;
    private static final int CMD_CONNECT = 1;
    private static final int ATYP_IPV4 = 1;
    private static final int ATYP_DOMAIN = 3;
    private static final int ATYP_IPV6 = 4;

    private final Scheduler scheduler;
    private final StreamOpener opener;
    private final Options options;
    private final ConnectionGate gate;
    private final ChannelGroup clients = new DefaultChannelGroup("socks", GlobalEventExecutor.INSTANCE);
    private final TcpServer server;
    private volatile boolean closed;

    /** Binds 127.0.0.1:{@code port} (0 = any free port; see {@link #port()}) with default options. */
    public Socks5Server(Scheduler scheduler, StreamOpener opener, int port) throws IOException {
        this(scheduler, opener, port, new Options());
    }

    public Socks5Server(Scheduler scheduler, StreamOpener opener, int port, Options options) throws IOException {
        this.scheduler = scheduler;
        this.opener = opener;
        this.options = options;
        // Only local programs reach this port, all from 127.0.0.1: the per-address cap is the total one.
        this.gate = new ConnectionGate("SOCKS clients", options.maxClients, options.maxClients);
        TcpServer.Options o = new TcpServer.Options();
        o.host = "127.0.0.1";
        o.port = port;
        o.gate = gate;
        server = new TcpServer(o, ch -> {
            clients.add(ch);
            ch.pipeline().addLast("socks", new Handshake());
        });
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    /** Client connections currently open (in handshake or pumping). */
    public int activeClients() {
        return gate.total();
    }

    /**
     * The SOCKS5 reply for a tor END reason, as tor's stream_end_reason_to_socks5_response (reasons.c):
     * EXITPOLICY 0x02, RESOLVEFAILED and NOROUTE 0x04, CONNECTREFUSED, DONE (before CONNECTED) and CONNRESET
     * 0x05, TIMEOUT 0x06, everything else 0x01.
     */
    public static int replyFor(int endReason) {
        switch (endReason) {
            case 0:
                return REP_SUCCEEDED;
            case EndReason.EXITPOLICY:
                return REP_NOT_ALLOWED;
            case EndReason.RESOLVEFAILED:
            case EndReason.NOROUTE:
                return REP_HOST_UNREACHABLE;
            case EndReason.CONNECTREFUSED:
            case EndReason.DONE:
            case EndReason.CONNRESET:
                return REP_CONNECTION_REFUSED;
            case EndReason.TIMEOUT:
                return REP_TTL_EXPIRED;
            default:
                return REP_GENERAL_FAILURE;
        }
    }

    /** Stops listening and closes every client connection (their streams are closed in turn). */
    @Override
    public void close() {
        closed = true;
        server.close();
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS); // slots are free when this returns
    }

    private static byte[] reply(int rep) {
        return new byte[] {VERSION, (byte) rep, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0};
    }

    /** A DOMAINNAME as text: 1..255 printable ASCII characters (no spaces or controls), else null. */
    private static String validName(byte[] name) {
        if (name.length == 0) {
            return null;
        }
        for (byte b : name) {
            if (b < 0x21 || b > 0x7e) {
                return null;
            }
        }
        return new String(name, StandardCharsets.US_ASCII);
    }

    // ---- the handshake (the connection's I/O thread) ----

    /**
     * RFC 1928 §3-4 and RFC 1929 as a state machine over whatever bytes have arrived: each step waits until its
     * whole message is there (every field is bounded by the protocol, so at most a few hundred bytes wait),
     * answers, and moves on. The request read whole, it hands the connection to a {@link TcpTransport} (bytes
     * after the request go with it) and the open to the scheduler.
     */
    private final class Handshake extends ByteToMessageDecoder {
        private static final int GREETING = 0;
        private static final int AUTH = 1;
        private static final int REQUEST = 2;
        private static final int DONE = 3;
        private int state = GREETING;
        private ScheduledFuture<?> timer;
        private Isolation isolation = Isolation.NONE;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            timer = ctx.executor().schedule(() -> {
                if (state != DONE) {
                    refuse(ctx, -1);
                }
            }, options.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (state != DONE && ctx.channel().isActive()) {
                int before = state;
                step(ctx, in);
                if (state == before) {
                    return; // needs more bytes
                }
            }
        }

        private void step(ChannelHandlerContext ctx, ByteBuf in) {
            int r = in.readerIndex();
            int n = in.readableBytes();
            switch (state) {
                case GREETING: {
                    if (n < 1) {
                        return;
                    }
                    if (in.getUnsignedByte(r) != VERSION) {
                        refuse(ctx, -1); // cannot answer in a protocol the client does not speak
                        return;
                    }
                    if (n < 2 || n < 2 + in.getUnsignedByte(r + 1)) {
                        return;
                    }
                    int nMethods = in.getUnsignedByte(r + 1);
                    boolean none = false;
                    boolean userPass = false;
                    for (int i = 0; i < nMethods; i++) {
                        int m = in.getUnsignedByte(r + 2 + i);
                        none |= m == METHOD_NONE;
                        userPass |= m == METHOD_USERPASS;
                    }
                    in.skipBytes(2 + nMethods);
                    if (!none && !userPass) {
                        answerAndRefuse(ctx, new byte[] {VERSION, (byte) NO_ACCEPTABLE_METHOD});
                        return;
                    }
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {VERSION,
                        (byte) (userPass ? METHOD_USERPASS : METHOD_NONE)}));
                    state = userPass ? AUTH : REQUEST;
                    return;
                }
                case AUTH: {
                    // RFC 1929: VER(1)=1 ULEN UNAME PLEN PASSWD; any credentials pass (stream isolation only).
                    if (n < 1) {
                        return;
                    }
                    if (in.getUnsignedByte(r) != 1) {
                        answerAndRefuse(ctx, new byte[] {1, 1});
                        return;
                    }
                    if (n < 2) {
                        return;
                    }
                    int ulen = in.getUnsignedByte(r + 1);
                    if (n < 3 + ulen) {
                        return;
                    }
                    int plen = in.getUnsignedByte(r + 2 + ulen);
                    if (n < 3 + ulen + plen) {
                        return;
                    }
                    byte[] user = new byte[ulen];
                    byte[] pass = new byte[plen];
                    in.getBytes(r + 2, user);
                    in.getBytes(r + 3 + ulen, pass);
                    in.skipBytes(3 + ulen + plen);
                    isolation = Isolation.socksAuth(user, pass);
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 0}));
                    state = REQUEST;
                    return;
                }
                case REQUEST:
                    request(ctx, in, r, n);
                    return;
                default:
                    in.skipBytes(n); // refused: whatever else comes is discarded
            }
        }

        /** VER CMD RSV ATYP DST.ADDR DST.PORT (§4), read whole before any reply. */
        private void request(ChannelHandlerContext ctx, ByteBuf in, int r, int n) {
            if (n < 4) {
                return;
            }
            if (in.getUnsignedByte(r) != VERSION) {
                refuse(ctx, REP_GENERAL_FAILURE);
                return;
            }
            int cmd = in.getUnsignedByte(r + 1);
            int atyp = in.getUnsignedByte(r + 3);
            int addrLen;
            if (atyp == ATYP_IPV4) {
                addrLen = 4;
            } else if (atyp == ATYP_IPV6) {
                addrLen = 16;
            } else if (atyp == ATYP_DOMAIN) {
                if (n < 5) {
                    return;
                }
                addrLen = 1 + in.getUnsignedByte(r + 4);
            } else {
                refuse(ctx, REP_ADDRESS_TYPE_NOT_SUPPORTED);
                return;
            }
            if (n < 4 + addrLen + 2) {
                return;
            }
            byte[] addr = new byte[atyp == ATYP_DOMAIN ? addrLen - 1 : addrLen];
            in.getBytes(r + 4 + (atyp == ATYP_DOMAIN ? 1 : 0), addr);
            int port = in.getUnsignedShort(r + 4 + addrLen);
            in.skipBytes(4 + addrLen + 2);
            String host = atyp == ATYP_DOMAIN ? validName(addr) : IpAddress.of(addr).toString();
            if (cmd != CMD_CONNECT) {
                refuse(ctx, REP_COMMAND_NOT_SUPPORTED);
                return;
            }
            if (host == null || port == 0) {
                refuse(ctx, REP_GENERAL_FAILURE);
                return;
            }
            state = DONE;
            timer.cancel(false);
            // The transport goes in behind us; removing us hands it the bytes that followed the request.
            TcpTransport client = TcpTransport.attach(ctx.channel(), scheduler);
            ctx.pipeline().remove(this);
            Isolation iso = isolation;
            scheduler.execute(() -> open(client, host, port, iso));
        }

        private void answerAndRefuse(ChannelHandlerContext ctx, byte[] answer) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(answer));
            refuse(ctx, -1);
        }

        /**
         * Sends the reply {@code rep} (if >= 0), then half-closes and drains for a moment before closing: unread
         * input at close would turn our FIN into a RST, which may discard the reply at the client.
         */
        private void refuse(ChannelHandlerContext ctx, int rep) {
            state = DONE + 1;
            if (timer != null) {
                timer.cancel(false);
            }
            SocketChannel ch = (SocketChannel) ctx.channel();
            if (rep >= 0) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(reply(rep)));
            }
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ch.shutdownOutput());
            ctx.executor().schedule(() -> ch.close(), 500, TimeUnit.MILLISECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // reset or error mid-handshake: nothing sensible to answer
        }
    }

    // ---- open and pump (scheduler) ----

    private void open(TcpTransport client, String host, int port, Isolation isolation) {
        if (closed) {
            client.close("socks server closed");
            return;
        }
        AtomicBoolean answered = new AtomicBoolean();
        Cancellable timer = scheduler.schedule(options.openTimeoutMillis, () -> {
            if (answered.compareAndSet(false, true)) {
                fail(client, EndReason.TIMEOUT, "open timed out");
            }
        });
        // The client's own close while we wait shows up when its listener is set; until then it is not read.
        StreamOpener.OpenCallback cb = new StreamOpener.OpenCallback() {
            @Override
            public void opened(Transport stream) {
                if (!answered.compareAndSet(false, true) || closed) {
                    stream.close(closed ? "socks server closed" : "socks request already answered");
                    return;
                }
                timer.cancel();
                client.send(reply(REP_SUCCEEDED));
                pump(client, stream);
            }

            @Override
            public void failed(int endReason, String message) {
                if (answered.compareAndSet(false, true)) {
                    timer.cancel();
                    fail(client, endReason, message);
                }
            }
        };
        try {
            opener.open(host, port, isolation, cb);
        } catch (RuntimeException e) { // an opener bug must not leave the client hanging
            cb.failed(EndReason.INTERNAL, "opener failed: " + e);
        }
    }

    private void fail(TcpTransport client, int endReason, String message) {
        client.send(reply(replyFor(endReason)));
        client.setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
                // Whatever the client sent optimistically is discarded.
            }

            @Override
            public void onClosed(String reason) {
                // the gate's slot is freed by the channel's end
            }
        });
        client.close("socks: " + EndReason.name(endReason) + ": " + message);
    }

    private void pump(TcpTransport client, Transport stream) {
        AtomicBoolean over = new AtomicBoolean();
        // Loop-confined flags: [0] client reading paused, [1] stream reading paused.
        boolean[] paused = new boolean[2];
        stream.setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
                onData(data, 0, data.length);
            }

            @Override
            public void onData(byte[] b, int off, int len) {
                client.send(b, off, len); // a circuit stream's cell data, copied once into the socket's buffer
                if (!paused[1] && client.bufferedAmount() > options.highWater) {
                    // Any stream can be paused now (a circuit stream stops acknowledging, throttling the exit).
                    paused[1] = true;
                    stream.pauseReading(true);
                    waitForDrain(client, () -> {
                        paused[1] = false;
                        stream.pauseReading(false);
                    }, over);
                }
            }

            @Override
            public void onClosed(String reason) {
                over.set(true);
                client.close("stream closed: " + reason);
            }
        });
        client.setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
                stream.send(data);
                if (!paused[0] && stream.bufferedAmount() > options.highWater) {
                    paused[0] = true;
                    client.pauseReading(true);
                    waitForDrain(stream, () -> {
                        paused[0] = false;
                        client.pauseReading(false);
                    }, over);
                }
            }

            @Override
            public void onClosed(String reason) {
                over.set(true);
                stream.close("socks client closed: " + reason);
            }
        });
    }

    /** Polls {@code t} until its queue is below the low-water mark, then runs {@code resume}. */
    private void waitForDrain(Transport t, Runnable resume, AtomicBoolean over) {
        scheduler.schedule(options.pollMillis, () -> {
            if (over.get()) {
                return;
            }
            if (t.bufferedAmount() <= options.lowWater) {
                resume.run();
            } else {
                waitForDrain(t, resume, over);
            }
        });
    }
}
