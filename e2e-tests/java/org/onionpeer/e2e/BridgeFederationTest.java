package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.LookupResult;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.JvmDialer;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.link.Channel;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkManager;
import org.onionpeer.node.Node;
import org.onionpeer.peer.PeerCert;
import org.onionpeer.peer.PeerConnector;
import org.onionpeer.peer.PeerService;
import org.onionpeer.transport.Transport;

/**
 * Two real bridges joined with {@code --join} (over a real Tor link on loopback) run one peer network: a JVM
 * page of the first finds a JVM page of the second in the DHT, and its introduction crosses both bridges and
 * is answered. When the first bridge restarts (new keys, same port), the second joins it again by itself.
 */
@Tag("e2e")
class BridgeFederationTest {
    /** A page on the JVM: a node with a WebSocket link to its bridge, registered, in the DHT. */
    static final class JvmPage implements AutoCloseable {
        final EventLoop loop = new EventLoop("jvm-page");
        final WebSocketConnector ws = new WebSocketConnector();
        final JvmDialer dialer = new JvmDialer(loop, ws);
        final Ed25519.KeyPair key = Ed25519.generate(new SecureRandom());
        final byte[] fingerprint = new byte[32];
        final CompletableFuture<String> answerSeen = new CompletableFuture<>();
        PeerService svc;

        JvmPage(Bridge bridge, URI bridgeUrl) throws Exception {
            new SecureRandom().nextBytes(fingerprint);
            RelayInfo br = null;
            for (RelayInfo r : bridge.directory().relays()) {
                if (r.hasFlag(RelayInfo.FLAG_BRIDGE) && br == null) {
                    br = r; // its own comes first; a joined bridge's is listed too
                }
            }
            RelayInfo target = br;
            CompletableFuture<String> joined = new CompletableFuture<>();
            BridgeAddress addr = BridgeAddress.of(bridgeUrl.getHost(), bridgeUrl.getPort());
            loop.execute(() -> {
                SecureRandom rnd = new SecureRandom();
                Node node = new Node(loop, rnd::nextBytes, dialer, new org.onionpeer.link.Channel.Limits());
                svc = new PeerService(node, key.publicKey(), (tbs, ok, failed) -> ok.accept(key.sign(tbs)), false,
                        addr, null);
                byte[] secret = new byte[32];
                rnd.nextBytes(secret);
                byte[] onion = Ntor.publicKey(secret);
                svc.enablePeerLinks(new FakeConnector(), onion);
                svc.startDht(PeerCert.sign(key, onion, null, null, loop.epochSeconds() + 3600), null);
                node.links().connect(target, new LinkManager.ConnectCallback() {
                    @Override
                    public void connected(Channel ch) {
                        svc.useBridge(ch, target.identity().ed25519Identity(), r -> joined.complete(r == null ? "ok" : r));
                    }

                    @Override
                    public void failed(String reason) {
                        joined.complete(reason);
                    }
                });
            });
            assertEquals("ok", joined.get(30, TimeUnit.SECONDS));
        }

        NodeId id() {
            return svc.id();
        }

        /** WebRTC without a network: descriptions carry our fingerprint; connections never open. */
        final class FakeConnector implements PeerConnector {
            @Override
            public void offer(Events events) {
                loop.execute(() -> events.described(new PeerConnector.Session() {
                    @Override
                    public void setRemote(String answer) {
                        answerSeen.complete(answer);
                    }

                    @Override
                    public void close() {
                    }
                }, sdp(true)));
            }

            @Override
            public void answer(String offer, Events events) {
                loop.execute(() -> events.described(new PeerConnector.Session() {
                    @Override
                    public void setRemote(String d) {
                    }

                    @Override
                    public void close() {
                    }
                }, sdp(false)));
            }

            private String sdp(boolean offer) {
                StringBuilder fp = new StringBuilder();
                for (byte b : fingerprint) {
                    fp.append(fp.length() == 0 ? "" : ":").append(String.format("%02X", b & 0xff));
                }
                return "v=0\r\no=- " + (offer ? 1 : 2) + " 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                        + "a=fingerprint:sha-256 " + fp + "\r\na=setup:" + (offer ? "actpass" : "active") + "\r\n";
            }
        }

