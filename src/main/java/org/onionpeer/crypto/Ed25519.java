package org.onionpeer.crypto;

import java.security.SecureRandom;

/**
 * Ed25519 (RFC 8032, pure variant) over Bouncy Castle's allocation-light {@code rfc8032} code, which
 * compiles under TeaVM. Tor uses it for relay identities and every cert-spec certificate.
 *
 * <p>Verification never throws on hostile input: wrong lengths or a public key that is not a point on the
 * curve simply do not verify.
 */
public final class Ed25519 {
    public static final int SEED_LENGTH = 32;
    public static final int PUBLIC_KEY_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    private Ed25519() {
    }

    /** A key pair held as its 32-byte RFC 8032 seed ("secret key") plus the derived public key. */
    public static final class KeyPair {
        private final byte[] seed;
        private final byte[] publicKey;

        private KeyPair(byte[] seed) {
            this.seed = seed.clone();
            this.publicKey = new byte[PUBLIC_KEY_LENGTH];
            org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(this.seed, 0, this.publicKey, 0);
        }

        /** The 32-byte seed; callers storing keys need it, nobody else should. */
        public byte[] seed() {
            return seed.clone();
        }

        public byte[] publicKey() {
            return publicKey.clone();
        }

        /** Deterministic RFC 8032 signature of {@code message}. */
        public byte[] sign(byte[] message) {
            return sign(message, 0, message.length);
        }

        public byte[] sign(byte[] message, int off, int len) {
            byte[] sig = new byte[SIGNATURE_LENGTH];
            org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, publicKey, 0, message, off, len, sig, 0);
            return sig;
        }
    }

    /** The key pair whose RFC 8032 secret key is {@code seed} (32 bytes). */
    public static KeyPair fromSeed(byte[] seed) {
        if (seed == null || seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("Ed25519 seed must be 32 bytes");
        }
        return new KeyPair(seed);
    }

    public static KeyPair generate(SecureRandom random) {
        byte[] seed = new byte[SEED_LENGTH];
        random.nextBytes(seed);
        return new KeyPair(seed);
    }

    /** True only for a valid signature by {@code publicKey} over {@code message}; false on any bad input. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (message == null) {
            return false;
        }
        return verify(publicKey, message, 0, message.length, signature);
    }

    public static boolean verify(byte[] publicKey, byte[] message, int off, int len, byte[] signature) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_LENGTH || signature == null
                || signature.length != SIGNATURE_LENGTH || message == null || off < 0 || len < 0
                || off + len > message.length) {
            return false;
        }
        try {
            return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, off, len);
        } catch (RuntimeException e) {
            return false; // a malformed point must read as "does not verify", never as a crash
        }
    }
}
