package org.onionpeer.peer;

import org.onionpeer.dht.NodeId;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;

/**
 * The dialer of a node that links to peers: "webrtc:ID" addresses go through {@link Introductions} (set
 * once the peer service exists, which needs the node, which needs this dialer), the rest to the platform's.
 */
public final class PeerDialer implements Dialer {
    private final Dialer base;
    private Introductions introductions;

    public PeerDialer(Dialer base) {
        this.base = base;
    }

    public void setIntroductions(Introductions i) {
        this.introductions = i;
    }

    @Override
    public boolean canDial(LinkTarget target) {
        return Introductions.peerOf(target) != null ? introductions != null : base.canDial(target);
    }

    @Override
    public void dial(LinkTarget target, DialCallback callback) {
        NodeId peer = Introductions.peerOf(target);
        if (peer == null) {
            base.dial(target, callback);
        } else if (introductions == null) {
            callback.failed("this node makes no peer links");
        } else {
            introductions.dial(peer, callback);
        }
    }
}
