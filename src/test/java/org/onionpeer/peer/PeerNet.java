package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.DhtConfig;
import org.onionpeer.dht.LookupResult;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.link.LinkManager;
import org.onionpeer.node.Node;
import org.onionpeer.node.OnionRouter;
import org.onionpeer.platform.Entropy;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

/**
 * In memory on one {@link ManualScheduler}: bridges (relays with a responder and a relaying {@link PeerService})
 * and pages linked to them, which register, join the DHT and are introduced to each other over a fake WebRTC
 * ({@link FakeRtc}: SDPs with a per-session DTLS fingerprint; a connection opens only when each side's DTLS
 * certificate matches the fingerprint in the other's SDP, unless a man in the middle terminates DTLS with
 * certificates of its own). Bridges dial each other by name ("inproc:NAME") to federate.
 */
abstract class PeerNet {
    static final BridgeAddress BRIDGE_ADDRESS = BridgeAddress.of("bridge.example.org", 443);

    final long seed = Long.getLong("peer.link.seed", System.nanoTime());
    final Random rnd = new Random(seed);
    final Entropy entropy = b -> rnd.nextBytes(b);
    final ManualScheduler sched = new ManualScheduler();
    final FakeRtc rtc = new FakeRtc();
    Bridge bridge;
    /** Bridges by name, for dials between them. */
    final Map<String, Bridge> bridges = new HashMap<>();

    {
        System.out.println("[peer-link] seed " + seed + " (-Dpeer.link.seed=" + seed + " replays)");
    }

    byte[] random32() {
        byte[] b = new byte[32];
        rnd.nextBytes(b);
        return b;
    }

    /** Signs later, on the scheduler, as WebCrypto does; {@code delayMillis} > 0 for a slow signer. */
    final class KeySigner implements PeerService.Signer {
        final Ed25519.KeyPair key;
        long delayMillis;

        KeySigner(Ed25519.KeyPair key) {
            this.key = key;
        }

        @Override
        public void sign(byte[] tbs, Consumer<byte[]> signature, Consumer<String> failed) {
            byte[] sig = key.sign(tbs);
            if (delayMillis > 0) {
                sched.schedule(delayMillis, () -> signature.accept(sig));
            } else {
                sched.execute(() -> signature.accept(sig));
            }
        }
    }

    // ---- the bridge ---------------------------------------------------------------------------------------

    final class Bridge {
        final RelayKeys keys;
        final Node node;
        final PeerService svc;
        final RelayInfo info;
        /** Applied to every byte the bridge sends to a page: a man-in-the-middle bridge rewrites here. */
        UnaryOperator<byte[]> toPages = b -> b;

        final String name;
        final BridgeAddress address;

        Bridge() throws Exception {
            this("bridge", BRIDGE_ADDRESS);
        }

        Bridge(String name, BridgeAddress address) throws Exception {
            this.name = name;
            this.address = address;
            bridges.put(name, this);
            SecureRandom keyRandom = SecureRandom.getInstance("SHA1PRNG");
            keyRandom.setSeed(seed + name.hashCode());
            keys = RelayKeys.generate(keyRandom);
            RelayCredentials creds = RelayCredentials.create(keys, sched.epochSeconds());
            node = new Node(sched, entropy, new Dialer() {
                @Override
                public boolean canDial(LinkTarget target) {
                    return bridges.containsKey(target.toString().substring("inproc:".length()));
                }

                @Override
                public void dial(LinkTarget target, DialCallback callback) {
                    Transport t = bridges.get(target.toString().substring("inproc:".length())).accept();
                    sched.execute(() -> callback.connected(t, null, null));
                }
            }, null);
            node.links().setResponder(d -> creds.certsCell(d, null, sched.epochSeconds()), null);
            Ed25519.KeyPair ed = keys.ed25519Identity();
            svc = new PeerService(node, ed.publicKey(), new KeySigner(ed), true, address, null);
            svc.startDht(PeerCert.sign(ed, Ntor.publicKey(random32()), null, null, sched.epochSeconds() + 86400),
                    new DhtConfig());
            info = new RelayInfo(name, keys.identity(), Ntor.publicKey(random32()), List.of("inproc:" + name),
                    Set.of(RelayInfo.FLAG_BRIDGE), "");
        }

