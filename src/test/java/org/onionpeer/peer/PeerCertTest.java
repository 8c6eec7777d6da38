package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dht.NodeId;

/** Peer certificates: signing, the wire form, and every way {@link PeerCert#verify} refuses one. */
class PeerCertTest {
    private static final SecureRandom RND = new SecureRandom();
    private static final long NOW = 1_750_000_000L;

    static byte[] random32() {
        byte[] b = new byte[32];
        RND.nextBytes(b);
        return b;
    }

    private final Ed25519.KeyPair key = Ed25519.generate(RND);
    private final byte[] onion = random32();
    private final byte[] local = random32();
    private final byte[] remote = random32();

    private PeerCert cert() {
        return PeerCert.sign(key, onion, local, remote, NOW + 3600);
    }

    private static String error(Runnable r) {
        return assertThrows(ProtocolException.class, r::run).getMessage();
    }

    @Test
    void signVerifyRoundTrip() {
        PeerCert c = cert();
        byte[] enc = c.encode();
        assertEquals(PeerCert.LENGTH, enc.length);
        assertEquals(197, enc.length);
        PeerCert d = PeerCert.decode(enc);
        assertArrayEquals(enc, d.encode());
        assertArrayEquals(key.publicKey(), d.identityKey());
        assertArrayEquals(onion, d.onionKey());
        assertArrayEquals(local, d.local());
        assertArrayEquals(remote, d.remote());
        assertEquals(NOW + 3600, d.expires());
        assertEquals(c.id(), d.verify(local, remote, NOW));
        // Still valid at the second it expires, not after.
        assertEquals(c.id(), d.verify(local, remote, NOW + 3600));
        // The signature is over CONTEXT + the first 133 bytes of the wire form.
        byte[] tbs = Bytes.concat(PeerCert.CONTEXT, Bytes.slice(enc, 0, 133));
        assertArrayEquals(tbs, PeerCert.toBeSigned(key.publicKey(), onion, local, remote, NOW + 3600));
        assertEquals(true, Ed25519.verify(key.publicKey(), tbs, Bytes.slice(enc, 133, 64)));
    }

    @Test
    void ofWithAnExternalSignatureEqualsSign() {
        byte[] tbs = PeerCert.toBeSigned(key.publicKey(), onion, local, remote, NOW + 10);
        PeerCert c = PeerCert.of(key.publicKey(), onion, local, remote, NOW + 10, key.sign(tbs));
        assertArrayEquals(PeerCert.sign(key, onion, local, remote, NOW + 10).encode(), c.encode());
        assertEquals(c.id(), c.verify(local, remote, NOW));
        assertEquals("peer certificate signature is not 64 bytes",
                error(() -> PeerCert.of(key.publicKey(), onion, local, remote, NOW, new byte[63])));
        assertEquals("peer certificate onion key is not 32 bytes",
                error(() -> PeerCert.sign(key, new byte[31], local, remote, NOW)));
        assertEquals("peer certificate expiry out of range",
                error(() -> PeerCert.sign(key, onion, local, remote, 1L << 32)));
    }

    @Test
    void registrationAndRouterFormsUseZeroBindings() {
        PeerCert router = PeerCert.sign(key, onion, null, null, NOW + 60);
        assertArrayEquals(new byte[32], router.local());
        assertArrayEquals(new byte[32], router.remote());
        assertEquals(router.id(), router.verify(null, null, NOW));
        assertEquals(router.id(), router.verify(new byte[32], new byte[32], NOW));
        assertEquals(PeerCert.WRONG_BINDING, error(() -> router.verify(null, remote, NOW)));
        byte[] challenge = random32();
        PeerCert reg = PeerCert.sign(key, onion, null, challenge, NOW + 60);
        assertEquals(reg.id(), reg.verify(null, challenge, NOW));
        assertEquals(PeerCert.WRONG_BINDING, error(() -> reg.verify(null, random32(), NOW)));
    }

    @Test
    void aFlippedByteAnywhereBreaksTheSignature() {
        byte[] enc = cert().encode();
        // Every byte after the version: identity key, onion key, both bindings, expiry and the signature.
        for (int i = 1; i < enc.length; i++) {
            byte[] bad = enc.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            PeerCert c;
            try {
                c = PeerCert.decode(bad);
            } catch (ProtocolException e) {
                throw new AssertionError("byte " + i + ": a flipped bit must still decode", e);
            }
            int at = i;
            assertEquals(PeerCert.BAD_SIGNATURE, error(() -> c.verify(c.local(), c.remote(), NOW)), "byte " + at);
        }
    }

