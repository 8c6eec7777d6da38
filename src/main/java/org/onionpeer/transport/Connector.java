package org.onionpeer.transport;

/**
 * Outbound connections the platform makes for the core: an exit's TCP connections to destinations, and
 * an onion router's links to the next relay. Names are resolved by the platform; the {@link AddressFilter}
 * is asked about the resolved address before any packet is sent, so an exit policy cannot be bypassed by
 * a name that resolves to a private address. Callbacks arrive on the node's scheduler.
 */
public interface Connector {
    void connect(String host, int port, AddressFilter filter, ConnectCallback callback);

    /** Decides on the resolved address (4 or 16 bytes) and port. */
    interface AddressFilter {
        boolean allows(byte[] address, int port);
    }

    /** Exactly one of the two is called. */
    interface ConnectCallback {
        void connected(Transport transport, byte[] resolvedAddress);

        /** {@code endReason} as in {@link StreamOpener.OpenCallback#failed}. */
        void failed(int endReason, String message);
    }
}
