package org.onionpeer.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.Dht;
import org.onionpeer.dht.DhtConfig;
import org.onionpeer.dht.DhtTransport;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dht.RateWindows;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.node.Node;

/**
 * A node's part in the peer network: its DHT node, the peer messages on its links
 * ({@link PeerMessage}), and, on a bridge, the registry of the pages linked to it, for which it relays
 * introductions and DHT messages. Pages also set up WebRTC links through {@link Introductions}.
 *
 * <p>Whom a message is from is decided here, never by the message: a registered page's ID was proven by its
 * REGISTER certificate on that very link, a peer link's by its link certificate, the bridge's by its CERTS
 * chain. A page trusts its bridge's word on whom a relayed message is from (the bridge is the introducer);
 * contacts in DHT answers are still checked (ID = SHA-1 of key), and router entries before use.
 *
 * <p>Every sender is rate-limited per link and per kind of message; garbage is counted and dropped.
 */
public final class PeerService implements LinkManager.MessageHandler {
    /** Signs with the node's identity key (a page: WebCrypto, asynchronously). */
    public interface Signer {
        void sign(byte[] toBeSigned, Consumer<byte[]> signature, Consumer<String> failed);
    }

    /** Explicit bounds. */
    public static final class Limits {
        public int maxRegistered = 20_000;
        public int maxPeerLinks = 32;
        /** Introductions a link may ask for (or be offered) per second. */
        public int introducePerSecond = 5;
        /**
         * INTRODUCED / INTRODUCE_FAILED a link may send per second: a page answers every introduction it is
         * offered, by any number of askers, so its answers have their own budget.
         */
        public int answersPerSecond = 50;
        /** DHT messages a link may send per second (the DHT also limits per sender). */
        public int dhtPerSecond = 100;
        public long introduceTimeoutMillis = 20_000;
        public long certLifetimeSeconds = 24 * 3600;
        /** Messages a federated bridge may send per second: it speaks for all its pages. */
        public int federatedPerSecond = 20_000;
    }

    /** What happened, for a node's event log and the tests; nothing identifying beyond short IDs. */
    public interface Listener {
        void event(String event);
    }

    private final Node node;
    private final byte[] identityKey;
    private final NodeId id;
    private final Signer signer;
    private final Limits limits;
    private final boolean relays;
    private final BridgeAddress bridgeAddress;
    private final Map<NodeId, Channel> registered = new HashMap<>();
    private final Map<Channel, NodeId> idOf = new HashMap<>();
    /** Messages per link and kind in one-second windows (forgotten when the link closes). */
    private final RateWindows<Channel> windows = new RateWindows<>(3, Integer.MAX_VALUE);
    /** A page: the same windows per peer its bridge relays for (bounded: idle ones are forgotten). */
    private final RateWindows<NodeId> relayedWindows = new RateWindows<>(3, MAX_RELAYED_WINDOWS);
    static final int MAX_RELAYED_WINDOWS = 4096;
    private final PeerStats stats = new PeerStats();
    private Listener listener = e -> { };
    private Consumer<NodeId> peerLinkClosed = id -> { };
    private Consumer<NodeId> federationClosed = id -> { };
    private Consumer<String> bridgeLinkClosed = why -> { };
    private Dht dht;
    private Contact self;
    private Channel bridgeLink;
    private Contact bridgeContact;
    private Introductions introductions;
    private final Transport dhtTransport = new Transport();
    private final Federation federation = new Federation();
    /** A bridge: the router entries of registered pages that relay (from their registration). */
    private final Map<NodeId, org.onionpeer.dir.RelayInfo> routers = new HashMap<>();