    @Test
    void aSignatureByAnotherKeyDoesNotVerify() {
        Ed25519.KeyPair other = Ed25519.generate(RND);
        byte[] tbs = PeerCert.toBeSigned(key.publicKey(), onion, local, remote, NOW + 10);
        PeerCert forged = PeerCert.of(key.publicKey(), onion, local, remote, NOW + 10, other.sign(tbs));
        assertEquals(PeerCert.BAD_SIGNATURE, error(() -> forged.verify(local, remote, NOW)));
    }

    @Test
    void expired() {
        PeerCert c = cert();
        assertEquals(PeerCert.EXPIRED, error(() -> c.verify(local, remote, NOW + 3601)));
        // The signature is checked first: a forged, expired certificate is reported as forged.
        byte[] enc = c.encode();
        enc[200 - 10] ^= 1;
        PeerCert bad = PeerCert.decode(enc);
        assertEquals(PeerCert.BAD_SIGNATURE, error(() -> bad.verify(local, remote, NOW + 3601)));
    }

    @Test
    void wrongBinding() {
        PeerCert c = cert();
        // The verifier must pass the fingerprints as the signer saw them; swapped is another connection.
        assertEquals(PeerCert.WRONG_BINDING, error(() -> c.verify(remote, local, NOW)));
        assertEquals(PeerCert.WRONG_BINDING, error(() -> c.verify(random32(), remote, NOW)));
        assertEquals(PeerCert.WRONG_BINDING, error(() -> c.verify(local, random32(), NOW)));
        assertEquals(PeerCert.WRONG_BINDING, error(() -> c.verify(null, null, NOW)));
        byte[] oneBit = remote.clone();
        oneBit[31] ^= 1;
        assertEquals(PeerCert.WRONG_BINDING, error(() -> c.verify(local, oneBit, NOW)));
    }

    @Test
    void idIsSha1OfTheSpki() {
        PeerCert c = cert();
        byte[] spki = Bytes.concat(Bytes.unhex("302a300506032b6570032100"), key.publicKey());
        assertEquals(44, spki.length);
        assertArrayEquals(spki, c.spki());
        assertArrayEquals(spki, PeerCert.spkiOf(key.publicKey()));
        assertEquals(NodeId.ofKey(spki), c.id());
        assertEquals(NodeId.ofKey(spki), c.verify(local, remote, NOW));
        assertArrayEquals(key.publicKey(), PeerCert.ed25519FromSpki(spki));
        RelayIdentity id = PeerLinkAuth.identityOf(c);
        assertArrayEquals(c.id().bytes(), id.rsaIdentity());
        assertArrayEquals(key.publicKey(), id.ed25519Identity());
        assertNotEquals(c.id(), PeerCert.sign(Ed25519.generate(RND), onion, local, remote, NOW).id());
    }

    @Test
    void ed25519FromSpkiRefusesOtherKeys() {
        byte[] spki = PeerCert.spkiOf(key.publicKey());
        assertNull(PeerCert.ed25519FromSpki(Bytes.slice(spki, 0, 43)));
        assertNull(PeerCert.ed25519FromSpki(Bytes.concat(spki, new byte[1])));
        assertNull(PeerCert.ed25519FromSpki(new byte[0]));
        byte[] x25519 = spki.clone();
        x25519[8] = 0x6e; // OID 1.3.101.110 (X25519), same length
        assertNull(PeerCert.ed25519FromSpki(x25519));
        // A P-256 SPKI (91 bytes) is not Ed25519.
        assertNull(PeerCert.ed25519FromSpki(new byte[91]));
    }

    @Test
    void decodeRejectsWrongVersionAndLength() {
        byte[] enc = cert().encode();
        byte[] v2 = enc.clone();
        v2[0] = 2;
        assertEquals("peer certificate version 2 is not 1", error(() -> PeerCert.decode(v2)));
        byte[] v0 = enc.clone();
        v0[0] = 0;
        assertEquals("peer certificate version 0 is not 1", error(() -> PeerCert.decode(v0)));
        assertEquals("u8: need 1 bytes, have 0", error(() -> PeerCert.decode(new byte[0])));
        assertEquals("bytes: need 64 bytes, have 63", error(() -> PeerCert.decode(Bytes.slice(enc, 0, 196))));
        assertEquals("u32: need 4 bytes, have 2", error(() -> PeerCert.decode(Bytes.slice(enc, 0, 131))));
        assertEquals("peer certificate is 198 bytes, not 197",
                error(() -> PeerCert.decode(Bytes.concat(enc, new byte[1]))));
    }
}
