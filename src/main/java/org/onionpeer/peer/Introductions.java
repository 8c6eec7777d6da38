package org.onionpeer.peer;

import java.util.HashMap;
import java.util.Map;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.dht.NodeId;
import org.onionpeer.link.Channel;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Transport;

/**
 * WebRTC links made through a bridge (the Peersm INTRODUCE / INTRODUCED exchange). The asking side makes an
 * offer and sends INTRODUCE [ID_B, offer] to its bridge, which passes it to B as INTRODUCE [ID_A, offer]; B
 * answers with INTRODUCED, passed back the same way. Each side then signs a certificate over both DTLS
 * fingerprints (ours from our description, theirs from theirs) and the link handshake checks the other's
 * ({@link PeerLinkAuth}). The bridge sees the descriptions but cannot take either side's place: it cannot
 * sign for their keys.
 */
public final class Introductions {
    private final PeerService service;
    private final PeerConnector connector;
    private final byte[] onionKey;
    private final Map<NodeId, Outgoing> outgoing = new HashMap<>();
    private int incoming;
    /** The answer we are setting up for each asker: one per asker at a time. */
    private final Map<NodeId, Incoming> answering = new HashMap<>();

    Introductions(PeerService service, PeerConnector connector, byte[] onionKey) {
        this.service = service;
        this.connector = connector;
        this.onionKey = onionKey.clone();
    }

    byte[] onionKey() {
        return onionKey.clone();
    }

    /** The address a dialer gives peers: "webrtc:" + the peer's ID in hex. */
    public static String address(NodeId peer) {
        return LinkTarget.webrtc(peer.hex()).toString();
    }

    /** The peer a target names, or null when it is not a WebRTC one. */
    public static NodeId peerOf(LinkTarget target) {
        return target.kind() == LinkTarget.WEBRTC ? NodeId.fromHex(target.name()) : null;
    }

    /**
     * Sends an introduction message for {@code to} the way it must go: through our bridge ({@code via} null),
     * or through a peer linked to both sides, wrapped in RELAY ("pass this on to"); false if that link is gone.
     */
    private boolean send(Channel via, PeerMessage m) {
        if (via == null) {
            return service.toBridge(m);
        }
        if (!via.isOpen()) {
            return false;
        }
        via.sendLinkMessage(PeerMessage.relay(m.peer(), m.withPeer(PeerMessage.LINK_PEER)).encode());
        return true;
    }

    /** A setup in progress: our session, our fingerprint, and who waits for the link. */
    private final class Outgoing {
        final NodeId peer;
        final Dialer.DialCallback cb;
        /** Through whom the introduction goes now (null: our bridge), and the peers still to try after it. */
        Channel via;
        final java.util.ArrayDeque<Channel> others = new java.util.ArrayDeque<>();
        String offer;
        PeerConnector.Session session;
        byte[] ourFingerprint;
        PeerLinkAuth auth;
        Transport transport;
        boolean done;
        Scheduler.Cancellable timer;

        Outgoing(NodeId peer, Dialer.DialCallback cb) {
            this.peer = peer;
            this.cb = cb;
        }

        void fail(String reason) {
            if (done) {
                return;
            }
            done = true;
            timer.cancel();
            outgoing.remove(peer, this);
            service.stats().introductionsFailed++;
            if (session != null) {
                session.close();
            }
            if (transport != null) {
                transport.close(reason);
            }
            cb.failed(reason);
        }

        void maybeDone() {
            if (!done && auth != null && transport != null) {
                done = true;
                timer.cancel();
                outgoing.remove(peer, this);
                service.stats().introductionsMade++;
                cb.connectedPeer(transport, auth);
            }
        }
    }

