package org.onionpeer.jvm.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.platform.Scheduler.Cancellable;
import org.onionpeer.transport.StreamOpener;
import org.onionpeer.transport.Transport;

/**
 * A SOCKS5 front end (RFC 1928) on 127.0.0.1: applications CONNECT through it and each request becomes a
 * {@link StreamOpener#open} (a stream through a circuit, or a direct connection in tests).
 *
 * <p>Protocol: methods 0 (no authentication) and 2 (username/password, RFC 1929) are offered; like tor,
 * method 2 is preferred when the client offers it and any credentials are accepted (tor uses them only to
 * isolate streams). CONNECT with IPv4, DOMAINNAME and IPv6 addresses; BIND, UDP ASSOCIATE and anything else
 * get reply 0x07. The reply to a failed open maps the tor END reason as tor's
 * stream_end_reason_to_socks5_response (reasons.c) does, see {@link #replyFor}. Success replies carry
 * BND.ADDR 0.0.0.0:0, as tor's do.
 *
 * <p>Limits: at most {@link Options#maxClients} connections at once (more are closed on accept), the whole
 * handshake within {@link Options#handshakeTimeoutMillis}, the open within {@link Options#openTimeoutMillis}
 * (reply 0x06 after that, tor's TIMEOUT mapping). Request fields are bounded by the protocol itself (a name
 * is at most 255 bytes) and read exactly, so no request can make the server buffer more. A malformed request
 * gets the proper reply where RFC 1928 has one (0x01 general failure, 0x07, 0x08, method 0xFF) and is then
 * closed; nothing escapes as an exception.
 *
 * <p>Threads: the handshake runs blocking on a small pool thread (bytes sent after the request stay unread in
 * the socket, so optimistic data is kept); from the open on, the client is a {@link TcpTransport} and every
 * step runs on the scheduler. Bytes are pumped both ways with back-pressure: reading from the client pauses
 * while the stream has more than {@link Options#highWater} bytes queued and resumes below
 * {@link Options#lowWater} (polled, as {@link Transport} has no "drained" event); reading from the stream is
 * paused likewise when the stream is a {@link TcpTransport} (the Transport interface has no pause).
 */
public final class Socks5Server implements AutoCloseable {
    /** Tunables; the defaults suit a local proxy port. */
    public static final class Options {
        public int maxClients = 256;
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
    private final ServerSocket server;
    private final ExecutorService handshakes;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    /** Binds 127.0.0.1:{@code port} (0 = any free port; see {@link #port()}) with default options. */
    public Socks5Server(Scheduler scheduler, StreamOpener opener, int port) throws IOException {
        this(scheduler, opener, port, new Options());
    }

    public Socks5Server(Scheduler scheduler, StreamOpener opener, int port, Options options) throws IOException {
        this.scheduler = scheduler;
        this.opener = opener;
        this.options = options;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 128);
        AtomicInteger n = new AtomicInteger();
        handshakes = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "socks-handshake-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        acceptor = new Thread(this::acceptLoop, "socks-accept " + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The bound port. */
    public int port() {
        return server.getLocalPort();
    }

    /** Client connections currently open (in handshake or pumping). */
    public int activeClients() {
        return clients.size();
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
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        handshakes.shutdownNow();
        for (Socket s : clients) {
            closeQuietly(s);
        }
        clients.clear();
    }