    /**
     * @param identityKey our Ed25519 identity key (raw 32 bytes); our ID is SHA-1 of its SPKI
     * @param relays true on a bridge: it registers pages and relays for them
     * @param bridgeAddress the bridge that introduces us (a bridge: itself), for our DHT contact
     */
    public PeerService(Node node, byte[] identityKey, Signer signer, boolean relays, BridgeAddress bridgeAddress,
            Limits limits) {
        this.node = node;
        this.identityKey = identityKey.clone();
        this.id = NodeId.ofKey(PeerCert.spkiOf(identityKey));
        this.signer = signer;
        this.relays = relays;
        this.bridgeAddress = bridgeAddress;
        this.limits = limits == null ? new Limits() : limits;
        node.links().setMessageHandler(this);
    }

    public NodeId id() {
        return id;
    }

    public PeerStats stats() {
        return stats;
    }

    public Limits limits() {
        return limits;
    }

    public void setListener(Listener l) {
        this.listener = l == null ? e -> { } : l;
    }

    /** Told when a peer left: its peer link (WebRTC) closed, or the bridges no longer know it. */
    public void onPeerLinkClosed(Consumer<NodeId> c) {
        this.peerLinkClosed = c;
    }

    /** Told why, when a page's link to its bridge closes (to link again). */
    public void onBridgeLinkClosed(Consumer<String> c) {
        this.bridgeLinkClosed = c;
    }

    /** A peer is gone (its link closed, or the bridges know it no more): those listening stop using it. */
    void peerLeft(NodeId peer) {
        peerLinkClosed.accept(peer);
    }

    /** Told when the link to a federated bridge closes (a bridge: to join it again). */
    public void onFederationClosed(Consumer<NodeId> c) {
        this.federationClosed = c;
    }

    void event(String e) {
        listener.event(e);
    }

    public Node node() {
        return node;
    }

    Signer signer() {
        return signer;
    }

    byte[] identityKey() {
        return identityKey.clone();
    }

    /**
     * Starts our DHT node; {@code router}, when we relay circuits, is our signed router entry (onion key),
     * carried in our contact. Without {@code config}, the defaults, with {@link OrdbSource#VALIDATOR}.
     */
    public void startDht(PeerCert router, DhtConfig config) {
        Contact c = Contact.of(PeerCert.spkiOf(identityKey), bridgeAddress, new ArrayList<>());
        self = router == null ? c : c.withRouter(router.encode());
        byte[] seed = new byte[8];
        node.entropy().nextBytes(seed);
        long s = 0;
        for (byte b : seed) {
            s = s << 8 | (b & 0xff);
        }
        DhtConfig cfg = config;
        if (cfg == null) {
            cfg = new DhtConfig();
            cfg.validator = OrdbSource.VALIDATOR; // the peer network's DHT values are ORDB source records
        }
        dht = new Dht(node.scheduler(), dhtTransport, self, cfg, new Random(s));
    }

    public Dht dht() {
        return dht;
    }

    /** Enables WebRTC links (pages). */
    public void enablePeerLinks(PeerConnector connector, byte[] onionKey) {
        introductions = new Introductions(this, connector, onionKey);
    }

    public Introductions introductions() {
        return introductions;
    }

    /**
     * A page: {@code link} is its open link to its bridge (identity {@code bridgeKey}, Ed25519). Registers
     * with a certificate over the link's challenge, then joins the DHT through the bridge.
     */
    public void useBridge(Channel link, byte[] bridgeKey, Consumer<String> done) {
        byte[] challenge = link.authChallenge();
        if (challenge == null) {
            done.accept("the bridge link has no AUTH_CHALLENGE to sign");
            return;
        }
        bridgeLink = link;
        bridgeContact = Contact.of(PeerCert.spkiOf(bridgeKey), bridgeAddress, new ArrayList<>());
        idOf.put(link, bridgeContact.id());
        byte[] onion = introductions != null ? introductions.onionKey() : new byte[32];
        certifyOver(link, onion, cert -> {
            link.sendLinkMessage(PeerMessage.register(cert).encode());
            bootstrapThrough(bridgeContact, done);
        }, "the bridge link closed before registering", "cannot sign the registration: ", done);
    }

