package org.onionpeer.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/**
 * Hostile bytes into the record layer, the handshake decoders and the certificate parser: whatever comes in,
 * the client either waits for more or fails with a {@link TlsException} handed to its listener, and
 * {@link Certificate#parse} either parses or throws a TlsException; nothing else escapes. Flights of both
 * versions are mutated; the unmutated seeds must decode (the client advances to the expected state). The
 * seed is printed for replay.
 */
class TlsFuzzTest {
    static final int ROUNDS = 4000;
    static TestPki.Issued ca;
    static TestPki.Issued leaf;

    @BeforeAll
    static void pki() {
        ca = TestPki.selfSigned(new TestPki.Spec().cn("Fuzz CA").ca());
        leaf = TestPki.issue(new TestPki.Spec().cn("fuzz.test").dns("fuzz.test"), ca);
    }

    /**
     * Crypto with the secrets taken out so a test can speak for the server: a key share that always agrees
     * on 32 zero bytes, an "AEAD" that appends (and checks) a zero tag. Signatures are real.
     */
    static final class TransparentCrypto implements TlsCrypto {
        final BcTlsCrypto real = new BcTlsCrypto(new SecureRandom()::nextBytes);

        public void random(byte[] out) {
            java.util.Arrays.fill(out, (byte) 7);
        }

        public boolean supportsGroup(int group) {
            return true;
        }

        public void keyShare(int group, Done<KeyShare> done) {
            done.done(new KeyShare() {
                public int group() {
                    return group;
                }

                public byte[] publicKey() {
                    return new byte[32];
                }

                public void agree(byte[] peer, Done<byte[]> d) {
                    d.done(peer.length == 32 || peer.length == 65 ? new byte[32] : null); // x25519 or P-256 sized
                }
            });
        }

        public Aead aead(int suite, byte[] key) {
            return new Aead() {
                public void seal(byte[] nonce, byte[] aad, byte[] plaintext, Done<byte[]> done) {
                    done.done(Bytes.concat(plaintext, new byte[Tls.AEAD_TAG]));
                }

                public void open(byte[] nonce, byte[] aad, byte[] ct, Done<byte[]> done) {
                    for (int i = ct.length - Tls.AEAD_TAG; i < ct.length; i++) {
                        if (ct[i] != 0) {
                            done.done(null);
                            return;
                        }
                    }
                    done.done(Bytes.slice(ct, 0, ct.length - Tls.AEAD_TAG));
                }
            };
        }

        public void verify(int scheme, PublicKeyInfo key, byte[] message, byte[] signature, Done<Boolean> done) {
            real.verify(scheme, key, message, signature, done);
        }
    }

    static class Outcome implements TlsClient.Listener {
        TlsException failure;
        int failures;

        public void send(byte[] records) {
        }

        public void connected() {
        }

        public void received(byte[] data) {
        }

        public void closed() {
        }

        public void failed(TlsException e) {
            failure = e;
            failures++;
        }
    }

    static byte[] message(int type, byte[] body) {
        return new ByteWriter().u8(type).u8(body.length >>> 16).u16(body.length & 0xffff).bytes(body).toByteArray();
    }

    static byte[] plainRecord(int type, byte[] content) {
        return new ByteWriter().u8(type).u16(0x0303).u16(content.length).bytes(content).toByteArray();
    }

    static byte[] sealedRecord(int innerType, byte[] content) {
        byte[] inner = Bytes.concat(content, new byte[] {(byte) innerType}, new byte[Tls.AEAD_TAG]);
        return plainRecord(Tls.APPLICATION_DATA, inner);
    }

    static byte[] serverHello() {
        ByteWriter ext = new ByteWriter();
        ext.u16(Tls.EXT_SUPPORTED_VERSIONS).u16(2).u16(Tls.TLS13);
        ext.u16(Tls.EXT_KEY_SHARE).u16(36).u16(Tls.X25519).u16(32).bytes(new byte[32]);
        byte[] e = ext.toByteArray();
        ByteWriter b = new ByteWriter().u16(0x0303).bytes(new byte[32]).u8(0).u16(Tls.TLS_AES_128_GCM_SHA256).u8(0)
                .u16(e.length).bytes(e);
        return message(Tls.SERVER_HELLO, b.toByteArray());
    }

    static byte[] certificateMessage() {
        byte[] der = leaf.der;
        byte[] caDer = ca.der;
        ByteWriter list = new ByteWriter();
        list.u8(der.length >>> 16).u16(der.length & 0xffff).bytes(der).u16(0);
        list.u8(caDer.length >>> 16).u16(caDer.length & 0xffff).bytes(caDer).u16(0);
        byte[] l = list.toByteArray();
        return message(Tls.CERTIFICATE, new ByteWriter().u8(0).u8(l.length >>> 16).u16(l.length & 0xffff).bytes(l)
                .toByteArray());
    }

