package org.onionpeer.browser;

import java.security.SecureRandom;
import java.util.List;
import org.onionpeer.browser.webrtc.RtcPeerConnector;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.node.Node;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.peer.PeerCert;
import org.onionpeer.peer.PeerDialer;
import org.onionpeer.peer.PeerNode;
import org.onionpeer.peer.PeerService;
import org.teavm.jso.JSBody;

/**
 * The page in the peer network (the core's {@link PeerNode}): once the identity is ready (Ed25519; a
 * browser with only P-256 stays an onion proxy), an ntor onion key is made for the session, the router
 * entry is signed in WebCrypto, the page registers on its bridge link, joins the DHT and relays circuits
 * for other pages over WebRTC. {@code window.onionpeer}: {@code peers()}, {@code usePeers(on)},
 * {@code setRelaying(on)}; {@code status()} gains a "peers" part.
 */
final class Peers {
    private static final SecureRandom RND = new SecureRandom();
    private static PeerNode node;
    private static String state = "waiting for the identity";
    private static OnionProxy proxy;
    // What the page asked for, kept so a call made before the node is ready still takes effect.
    private static boolean wantPeers;
    private static boolean wantRelaying = true;

    private Peers() {
    }

    @JSBody(script = "return location.host;")
    private static native String host();

    @JSBody(script = "return location.protocol === 'https:';")
    private static native boolean https();

    /** Sets up the peer side of a freshly made node (called from the bootstrap's factory). */
    static void attach(Node n, OnionProxy p, OnionProxy.Options options, PeerDialer dialer, String base) {
        proxy = p;
        node = null;
        Identity.whenSettled(() -> {
            byte[] key = Identity.ed25519Key();
            if (key == null) {
                state = "no Ed25519 identity in this browser: onion proxy only";
                Sharing.unavailable("no Ed25519 identity in this browser: it cannot join the peer network to share");
                return;
            }
            byte[] secret = new byte[32];
            RND.nextBytes(secret);
            Ntor.Keypair onion = Ntor.Keypair.fromSecret(secret);
            PeerService service = new PeerService(n, key, Identity::sign, false, bridgeOf(base), null);
            service.enablePeerLinks(new RtcPeerConnector(BrowserMain.scheduler()::execute), onion.publicKey());
            service.setListener(BrowserMain::event);
            dialer.setIntroductions(service.introductions());
            long expires = n.scheduler().epochSeconds() + service.limits().certLifetimeSeconds;
            Identity.sign(PeerCert.toBeSigned(key, onion.publicKey(), null, null, expires), sig -> {
                if (proxy != p) {
                    return; // a newer node replaced this one meanwhile
                }
                PeerCert router = PeerCert.of(key, onion.publicKey(), null, null, expires, sig);
                node = new PeerNode(n, p, service, SelfTestMain.platformPrimitives(), onion, router, null);
                options.peerHops = node.hops();
                node.setRelaying(wantRelaying);
                if (wantRelayRate > 0) {
                    node.setRelayRate(wantRelayRate);
                }
                if (wantFirstHopAge >= 0) {
                    node.setFirstHopMinAge(wantFirstHopAge);
                }
                node.start();
                Sharing.attach(node, p);
                if (wantPeers) {
                    p.setPreferPeers(true);
                }
                state = null;
            }, err -> {
                state = "cannot sign the router entry: " + err;
                Sharing.unavailable(state);
            });
        });
    }

    /** The bridge's address for our DHT contact, from the page's base URL (http(s)://host[:port]/...). */
    private static BridgeAddress bridgeOf(String base) {
        boolean secure = base.startsWith("https://");
        LinkTarget t = LinkTarget.parse((secure ? "wss://" : "ws://") + base.substring(base.indexOf("//") + 2));
        return BridgeAddress.of(t.host(), t.port() > 0 ? t.port() : secure ? 443 : 80);
    }

    static void export() {
        JsApi.export("peersJson", (JsApi.StringFn) Peers::peersJson);
        JsApi.export("usePeersNow", (JsApi.StringArgFn) on -> {
            BrowserMain.scheduler().execute(() -> {
                wantPeers = "true".equals(on);
                if (proxy != null) {
                    proxy.setPreferPeers(wantPeers);
                }
            });
            return "";
        });
        JsApi.export("setRelayingNow", (JsApi.StringArgFn) on -> {
            BrowserMain.scheduler().execute(() -> {
                wantRelaying = "true".equals(on);
                if (node != null) {
                    node.setRelaying(wantRelaying);
                }
            });
            return "";
        });
        exportNumber("setFirstHopMinAgeNow", "firstHopMinAgeMillis", 0, "must not be negative", m -> {
            wantFirstHopAge = m;
            if (node != null) {
                node.setFirstHopMinAge(m);
            }
        });
        exportNumber("setRelayRateNow", "bytesPerSecond", 8 * 514, "must be at least 4112 (8 cells)", r -> {
            wantRelayRate = r;
            if (node != null) {
                node.setRelayRate(r);
            }
        });
        // A test hook: sends raw bytes as a peer message on the bridge link, as a hostile page's script could
        // (tests play an abusive page with it); it reveals nothing and enables nothing a page could not do.
        JsApi.export("peerRawSend", (JsApi.StringArgFn) hex -> {
            Channel b = node == null ? null : node.service().bridgeLink();
            if (b == null) {
                return "no bridge link";
            }
            b.sendLinkMessage(org.onionpeer.bytes.Bytes.unhex(hex));
            return "sent";
        });
        exportWrappers();
    }