    /**
     * A bridge: federates with the bridge at the other end of {@code link} (we dialled it, so its CERTS proved
     * its Ed25519 identity {@code bridgeKey}). We prove ours with JOIN over its AUTH_CHALLENGE; from then on
     * each passes the other what is for its pages, and their DHT nodes know each other.
     */
    public void joinBridge(Channel link, byte[] bridgeKey, BridgeAddress address, Consumer<String> done) {
        if (!relays || link.authChallenge() == null) {
            done.accept(relays ? "the bridge link has no AUTH_CHALLENGE to sign" : "only bridges federate");
            return;
        }
        Contact theirs = Contact.of(PeerCert.spkiOf(bridgeKey), address, new ArrayList<>());
        certifyOver(link, new byte[32], cert -> {
            link.sendLinkMessage(PeerMessage.join(cert).encode());
            if (!federation.add(link, theirs.id(), registered.keySet())) {
                done.accept("federated with too many bridges");
                return;
            }
            idOf.put(link, theirs.id());
            event("federated with bridge " + theirs.id().shortHex());
            bootstrapThrough(theirs, done);
        }, "the link to the bridge closed before joining", "cannot sign the join: ", done);
    }

    /**
     * Signs our certificate (onion key {@code onion}, no bindings) over {@code link}'s AUTH_CHALLENGE
     * challenge, as REGISTER and JOIN carry it, and gives it to {@code ok} if the link is still open.
     */
    private void certifyOver(Channel link, byte[] onion, Consumer<PeerCert> ok, String closed, String cannotSign,
            Consumer<String> failed) {
        byte[] challenge = link.authChallenge();
        long expires = node.scheduler().epochSeconds() + limits.certLifetimeSeconds;
        byte[] tbs = PeerCert.toBeSigned(identityKey, onion, null, challenge, expires);
        signer.sign(tbs, sig -> {
            if (link.isOpen()) {
                ok.accept(PeerCert.of(identityKey, onion, null, challenge, expires, sig));
            } else {
                failed.accept(closed);
            }
        }, err -> failed.accept(cannotSign + err));
    }

    /** Joins the DHT with {@code seed} as the first contact (if we run a DHT node); then {@code done}. */
    private void bootstrapThrough(Contact seed, Consumer<String> done) {
        if (dht == null) {
            done.accept(null);
            return;
        }
        List<Contact> seeds = new ArrayList<>();
        seeds.add(seed);
        dht.bootstrap(seeds, r -> done.accept(null));
    }

    /** A bridge: how many bridges it is federated with, and how many of their pages it knows. */
    public int federatedBridges() {
        return federation.size();
    }

    public int remotePages() {
        return federation.remotePages();
    }

    /** The page's link to its bridge, or null. */
    public Channel bridgeLink() {
        return bridgeLink != null && bridgeLink.isOpen() ? bridgeLink : null;
    }

    /**
     * A bridge: a registered page as a relay we extend circuits to, over its link to us (EXTEND2 by its ID),
     * or null.
     */
    public org.onionpeer.dir.RelayInfo registeredRouter(byte[] rsaId) {
        if (rsaId.length != NodeId.BYTES) {
            return null;
        }
        NodeId n = NodeId.of(rsaId);
        Channel ch = registered.get(n);
        return ch != null && ch.isOpen() ? routers.get(n) : null;
    }

    /** A bridge: the pages registered now. */
    public int registeredCount() {
        return registered.size();
    }

    /** The ID a link proved (registration, peer certificate or our bridge), or null. */
    public NodeId idOf(Channel ch) {
        NodeId n = idOf.get(ch);
        if (n == null && ch.isPeerLink() && ch.peerIdentity() != null) {
            n = NodeId.of(ch.peerIdentity().rsaIdentity());
        }
        return n;
    }