        /** Federates with {@code other}: links to it and joins; the result is null or why not. */
        String join(Bridge other) {
            Dial d = new Dial();
            node.links().connect(other.info, d);
            await(d::done, 30_000, name + " links to " + other.name);
            if (d.channel == null) {
                return d.failure;
            }
            String[] result = {"pending"};
            svc.joinBridge(d.channel, other.keys.ed25519Identity().publicKey(), other.address, r -> result[0] = r);
            await(() -> !"pending".equals(result[0]), 30_000, name + " joins " + other.name);
            return result[0];
        }

        /** A page's transport reaches the bridge: the bridge accepts it as a relay does a WebSocket. */
        Transport accept() {
            Pipe p = new Pipe(sched, sched);
            Transport b = p.b();
            node.links().accept(new Transport() {
                @Override
                public void send(byte[] data) {
                    b.send(toPages.apply(data));
                }

                @Override
                public void close(String reason) {
                    b.close(reason);
                }

                @Override
                public long bufferedAmount() {
                    return b.bufferedAmount();
                }

                @Override
                public void setListener(Listener listener) {
                    b.setListener(listener);
                }
            }, null, null);
            return p.a();
        }
    }

    /**
     * Makes the bridge an onion router that extends circuits to its registered pages over their links (as
     * the JVM bridge does); returns it as a relay of the directory.
     */
    RelayInfo bridgeAsRouter() {
        Ntor.Keypair onion = Ntor.Keypair.fromSecret(random32());
        OnionRouter.Config cfg = new OnionRouter.Config();
        cfg.nodeId = bridge.keys.identity().rsaIdentity();
        cfg.onionKeys.add(onion);
        cfg.primitives = new BcRelayPrimitives();
        cfg.locator = (rsaId, edId, tls) -> bridge.svc.registeredRouter(rsaId);
        new OnionRouter(bridge.node, cfg);
        return new RelayInfo("bridge", bridge.keys.identity(), onion.publicKey(), List.of("inproc:bridge"),
                Set.of(RelayInfo.FLAG_BRIDGE), "");
    }

    // ---- pages ----------------------------------------------------------------------------------------------

    final class Page {
        final String name;
        final Ed25519.KeyPair key;
        final KeySigner signer;
        final Ntor.Keypair onion;
        final byte[] onionKey;
        final Node node;
        final PeerService svc;
        final PeerCert routerCert;
        final List<String> events = new ArrayList<>();
        Dialer dialer;
        Channel bridgeLink;
        final Bridge home;
        /** Set when the page leaves as a closed tab: it dials nothing and answers no peer any more. */
        boolean gone;

        Page(String name) {
            this(name, bridge);
        }

        Page(String name, Bridge home) {
            this(name, home, true);
        }

        /** {@code webRtc} false: a node whose peer links always fail (a JVM node, a page behind a strict NAT). */
        Page(String name, Bridge home, boolean webRtc) {
            this.name = name;
            this.home = home;
            key = Ed25519.fromSeed(random32());
            signer = new KeySigner(key);
            onion = Ntor.Keypair.fromSecret(random32());
            onionKey = onion.publicKey();
            Dialer toBridge = new Dialer() {
                @Override
                public boolean canDial(LinkTarget address) {
                    return address.toString().equals("inproc:" + home.name);
                }

                @Override
                public void dial(LinkTarget address, DialCallback cb) {
                    if (gone) {
                        sched.execute(() -> cb.failed("the tab is closed"));
                        return;
                    }
                    Transport t = home.accept();
                    sched.execute(() -> cb.connected(t, null, null));
                }
            };
            dialer = toBridge;
            node = new Node(sched, entropy, new Dialer() {
                @Override
                public boolean canDial(LinkTarget address) {
                    return dialer.canDial(address);
                }

                @Override
                public void dial(LinkTarget address, DialCallback cb) {
                    dialer.dial(address, cb);
                }
            }, null);
            svc = new PeerService(node, key.publicKey(), signer, false, home.address, null);
            svc.setListener(events::add);
            PeerConnector rtcConnector = rtc.connector();
            svc.enablePeerLinks(webRtc ? new PeerConnector() {
                @Override
                public void offer(Events events) {
                    if (gone) {
                        sched.execute(() -> events.failed("the tab is closed"));
                    } else {
                        rtcConnector.offer(events);
                    }
                }

                @Override
                public void answer(String offer, Events events) {
                    if (gone) {
                        sched.execute(() -> events.failed("the tab is closed"));
                    } else {
                        rtcConnector.answer(offer, events);
                    }
                }
            } : new PeerConnector() {
                @Override
                public void offer(Events events) {
                    sched.execute(() -> events.failed("no WebRTC here"));
                }

                @Override
                public void answer(String offer, Events events) {
                    sched.execute(() -> events.failed("no WebRTC here"));
                }
            }, onionKey);
            dialer = svc.introductions().dialerOver(toBridge);
            routerCert = PeerCert.sign(key, onionKey, null, null, sched.epochSeconds() + 86400);
            svc.startDht(routerCert, new DhtConfig());
        }

