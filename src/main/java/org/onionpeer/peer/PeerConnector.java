package org.onionpeer.peer;

import org.onionpeer.transport.Transport;

/**
 * The platform's peer-to-peer connections (the browser: an RTCPeerConnection with one ordered, reliable
 * data channel, no STUN/TURN servers). Descriptions are complete: the platform waits for ICE gathering, so
 * candidates travel inside the SDP and signalling is one message each way. Events come on the node's
 * scheduler; exactly one of {@code opened} / {@code failed} ends a session.
 */
public interface PeerConnector {
    /** One connection being set up. */
    interface Session {
        /** The answer, for the side that made the offer. */
        void setRemote(String description);

        /** Gives up (before or after it opened). */
        void close();
    }

    interface Events {
        /** Our description, ICE candidates included, to send to the other side. */
        void described(Session session, String description);

        /** The data channel is open. */
        void opened(Transport transport);

        void failed(String reason);
    }

    /** Starts a connection as the offering side. */
    void offer(Events events);

    /** Starts a connection answering {@code offer}. */
    void answer(String offer, Events events);
}