    /**
     * Links to {@code peer} (the LinkManager's dial for a "webrtc:" address), introduced through our bridge,
     * or, if the bridge cannot (we lost it, or it does not know the peer), through the peers we are linked to,
     * one after the other: one linked to both sides passes the introduction on.
     */
    public void dial(NodeId peer, Dialer.DialCallback cb) {
        java.util.List<Channel> peers = new java.util.ArrayList<>();
        for (Channel c : service.node().links().channels()) {
            NodeId n = c.isPeerLink() && c.isOpen() && c.peerIdentity() != null ? service.idOf(c) : null;
            if (n != null && !n.equals(peer)) {
                peers.add(c);
            }
        }
        if (service.bridgeLink() == null && peers.isEmpty()) {
            cb.failed("no link to a bridge or a peer to be introduced through");
            return;
        }
        if (outgoing.containsKey(peer)) {
            cb.failed("already being introduced to " + peer.shortHex());
            return;
        }
        if (service.node().links().channels().size() >= service.limits().maxPeerLinks + 8) {
            cb.failed("too many links");
            return;
        }
        Outgoing o = new Outgoing(peer, cb);
        o.others.addAll(peers);
        o.via = service.bridgeLink() != null ? null : o.others.poll();
        outgoing.put(peer, o);
        o.timer = service.node().scheduler().schedule(service.limits().introduceTimeoutMillis,
                () -> o.fail("introduction to " + peer.shortHex() + " timed out"));
        connector.offer(new PeerConnector.Events() {
            @Override
            public void described(PeerConnector.Session session, String offer) {
                o.session = session;
                if (o.done) {
                    session.close();
                    return;
                }
                try {
                    o.ourFingerprint = Sdp.fingerprint(offer);
                    o.offer = offer;
                    if (!send(o.via, PeerMessage.introduce(peer, offer))) {
                        o.fail(o.via == null ? "the bridge link closed" : "the link to the introducer closed");
                    }
                } catch (ProtocolException e) {
                    o.fail("our own offer: " + e.getMessage());
                }
            }

            @Override
            public void opened(Transport transport) {
                if (o.done) {
                    transport.close("introduction abandoned");
                    return;
                }
                o.transport = transport;
                o.maybeDone();
            }

            @Override
            public void failed(String reason) {
                o.fail("WebRTC: " + reason);
            }
        });
    }

    /**
     * INTRODUCE, INTRODUCED or INTRODUCE_FAILED passed on by our bridge ({@code via} null) or by a linked
     * peer ({@code via}), {@code m.peer()} the other side. Answers go back the same way; an answer counts
     * only from the way we asked.
     */
    void onMessage(PeerMessage m, Channel via) {
        switch (m.type()) {
            case PeerMessage.INTRODUCE:
                answer(m.peer(), m.description(), via);
                break;
            case PeerMessage.INTRODUCED: {
                Outgoing o = outgoing.get(m.peer());
                if (o == null || o.session == null || o.ourFingerprint == null || o.via != via) {
                    service.stats().refused++; // nobody asked, or not yet: a late or forged answer
                    return;
                }
                String answer = m.description();
                byte[] theirs;
                try {
                    theirs = Sdp.fingerprint(answer);
                } catch (ProtocolException e) {
                    o.fail("bad answer from " + m.peer().shortHex() + ": " + e.getMessage());
                    return;
                }
                sign(o.ourFingerprint, theirs, auth -> {
                    o.auth = auth;
                    o.maybeDone();
                }, o::fail);
                o.session.setRemote(answer);
                break;
            }
            case PeerMessage.INTRODUCE_FAILED: {
                Outgoing o = outgoing.get(m.peer());
                if (o == null || o.via != via) {
                    break;
                }
                // Not this way: try the next peer we are linked to, with the same offer.
                Channel next;
                while ((next = o.others.poll()) != null && o.offer != null) {
                    if (send(next, PeerMessage.introduce(o.peer, o.offer))) {
                        o.via = next;
                        return;
                    }
                }
                o.fail((via == null ? "the bridge" : "the peers we are linked to") + " could not introduce us to "
                        + m.peer().shortHex() + ": " + m.reason());
                if (via == null && PeerMessage.UNKNOWN_PEER.equals(m.reason())) {
                    service.peerLeft(m.peer()); // the bridges know it no more: its tab closed
                }
                break;
            }
            default:
                break;
        }
    }

    /** An answer we are setting up for an asker: its session, our certificate, the data channel. */
    private final class Incoming {
        final NodeId from;
        final Channel via;
        PeerConnector.Session session;
        PeerLinkAuth auth;
        Transport open;
        boolean ended;
        Scheduler.Cancellable timer;