    /** An open peer link (WebRTC) to {@code peer}, or null. */
    public Channel peerLink(NodeId peer) {
        Channel c = node.links().channelTo(RelayIdentity.rsaOnly(peer.bytes()));
        return c != null && c.isPeerLink() ? c : null;
    }

    // ---- link messages ----------------------------------------------------------------------------------

    @Override
    public void linkMessage(Channel ch, byte[] payload) {
        PeerMessage m;
        try {
            m = PeerMessage.decode(payload);
        } catch (ProtocolException e) {
            stats.malformed++;
            return;
        }
        if (!allow(ch, m)) {
            stats.rateLimited++;
            if (m.type() == PeerMessage.INTRODUCE) {
                ch.sendLinkMessage(PeerMessage.introduceFailed(m.peer(), "rate limited").encode());
            }
            return;
        }
        switch (m.type()) {
            case PeerMessage.REGISTER:
            case PeerMessage.JOIN:
                onRegister(ch, m);
                break;
            case PeerMessage.DHT:
                onDht(ch, m);
                break;
            case PeerMessage.RELAY:
                onRelay(ch, m);
                break;
            case PeerMessage.PRESENT:
            case PeerMessage.ABSENT:
                if (!federation.onList(ch, m)) {
                    stats.refused++;
                }
                break;
            default:
                onIntroduction(ch, m);
                break;
        }
    }

    private static final int INTRODUCE_KIND = 0;
    private static final int DHT_KIND = 1;
    private static final int ANSWER_KIND = 2;

    private boolean allow(Channel ch, PeerMessage m) {
        long now = node.scheduler().nowMillis();
        if (federation.isBridgeLink(ch)) {
            return windows.allow(ch, INTRODUCE_KIND, limits.federatedPerSecond, now); // all kinds together
        }
        if (m.type() == PeerMessage.PRESENT || m.type() == PeerMessage.ABSENT) {
            return true; // refused below: only federated bridges send them
        }
        if (m.type() == PeerMessage.RELAY) {
            m = m.inner(); // counted as what it carries
        }
        int kind;
        int limit;
        switch (m.type()) {
            case PeerMessage.DHT:
                kind = DHT_KIND;
                limit = limits.dhtPerSecond;
                break;
            case PeerMessage.INTRODUCED:
            case PeerMessage.INTRODUCE_FAILED:
                kind = ANSWER_KIND;
                limit = limits.answersPerSecond;
                break;
            default:
                kind = INTRODUCE_KIND;
                limit = limits.introducePerSecond;
                break;
        }
        if (!relays && ch == bridgeLink && !m.peer().equals(PeerMessage.LINK_PEER)) {
            // Our bridge relays for every peer (and limits each asker's link): one peer's flood must not use
            // up what the others may send us through it, so relayed messages are limited per peer.
            return relayedWindows.allow(m.peer(), kind, limit, now);
        }
        return windows.allow(ch, kind, limit, now);
    }

    private void onRegister(Channel ch, PeerMessage m) {
        byte[] challenge = ch.authChallenge();
        if (!relays || ch.role() != Channel.Role.RESPONDER || challenge == null) {
            stats.refused++;
            return;
        }
        NodeId who;
        try {
            who = m.cert().verify(null, challenge, node.scheduler().epochSeconds());
        } catch (ProtocolException e) {
            stats.refused++;
            event("registration refused: " + e.getMessage());
            return;
        }
        NodeId before = idOf.get(ch);
        if (before != null && !before.equals(who)) {
            stats.refused++; // one identity per link
            return;
        }
        if (m.type() == PeerMessage.JOIN) {
            if (!federation.add(ch, who, registered.keySet())) {
                stats.refused++;
                return;
            }
            idOf.put(ch, who);
            event("bridge " + who.shortHex() + " federated with us");
            return;
        }
        if (!registered.containsKey(who) && registered.size() >= limits.maxRegistered) {
            stats.refused++;
            return;
        }
        Channel old = registered.put(who, ch);
        if (old != null && old != ch) {
            idOf.remove(old);
        }
        idOf.put(ch, who);
        // Its certificate names its onion key: circuits may be extended to the page over this link.
        PeerCert cert = m.cert();
        if (!java.util.Arrays.equals(cert.onionKey(), new byte[32])) {
            routers.put(who, PeerNode.asRelay(cert));
            node.links().adopt(ch, PeerLinkAuth.identityOf(cert));
        }
        stats.registrations++;
        if (old == null) {
            federation.announce(who, true);
        }
    }