    /** The server's flight up to the Certificate, as records: the seed that must reach WAIT_CERTIFICATE_VERIFY. */
    static byte[] flight() {
        return Bytes.concat(plainRecord(Tls.HANDSHAKE, serverHello()),
                plainRecord(Tls.CHANGE_CIPHER_SPEC, new byte[] {1}),
                sealedRecord(Tls.HANDSHAKE, message(Tls.ENCRYPTED_EXTENSIONS, new byte[] {0, 0})),
                sealedRecord(Tls.HANDSHAKE, certificateMessage()));
    }

    // ---- TLS 1.2 (the scripted server and the fuzzer) ---------------------------------------------------

    /** The server random of the scripted TLS 1.2 server: no downgrade sentinel. */
    static final byte[] SERVER_RANDOM_12 = filled(32, 0x22);
    /** The client random under {@link TransparentCrypto}. */
    static final byte[] CLIENT_RANDOM = filled(32, 7);

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    /** extended_master_secret, renegotiation_info (empty), ec_point_formats (uncompressed): what a good server answers. */
    static byte[] extensions12() {
        return new ByteWriter().u16(Tls.EXT_EXTENDED_MASTER_SECRET).u16(0).u16(Tls.EXT_RENEGOTIATION_INFO).u16(1).u8(0)
                .u16(Tls.EXT_EC_POINT_FORMATS).u16(2).u8(1).u8(0).toByteArray();
    }

    static byte[] serverHello12(byte[] random, int suite, byte[] extensions) {
        ByteWriter b = new ByteWriter().u16(Tls.TLS12).bytes(random).u8(32).bytes(filled(32, 0x33)).u16(suite).u8(0);
        if (extensions != null) {
            b.u16(extensions.length).bytes(extensions);
        }
        return message(Tls.SERVER_HELLO, b.toByteArray());
    }

    static byte[] certificateMessage12(TestPki.Issued... chain) {
        ByteWriter list = new ByteWriter();
        for (TestPki.Issued c : chain) {
            list.u8(c.der.length >>> 16).u16(c.der.length & 0xffff).bytes(c.der);
        }
        byte[] l = list.toByteArray();
        return message(Tls.CERTIFICATE, new ByteWriter().u8(l.length >>> 16).u16(l.length & 0xffff).bytes(l).toByteArray());
    }

    /** ServerKeyExchange for {@code group}/{@code point}, signed with {@code key} under JCA {@code algorithm}. */
    static byte[] serverKeyExchange12(byte[] serverRandom, int group, byte[] point, int scheme, String algorithm,
            java.security.PrivateKey key) {
        byte[] params = new ByteWriter().u8(3).u16(group).u8(point.length).bytes(point).toByteArray();
        try {
            java.security.Signature sig = java.security.Signature.getInstance(algorithm);
            sig.initSign(key);
            sig.update(Bytes.concat(CLIENT_RANDOM, serverRandom, params));
            byte[] s = sig.sign();
            return message(Tls.SERVER_KEY_EXCHANGE, new ByteWriter().bytes(params).u16(scheme).u16(s.length).bytes(s)
                    .toByteArray());
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** A TLS 1.2 AES-GCM record under {@link TransparentCrypto}: explicit nonce, content, zero tag. */
    static byte[] sealedRecord12(int type, long seq, byte[] content) {
        byte[] explicit = new ByteWriter().u32(seq >>> 32).u32(seq & 0xffffffffL).toByteArray();
        return plainRecord(type, Bytes.concat(explicit, content, new byte[Tls.AEAD_TAG]));
    }

    /** The TLS 1.2 server flight up to ServerHelloDone: the seed that must reach WAIT_CHANGE_CIPHER_SPEC. */
    static byte[] flight12() {
        return Bytes.concat(plainRecord(Tls.HANDSHAKE, serverHello12(SERVER_RANDOM_12,
                        Tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, extensions12())),
                plainRecord(Tls.HANDSHAKE, certificateMessage12(leaf, ca)),
                plainRecord(Tls.HANDSHAKE, serverKeyExchange12(SERVER_RANDOM_12, Tls.X25519, new byte[32],
                        Tls.ECDSA_SECP256R1_SHA256, "SHA256withECDSA", leaf.keys.getPrivate())),
                plainRecord(Tls.HANDSHAKE, message(Tls.SERVER_HELLO_DONE, new byte[0])));
    }

    static TlsClient client(Outcome out) {
        TlsClient c = new TlsClient(TlsConfig.of("fuzz.test", TrustStore.fromPem(ca.pem()), TestPki.NOW),
                new TransparentCrypto(), out);
        c.start();
        return c;
    }

    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        switch (r.nextInt(4)) {
            case 0: { // flip a few bytes
                int n = 1 + r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                }
                return b;
            }
            case 1: // truncate
                return Bytes.slice(b, 0, r.nextInt(b.length));
            case 2: { // set a byte to a boundary value (lengths are the interesting targets)
                b[r.nextInt(b.length)] = (byte) new int[] {0, 1, 0x7f, 0x80, 0xff}[r.nextInt(5)];
                return b;
            }
            default: { // duplicate a slice
                int from = r.nextInt(b.length);
                int len = r.nextInt(Math.min(64, b.length - from) + 1);
                int at = r.nextInt(b.length);
                return Bytes.concat(Bytes.slice(b, 0, at), Bytes.slice(b, from, len), Bytes.slice(b, at, b.length - at));
            }
        }
    }

