package org.onionpeer.link;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.platform.Entropy;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Transport;

/**
 * A node's links. Opens one link per relay identity and reuses it for every circuit through that relay
 * until it is full, then opens another (concurrent requests for the same relay share one dial); accepts
 * inbound links when the node is a relay; hands every circuit cell and every closed link to the node's
 * {@link Sink}.
 *
 * <p>Links are indexed by the relay's RSA fingerprint (tor's relay key): a caller may know only that
 * ({@link RelayIdentity#rsaOnly}, e.g. a directory authority's DirAuthority line), and the link's
 * CERTS-proven identity then supplies the Ed25519 half; a caller who knows both gets a link only when both
 * match.
 */
public final class LinkManager implements Channel.Handler {
    /** Where cells and link closures go (the node's circuit table). */
    public interface Sink {
        void cell(Channel channel, Cell cell);

        void channelClosed(Channel channel);
    }

    /** Where peer-network messages on links go (the node's peer service). */
    public interface MessageHandler {
        void linkMessage(Channel channel, byte[] payload);

        /** A link opened (either way), so the peer service can index links by proven identity. */
        default void linkOpened(Channel channel) {
        }

        default void linkClosed(Channel channel) {
        }
    }

    /** Makes our CERTS cell for an inbound link, given the 32 bytes its type-5 certificate must certify. */
    public interface CertsProvider {
        CertsCell certsFor(byte[] linkDigest);
    }

    /** The result of {@link #connect}. */
    public interface ConnectCallback {
        void connected(Channel channel);

        void failed(String reason);
    }

    private final Scheduler scheduler;
    private final Entropy entropy;
    private final Dialer dialer;
    private final Sink sink;
    private final Channel.Limits limits;
    private CertsProvider certsProvider;
    private Channel.QueueObserver queueObserver;
    private IpAddress ourAddress;
    private MessageHandler messageHandler;
    private org.onionpeer.cert.LinkAuthKeys authKeys;

    private final Set<Channel> channels = new LinkedHashSet<>();
    /** By RSA fingerprint (hex). */
    private final Map<String, Channel> byIdentity = new HashMap<>();
    /** By RSA fingerprint: who waits for the link being dialled, each with the identity it expects. */
    private final Map<String, List<Waiter>> pending = new HashMap<>();
    private final Map<Channel, String> dialing = new HashMap<>();

    private static final class Waiter {
        final RelayIdentity expected;
        final ConnectCallback cb;

        Waiter(RelayIdentity expected, ConnectCallback cb) {
            this.expected = expected;
            this.cb = cb;
        }
    }

    public LinkManager(Scheduler scheduler, Entropy entropy, Dialer dialer, Sink sink, Channel.Limits limits) {
        this.scheduler = scheduler;
        this.entropy = entropy;
        this.dialer = dialer;
        this.sink = sink;
        this.limits = limits == null ? new Channel.Limits() : limits;
    }

    /** Told of the bytes every link of this manager queues from now on. */
    public void setQueueObserver(Channel.QueueObserver observer) {
        this.queueObserver = observer;
    }

    /** Where peer-network messages go; without one they are dropped. */
    public void setMessageHandler(MessageHandler h) {
        this.messageHandler = h;
    }

    /** Makes this node able to accept links (a relay). */
    public void setResponder(CertsProvider provider, IpAddress ourAddress) {
        this.certsProvider = provider;
        this.ourAddress = ourAddress;
    }

    /**
     * Makes the links this (relay's) node opens authenticate with {@code keys} where the transport allows
     * (AUTH0003, see {@link Channel#authenticateAs}); null: never (an onion proxy).
     */
    public void setInitiatorAuth(org.onionpeer.cert.LinkAuthKeys keys) {
        this.authKeys = keys;
    }

    /** An open, identity-checked link to {@code relay}, reusing one we have. */
    public void connect(RelayInfo relay, ConnectCallback cb) {
        RelayIdentity id = relay.identity();
        String key = id.fingerprint();
        Channel have = byIdentity.get(key);
        // A full link is not reused: one client may fill the link it opened to us up to the circuit limit
        // and extend every circuit to the same relay, and the relay at the far end applies the same limit
        // to our link. We open another link instead, so that one client cannot deny that relay to everyone.
        if (have != null && have.isOpen() && !have.atCircuitLimit() && id.matches(have.peerIdentity())) {
            cb.connected(have);
            return;
        }
        List<Waiter> waiting = pending.get(key);
        if (waiting != null) {
            waiting.add(new Waiter(id, cb));
            return;
        }
        LinkTarget target = null;
        for (LinkTarget t : relay.targets()) {
            if (dialer.canDial(t)) {
                target = t;
                break;
            }
        }
        if (target == null) {
            cb.failed("no reachable address for " + relay);
            return;
        }
        waiting = new ArrayList<>();
        waiting.add(new Waiter(id, cb));
        pending.put(key, waiting);
        dialer.dial(target, new Dialer.DialCallback() {
            @Override
            public void connected(Transport transport, org.onionpeer.cert.LinkBinding binding, IpAddress peer) {
                Channel ch = Channel.initiate(transport, scheduler, entropy, LinkManager.this, limits, binding, id, peer,
                        queueObserver);
                if (authKeys != null) {
                    ch.authenticateAs(authKeys);
                }
                channels.add(ch);
                dialing.put(ch, key);
            }

            @Override
            public void connectedPeer(Transport transport, PeerAuth auth) {
                Channel ch = Channel.initiatePeer(transport, scheduler, entropy, LinkManager.this, limits, auth, id,
                        queueObserver);
                channels.add(ch);
                dialing.put(ch, key);
            }

            @Override
            public void failed(String reason) {
                fail(key, "cannot reach " + relay + ": " + reason);
            }
        });
    }

