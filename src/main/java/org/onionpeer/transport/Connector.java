package org.onionpeer.transport;

import java.util.List;
import org.onionpeer.cell.EndReason;

/**
 * Outbound connections the platform makes for the core: an exit's TCP connections to destinations, and
 * an onion router's links to the next relay. Names are resolved by the platform; the {@link AddressFilter}
 * is asked about the resolved address before any packet is sent, so an exit policy cannot be bypassed by
 * a name that resolves to a private address. Callbacks arrive on the node's scheduler.
 */
public interface Connector {
    /**
     * {@code host} comes from the core already classified ({@code exit.StreamHost}): the canonical text of an
     * address literal (dotted quad, or IPv6 without brackets), or a checked lower-case DNS name that no
     * resolver reads as a number. Connectors should skip their resolver for literals
     * ({@code StreamHost.parseLiteral(host)} is non-null).
     */
    void connect(String host, int port, AddressFilter filter, ConnectCallback callback);

    /**
     * Resolves a DNS name for RELAY_RESOLVE (tor-spec §6.4). {@code host} is a checked name as for
     * {@link #connect}, never a literal. The answer may contain private addresses; the core filters them.
     * Platforms without a resolver keep this default, which fails with RESOLVEFAILED. The callback may run
     * before this method returns, or later on the node's scheduler.
     */
    default void resolve(String host, ResolveCallback callback) {
        callback.failed(EndReason.RESOLVEFAILED, "no resolver");
    }

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

    /** Exactly one of the two is called, once. */
    interface ResolveCallback {
        /** The addresses (4 or 16 bytes each, network order) and their TTL in seconds. */
        void resolved(List<byte[]> addresses, int ttlSeconds);

        /**
         * {@code endReason} RESOLVEFAILED for a name that does not exist (answered as a permanent error);
         * any other reason (TIMEOUT, MISC, ...) for a resolver that could not answer now (a transient error).
         */
        void failed(int endReason, String message);
    }
}