        Incoming(NodeId from, Channel via) {
            this.from = from;
            this.via = via;
        }

        void fail(String reason) {
            if (ended) {
                return;
            }
            ended = true;
            incoming--;
            answering.remove(from, this);
            timer.cancel();
            service.stats().introductionsFailed++;
            if (session != null) {
                session.close();
            }
            if (open != null) {
                open.close(reason);
            }
            service.event("introduction from " + from.shortHex() + " failed: " + reason);
        }

        void maybeDone() {
            if (!ended && auth != null && open != null) {
                ended = true;
                incoming--;
                answering.remove(from, this);
                timer.cancel();
                service.stats().introductionsAnswered++;
                service.node().links().acceptPeer(open, auth);
            }
        }
    }

    private void answer(NodeId from, String offer, Channel via) {
        byte[] theirs;
        try {
            theirs = Sdp.fingerprint(offer);
        } catch (ProtocolException e) {
            service.stats().refused++;
            send(via, PeerMessage.introduceFailed(from, "bad offer"));
            return;
        }
        // A newer introduction from the same peer replaces its older one (a retry, or a flood: either way one
        // asker holds at most one of our few answering slots).
        Incoming older = answering.get(from);
        if (older != null) {
            older.fail("superseded by a newer introduction");
        }
        if (incoming >= 4 || service.node().links().channels().size() >= service.limits().maxPeerLinks + 8) {
            send(via, PeerMessage.introduceFailed(from, "busy"));
            return;
        }
        incoming++;
        Incoming in = new Incoming(from, via);
        answering.put(from, in);
        in.timer = service.node().scheduler().schedule(service.limits().introduceTimeoutMillis,
                () -> in.fail("timed out"));
        connector.answer(offer, new PeerConnector.Events() {
            @Override
            public void described(PeerConnector.Session session, String answer) {
                in.session = session;
                if (in.ended) {
                    session.close();
                    return;
                }
                byte[] ours;
                try {
                    ours = Sdp.fingerprint(answer);
                } catch (ProtocolException e) {
                    in.fail("our own answer: " + e.getMessage());
                    return;
                }
                // The answer leaves only with our certificate ready: the data channel may open (and the
                // offerer's VERSIONS arrive) as soon as the offerer has it, and bytes that reach a transport
                // before the link takes it are lost.
                sign(ours, theirs, a -> {
                    in.auth = a;
                    if (!in.ended) {
                        send(in.via, PeerMessage.introduced(from, answer));
                    }
                    in.maybeDone();
                }, in::fail);
            }

            @Override
            public void opened(Transport transport) {
                if (in.ended) {
                    transport.close("introduction abandoned");
                    return;
                }
                in.open = transport;
                in.maybeDone();
            }

            @Override
            public void failed(String reason) {
                if (!in.ended) {
                    // Said at once, so the asker need not wait out its timeout (a node without WebRTC).
                    send(in.via, PeerMessage.introduceFailed(from, "WebRTC: " + reason));
                }
                in.fail("WebRTC: " + reason);
            }
        });
    }

    private void sign(byte[] ours, byte[] theirs, java.util.function.Consumer<PeerLinkAuth> ok,
            java.util.function.Consumer<String> failed) {
        long expires = service.node().scheduler().epochSeconds() + service.limits().certLifetimeSeconds;
        byte[] key = service.identityKey();
        byte[] tbs = PeerCert.toBeSigned(key, onionKey, ours, theirs, expires);
        service.signer().sign(tbs, sig -> ok.accept(new PeerLinkAuth(PeerCert.of(key, onionKey, ours, theirs,
                expires, sig), ours, theirs)), err -> failed.accept("cannot sign the link certificate: " + err));
    }

    /** A dialer for "webrtc:" addresses in front of the platform's dialer for the rest. */
    public Dialer dialerOver(Dialer other) {
        return new Dialer() {
            @Override
            public boolean canDial(LinkTarget target) {
                return peerOf(target) != null || other.canDial(target);
            }

            @Override
            public void dial(LinkTarget target, DialCallback callback) {
                NodeId p = peerOf(target);
                if (p != null) {
                    Introductions.this.dial(p, callback);
                } else {
                    other.dial(target, callback);
                }
            }
        };
    }
}