    private void fail(String key, String reason) {
        List<Waiter> waiting = pending.remove(key);
        if (waiting != null) {
            for (Waiter w : waiting) {
                w.cb.failed(reason);
            }
        }
    }

    /**
     * Accepts an inbound transport as a relay. {@code linkDigest} is SHA-256 of our TLS certificate on TLS;
     * for transports without a certificate (WebSocket), pass null and a random value is certified (the
     * peer cannot bind it, and knows so).
     */
    public Channel accept(Transport transport, byte[] linkDigest, IpAddress peer) {
        if (certsProvider == null) {
            transport.close("not a relay");
            return null;
        }
        byte[] digest = linkDigest;
        if (digest == null) {
            digest = new byte[32];
            entropy.nextBytes(digest);
        }
        Channel ch = Channel.accept(transport, scheduler, entropy, this, limits, certsProvider.certsFor(digest),
                peer, ourAddress, queueObserver);
        if (linkDigest != null) {
            ch.markTransportBound();
        }
        channels.add(ch);
        return ch;
    }

    /** Accepts an inbound peer link (WebRTC), authenticated both ways with {@code auth}. */
    public Channel acceptPeer(Transport transport, PeerAuth auth) {
        Channel ch = Channel.acceptPeer(transport, scheduler, entropy, this, limits, auth, queueObserver);
        channels.add(ch);
        return ch;
    }

    public List<Channel> channels() {
        return new ArrayList<>(channels);
    }

    /** The open link to a relay, if we have one. */
    public Channel channelTo(RelayIdentity id) {
        Channel c = byIdentity.get(id.fingerprint());
        return c != null && c.isOpen() && id.matches(c.peerIdentity()) ? c : null;
    }

    public void closeAll(String reason) {
        for (Channel c : new ArrayList<>(channels)) {
            c.close(reason);
        }
    }

    // ---- Channel.Handler -------------------------------------------------------------------------------

    /**
     * An inbound link whose initiator a higher layer proved to be {@code id} (see {@link Channel#provenBy}):
     * circuits to {@code id} may be extended over it.
     */
    public void adopt(Channel channel, RelayIdentity id) {
        if (channel.peerIdentity() == null) {
            channel.provenBy(id);
        }
        if (id.matches(channel.peerIdentity())) {
            Channel old = byIdentity.get(id.fingerprint());
            if (old == null || !old.isOpen()) {
                byIdentity.put(id.fingerprint(), channel);
            }
        }
    }

    @Override
    public void opened(Channel channel) {
        // An inbound peer link proved its identity: circuits may extend over it (tor reuses inbound links
        // from authenticated relays the same way).
        if (channel.role() == Channel.Role.RESPONDER && channel.isPeerLink() && channel.peerIdentity() != null) {
            byIdentity.putIfAbsent(channel.peerIdentity().fingerprint(), channel);
        }
        if (messageHandler != null) {
            messageHandler.linkOpened(channel);
        }
        String key = dialing.remove(channel);
        if (key != null) {
            byIdentity.put(key, channel);
            List<Waiter> waiting = pending.remove(key);
            if (waiting != null) {
                for (Waiter w : waiting) {
                    // The channel checked the first waiter's expectation; a later one may have expected a
                    // different Ed25519 identity for the same RSA fingerprint.
                    if (w.expected.matches(channel.peerIdentity())) {
                        w.cb.connected(channel);
                    } else {
                        w.cb.failed("link to " + key.substring(0, 8) + " proved " + channel.peerIdentity()
                                + ", expected " + w.expected);
                    }
                }
            }
        }
    }

    @Override
    public void cell(Channel channel, Cell cell) {
        sink.cell(channel, cell);
    }

    @Override
    public void linkMessage(Channel channel, byte[] payload) {
        if (messageHandler != null) {
            messageHandler.linkMessage(channel, payload);
        }
    }

    @Override
    public void closed(Channel channel, String reason) {
        channels.remove(channel);
        String key = dialing.remove(channel);
        if (key != null) {
            fail(key, "link to " + key.substring(0, 8) + " failed: " + reason);
        }
        RelayIdentity peer = channel.peerIdentity();
        if (peer != null && byIdentity.get(peer.fingerprint()) == channel) {
            byIdentity.remove(peer.fingerprint());
        }
        if (messageHandler != null) {
            messageHandler.linkClosed(channel);
        }
        sink.channelClosed(channel);
    }
}