        NodeId id() {
            return svc.id();
        }

        /** Relays circuits as its router entry says: NODEID = its ID, KEYID = its onion key. */
        OnionRouter relayCircuits() {
            OnionRouter.Config cfg = new OnionRouter.Config();
            cfg.nodeId = id().bytes();
            cfg.onionKeys.add(onion);
            cfg.primitives = new BcRelayPrimitives();
            return new OnionRouter(node, cfg);
        }

        RelayIdentity identity() {
            return PeerLinkAuth.identityOf(routerCert);
        }

        /** How others know this page: the identity its router entry proves, its onion key, its webrtc address. */
        RelayInfo info() {
            return new RelayInfo(name, identity(), onionKey, List.of(Introductions.address(id())), Set.of(), "");
        }

        /** Links to the bridge, registers, and (if started) joins the DHT through it. */
        void join() {
            Channel[] ch = new Channel[1];
            node.links().connect(home.info, new LinkManager.ConnectCallback() {
                @Override
                public void connected(Channel channel) {
                    ch[0] = channel;
                }

                @Override
                public void failed(String reason) {
                    throw new AssertionError(name + " cannot link to the bridge: " + reason);
                }
            });
            sched.runUntilIdle();
            assertNotNull(ch[0], name + " linked to the bridge");
            bridgeLink = ch[0];
            String[] result = {"pending"};
            svc.useBridge(bridgeLink, home.keys.ed25519Identity().publicKey(), r -> result[0] = r);
            await(() -> !"pending".equals(result[0]), 30_000, name + " joins");
            assertNull(result[0], name + " joined");
        }

        Channel peerLinkTo(Page other) {
            for (Channel c : node.links().channels()) {
                if (c.isPeerLink() && c.isOpen() && other.identity().equals(c.peerIdentity())) {
                    return c;
                }
            }
            return null;
        }

        /** Dials {@code info} through LinkManager.connect; the result is "ok" or the failure. */
        Dial dial(RelayInfo info) {
            Dial d = new Dial();
            node.links().connect(info, d);
            return d;
        }
    }

    static final class Dial implements LinkManager.ConnectCallback {
        Channel channel;
        String failure;

        boolean done() {
            return channel != null || failure != null;
        }

        @Override
        public void connected(Channel c) {
            channel = c;
        }

        @Override
        public void failed(String reason) {
            failure = reason;
        }
    }

    /** Builds a circuit from {@code from} over {@code link} through {@code path}: "built", or why it closed. */
    String build(Page from, Channel link, List<RelayInfo> path, long maxMillis) {
        String[] result = new String[1];
        ClientCircuit c = new ClientCircuit(link, from.node.circuits(), sched, entropy, new BcRelayPrimitives(),
                path, null, new ClientCircuit.Listener() {
                    @Override
                    public void built(ClientCircuit circuit) {
                        result[0] = "built";
                    }

                    @Override
                    public void closed(ClientCircuit circuit, String reason) {
                        result[0] = reason;
                    }
                });
        c.start();
        await(() -> result[0] != null, maxMillis, "the circuit");
        return result[0];
    }

    void await(BooleanSupplier cond, long maxMillis, String what) {
        for (long t = 0; t <= maxMillis; t += 10) {
            sched.runUntilIdle();
            if (cond.getAsBoolean()) {
                return;
            }
            sched.advance(10);
        }
        throw new AssertionError(what + ": not within " + maxMillis + " ms (seed " + seed + ")");
    }

