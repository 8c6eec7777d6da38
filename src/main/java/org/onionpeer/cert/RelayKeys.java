package org.onionpeer.cert;

import java.security.SecureRandom;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Rsa;

/**
 * The long-lived secret keys of one of our onion routers: the legacy 1024-bit RSA identity, the Ed25519
 * identity ("master") key and the Ed25519 medium-term signing key it certifies (tor-spec §1.1). Secrets:
 * never log. Immutable.
 */
public final class RelayKeys {
    public static final int RSA_IDENTITY_BITS = 1024;

    private final Rsa.PrivateKey rsaIdentity;
    private final Ed25519.KeyPair ed25519Identity;
    private final Ed25519.KeyPair ed25519Signing;

    public RelayKeys(Rsa.PrivateKey rsaIdentity, Ed25519.KeyPair ed25519Identity, Ed25519.KeyPair ed25519Signing) {
        if (rsaIdentity.publicKey().bits() != RSA_IDENTITY_BITS) {
            throw new IllegalArgumentException("Tor RSA identity keys are 1024 bits (tor-spec §4.2)");
        }
        this.rsaIdentity = rsaIdentity;
        this.ed25519Identity = ed25519Identity;
        this.ed25519Signing = ed25519Signing;
    }

    /** Fresh keys. RSA generation is slow: meant for the JVM, not for a browser page. */
    public static RelayKeys generate(SecureRandom random) {
        return new RelayKeys(Rsa.generate(RSA_IDENTITY_BITS, random), Ed25519.generate(random),
                Ed25519.generate(random));
    }

    public Rsa.PrivateKey rsaIdentity() {
        return rsaIdentity;
    }

    public Ed25519.KeyPair ed25519Identity() {
        return ed25519Identity;
    }

    public Ed25519.KeyPair ed25519Signing() {
        return ed25519Signing;
    }

    public RelayIdentity identity() {
        return RelayIdentity.of(rsaIdentity.publicKey(), ed25519Identity.publicKey());
    }
}
