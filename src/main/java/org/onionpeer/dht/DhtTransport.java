package org.onionpeer.dht;

/**
 * What carries DHT messages: a Tor link, a WebSocket to a bridge or a WebRTC data channel later, an
 * in-memory network in tests. Sending never blocks (the transport queues or drops); a message that cannot
 * be delivered is simply lost, and the request's timeout handles it.
 */
public interface DhtTransport {
    /** Sends one framed DHT message to the peer (opening a link to it first if needed). */
    void send(Contact to, byte[] message);

    /**
     * Installs the callback for incoming messages. The transport must call it on the node's scheduler, with
     * {@code from} the ID the link authenticated (e.g. by a Tor CERTS exchange), never a claimed one.
     */
    void setReceiver(Receiver receiver);

    interface Receiver {
        void onMessage(NodeId from, byte[] message);
    }
}