    // ---- accepting and the handshake (pool threads, blocking) ----

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (closed || server.isClosed()) {
                    return;
                }
                continue;
            }
            if (clients.size() >= options.maxClients) {
                closeQuietly(s); // over the limit: refuse without reading anything
                continue;
            }
            clients.add(s);
            try {
                handshakes.execute(() -> handshake(s));
            } catch (RejectedExecutionException e) {
                drop(s);
            }
        }
    }

    /** The reason a handshake stops; carries the reply to send, if any, before closing. */
    private static final class Refusal extends Exception {
        final int reply;

        Refusal(int reply, String message) {
            super(message, null, false, false);
            this.reply = reply;
        }
    }

    private void handshake(Socket s) {
        long deadline = System.nanoTime() + options.handshakeTimeoutMillis * 1_000_000L;
        boolean handedOver = false;
        try {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            // Greeting: VER NMETHODS METHODS (RFC 1928 §3).
            if (read1(s, in, deadline) != VERSION) {
                throw new Refusal(-1, "not SOCKS5"); // cannot answer in a protocol the client does not speak
            }
            int nMethods = read1(s, in, deadline);
            byte[] methods = readN(s, in, nMethods, deadline);
            boolean none = false;
            boolean userPass = false;
            for (byte m : methods) {
                none |= m == METHOD_NONE;
                userPass |= m == METHOD_USERPASS;
            }
            if (!none && !userPass) {
                out.write(new byte[] {VERSION, (byte) NO_ACCEPTABLE_METHOD});
                throw new Refusal(-1, "no acceptable method");
            }
            out.write(new byte[] {VERSION, (byte) (userPass ? METHOD_USERPASS : METHOD_NONE)});
            if (userPass) {
                // RFC 1929: VER(1)=1 ULEN UNAME PLEN PASSWD; any credentials pass (stream isolation only).
                if (read1(s, in, deadline) != 1) {
                    out.write(new byte[] {1, 1});
                    throw new Refusal(-1, "bad username/password version");
                }
                readN(s, in, read1(s, in, deadline), deadline);
                readN(s, in, read1(s, in, deadline), deadline);
                out.write(new byte[] {1, 0});
            }
            // Request: VER CMD RSV ATYP DST.ADDR DST.PORT (§4). Read it whole before any reply.
            byte[] head = readN(s, in, 4, deadline);
            if (head[0] != VERSION) {
                throw new Refusal(REP_GENERAL_FAILURE, "bad request version " + (head[0] & 0xff));
            }
            String host;
            int atyp = head[3] & 0xff;
            if (atyp == ATYP_IPV4) {
                host = IpAddress.of(readN(s, in, 4, deadline)).toString();
            } else if (atyp == ATYP_IPV6) {
                host = IpAddress.of(readN(s, in, 16, deadline)).toString();
            } else if (atyp == ATYP_DOMAIN) {
                byte[] name = readN(s, in, read1(s, in, deadline), deadline);
                host = validName(name);
            } else {
                throw new Refusal(REP_ADDRESS_TYPE_NOT_SUPPORTED, "address type " + atyp);
            }
            byte[] p = readN(s, in, 2, deadline);
            int port = (p[0] & 0xff) << 8 | (p[1] & 0xff);
            if (head[1] != CMD_CONNECT) {
                throw new Refusal(REP_COMMAND_NOT_SUPPORTED, "command " + (head[1] & 0xff));
            }
            if (host == null) {
                throw new Refusal(REP_GENERAL_FAILURE, "malformed host name");
            }
            if (port == 0) {
                throw new Refusal(REP_GENERAL_FAILURE, "port 0");
            }
            s.setSoTimeout(0);
            TcpTransport client = new TcpTransport(s, scheduler);
            handedOver = true;
            scheduler.execute(() -> open(s, client, host, port));
        } catch (Refusal r) {
            refuse(s, r.reply);
        } catch (IOException | RuntimeException e) {
            // Timeout, EOF or reset mid-handshake: nothing sensible to answer.
            refuse(s, -1);
        } finally {
            if (!handedOver) {
                drop(s);
            }
        }
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

    private static int read1(Socket s, InputStream in, long deadline) throws IOException {
        return readN(s, in, 1, deadline)[0] & 0xff;
    }

    /** Reads exactly {@code n} (at most 255) bytes before {@code deadline}. */
    private static byte[] readN(Socket s, InputStream in, int n, long deadline) throws IOException {
        byte[] b = new byte[n];
        int at = 0;
        while (at < n) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                throw new SocketTimeoutException("handshake timed out");
            }
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int r = in.read(b, at, n - at);
            if (r < 0) {
                throw new EOFException("client closed during handshake");
            }
            at += r;
        }
        return b;
    }

    /** Sends the reply {@code rep} (if >= 0) and closes so that the reply is not lost to a reset. */
    private static void refuse(Socket s, int rep) {
        try {
            if (rep >= 0) {
                s.getOutputStream().write(reply(rep));
            }
            s.shutdownOutput();
            // Unread input at close() would turn our FIN into a RST, which may discard the reply at the
            // client; drain a bounded amount for a bounded time first.
            s.setSoTimeout(500);
            InputStream in = s.getInputStream();
            byte[] sink = new byte[4096];
            int total = 0;
            while (total < 65536) {
                int r = in.read(sink);
                if (r < 0) {
                    break;
                }
                total += r;
            }
        } catch (IOException | RuntimeException ignored) {
            // the client is gone; closing below is all that is left
        }
        closeQuietly(s);
    }

    private static byte[] reply(int rep) {
        return new byte[] {VERSION, (byte) rep, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0};
    }

    private void drop(Socket s) {
        clients.remove(s);
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    // ---- open and pump (scheduler) ----

    private void open(Socket s, TcpTransport client, String host, int port) {
        if (closed) {
            client.close("socks server closed");
            clients.remove(s);
            return;
        }
        AtomicBoolean answered = new AtomicBoolean();
        Cancellable timer = scheduler.schedule(options.openTimeoutMillis, () -> {
            if (answered.compareAndSet(false, true)) {
                fail(s, client, EndReason.TIMEOUT, "open timed out");
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
                pump(s, client, stream);
            }

            @Override
            public void failed(int endReason, String message) {
                if (answered.compareAndSet(false, true)) {
                    timer.cancel();
                    fail(s, client, endReason, message);
                }
            }
        };
        try {
            opener.open(host, port, cb);
        } catch (RuntimeException e) { // an opener bug must not leave the client hanging
            cb.failed(EndReason.INTERNAL, "opener failed: " + e);
        }
    }

    private void fail(Socket s, TcpTransport client, int endReason, String message) {
        client.send(reply(replyFor(endReason)));
        client.setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
                // Whatever the client sent optimistically is discarded.
            }

            @Override
            public void onClosed(String reason) {
                clients.remove(s);
            }
        });
        client.close("socks: " + EndReason.name(endReason) + ": " + message);
    }

    private void pump(Socket s, TcpTransport client, Transport stream) {
        AtomicBoolean over = new AtomicBoolean();
        // Loop-confined flags: [0] client reading paused, [1] stream reading paused.
        boolean[] paused = new boolean[2];
        stream.setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
                client.send(data);
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
                clients.remove(s);
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
