package org.onionpeer.crypto;

import java.math.BigInteger;
import org.bouncycastle.crypto.digests.SHA512Digest;

/**
 * Ed25519 signing with an <em>expanded</em> secret key (scalar, nonce prefix) instead of an RFC 8032 seed,
 * for the one place Tor needs it: the ntor onion key's curve25519 secret, reused as an Ed25519 scalar, signs
 * the "ntor-onion-key-crosscert" (dir-spec §2.1.1; proposal 228). Bouncy Castle's rfc8032 API signs only
 * from a seed, so this is a small, slow, straightforward implementation over {@link BigInteger}: twisted
 * Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 mod 2^255-19 in extended coordinates with the unified (complete)
 * addition law. It runs once per descriptor; it is not constant time, which is acceptable because the
 * only message it ever signs is our own certificate (tor says the same of its version of this).
 *
 * <p>Derivation follows tor's ed25519_keypair_from_curve25519_keypair (crypto_ed25519.c): the scalar is the
 * clamped curve25519 secret, the nonce prefix is the first 32 bytes of
 * SHA-512(secret | "Derive high part of ed25519 key from curve25519 key" | NUL) (tor hashes sizeof the string,
 * terminator included), the sign bit is the top bit of the resulting public key. A verifier rebuilds that
 * public key from the curve25519 public key u and the sign bit: y = (u - 1) / (u + 1) (proposal 228).
 */
public final class Ed25519Expanded {
    private static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
    /** The group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1). */
    private static final BigInteger L = BigInteger.ONE.shiftLeft(252)
            .add(new BigInteger("27742317777372353535851937790883648493"));
    private static final BigInteger TWO = BigInteger.valueOf(2);
    /** d = -121665 / 121666 (RFC 8032 §5.1). */
    private static final BigInteger D = BigInteger.valueOf(-121665).mod(P)
            .multiply(inv(BigInteger.valueOf(121666))).mod(P);
    private static final BigInteger D2 = D.multiply(TWO).mod(P);
    /** sqrt(-1) = 2^((p-1)/4). */
    private static final BigInteger SQRT_M1 = TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
    private static final byte[] DERIVE = org.onionpeer.bytes.Bytes.ascii(
            "Derive high part of ed25519 key from curve25519 key\0");

    private static final Point BASE;

    static {
        // B: y = 4/5, x even (RFC 8032 §5.1).
        BigInteger y = BigInteger.valueOf(4).multiply(inv(BigInteger.valueOf(5))).mod(P);
        BASE = Point.affine(recoverX(y, 0), y);
    }

    private Ed25519Expanded() {
    }

    /** An Ed25519 key pair given as scalar and nonce prefix (tor's 64-byte "expanded" secret key). */
    public static final class KeyPair {
        private final byte[] scalar;
        private final byte[] prefix;
        private final byte[] publicKey;

        private KeyPair(byte[] scalar, byte[] prefix) {
            this.scalar = scalar;
            this.prefix = prefix;
            this.publicKey = publicKeyOfScalar(scalar);
        }

        public byte[] publicKey() {
            return publicKey.clone();
        }

        /** The x sign bit of the public key: what tor writes after "ntor-onion-key-crosscert". */
        public int signBit() {
            return (publicKey[31] >> 7) & 1;
        }

        /** RFC 8032 §5.1.6 steps 2-6 with the given scalar and prefix. */
        public byte[] sign(byte[] message) {
            BigInteger a = littleEndian(scalar);
            BigInteger r = littleEndian(sha512(prefix, message)).mod(L);
            byte[] rEnc = multiplyBase(r).encode();
            BigInteger k = littleEndian(sha512(rEnc, publicKey, message)).mod(L);
            BigInteger s = r.add(k.multiply(a)).mod(L);
            byte[] sig = new byte[Ed25519.SIGNATURE_LENGTH];
            System.arraycopy(rEnc, 0, sig, 0, 32);
            System.arraycopy(toLittleEndian32(s), 0, sig, 32, 32);
            return sig;
        }
    }

    /** A key pair from an expanded secret key: 32-byte little-endian scalar and 32-byte nonce prefix. */
    public static KeyPair fromExpanded(byte[] scalar32, byte[] prefix32) {
        if (scalar32 == null || scalar32.length != 32 || prefix32 == null || prefix32.length != 32) {
            throw new IllegalArgumentException("expanded Ed25519 key is a 32-byte scalar and a 32-byte prefix");
        }
        return new KeyPair(scalar32.clone(), prefix32.clone());
    }

    /**
     * The key pair tor derives from an ntor onion key (crypto_ed25519.c ed25519_keypair_from_curve25519_keypair).
     * Our {@link Ntor.Keypair} holds the raw 32 secret bytes and lets X25519 clamp them on use; tor stores them
     * clamped, so clamp first (RFC 7748 §5) — the same scalar X25519 uses, hence the matching public key.
     */
    public static KeyPair fromCurve25519(Ntor.Keypair ntorKey) {
        return fromCurve25519Secret(ntorKey.secret());
    }

