package org.onionpeer.link;

import org.onionpeer.cell.IpAddress;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.transport.Transport;

/**
 * How a platform reaches a relay's {@link LinkTarget}: the JVM dials TLS and WebSocket (tests in-process);
 * the browser WebSocket, and WebRTC through introductions. Callbacks arrive on the node's scheduler.
 */
public interface Dialer {
    boolean canDial(LinkTarget target);

    void dial(LinkTarget target, DialCallback callback);

    /** Exactly one of the two is called. */
    interface DialCallback {
        /**
         * @param binding what binds the responder's CERTS to this transport (TLS: its certificate), or null
         * @param peer the peer's IP address when known, for NETINFO
         */
        void connected(Transport transport, LinkBinding binding, IpAddress peer);

        /** A link to a peer (WebRTC), authenticated both ways with {@code auth} instead of tor's certificates. */
        default void connectedPeer(Transport transport, PeerAuth auth) {
            transport.close("peer links are not taken here");
            failed("peer links are not taken here");
        }

        void failed(String reason);
    }
}
