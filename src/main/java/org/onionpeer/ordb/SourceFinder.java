package org.onionpeer.ordb;

/**
 * Looks for a download's sources again, as at its start (in the wiring, {@code peer.OrdbNode}: a new DHT
 * lookup, or the known pages asked again): used by a {@link Download} that has no source left.
 */
public interface SourceFinder {
    /** {@code found} gets, later or at once, a connector to the ORDBs found now, or null when there is none. */
    void find(java.util.function.Consumer<OrdbLink.Connector> found);
}
