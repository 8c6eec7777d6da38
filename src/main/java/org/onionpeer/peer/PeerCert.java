package org.onionpeer.peer;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dht.NodeId;

/**
 * A peer's certificate, signed by its Ed25519 identity key (on a page: the non-extractable WebCrypto key of
 * the session). It names the peer's ntor onion key and binds it to two 32-byte values, which say what the
 * certificate is for:
 * <ul>
 * <li>a WebRTC link: {@code local} and {@code remote} are the SHA-256 DTLS certificate fingerprints of the
 * signer's and the other side's RTCPeerConnection (their SDPs' {@code a=fingerprint}). The browser checks
 * the DTLS certificates against those fingerprints, so a certificate whose pair matches this connection
 * proves the identity key holder is the far end of this data channel, whoever relayed the SDPs;</li>
 * <li>a registration on a bridge link: {@code local} is zero and {@code remote} the challenge of the
 * bridge's AUTH_CHALLENGE on that link, so it cannot be replayed on another link;</li>
 * <li>a router entry (in DHT contacts): both zero; it publishes the onion key others use for ntor.</li>
 * </ul>
 * The ID is SHA-1 of the key's SPKI DER, as for every DHT node (ed25519 SPKI = a fixed 12-byte prefix + key).
 *
 * <p>Wire form (our own CERTS entry type {@link #CERT_TYPE}, also the body of REGISTER and of contacts):
 * version (1) = 1, identity key (32), onion key (32), local (32), remote (32), expiry in seconds since the
 * epoch (4), Ed25519 signature (64) over {@link #CONTEXT} followed by the preceding 133 bytes.
 */
public final class PeerCert {
    /** The CERTS entry type of a peer certificate; tor assigns 1..7, so ours cannot be taken for one. */
    public static final int CERT_TYPE = 0x50;
    public static final int VERSION = 1;
    public static final int LENGTH = 1 + 32 * 4 + 4 + 64;
    static final byte[] CONTEXT = Bytes.ascii("onionpeer peer certificate v1\0");
    /** RFC 8410 SubjectPublicKeyInfo prefix of an Ed25519 key. */
    private static final byte[] ED25519_SPKI_PREFIX = Bytes.unhex("302a300506032b6570032100");
    private static final byte[] ZERO = new byte[32];

    public static final String BAD_SIGNATURE = "peer certificate signature does not verify";
    public static final String EXPIRED = "peer certificate expired";
    public static final String WRONG_BINDING = "peer certificate is for another connection";

    private final byte[] identityKey;
    private final byte[] onionKey;
    private final byte[] local;
    private final byte[] remote;
    private final long expires;
    private final byte[] signature;

    private PeerCert(byte[] identityKey, byte[] onionKey, byte[] local, byte[] remote, long expires,
            byte[] signature) {
        this.identityKey = check32(identityKey, "identity key");
        this.onionKey = check32(onionKey, "onion key");
        this.local = check32(local, "local binding");
        this.remote = check32(remote, "remote binding");
        if (expires < 0 || expires > 0xffffffffL) {
            throw new ProtocolException("peer certificate expiry out of range");
        }
        this.expires = expires;
        this.signature = signature;
    }

    private static byte[] check32(byte[] b, String what) {
        if (b == null || b.length != 32) {
            throw new ProtocolException("peer certificate " + what + " is not 32 bytes");
        }
        return b.clone();
    }

    /** What the signer signs for these fields ({@link #CONTEXT} + the fields in wire order). */
    public static byte[] toBeSigned(byte[] identityKey, byte[] onionKey, byte[] local, byte[] remote, long expires) {
        PeerCert unsigned = new PeerCert(identityKey, onionKey, local == null ? ZERO : local,
                remote == null ? ZERO : remote, expires, null);
        return unsigned.signedPart();
    }