    @Test
    void validSeedsDecode() {
        Outcome out = new Outcome();
        TlsClient c = client(out);
        byte[] f = flight();
        // In pieces of every size from 1 byte: record and message reassembly.
        Random r = new Random(1);
        for (int off = 0; off < f.length; ) {
            int n = Math.min(f.length - off, 1 + r.nextInt(40));
            c.receive(f, off, n);
            off += n;
        }
        assertNull(out.failure, () -> out.failure.getMessage());
        assertEquals(TlsClient.State.WAIT_CERTIFICATE_VERIFY, c.state());
        assertEquals(2, c.serverCertificates().size());
        assertEquals("CN=fuzz.test", c.serverCertificates().get(0).subject());
        Certificate.parse(leaf.der);
        Certificate.parse(ca.der);
    }

    @Test
    void validTls12SeedDecodes() {
        Outcome out = new Outcome();
        TlsClient c = client(out);
        byte[] f = flight12();
        Random r = new Random(2);
        for (int off = 0; off < f.length; ) {
            int n = Math.min(f.length - off, 1 + r.nextInt(40));
            c.receive(f, off, n);
            off += n;
        }
        assertNull(out.failure, () -> out.failure.getMessage());
        assertEquals(TlsClient.State.WAIT_CHANGE_CIPHER_SPEC, c.state());
        assertEquals(Tls.TLS12, c.version());
        assertEquals(2, c.serverCertificates().size());
    }

    @Test
    void hostileHandshakeBytes() {
        long seed = new SecureRandom().nextLong();
        System.out.println("TlsFuzzTest.hostileHandshakeBytes seed " + seed);
        Random r = new Random(seed);
        byte[][] seeds = {flight(), flight12()}; // TLS 1.3 and TLS 1.2
        int failed = 0;
        int waiting = 0;
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            byte[] input = r.nextInt(10) == 0 ? randomBytes(r) : mutate(seeds[i % 2], r);
            Outcome out = new Outcome();
            TlsClient c = client(out);
            try {
                c.receive(input);
            } catch (RuntimeException e) {
                fail("seed " + seed + " round " + i + ": receive threw " + e);
            }
            assertTrue(out.failures <= 1, "failed once at most");
            if (out.failure != null) {
                failed++;
                assertEquals(TlsClient.State.FAILED, c.state());
                assertTrue(out.failure.getMessage() != null && !out.failure.getMessage().startsWith("internal error"),
                        () -> "seed " + seed + ": " + out.failure.getMessage());
                if (messages.size() < 12 && !messages.contains(out.failure.getMessage())) {
                    messages.add(out.failure.getMessage());
                }
            } else {
                waiting++;
            }
        }
        System.out.println("  " + failed + " refused, " + waiting + " waiting or advanced; e.g. " + messages);
    }

    @Test
    void hostileCertificates() {
        long seed = new SecureRandom().nextLong();
        System.out.println("TlsFuzzTest.hostileCertificates seed " + seed);
        Random r = new Random(seed);
        byte[][] seeds = {leaf.der, ca.der, TestPki.selfSigned(new TestPki.Spec().cn("rsa").keys(TestPki.rsa())
                .ip("10.0.0.1")).der};
        int parsed = 0;
        for (byte[] s : seeds) {
            Certificate.parse(s);
        }
        for (int i = 0; i < ROUNDS; i++) {
            byte[] input = mutate(seeds[r.nextInt(seeds.length)], r);
            try {
                Certificate.parse(input);
                parsed++;
            } catch (TlsException e) {
                assertTrue(e.getMessage() != null);
            } catch (RuntimeException e) {
                fail("seed " + seed + " round " + i + ": parse threw " + e);
            }
        }
        System.out.println("  " + parsed + " of " + ROUNDS + " mutants still parsed (signatures are checked later)");
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(300)];
        r.nextBytes(b);
        if (b.length > 5 && r.nextBoolean()) {
            b[0] = 22;
            b[1] = 3;
        }
        return b;
    }
}