    // ---- fake WebRTC -----------------------------------------------------------------------------------------

    /**
     * RTCPeerConnections in memory. Each session has its own DTLS certificate (a random SHA-256 fingerprint in
     * its SDP); the answering session is found by the o= line of the answer (what ICE would reach). DTLS
     * succeeds only if each side's certificate matches the fingerprint the other read from its SDP, unless
     * {@link #mitm} (an attacker between them who terminates DTLS on both sides with its own certificates and
     * passes the plaintext along), or {@link #thirdParty} takes the offerer's connection instead.
     */
    final class FakeRtc {
        final Map<Long, RtcSession> sessions = new HashMap<>();
        boolean mitm;
        /** Answering sessions never describe themselves (the browser hangs in ICE gathering). */
        boolean mute;
        /** Answering sessions cannot be reached (ICE finds no path). */
        boolean forgetAnswers;
        Consumer<Transport> thirdParty;
        int offers;
        int answers;

        final class RtcSession implements PeerConnector.Session {
            final long id = rnd.nextLong() & Long.MAX_VALUE;
            final byte[] fp = random32();
            final PeerConnector.Events events;
            byte[] remoteFp;
            boolean closed;
            Transport transport;

            RtcSession(PeerConnector.Events events) {
                this.events = events;
                sessions.put(id, this);
            }

            @Override
            public void setRemote(String answer) {
                sched.execute(() -> connect(this, answer));
            }

            @Override
            public void close() {
                closed = true;
                if (transport != null) {
                    transport.close("peer connection closed");
                }
            }
        }

        PeerConnector connector() {
            return new PeerConnector() {
                @Override
                public void offer(Events events) {
                    offers++;
                    RtcSession s = new RtcSession(events);
                    String sdp = SdpTest.chromium(true, s.id, s.fp, "\r\n");
                    sched.execute(() -> events.described(s, sdp));
                }

                @Override
                public void answer(String offer, Events events) {
                    answers++;
                    RtcSession s = new RtcSession(events);
                    if (forgetAnswers) {
                        sessions.remove(s.id);
                    }
                    s.remoteFp = Sdp.fingerprint(offer);
                    String sdp = SdpTest.chromium(false, s.id, s.fp, "\r\n");
                    if (!mute) {
                        sched.execute(() -> events.described(s, sdp));
                    }
                }
            };
        }

        private long sessionOf(String sdp) {
            for (String line : sdp.split("\r?\n")) {
                if (line.startsWith("o=- ")) {
                    return Long.parseLong(line.split(" ")[1]);
                }
            }
            return -1;
        }

        private void connect(RtcSession o, String answer) {
            if (o.closed) {
                return;
            }
            o.remoteFp = Sdp.fingerprint(answer);
            if (thirdParty != null) {
                Pipe p = new Pipe(sched, sched);
                o.transport = p.a();
                thirdParty.accept(p.b());
                o.events.opened(p.a());
                return;
            }
            RtcSession a = sessions.get(sessionOf(answer));
            if (a == null || a.closed) {
                o.events.failed("ICE failed");
                return;
            }
            boolean dtls = Arrays.equals(o.remoteFp, a.fp) && Arrays.equals(a.remoteFp, o.fp);
            if (!dtls && !mitm) {
                o.events.failed("DTLS certificate does not match the fingerprint");
                a.events.failed("DTLS certificate does not match the fingerprint");
                return;
            }
            Pipe p = new Pipe(sched, sched);
            o.transport = p.a();
            a.transport = p.b();
            a.events.opened(p.b());
            o.events.opened(p.a());
        }
    }

    /** Replaces every sha-256 fingerprint in a byte stream (ASCII, same length) with {@code fp}. */
    static byte[] rewriteFingerprints(byte[] data, byte[] fp) {
        String s = new String(data, StandardCharsets.ISO_8859_1);
        String r = s.replaceAll("a=fingerprint:sha-256 [0-9A-F:]{95}", "a=fingerprint:sha-256 " + SdpTest.colons(fp));
        return r.getBytes(StandardCharsets.ISO_8859_1);
    }

}
