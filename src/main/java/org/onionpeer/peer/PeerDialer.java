package org.onionpeer.peer;

import org.onionpeer.link.Dialer;

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
    public boolean canDial(String address) {
        return Introductions.peerOf(address) != null ? introductions != null : base.canDial(address);
    }

    @Override
    public void dial(String address, DialCallback callback) {
        if (Introductions.peerOf(address) == null) {
            base.dial(address, callback);
        } else if (introductions == null) {
            callback.failed("this node makes no peer links");
        } else {
            introductions.dial(Introductions.peerOf(address), callback);
        }
    }
}