    private void onDht(Channel ch, PeerMessage m) {
        NodeId from = idOf(ch);
        if (from == null) {
            stats.refused++; // an unregistered link cannot speak for any ID
            return;
        }
        if (m.peer().equals(PeerMessage.LINK_PEER)) {
            dhtTransport.deliver(from, m.dhtMessage());
        } else if (relays) {
            route(ch, m.peer(), m.withPeer(from));
        } else if (ch == bridgeLink) {
            dhtTransport.deliver(m.peer(), m.dhtMessage()); // relayed by our bridge, from m.peer()
        } else {
            stats.refused++;
        }
    }

    private void onIntroduction(Channel ch, PeerMessage m) {
        NodeId from = idOf(ch);
        if (from == null || m.peer().equals(PeerMessage.LINK_PEER)) {
            stats.refused++;
            return;
        }
        if (relays) {
            route(ch, m.peer(), m.withPeer(from));
        } else if (ch == bridgeLink && introductions != null) {
            introductions.onMessage(m, null);
        } else if (ch.isPeerLink() && introductions != null) {
            introductions.onMessage(m, ch); // passed on by a peer linked to both of us
        } else {
            stats.refused++;
        }
    }

    /**
     * RELAY: from a federated bridge, its inner message already says whom it is from; from anyone else, the
     * link's proven ID is the sender. Pages relay nothing yet.
     */
    private void onRelay(Channel ch, PeerMessage m) {
        NodeId from = idOf(ch);
        if (!relays && from != null && ch.isPeerLink()) {
            relayIntroduction(ch, from, m.peer(), m.inner());
            return;
        }
        if (!relays || from == null) {
            stats.refused++;
            return;
        }
        PeerMessage inner = m.inner();
        if (!federation.isBridgeLink(ch)) {
            inner = inner.withPeer(from);
        } else if (inner.peer().equals(PeerMessage.LINK_PEER)) {
            stats.refused++;
            return;
        }
        route(ch, m.peer(), inner);
    }

    /**
     * A page passes an introduction from one linked peer to another linked peer (never DHT messages: those
     * go over direct links or through bridges). A peer it is not linked to gets INTRODUCE_FAILED.
     */
    private void relayIntroduction(Channel ch, NodeId from, NodeId to, PeerMessage inner) {
        if (inner.type() == PeerMessage.DHT) {
            stats.refused++;
            return;
        }
        Channel dest = peerLink(to);
        if (dest != null && dest != ch) {
            dest.sendLinkMessage(inner.withPeer(from).encode());
            stats.introductionsRelayed++;
        } else if (inner.type() == PeerMessage.INTRODUCE) {
            ch.sendLinkMessage(PeerMessage.introduceFailed(to, "not linked").encode());
        }
    }

