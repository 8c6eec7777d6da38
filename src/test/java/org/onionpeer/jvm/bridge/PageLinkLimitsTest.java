package org.onionpeer.jvm.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.transport.Transport;

/**
 * Abuse of the page-link endpoint: upgrades reset before the 101, sessions held open to fill the bridge. The
 * bridge's link handler here echoes every binary message, so "links" means "can exchange a frame".
 */
class PageLinkLimitsTest {
    private static final long T = 20; // seconds

    private final EventLoop loop = new EventLoop("limits-test-loop");
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private BridgeServer server;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (server != null) {
            server.stop();
        }
        loop.close();
    }

    private void start(BridgeServer.Options o) throws Exception {
        server = new BridgeServer(o.port(0), loop, null, PageLinkLimitsTest::echo);
        server.start();
    }

    /** The bridge side: every binary message comes back. */
    static void echo(WebSocketTransport t) {
        t.setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
                t.send(data);
            }

            @Override
            public void onClosed(String reason) {
            }
        });
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10); // polling a condition, not timing
        }
    }

    private RawWs open(String from) throws Exception {
        RawWs w = RawWs.open(from, server.port(), "/link");
        toClose.add(w);
        return w;
    }

    /** An open raw session from {@code from} that echoes a frame. */
    private RawWs link(String from) throws Exception {
        RawWs w = open(from);
        assertEquals(101, w.status, from + ": " + w.status + " " + w.body);
        byte[] ping = {1, 2, 3, (byte) from.hashCode()};
        w.sendBinary(ping);
        RawWs.Frame f = w.readFrame();
        assertEquals(0x2, f.opcode);
        assertArrayEquals(ping, f.payload);
        return w;
    }

    /** What Chromium offers on every WebSocket: a link carries encrypted cells, so compressing them is waste. */
    @Test
    void aBrowsersDeflateOfferIsDeclined() throws Exception {
        start(new BridgeServer.Options());
        RawWs w = RawWs.send("127.0.0.1", server.port(), "/link",
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
        toClose.add(w);
        w.readResponse();
        assertEquals(101, w.status, w.status + " " + w.body);
        assertEquals(null, w.headers.get("sec-websocket-extensions"), "extensions accepted: " + w.headers);
        byte[] ping = {7, 8, 9};
        w.sendBinary(ping);
        RawWs.Frame f = w.readFrame();
        assertEquals(0x2, f.opcode);
        assertArrayEquals(ping, f.payload);
    }

    @Test
    void resetUpgradesLeaveNoSlotTaken() throws Exception {
        start(new BridgeServer.Options());
        int resets = 300; // over the old fixed cap of 128 and the per-address cap
        for (int i = 0; i < resets; i++) {
            RawWs.send("127.0.0.1", server.port(), "/link").reset();
        }
        await("every reset session gone", () -> server.sessionCount() == 0);

        // A real client (Jetty's) from the same address still links and exchanges a binary frame.
        WebSocketClient client = new WebSocketClient();
        client.start();
        toClose.add(client::stop);
        RawPeer peer = new RawPeer();
        Session s = client.connect(peer, server.linkUri()).get(T, TimeUnit.SECONDS);
        s.sendBinary(ByteBuffer.wrap(new byte[] {4, 5, 6}), Callback.NOOP);
        assertEquals(ByteBuffer.wrap(new byte[] {4, 5, 6}), peer.binary.get(T, TimeUnit.SECONDS));
        assertEquals(1, server.sessionCount());
        s.close();
        peer.closeCode.get(T, TimeUnit.SECONDS);
        await("the session counted out", () -> server.sessionCount() == 0);
    }

    @Test
    void oneAddressCannotHoldMoreThanItsShare() throws Exception {
        start(new BridgeServer.Options());
        int cap = 50; // the default per-address cap
        List<RawWs> held = new ArrayList<>();
        for (int i = 0; i < cap; i++) {
            held.add(link("127.0.0.1"));
        }
        await("all held sessions counted", () -> server.sessionCount() == cap);
        RawWs refused = open("127.0.0.1");
        assertEquals(503, refused.status);
        assertEquals("too many link sessions from this address (max-page-links-per-address 50)", refused.body);
        // Another source address is not affected.
        link("127.0.0.2");
        await("the other address's session counted", () -> server.sessionCount() == cap + 1);
        for (RawWs w : held) {
            w.close();
        }
        await("the held sessions counted out", () -> server.sessionCount() == 1);
        link("127.0.0.1"); // the address has its share back
    }

    @Test
    void theGlobalCapRefusesAtTheUpgrade() throws Exception {
        start(new BridgeServer.Options().maxSessions(3));
        for (int i = 1; i <= 3; i++) {
            link("127.0.0." + i);
        }
        RawWs refused = open("127.0.0.4");
        assertEquals(503, refused.status);
        assertEquals("text/plain; charset=utf-8", refused.headers.get("content-type"));
        assertEquals("too many link sessions (max-page-links 3)", refused.body);
        assertEquals(3, server.sessionCount());
    }

    @Test
    void aSessionThatRacesPastTheCapIsClosedWith1013() throws Exception {
        start(new BridgeServer.Options().maxSessions(1));
        // The first upgrade passes the check, then waits (on Jetty's thread) while a second one opens.
        java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger upgrades = new java.util.concurrent.atomic.AtomicInteger();
        server.afterUpgradeCheck = () -> {
            if (upgrades.incrementAndGet() == 1) {
                try {
                    second.await(T, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        RawWs first = RawWs.send("127.0.0.1", server.port(), "/link");
        toClose.add(first);
        await("the first upgrade checked", () -> upgrades.get() == 1);
        link("127.0.0.2");
        await("the second session counted", () -> server.sessionCount() == 1);
        second.countDown();
        first.readResponse();
        assertEquals(101, first.status); // the upgrade itself was already under way
        RawWs.Frame f = first.readFrame();
        assertEquals(0x8, f.opcode, "a close frame");
        assertEquals(1013, f.closeCode());
        assertEquals("too many link sessions (max-page-links 1)", f.closeReason());
        assertEquals(1, server.sessionCount());
    }

    @Test
    void idleTimeoutGivesTheAddressItsSlotsBack() throws Exception {
        start(new BridgeServer.Options().maxSessionsPerAddress(2)
                .limits(WebSocketLimits.DEFAULT.withIdleTimeoutMillis(300)));
        link("127.0.0.1");
        link("127.0.0.1");
        assertEquals(503, open("127.0.0.1").status);
        await("idle sessions closed", () -> server.sessionCount() == 0);
        link("127.0.0.1");
        link("127.0.0.1");
    }

    @Test
    void stopGivesEverySlotBack() throws Exception {
        start(new BridgeServer.Options());
        for (int i = 0; i < 5; i++) {
            link("127.0.0.1");
        }
        server.stop();
        assertEquals(0, server.sessionCount());
    }

    @Test
    void ipv6AddressesCountPerSlash64() throws Exception {
        assertEquals("2001:db8:1:2:0:0:0:0/64", BridgeServer.addressKey(
                new java.net.InetSocketAddress(java.net.InetAddress.getByName("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), 1)));
        assertEquals("127.0.0.2", BridgeServer.addressKey(
                new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.2"), 1)));
        assertEquals(null, BridgeServer.addressKey(null));
    }
}