        @Override
        public void close() {
            dialer.close();
            loop.close();
            try {
                ws.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    static void await(BooleanSupplier cond, long maxMillis, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + maxMillis;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError(what + ": not within " + maxMillis + " ms");
            }
            Thread.sleep(20); // polling a condition with a deadline, not a guess at how long it takes
        }
    }

    static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> c) throws Exception {
        return loop.call(c, 30);
    }

    @Test
    void pagesOfJoinedBridgesFindAndIntroduceEachOtherAndTheJoinSurvivesARestart() throws Exception {
        Bridge.Options a = new Bridge.Options();
        a.port = 0;
        a.socksPort = -1;
        a.relays = 1;
        Bridge first = new Bridge(a);
        int port = first.server().port();
        Bridge.Options b = new Bridge.Options();
        b.port = 0;
        b.socksPort = -1;
        b.embedded = false;
        URI firstUrl = URI.create(first.server().url(""));
        b.join = firstUrl;
        try (Bridge second = new Bridge(b)) {
            URI secondUrl = URI.create(second.server().url(""));
            await(() -> "federated".equals(second.federationState()), 30_000, "the second bridge federates");
            Bridge f = first;
            await(() -> peersOn(f, s -> s.federatedBridges()) == 1, 10_000, "the first bridge sees the join");
            try (JvmPage pa = new JvmPage(first, firstUrl); JvmPage pd = new JvmPage(second, secondUrl)) {
                await(() -> peersOn(f, s -> s.remotePages()) == 1, 10_000, "bridge 1 hears of D");
                // A finds D in the DHT: through bridge 1, which hands what is for D's side to bridge 2.
                CompletableFuture<LookupResult> found = new CompletableFuture<>();
                pa.loop.execute(() -> pa.svc.dht().findNode(pd.id(), found::complete));
                Contact dc = null;
                for (Contact c : found.get(30, TimeUnit.SECONDS).closest()) {
                    if (c.id().equals(pd.id())) {
                        dc = c;
                    }
                }
                assertNotNull(dc, "A found D");
                assertEquals(BridgeAddress.of(secondUrl.getHost(), secondUrl.getPort()), dc.bridge());
                PeerCert router = PeerCert.decode(dc.router());
                assertEquals(pd.id(), router.verify(null, null, System.currentTimeMillis() / 1000));
                // A's introduction to D crosses both bridges and D's answer comes back.
                pa.loop.execute(() -> pa.svc.introductions().dial(pd.id(), new Dialer.DialCallback() {
                    @Override
                    public void connected(Transport t, org.onionpeer.cert.LinkBinding binding,
                            org.onionpeer.cell.IpAddress peer) {
                    }

                    @Override
                    public void failed(String reason) {
                        pa.answerSeen.complete("failed: " + reason);
                    }
                }));
                String answer = pa.answerSeen.get(30, TimeUnit.SECONDS);
                assertTrue(answer.contains("a=setup:active"), answer);
                assertTrue(peersOn(f, s -> (int) s.stats().federated) > 0);
                assertTrue(peersOn(second, s -> (int) s.stats().introductionsRelayed) > 0);
            }
            // The first bridge restarts on the same port with new keys: the second joins it again.
            first.close();
            await(() -> !"federated".equals(second.federationState()), 30_000, "the second bridge notices");
            a.port = port;
            first = new Bridge(a);
            Bridge again = first;
            await(() -> "federated".equals(second.federationState()), 60_000, "the second bridge joins again");
            await(() -> peersOn(again, s -> s.federatedBridges()) == 1, 10_000, "the new first bridge sees it");
        } finally {
            first.close();
        }
    }

    static int peersOn(Bridge b, java.util.function.ToIntFunction<PeerService> f) {
        try {
            return b.bridgeRelay().loop().call(() -> f.applyAsInt(b.peers()), 30);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