    /**
     * A bridge passes {@code m} (its peer ID: the sender) on to {@code to}: ourselves (the DHT), a page
     * registered here, or, unless it came from a federated bridge (never forward twice), the federated bridge
     * {@code to} is at. An INTRODUCE that cannot be passed on is answered with INTRODUCE_FAILED.
     */
    private void route(Channel ch, NodeId to, PeerMessage m) {
        boolean intro = m.type() != PeerMessage.DHT;
        if (to.equals(id)) {
            if (m.type() == PeerMessage.DHT) {
                dhtTransport.deliver(m.peer(), m.dhtMessage());
            } else {
                stats.refused++; // a bridge is introduced to nobody
            }
            return;
        }
        Channel dest = registered.get(to);
        if (dest != null && dest != ch && dest.isOpen()) {
            dest.sendLinkMessage(m.encode());
        } else if (dest == null && !federation.isBridgeLink(ch) && (dest = federation.routeTo(to)) != null
                && dest != ch) {
            dest.sendLinkMessage(PeerMessage.relay(to, m).encode());
            stats.federated++;
        } else {
            if (m.type() == PeerMessage.INTRODUCE) {
                PeerMessage failed = PeerMessage.introduceFailed(to, PeerMessage.UNKNOWN_PEER);
                ch.sendLinkMessage((federation.isBridgeLink(ch) ? PeerMessage.relay(m.peer(), failed)
                        : failed).encode());
            }
            return;
        }
        if (intro) {
            stats.introductionsRelayed++;
        } else {
            stats.dhtRelayed++;
        }
    }

    @Override
    public void linkOpened(Channel channel) {
        stats.linksOpened++;
    }

    @Override
    public void linkClosed(Channel ch) {
        String why = ch.closeReason();
        if (ch.isPeerLink() && ch.peerIdentity() == null && why != null && why.startsWith("protocol error: ")) {
            stats.peerCertsRefused++; // its certificate did not verify, or proved someone else
            event("peer link refused: " + why.substring(16));
        }
        windows.forget(ch);
        if (ch.isPeerLink() && ch.peerIdentity() != null) {
            peerLinkClosed.accept(NodeId.of(ch.peerIdentity().rsaIdentity()));
        }
        NodeId n = idOf.remove(ch);
        if (n != null && registered.get(n) == ch) {
            registered.remove(n);
            routers.remove(n);
            federation.announce(n, false);
        }
        NodeId gone = federation.closed(ch);
        if (gone != null) {
            event("federation with bridge " + gone.shortHex() + " closed");
            federationClosed.accept(gone);
        }
        if (ch == bridgeLink) {
            bridgeLink = null;
            relayedWindows.clear();
            bridgeLinkClosed.accept(why == null ? "closed" : why);
        }
    }

    /** Sends an introduction message to our bridge (pages). */
    boolean toBridge(PeerMessage m) {
        Channel b = bridgeLink();
        if (b == null) {
            return false;
        }
        b.sendLinkMessage(m.encode());
        return true;
    }

    // ---- the DHT's transport ------------------------------------------------------------------------------

    private final class Transport implements DhtTransport {
        private Receiver receiver;

        @Override
        public void send(Contact to, byte[] message) {
            PeerMessage direct = PeerMessage.dht(PeerMessage.LINK_PEER, message);
            Channel ch = registered.get(to.id());
            if (ch == null) {
                ch = peerLink(to.id());
            }
            if (ch == null && bridgeContact != null && to.id().equals(bridgeContact.id())) {
                ch = bridgeLink();
            }
            if (ch == null) {
                ch = federation.bridge(to.id());
            }
            Channel via;
            if (ch != null && ch.isOpen()) {
                ch.sendLinkMessage(direct.encode());
            } else if (relays && (via = federation.routeTo(to.id())) != null) {
                via.sendLinkMessage(PeerMessage.relay(to.id(), PeerMessage.dht(id, message)).encode());
            } else if (!relays && bridgeLink() != null) {
                bridgeLink.sendLinkMessage(PeerMessage.dht(to.id(), message).encode()); // the bridge relays it
            }
            // else: unreachable now; the DHT's request timeout handles it.
        }

        @Override
        public void setReceiver(Receiver receiver) {
            this.receiver = receiver;
        }

        void deliver(NodeId from, byte[] message) {
            if (receiver != null) {
                receiver.onMessage(from, message);
            }
        }
    }
}