    /**
     * Exports {@code fn}, taking a whole number of at least {@code min} for the option {@code option} (else it
     * answers why not), applied on the node's loop.
     */
    private static void exportNumber(String fn, String option, long min, String tooSmall,
            java.util.function.Consumer<Long> apply) {
        JsApi.export(fn, (JsApi.StringArgFn) text -> {
            long v;
            try {
                v = Long.parseLong(text);
            } catch (NumberFormatException e) {
                return option + " must be a whole number";
            }
            if (v < min) {
                return option + " " + tooSmall;
            }
            BrowserMain.scheduler().execute(() -> apply.accept(v));
            return "";
        });
    }

    @JSBody(script = "var o$ = window.onionpeer; o$.peers = function () { return JSON.parse(o$.peersJson()); };"
            + "o$.usePeers = function (on$, opt$) { if (opt$ && opt$.firstHopMinAgeMillis !== undefined) {"
            + " var e$ = o$.setFirstHopMinAgeNow(String(opt$.firstHopMinAgeMillis)); if (e$) { throw new Error(e$); } }"
            + " o$.usePeersNow(on$ === false ? 'false' : 'true'); };"
            + "o$.setRelaying = function (on$, opt$) { o$.setRelayingNow(on$ === false ? 'false' : 'true');"
            + " if (opt$ && opt$.bytesPerSecond !== undefined) {"
            + " var e$ = o$.setRelayRateNow(String(opt$.bytesPerSecond)); if (e$) { throw new Error(e$); } } };")
    private static native void exportWrappers();

    private static long wantRelayRate;
    private static long wantFirstHopAge = -1;

    /** [{id, link, rtt, bytesIn, bytesOut}]: every linked peer (WebRTC) and the bridge (WebSocket). */
    /** What the peer side waits for, in words. */
    static String stateInWords() {
        return state != null ? state : node != null ? node.state() : "starting";
    }

    static String peersJson() {
        StringBuilder sb = new StringBuilder("[");
        if (node != null) {
            PeerService s = node.service();
            boolean first = true;
            for (Channel c : s.node().links().channels()) {
                NodeId id = s.idOf(c);
                if (id == null || !c.isOpen()) {
                    continue;
                }
                sb.append(first ? "" : ",").append("{\"id\":\"").append(id.hex()).append("\",\"link\":\"")
                        .append(c.isPeerLink() ? "webrtc" : "websocket").append("\",\"rtt\":")
                        .append(c.handshakeRttMillis()).append(",\"bytesIn\":").append(c.receivedTotal())
                        .append(",\"bytesOut\":").append(c.queuedTotal()).append('}');
                first = false;
            }
        }
        return sb.append(']').toString();
    }

    /** The "peers" member of status(). */
    static String statusJson() {
        StringBuilder sb = new StringBuilder("{\"state\":");
        if (node == null) {
            sb.append(BrowserMain.quote(state));
            return sb.append('}').toString();
        }
        PeerService s = node.service();
        int dhtSize = s.dht() == null ? 0 : s.dht().table().size();
        sb.append(BrowserMain.quote(node.state())).append(",\"id\":\"").append(s.id().hex())
                .append("\",\"dhtContacts\":").append(dhtSize).append(",\"dhtEstimate\":").append(estimate(s))
                .append(",\"knownPeers\":").append(node.knownPeers().size()).append(",\"relaying\":")
                .append(node.isRelaying()).append(",\"relayedCircuits\":").append(node.router().circuitCount())
                .append(",\"relayBytesPerSecond\":").append(node.router().pacer().rate())
                .append(",\"relayCellsDelayed\":").append(node.router().pacer().delayedCells())
                .append(",\"usePeers\":").append(wantPeers);
        return sb.append('}').toString();
    }

    /**
     * The network's size from our k closest contacts (Kademlia's usual estimate): with IDs uniform, the
     * k-th closest of n nodes lies at distance about k/n of the ID space.
     */
    private static long estimate(PeerService s) {
        List<org.onionpeer.dht.Contact> near = s.dht().table().closest(s.id(), 8);
        if (near.isEmpty()) {
            return 1;
        }
        NodeId far = near.get(near.size() - 1).id().xor(s.id());
        double d = 0;
        byte[] b = far.bytes();
        for (int i = 0; i < 8; i++) {
            d = d * 256 + (b[i] & 0xff);
        }
        double frac = d / Math.pow(2, 64);
        return frac <= 0 ? near.size() + 1 : Math.max(near.size() + 1, Math.round(near.size() / frac));
    }

    /** One hop of a circuit for status(): {id, kind, nickname}. */
    static String hopJson(RelayInfo r) {
        String kind = OnionProxy.isPeer(r) ? "peer" : r.hasFlag(RelayInfo.FLAG_BRIDGE) ? "bridge" : "relay";
        return "{\"id\":\"" + org.onionpeer.bytes.Bytes.hex(r.identity().rsaIdentity()) + "\",\"kind\":\"" + kind
                + "\",\"nickname\":" + BrowserMain.quote(r.nickname()) + "}";
    }

}
