package org.onionpeer.link;

import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.RelayIdentity;

/**
 * How a link between peers (pages over WebRTC, or our JVM peers) is authenticated instead of tor's
 * RSA/Ed25519 chain: both sides send a CERTS cell with one certificate of our own, and each checks the
 * other's against what this connection is (for WebRTC: both DTLS fingerprints). Implemented by
 * {@code org.onionpeer.peer.PeerLinkAuth}; the channel knows only this seam.
 */
public interface PeerAuth {
    /** Our CERTS cell for this link. */
    CertsCell ours();

    /** Checks the peer's CERTS cell; returns the identity it proves, or throws ProtocolException. */
    RelayIdentity verify(CertsCell theirs, long nowSeconds);
}
