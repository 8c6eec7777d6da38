package org.onionpeer.cert;

import org.onionpeer.bytes.Bytes;
import org.onionpeer.crypto.Rsa;

/**
 * What ties a CERTS cell to the connection it arrived on. Over TLS, the Ed25519 signing-&gt;link certificate
 * (CERTS type 5, CERT_KEY_TYPE 03) certifies SHA-256 of the peer's TLS certificate DER (tor-spec §4.2). Other
 * transports can bind a different 32-byte value by supplying their own implementation.
 */
public interface LinkBinding {
    /** True when {@code certifiedKey}, the 32 bytes certified by the type-5 cert, belongs to this link. */
    boolean matches(byte[] certifiedKey);

    /** Binds to the TLS certificate the peer presented (its DER). */
    static LinkBinding tlsCertificate(byte[] peerCertificateDer) {
        return expectedDigest(Rsa.sha256(peerCertificateDer));
    }

    /** Binds to an already computed 32-byte digest. */
    static LinkBinding expectedDigest(byte[] digest32) {
        if (digest32.length != 32) {
            throw new IllegalArgumentException("link digest must be 32 bytes");
        }
        byte[] want = digest32.clone();
        return certifiedKey -> certifiedKey.length == 32 && Bytes.constantTimeEquals(want, certifiedKey);
    }
}
