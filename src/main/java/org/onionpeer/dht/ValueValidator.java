package org.onionpeer.dht;

/**
 * Checks a value before this node stores it for someone, and each value a FIND_VALUE lookup gets, so a DHT
 * node cannot plant values that do not verify (set in {@link DhtConfig#validator}; none: any value goes).
 */
public interface ValueValidator {
    /**
     * Returns the ID of the node that signed {@code value} for {@code key} (a STORE must then come from that
     * node), or null if values of this kind name no signer; throws {@code ProtocolException} with the reason
     * if the value does not verify.
     */
    NodeId check(NodeId key, byte[] value, long epochSeconds);
}
