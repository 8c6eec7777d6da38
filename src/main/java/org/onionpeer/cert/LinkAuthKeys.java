package org.onionpeer.cert;

import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Rsa;

/**
 * What one of our relays needs to authenticate itself as a link initiator (tor-spec §4.4): its initiator CERTS
 * cell and the Ed25519 link-authentication key that cell certifies (type 6), which signs AUTH0003. Holds a
 * secret key: never log. Immutable.
 */
public final class LinkAuthKeys {
    private final RelayIdentity identity;
    private final CertsCell certs;
    private final Ed25519.KeyPair authKey;
    private final byte[] rsaIdentityDigest;

    private LinkAuthKeys(RelayIdentity identity, CertsCell certs, Ed25519.KeyPair authKey, byte[] rsaIdentityDigest) {
        this.identity = identity;
        this.certs = certs;
        this.authKey = authKey;
        this.rsaIdentityDigest = rsaIdentityDigest;
    }

    /**
     * Certifies {@code authKey} (type 6) and {@code rsaAuthKey} (type 3, 1024 bits as tor demands) with
     * {@code creds} at {@code nowSeconds}.
     */
    public static LinkAuthKeys create(RelayCredentials creds, Rsa.PrivateKey rsaAuthKey, Ed25519.KeyPair authKey,
            long nowSeconds) {
        if (rsaAuthKey.publicKey().bits() != RelayKeys.RSA_IDENTITY_BITS) {
            throw new IllegalArgumentException("tor wants a 1024-bit RSA authentication key (torcert.c)");
        }
        X509Cert rsaAuth = creds.issueTlsCert(rsaAuthKey.publicKey(), "www.auth.net", nowSeconds);
        CertsCell certs = creds.initiatorCertsCell(rsaAuth, creds.authKeyCert(authKey.publicKey(), nowSeconds));
        return new LinkAuthKeys(creds.identity(), certs, authKey,
                Rsa.sha256(creds.keys().rsaIdentity().publicKey().toPkcs1Der()));
    }

    /** The same CERTS with a different signing key: only for tests of a responder's signature check. */
    public static LinkAuthKeys withAuthKeyForTest(LinkAuthKeys k, Ed25519.KeyPair otherKey) {
        return new LinkAuthKeys(k.identity, k.certs, otherKey, k.rsaIdentityDigest);
    }

    public RelayIdentity identity() {
        return identity;
    }

    public CertsCell certs() {
        return certs;
    }

    public Ed25519.KeyPair authKey() {
        return authKey;
    }

    /** CID: SHA-256 of our RSA identity key's PKCS#1 DER (tor's "digest256" of the key). */
    public byte[] rsaIdentityDigest() {
        return rsaIdentityDigest.clone();
    }
}