    /** A certificate from its fields and the signature the identity key made over {@link #toBeSigned}. */
    public static PeerCert of(byte[] identityKey, byte[] onionKey, byte[] local, byte[] remote, long expires,
            byte[] signature) {
        if (signature == null || signature.length != Ed25519.SIGNATURE_LENGTH) {
            throw new ProtocolException("peer certificate signature is not 64 bytes");
        }
        return new PeerCert(identityKey, onionKey, local == null ? ZERO : local, remote == null ? ZERO : remote,
                expires, signature.clone());
    }

    /** Signs with a key pair held in memory (JVM nodes, tests). */
    public static PeerCert sign(Ed25519.KeyPair key, byte[] onionKey, byte[] local, byte[] remote, long expires) {
        byte[] tbs = toBeSigned(key.publicKey(), onionKey, local, remote, expires);
        return of(key.publicKey(), onionKey, local, remote, expires, key.sign(tbs));
    }

    private byte[] signedPart() {
        ByteWriter w = new ByteWriter(CONTEXT.length + LENGTH);
        w.bytes(CONTEXT).u8(VERSION).bytes(identityKey).bytes(onionKey).bytes(local).bytes(remote).u32(expires);
        return w.toByteArray();
    }

    public byte[] encode() {
        ByteWriter w = new ByteWriter(LENGTH);
        w.u8(VERSION).bytes(identityKey).bytes(onionKey).bytes(local).bytes(remote).u32(expires).bytes(signature);
        return w.toByteArray();
    }

    /** Decodes a whole certificate: nothing may follow it (a CERTS entry, a contact's router entry). */
    public static PeerCert decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        PeerCert c = read(r);
        if (r.hasRemaining()) {
            throw new ProtocolException("peer certificate is " + b.length + " bytes, not " + LENGTH);
        }
        return c;
    }

    public static PeerCert read(ByteReader r) {
        int v = r.u8();
        if (v != VERSION) {
            throw new ProtocolException("peer certificate version " + v + " is not 1");
        }
        return new PeerCert(r.bytes(32), r.bytes(32), r.bytes(32), r.bytes(32), r.u32(), r.bytes(64));
    }

    /**
     * Checks the signature, the expiry and the binding: {@code local}/{@code remote} as the signer saw them
     * (for a WebRTC link, the verifier passes its remote fingerprint as {@code local} and its own as
     * {@code remote}). Returns the signer's ID; throws with {@link #BAD_SIGNATURE}, {@link #EXPIRED} or
     * {@link #WRONG_BINDING}.
     */
    public NodeId verify(byte[] expectLocal, byte[] expectRemote, long nowSeconds) {
        if (!Ed25519.verify(identityKey, signedPart(), signature)) {
            throw new ProtocolException(BAD_SIGNATURE);
        }
        if (nowSeconds > expires) {
            throw new ProtocolException(EXPIRED);
        }
        if (!Bytes.constantTimeEquals(local, expectLocal == null ? ZERO : expectLocal)
                || !Bytes.constantTimeEquals(remote, expectRemote == null ? ZERO : expectRemote)) {
            throw new ProtocolException(WRONG_BINDING);
        }
        return id();
    }

    /** The signer's ID: SHA-1 of its identity key's SPKI. */
    public NodeId id() {
        return NodeId.ofKey(spki());
    }

    /** The identity key as SubjectPublicKeyInfo DER (what DHT contacts carry). */
    public byte[] spki() {
        return spkiOf(identityKey);
    }

    public static byte[] spkiOf(byte[] ed25519Key) {
        return Bytes.concat(ED25519_SPKI_PREFIX, ed25519Key);
    }

    /** The raw Ed25519 key inside an SPKI, or null if the SPKI is not Ed25519. */
    public static byte[] ed25519FromSpki(byte[] spki) {
        if (spki.length != 44 || !Bytes.constantTimeEquals(Bytes.slice(spki, 0, 12), ED25519_SPKI_PREFIX)) {
            return null;
        }
        return Bytes.slice(spki, 12, 32);
    }

    public byte[] identityKey() {
        return identityKey.clone();
    }

    public byte[] onionKey() {
        return onionKey.clone();
    }

    public byte[] local() {
        return local.clone();
    }

    public byte[] remote() {
        return remote.clone();
    }

    public long expires() {
        return expires;
    }
}
