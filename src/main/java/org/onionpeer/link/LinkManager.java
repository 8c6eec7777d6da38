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
 */
public final class LinkManager implements Channel.Handler {
    /** Where cells and link closures go (the node's circuit table). */
    public interface Sink {
        void cell(Channel channel, Cell cell);

        void channelClosed(Channel channel);
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
    private IpAddress ourAddress;

    private final Set<Channel> channels = new LinkedHashSet<>();
    private final Map<RelayIdentity, Channel> byIdentity = new HashMap<>();
    private final Map<RelayIdentity, List<ConnectCallback>> pending = new HashMap<>();
    private final Map<Channel, RelayIdentity> dialing = new HashMap<>();

    public LinkManager(Scheduler scheduler, Entropy entropy, Dialer dialer, Sink sink, Channel.Limits limits) {
        this.scheduler = scheduler;
        this.entropy = entropy;
        this.dialer = dialer;
        this.sink = sink;
        this.limits = limits == null ? new Channel.Limits() : limits;
    }

    /** Makes this node able to accept links (a relay). */
    public void setResponder(CertsProvider provider, IpAddress ourAddress) {
        this.certsProvider = provider;
        this.ourAddress = ourAddress;
    }

    /** An open, identity-checked link to {@code relay}, reusing one we have. */
    public void connect(RelayInfo relay, ConnectCallback cb) {
        RelayIdentity id = relay.identity();
        Channel have = byIdentity.get(id);
        // A full link is not reused: one client may fill the link it opened to us up to the circuit limit
        // and extend every circuit to the same relay, and the relay at the far end applies the same limit
        // to our link. We open another link instead, so that one client cannot deny that relay to everyone.
        if (have != null && have.isOpen() && !have.atCircuitLimit()) {
            cb.connected(have);
            return;
        }
        List<ConnectCallback> waiting = pending.get(id);
        if (waiting != null) {
            waiting.add(cb);
            return;
        }
        String address = null;
        for (String a : relay.addresses()) {
            if (dialer.canDial(a)) {
                address = a;
                break;
            }
        }
        if (address == null) {
            cb.failed("no reachable address for " + relay);
            return;
        }
        waiting = new ArrayList<>();
        waiting.add(cb);
        pending.put(id, waiting);
        dialer.dial(address, new Dialer.DialCallback() {
            @Override
            public void connected(Transport transport, org.onionpeer.cert.LinkBinding binding, IpAddress peer) {
                Channel ch = Channel.initiate(transport, scheduler, entropy, LinkManager.this, limits, binding, id, peer);
                channels.add(ch);
                dialing.put(ch, id);
            }

            @Override
            public void failed(String reason) {
                fail(id, "cannot reach " + relay + ": " + reason);
            }
        });
    }

    private void fail(RelayIdentity id, String reason) {
        List<ConnectCallback> waiting = pending.remove(id);
        if (waiting != null) {
            for (ConnectCallback cb : waiting) {
                cb.failed(reason);
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
                peer, ourAddress);
        if (linkDigest != null) {
            ch.markTransportBound();
        }
        channels.add(ch);
        return ch;
    }

    public List<Channel> channels() {
        return new ArrayList<>(channels);
    }

    /** The open link to a relay, if we have one. */
    public Channel channelTo(RelayIdentity id) {
        Channel c = byIdentity.get(id);
        return c != null && c.isOpen() ? c : null;
    }

    public void closeAll(String reason) {
        for (Channel c : new ArrayList<>(channels)) {
            c.close(reason);
        }
    }

    // ---- Channel.Handler -------------------------------------------------------------------------------

    @Override
    public void opened(Channel channel) {
        RelayIdentity id = dialing.remove(channel);
        if (id != null) {
            byIdentity.put(id, channel);
            List<ConnectCallback> waiting = pending.remove(id);
            if (waiting != null) {
                for (ConnectCallback cb : waiting) {
                    cb.connected(channel);
                }
            }
        }
    }

    @Override
    public void cell(Channel channel, Cell cell) {
        sink.cell(channel, cell);
    }

    @Override
    public void closed(Channel channel, String reason) {
        channels.remove(channel);
        RelayIdentity id = dialing.remove(channel);
        if (id != null) {
            fail(id, "link to " + id.fingerprint().substring(0, 8) + " failed: " + reason);
        }
        RelayIdentity peer = channel.peerIdentity();
        if (peer != null && byIdentity.get(peer) == channel) {
            byIdentity.remove(peer);
        }
        sink.channelClosed(channel);
    }
}
