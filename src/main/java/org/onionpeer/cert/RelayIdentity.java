package org.onionpeer.cert;

import java.util.Arrays;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.crypto.Rsa;

/**
 * Who a relay is: its legacy RSA identity (SHA-1 of the PKCS#1 DER of its 1024-bit RSA key, the 20-byte
 * fingerprint used by ntor's NODEID and link specifier 02) and its Ed25519 identity (link specifier 03).
 * Immutable; equality compares both identities.
 */
public final class RelayIdentity {
    private final byte[] rsaIdentity;
    private final byte[] ed25519Identity;

    public RelayIdentity(byte[] rsaIdentity, byte[] ed25519Identity) {
        if (rsaIdentity.length != 20 || ed25519Identity.length != 32) {
            throw new IllegalArgumentException("identities are 20 (RSA) and 32 (Ed25519) bytes");
        }
        this.rsaIdentity = rsaIdentity.clone();
        this.ed25519Identity = ed25519Identity.clone();
    }

    public static RelayIdentity of(Rsa.PublicKey rsaKey, byte[] ed25519Identity) {
        return new RelayIdentity(rsaFingerprint(rsaKey), ed25519Identity);
    }

    /** SHA-1 of the DER encoding of the PKCS#1 RSAPublicKey (tor-spec §0.3 "fingerprint"). */
    public static byte[] rsaFingerprint(Rsa.PublicKey key) {
        return Rsa.sha1(key.toPkcs1Der());
    }

    public byte[] rsaIdentity() {
        return rsaIdentity.clone();
    }

    public byte[] ed25519Identity() {
        return ed25519Identity.clone();
    }

    /** The RSA fingerprint in tor's upper-case hex. */
    public String fingerprint() {
        return Bytes.hex(rsaIdentity).toUpperCase();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayIdentity && Arrays.equals(rsaIdentity, ((RelayIdentity) o).rsaIdentity)
                && Arrays.equals(ed25519Identity, ((RelayIdentity) o).ed25519Identity);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rsaIdentity) * 31 + Arrays.hashCode(ed25519Identity);
    }

    @Override
    public String toString() {
        return "RelayIdentity{rsa=" + fingerprint() + ", ed25519=" + Bytes.hex(ed25519Identity) + "}";
    }
}