    /** As {@link #fromCurve25519} from the 32 curve25519 secret bytes (clamped here). */
    public static KeyPair fromCurve25519Secret(byte[] secret32) {
        if (secret32 == null || secret32.length != 32) {
            throw new IllegalArgumentException("curve25519 secret must be 32 bytes");
        }
        byte[] s = secret32.clone();
        s[0] &= (byte) 248;
        s[31] &= 127;
        s[31] |= 64;
        byte[] prefix = new byte[32];
        System.arraycopy(sha512(s, DERIVE), 0, prefix, 0, 32);
        return new KeyPair(s, prefix);
    }

    /**
     * The Ed25519 public key birationally equivalent to curve25519 public key {@code u} with x sign bit
     * {@code signBit}: y = (u - 1) / (u + 1), as tor's ed25519_public_key_from_curve25519_public_key (which
     * maps u = -1 to y = 0 since its inversion of 0 gives 0; so does this).
     */
    public static byte[] publicFromCurve25519(byte[] u32, int signBit) {
        if (u32 == null || u32.length != 32 || (signBit != 0 && signBit != 1)) {
            throw new IllegalArgumentException("need a 32-byte curve25519 key and a sign bit 0 or 1");
        }
        byte[] masked = u32.clone();
        masked[31] &= 127; // RFC 7748 §5: the top bit of u is ignored
        BigInteger u = littleEndian(masked).mod(P);
        BigInteger y = u.subtract(BigInteger.ONE).multiply(inv(u.add(BigInteger.ONE))).mod(P);
        byte[] out = toLittleEndian32(y);
        out[31] |= (byte) (signBit << 7);
        return out;
    }

    /** encode(a * B) for the 32-byte little-endian scalar a (not reduced, not clamped here). */
    public static byte[] publicKeyOfScalar(byte[] scalar32) {
        if (scalar32 == null || scalar32.length != 32) {
            throw new IllegalArgumentException("scalar must be 32 bytes");
        }
        return multiplyBase(littleEndian(scalar32)).encode();
    }

    private static Point multiplyBase(BigInteger k) {
        Point acc = Point.IDENTITY;
        for (int i = k.bitLength() - 1; i >= 0; i--) {
            acc = acc.add(acc);
            if (k.testBit(i)) {
                acc = acc.add(BASE);
            }
        }
        return acc;
    }

    /** Extended homogeneous coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z (RFC 8032 §5.1.4). */
    private static final class Point {
        static final Point IDENTITY = new Point(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO);
        final BigInteger x;
        final BigInteger y;
        final BigInteger z;
        final BigInteger t;

        Point(BigInteger x, BigInteger y, BigInteger z, BigInteger t) {
            this.x = x;
            this.y = y;
            this.z = z;
            this.t = t;
        }

        static Point affine(BigInteger x, BigInteger y) {
            return new Point(x, y, BigInteger.ONE, x.multiply(y).mod(P));
        }

        /** RFC 8032 §5.1.4 point addition; complete for this curve, so it doubles too. */
        Point add(Point o) {
            BigInteger a = y.subtract(x).multiply(o.y.subtract(o.x)).mod(P);
            BigInteger b = y.add(x).multiply(o.y.add(o.x)).mod(P);
            BigInteger c = t.multiply(D2).multiply(o.t).mod(P);
            BigInteger d = z.multiply(TWO).multiply(o.z).mod(P);
            BigInteger e = b.subtract(a);
            BigInteger f = d.subtract(c);
            BigInteger g = d.add(c);
            BigInteger h = b.add(a);
            return new Point(e.multiply(f).mod(P), g.multiply(h).mod(P), f.multiply(g).mod(P),
                    e.multiply(h).mod(P));
        }

        /** RFC 8032 §5.1.2: y little-endian, the low bit of x in bit 255. */
        byte[] encode() {
            BigInteger zi = inv(z);
            BigInteger ax = x.multiply(zi).mod(P);
            BigInteger ay = y.multiply(zi).mod(P);
            byte[] out = toLittleEndian32(ay);
            if (ax.testBit(0)) {
                out[31] |= (byte) 0x80;
            }
            return out;
        }
    }

    /** RFC 8032 §5.1.3 step 2-4: x from y and the wanted low bit. */
    private static BigInteger recoverX(BigInteger y, int lowBit) {
        BigInteger yy = y.multiply(y).mod(P);
        BigInteger xx = yy.subtract(BigInteger.ONE).multiply(inv(D.multiply(yy).add(BigInteger.ONE))).mod(P);
        BigInteger x = xx.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
        if (!x.multiply(x).subtract(xx).mod(P).equals(BigInteger.ZERO)) {
            x = x.multiply(SQRT_M1).mod(P);
        }
        if (x.testBit(0) != (lowBit == 1)) {
            x = P.subtract(x);
        }
        return x;
    }

    /** a^(p-2) mod p: the inverse for a != 0, and 0 for 0 (as fe_invert). */
    private static BigInteger inv(BigInteger a) {
        return a.mod(P).modPow(P.subtract(TWO), P);
    }

    private static BigInteger littleEndian(byte[] b) {
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            be[i] = b[b.length - 1 - i];
        }
        return new BigInteger(1, be);
    }

    private static byte[] toLittleEndian32(BigInteger v) {
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            out[i] = (byte) v.shiftRight(8 * i).intValue();
        }
        return out;
    }

    private static byte[] sha512(byte[]... parts) {
        SHA512Digest d = new SHA512Digest();
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[64];
        d.doFinal(out, 0);
        return out;
    }
}
