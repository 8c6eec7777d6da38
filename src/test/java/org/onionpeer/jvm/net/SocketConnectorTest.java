package org.onionpeer.jvm.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.EndReason;
import org.onionpeer.exit.ExitPolicy;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.transport.Connector;
import org.onionpeer.transport.Transport;

class SocketConnectorTest {
    private final EventLoop loop = new EventLoop("connector-test");
    private final SocketConnector connector = new SocketConnector(loop);
    private static final ExitPolicy LOCAL_OK = ExitPolicy.withDefault("accept 127.0.0.0/8:*, accept [::1]:*");

    @AfterEach
    void stop() {
        connector.close();
        loop.close();
    }

    /** The outcome of one connect: a transport and address, or an END reason. Checks it came on the loop. */
    private final class Outcome implements Connector.ConnectCallback {
        final CompletableFuture<Object[]> result = new CompletableFuture<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void connected(Transport transport, byte[] resolvedAddress) {
            record(new Object[] {transport, resolvedAddress});
        }

        @Override
        public void failed(int endReason, String message) {
            record(new Object[] {endReason, message});
        }

        private void record(Object[] r) {
            calls.incrementAndGet();
            if (!loop.inLoop()) {
                result.completeExceptionally(new AssertionError("callback off the loop"));
            }
            result.complete(r);
        }

        Object[] get() throws Exception {
            return result.get(20, TimeUnit.SECONDS);
        }

        int reason() throws Exception {
            Object[] r = get();
            assertTrue(r[0] instanceof Integer, "expected a failure, got " + r[0]);
            return (Integer) r[0];
        }
    }

