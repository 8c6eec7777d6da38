package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ClientStream;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.JcaRelayPrimitives;
import org.onionpeer.jvm.JvmDialer;
import org.onionpeer.jvm.JvmRelay;
import org.onionpeer.jvm.net.TcpTransport;
import org.onionpeer.link.Channel;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.node.Node;
import org.onionpeer.transport.Transport;

/**
 * Clients that hold resources without using them must not cost anyone else anything: the attacks on
 * the JVM side, each against a real bridge on loopback, with honest fetches timed while the attack holds.
 *
 * <ul>
 * <li>A client on one TLS link opens 80 circuits with 2 streams each to a source that never stops sending,
 * then stops reading its socket. The exit's queue for that link overflows; closing it must never wait for the
 * peer (it once blocked the exit's event loop in {@code SSLSocket.close()} for as long as the attacker
 * liked, and every SOCKS fetch failed for 120 s).</li>
 * <li>A local program holds hundreds of SOCKS streams open (the old front end locked everyone out at 256).</li>
 * </ul>
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StalledClientsTest {
    /** An honest fetch while an attack holds must answer within this. */
    private static final long ANSWER_MILLIS = 2_000;
    private static final SecureRandom RND = new SecureRandom();

    private static Bridge bridge;
    private static SeededHttpServer http;
    private static byte[] file;
    private static ServerSocket endless;
    private static final List<Socket> held = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Bridge.Options o = TestBridges.options(3);
        o.socksPort = 0;
        bridge = new Bridge(o);
        file = new byte[32 * 1024];
        new Random(5).nextBytes(file);
        http = new SeededHttpServer();
        http.serve("/file", file);
        // A source that, once it hears a byte, sends 256 KiB (just over a stream's window of 500 cells, 249 KB)
        // and holds the connection open (one thread per connection: test side only). 160 streams then offer the
        // exit 40 MB for a link whose queue bound is 16 MiB; bounded, so that the test's own writers and the
        // exit's reads of data it can never send do not take the CPU the honest fetches are measured on.
        endless = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            byte[] chunk = new byte[64 * 1024];
            while (!endless.isClosed()) {
                try {
                    Socket s = endless.accept();
                    held.add(s);
                    Thread w = new Thread(() -> {
                        try (OutputStream out = s.getOutputStream()) {
                            if (s.getInputStream().read() < 0) {
                                return;
                            }
                            for (int i = 0; i < 4; i++) {
                                out.write(chunk);
                            }
                            out.flush();
                            s.getInputStream().read(); // until the exit closes the stream
                        } catch (IOException gone) {
                            // the exit closed the stream
                        }
                    }, "endless-source");
                    w.setDaemon(true);
                    w.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "endless-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        assertArrayEquals(file, socksFetch());
    }

    @AfterAll
    static void stop() throws Exception {
        if (endless != null) {
            endless.close();
        }
        for (Socket s : held) {
            s.close();
        }
        if (http != null) {
            http.close();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void aClientThatStopsReadingLosesItsLinkAndDelaysNobody() throws Exception {
        JvmRelay exit = bridge.relays().get(bridge.relays().size() - 1);
        RelayInfo exitInfo = exit.info();
        EventLoop aloop = new EventLoop("attacker");
        List<Transport> transports = new CopyOnWriteArrayList<>();
        JvmDialer real = new JvmDialer(aloop, null);
        // The attacker's own dialer keeps the transport so that it can stop reading it.
        Dialer capturing = new Dialer() {
            @Override
            public boolean canDial(LinkTarget target) {
                return real.canDial(target);
            }

            @Override
            public void dial(LinkTarget target, DialCallback cb) {
                real.dial(target, new DialCallback() {
                    @Override
                    public void connected(Transport t, LinkBinding b, IpAddress peer) {
                        transports.add(t);
                        cb.connected(t, b, peer);
                    }

                    @Override
                    public void failed(String reason) {
                        cb.failed(reason);
                    }
                });
            }
        };
        Node attacker = new Node(aloop, RND::nextBytes, capturing, null);
        int circuits = 80;
        int streamsPerCircuit = 2;
        CountDownLatch connected = new CountDownLatch(circuits * streamsPerCircuit);
        AtomicInteger failures = new AtomicInteger();
        List<String> refusals = new CopyOnWriteArrayList<>();
        List<ClientStream> streams = new CopyOnWriteArrayList<>();
        try {
            CompletableFuture<Channel> link = new CompletableFuture<>();
            aloop.execute(() -> attacker.links().connect(exitInfo, new org.onionpeer.link.LinkManager.ConnectCallback() {
                @Override
                public void connected(Channel channel) {
                    link.complete(channel);
                }

                @Override
                public void failed(String reason) {
                    link.completeExceptionally(new IOException(reason));
                }
            }));
            Channel ch = link.get(15, TimeUnit.SECONDS);
            int port = endless.getLocalPort();
            aloop.execute(() -> {
                for (int i = 0; i < circuits; i++) {
                    ClientCircuit[] c = new ClientCircuit[1];
                    c[0] = new ClientCircuit(ch, attacker.circuits(), aloop, attacker.entropy(),
                            new JcaRelayPrimitives(), List.of(exitInfo), null, new ClientCircuit.Listener() {
                                @Override
                                public void built(ClientCircuit circuit) {
                                    for (int s = 0; s < streamsPerCircuit; s++) {
                                        circuit.begin("127.0.0.1", port, new ClientStream.ConnectListener() {
                                            @Override
                                            public void connected(ClientStream stream) {
                                                streams.add(stream);
                                                connected.countDown();
                                            }

                                            @Override
                                            public void failed(ClientStream stream, int reason, String m,
                                                    boolean retryable) {
                                                if (failures.incrementAndGet() <= 3) {
                                                    refusals.add(reason + " " + m);
                                                }
                                                connected.countDown();
                                            }
                                        });
                                    }
                                }

                                @Override
                                public void closed(ClientCircuit circuit, String reason) {
                                }
                            });
                    c[0].start();
                }
            });
            assertTrue(connected.await(30, TimeUnit.SECONDS), "streams not opened: " + connected.getCount());
            assertEquals(0, failures.get(), () -> "BEGINs refused, e.g. " + refusals);
            int attackerPort = ((TcpTransport) transports.get(0)).channel().localAddress() instanceof
                    InetSocketAddress a ? a.getPort() : -1;
            assertTrue(exitHoldsLinkFrom(exit, attackerPort), "the exit does not see the attacker's link");
            // Now stop reading, then let every source go: the exit's queue for this link fills up.
            for (Transport t : transports) {
                t.pauseReading(true);
            }
            aloop.execute(() -> streams.forEach(st -> st.send(new byte[] {'g'})));

            long worst = 0;
            List<Long> times = new ArrayList<>();
            List<Long> loopTimes = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
            boolean cut = false;
            int fetches = 0;
            while (!cut || fetches < 5) {
                assertTrue(System.nanoTime() < deadline, "the exit still holds the stalled link after 45 s");
                long t0 = System.nanoTime();
                // The exit's own loop answers, and so does a fetch through it.
                exit.loop().call(() -> null, 10);
                long tLoop = (System.nanoTime() - t0) / 1_000_000;
                assertArrayEquals(file, socksFetch());
                loopTimes.add(tLoop);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                worst = Math.max(worst, ms);
                times.add(ms);
                fetches++;
                cut = !exitHoldsLinkFrom(exit, attackerPort);
            }
            System.out.println("[stalled] exit dropped the non-reading link; " + fetches
                    + " honest fetches meanwhile: " + times + " ms (the exit's loop answered in " + loopTimes + " ms)");
            assertTrue(worst < ANSWER_MILLIS, "an honest fetch took " + worst + " ms during the attack");
        } finally {
            aloop.execute(() -> attacker.links().closeAll("test over"));
            aloop.close();
        }
    }

    @Test
    void hundredsOfHeldSocksStreamsDoNotLockOutANewClient() throws Exception {
        // Old limit: 256 SOCKS clients at once. Hold more than that, each a live stream to the endless source.
        int hold = 300;
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < hold; i++) {
                Socket s = socksConnect(endless.getLocalPort());
                clients.add(s);
                s.getOutputStream().write('g');
                assertTrue(s.getInputStream().read() >= 0, "held stream " + i + " carries nothing");
            }
            long t0 = System.nanoTime();
            assertArrayEquals(file, socksFetch());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("[stalled] SOCKS fetch with " + hold + " streams held: " + ms + " ms");
            assertTrue(ms < ANSWER_MILLIS, "the fetch took " + ms + " ms");
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    /** Whether {@code exit} holds a link whose peer uses TCP port {@code port} (the attacker's, on loopback). */
    private static boolean exitHoldsLinkFrom(JvmRelay exit, int port) throws Exception {
        return exit.loop().call(() -> exit.node().links().channels().stream().anyMatch(c ->
                c.transport() instanceof TcpTransport t && t.remoteAddress() != null
                        && t.remoteAddress().getPort() == port), 10);
    }

    /** SOCKS5 CONNECT to 127.0.0.1:{@code port} through the bridge's proxy; the socket after a success reply. */
    private static Socket socksConnect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", bridge.socksPort()), 5_000);
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(30));
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(new byte[] {5, 1, 0});
            assertArrayEquals(new byte[] {5, 0}, in.readNBytes(2));
            out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port});
            byte[] reply = in.readNBytes(10);
            assertEquals(10, reply.length);
            assertEquals(0, reply[1], "SOCKS reply " + reply[1]);
            return s;
        } catch (IOException | RuntimeException | AssertionError e) {
            s.close();
            throw e;
        }
    }

    private static byte[] socksFetch() throws IOException {
        try (Socket s = socksConnect(http.port())) {
            OutputStream out = s.getOutputStream();
            out.write("GET /file HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] all = s.getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            assertTrue(split > 0 && text.startsWith("HTTP/1.1 200"), "bad answer: " + text.substring(0,
                    Math.min(80, text.length())));
            return java.util.Arrays.copyOfRange(all, split + 4, all.length);
        }
    }
}
