package org.onionpeer.cert;

import java.util.Arrays;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.Text;
import org.onionpeer.crypto.Rsa;

/**
 * Who a relay is: its legacy RSA identity (SHA-1 of the PKCS#1 DER of its 1024-bit RSA key, the 20-byte
 * fingerprint used by ntor's NODEID and link specifier 02) and its Ed25519 identity (link specifier 03).
 * Immutable; equality compares both identities.
 *
 * <p>Before a relay's descriptor is read, only its RSA fingerprint may be known (a DirAuthority line, a bridge
 * line): {@link #rsaOnly} makes such an <em>expected</em> identity, whose Ed25519 half is unknown (null).
 * {@link #matches} then accepts any proven identity with that RSA fingerprint; the link handshake's proven
 * identity (CERTS, tor-spec §4.2) supplies the Ed25519 key.
 */
public final class RelayIdentity {
    private final byte[] rsaIdentity;
    private final byte[] ed25519Identity;

    public RelayIdentity(byte[] rsaIdentity, byte[] ed25519Identity) {
        this(rsaIdentity, ed25519Identity, false);
    }

    private RelayIdentity(byte[] rsaIdentity, byte[] ed25519Identity, boolean edUnknown) {
        if (rsaIdentity.length != 20 || (!edUnknown && ed25519Identity.length != 32)) {
            throw new IllegalArgumentException("identities are 20 (RSA) and 32 (Ed25519) bytes");
        }
        this.rsaIdentity = rsaIdentity.clone();
        this.ed25519Identity = edUnknown ? null : ed25519Identity.clone();
    }

    /** An expected identity known only by its 20-byte RSA fingerprint; its Ed25519 identity is unknown. */
    public static RelayIdentity rsaOnly(byte[] rsaIdentity) {
        return new RelayIdentity(rsaIdentity, null, true);
    }

    /** False for an {@link #rsaOnly} identity. */
    public boolean hasEd25519() {
        return ed25519Identity != null;
    }

    /**
     * True when {@code proven} (an identity a CERTS cell proved) is this one: same RSA identity, and the same
     * Ed25519 identity unless ours is unknown.
     */
    public boolean matches(RelayIdentity proven) {
        return proven != null && Arrays.equals(rsaIdentity, proven.rsaIdentity)
                && (ed25519Identity == null || Arrays.equals(ed25519Identity, proven.ed25519Identity));
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

    /** The Ed25519 identity, or null when unknown ({@link #rsaOnly}). */
    public byte[] ed25519Identity() {
        return ed25519Identity == null ? null : ed25519Identity.clone();
    }

    /** The RSA fingerprint in tor's upper-case hex. */
    public String fingerprint() {
        return Text.asciiUpper(Bytes.hex(rsaIdentity));
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
        return "RelayIdentity{rsa=" + fingerprint() + ", ed25519="
                + (ed25519Identity == null ? "unknown" : Bytes.hex(ed25519Identity)) + "}";
    }
}
