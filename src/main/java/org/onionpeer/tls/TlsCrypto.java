package org.onionpeer.tls;

/**
 * The primitives the TLS client needs from its platform, kept small so the page can implement them on
 * WebCrypto ({@code crypto.subtle}) and the JVM on Bouncy Castle's lightweight classes ({@link BcTlsCrypto}).
 *
 * <p>Every public-key operation and every record encryption answers through a {@link Done} callback, because
 * WebCrypto answers with promises. An implementation may call back at once (Bouncy Castle does) or later on
 * the node's own thread (a resolved promise); the client is correct either way. Failures are values, not
 * exceptions: a failed open is {@code null}, a bad signature is {@code false}, an invalid peer key share is
 * {@code null}. Hashing, HMAC and HKDF stay in the core ({@link KeySchedule}): they are small and synchronous,
 * and WebCrypto cannot hash incrementally anyway.
 */
public interface TlsCrypto {
    /** A callback for an asynchronous result. */
    interface Done<T> {
        void done(T value);
    }

    /** Fills {@code out} with cryptographically strong random bytes (synchronous: getRandomValues is). */
    void random(byte[] out);

    /** True if this provider can make key shares for the TLS NamedGroup {@code group} (x25519, secp256r1). */
    boolean supportsGroup(int group);

    /** Makes an ephemeral key pair for {@code group}; answers with it. */
    void keyShare(int group, Done<KeyShare> done);

    /** An ephemeral (EC)DH key pair of one group. */
    interface KeyShare {
        int group();

        /** The public value as TLS sends it (x25519: 32 bytes; secp256r1: 65 bytes, uncompressed). */
        byte[] publicKey();

        /** The shared secret with the peer's public value, or {@code null} if that value is invalid. */
        void agree(byte[] peerPublic, Done<byte[]> done);
    }

    /**
     * An AEAD for one key of a cipher suite: AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305 (16-byte tag).
     * Creation is synchronous; an implementation whose key import is asynchronous queues operations behind
     * it. Operations on one Aead may complete in any order; the client reorders. {@code cipherSuite} is always
     * one of the three TLS 1.3 codes: under TLS 1.2 the client passes the TLS 1.3 suite with the same AEAD
     * (Tls.aeadOf) and builds the TLS 1.2 nonces itself, so a provider needs nothing more for 1.2.
     */
    Aead aead(int cipherSuite, byte[] key);

    interface Aead {
        void seal(byte[] nonce, byte[] aad, byte[] plaintext, Done<byte[]> done);

        /** The plaintext, or {@code null} if the tag does not verify. */
        void open(byte[] nonce, byte[] aad, byte[] ciphertext, Done<byte[]> done);
    }

    /**
     * Verifies {@code signature} over {@code message} with the key in {@code key} under the TLS
     * SignatureScheme {@code scheme} (RFC 8446 §4.2.3; certificates map their signature algorithm onto the
     * same codes). ECDSA signatures arrive DER-encoded as TLS and X.509 carry them; for ECDSA the scheme
     * names the hash and the key names the curve (certificates and TLS 1.2 ServerKeyExchange signatures may pair
     * P-384 keys with SHA-256; TLS 1.2 may also use rsa_pkcs1_* there). Answers false for a bad
     * signature, a key of the wrong type, or a scheme the provider lacks.
     */
    void verify(int scheme, PublicKeyInfo key, byte[] message, byte[] signature, Done<Boolean> done);
}