    @Test
    void connectsToALocalServerAndCarriesBytes() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Outcome o = new Outcome();
            connector.connect("127.0.0.1", server.getLocalPort(), LOCAL_OK, o);
            try (Socket s = server.accept()) {
                Object[] r = o.get();
                TcpTransport t = (TcpTransport) r[0];
                assertArrayEquals(new byte[] {127, 0, 0, 1}, (byte[]) r[1]);
                t.send("ping".getBytes());
                s.setSoTimeout(10_000);
                assertArrayEquals("ping".getBytes(), s.getInputStream().readNBytes(4));
                t.close("done");
            }
            assertEquals(1, o.calls.get());
        }
    }

    @Test
    void bracketedIpv6LiteralConnects() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("::1"))) {
            Outcome o = new Outcome();
            connector.connect("[::1]", server.getLocalPort(), LOCAL_OK, o);
            try (Socket s = server.accept()) {
                Object[] r = o.get();
                assertEquals(16, ((byte[]) r[1]).length);
                ((TcpTransport) r[0]).close("done");
            }
        }
    }

    @Test
    void refusedPortIsConnectRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Outcome o = new Outcome();
        connector.connect("127.0.0.1", port, LOCAL_OK, o);
        assertEquals(EndReason.CONNECTREFUSED, o.reason());
    }

    @Test
    void filterRejectsBeforeAnyConnectionIsMade() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Outcome o = new Outcome();
            connector.connect("127.0.0.1", server.getLocalPort(), ExitPolicy.defaultPolicy(), o);
            assertEquals(EndReason.EXITPOLICY, o.reason());
            // Probe: the first connection the server accepts must be ours, not one from the connector.
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket first = server.accept()) {
                assertEquals(probe.getLocalPort(), first.getPort());
            }
        }
    }

    @Test
    void aNameThatResolvesToAPrivateAddressIsJudgedByItsAddress() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             SocketConnector c = new SocketConnector(loop,
                 h -> new InetAddress[] {InetAddress.getByAddress(h, new byte[] {127, 0, 0, 1})}, 5000, 8)) {
            Outcome o = new Outcome();
            c.connect("innocent.example", server.getLocalPort(), ExitPolicy.defaultPolicy(), o);
            assertEquals(EndReason.EXITPOLICY, o.reason());
            Outcome ok = new Outcome();
            c.connect("innocent.example", server.getLocalPort(), LOCAL_OK, ok);
            try (Socket s = server.accept()) {
                ((TcpTransport) ok.get()[0]).close("done");
            }
        }
    }

    /** What one resolve answered: the addresses and TTL, or an END reason and message; on the loop, once. */
    private final class Resolved implements Connector.ResolveCallback {
        final CompletableFuture<Object[]> result = new CompletableFuture<>();

        @Override
        public void resolved(java.util.List<byte[]> addresses, int ttlSeconds) {
            done(new Object[] {addresses, ttlSeconds});
        }

        @Override
        public void failed(int endReason, String message) {
            done(new Object[] {endReason, message});
        }

        private void done(Object[] r) {
            if (!loop.inLoop()) {
                result.completeExceptionally(new AssertionError("callback off the loop"));
            }
            if (!result.complete(r)) {
                result.obtrudeException(new AssertionError("answered twice"));
            }
        }

        Object[] get() throws Exception {
            return result.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void resolveAnswersLiteralsAtOnceNamesFromTheResolverAndFailuresWithTheirReason() throws Exception {
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        try (SocketConnector c = new SocketConnector(loop, h -> {
            lookups.incrementAndGet();
            switch (h) {
                case "two.example":
                    return new InetAddress[] {InetAddress.getByAddress(h, new byte[] {93, (byte) 184, (byte) 216, 34}),
                        InetAddress.getByAddress(h, new byte[] {93, (byte) 184, (byte) 216, 35})};
                case "broken.example":
                    throw new IOException("resolver unreachable");
                default:
                    throw new UnknownHostException(h);
            }
        }, 5000, 8)) {
            Resolved lit = new Resolved();
            c.resolve("198.51.100.7", lit);
            @SuppressWarnings("unchecked")
            java.util.List<byte[]> one = (java.util.List<byte[]>) lit.get()[0];
            assertArrayEquals(new byte[] {(byte) 198, 51, 100, 7}, one.get(0));
            assertEquals(0, lookups.get(), "a literal never reaches the resolver");

            Resolved two = new Resolved();
            c.resolve("two.example", two);
            @SuppressWarnings("unchecked")
            java.util.List<byte[]> got = (java.util.List<byte[]>) two.get()[0];
            assertEquals(2, got.size());
            assertArrayEquals(new byte[] {93, (byte) 184, (byte) 216, 35}, got.get(1));
            assertEquals(SocketConnector.RESOLVE_TTL_SECONDS, two.get()[1]);

            Resolved unknown = new Resolved();
            c.resolve("nowhere.example", unknown);
            assertEquals(EndReason.RESOLVEFAILED, unknown.get()[0]);
            assertEquals("unknown name nowhere.example", unknown.get()[1]);

            Resolved broken = new Resolved();
            c.resolve("broken.example", broken);
            assertEquals(EndReason.MISC, broken.get()[0], "a resolver failure is transient, not 'no such name'");
        }
    }

    @Test
    void octalAndHexLookingHostsAreNotLiterals() {
        // tor's reading: four decimal fields only. Java would read 0177.0.0.1 as 177.0.0.1, glibc as 127.0.0.1.
        assertEquals(null, SocketConnector.literal("0177.0.0.1"));
        assertEquals(null, SocketConnector.literal("0x7f.0.0.1"));
        assertEquals(null, SocketConnector.literal("2130706433"));
        assertArrayEquals(new byte[] {127, 0, 0, 1}, SocketConnector.literal("127.0.0.1").getAddress());
        assertEquals(16, SocketConnector.literal("[::1]").getAddress().length);
    }

    @Test
    void unresolvableNameIsResolveFailed() throws Exception {
        Outcome o = new Outcome();
        connector.connect("no-such-host.invalid", 80, LOCAL_OK, o);
        assertEquals(EndReason.RESOLVEFAILED, o.reason());
    }

    @Test
    void badArgumentsAndTooManyPendingFailCleanly() throws Exception {
        Outcome port0 = new Outcome();
        connector.connect("127.0.0.1", 0, LOCAL_OK, port0);
        assertEquals(EndReason.MISC, port0.reason());
        Outcome noHost = new Outcome();
        connector.connect("", 80, LOCAL_OK, noHost);
        assertEquals(EndReason.MISC, noHost.reason());
        // A resolver that never answers until released holds the only pending slot.
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (SocketConnector c = new SocketConnector(loop, h -> {
            try {
                release.get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException(e);
            }
            throw new UnknownHostException(h);
        }, 5000, 1)) {
            Outcome first = new Outcome();
            Outcome second = new Outcome();
            c.connect("a.invalid", 80, LOCAL_OK, first);
            c.connect("b.invalid", 80, LOCAL_OK, second);
            assertEquals(EndReason.RESOURCELIMIT, second.reason());
            release.complete(null);
            assertEquals(EndReason.RESOLVEFAILED, first.reason());
        }
    }

    @Test
    void ioErrorsMapToTorEndReasons() {
        assertEquals(EndReason.RESOLVEFAILED, SocketConnector.endReasonFor(new UnknownHostException("x")));
        assertEquals(EndReason.TIMEOUT, SocketConnector.endReasonFor(new SocketTimeoutException("connect timed out")));
        assertEquals(EndReason.NOROUTE, SocketConnector.endReasonFor(new NoRouteToHostException("No route to host")));
        assertEquals(EndReason.NOROUTE, SocketConnector.endReasonFor(new ConnectException("Network is unreachable")));
        assertEquals(EndReason.CONNECTREFUSED, SocketConnector.endReasonFor(new ConnectException("Connection refused")));
        assertEquals(EndReason.TIMEOUT, SocketConnector.endReasonFor(new ConnectException("Connection timed out")));
        assertEquals(EndReason.CONNRESET, SocketConnector.endReasonFor(new IOException("Connection reset")));
        assertEquals(EndReason.MISC, SocketConnector.endReasonFor(new IOException("something else")));
    }
}
