package org.onionpeer.cert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Rsa;

class RsaCrossCertTest {
    private static final Rsa.PrivateKey RSA = CertKnownAnswers.katRsaKey();
    private static final byte[] ED = CertKnownAnswers.katRelayKeys().ed25519Identity().publicKey();
    private static final long EXP = 480_000;
    private static final long NOW = EXP * 3600 - 1;

    @Test
    void createEncodeDecodeVerify() {
        RsaCrossCert c = RsaCrossCert.create(ED, EXP, RSA);
        byte[] wire = c.encode();
        assertEquals(32 + 4 + 1 + 128, wire.length);
        assertEquals(128, wire[36] & 0xff);
        RsaCrossCert d = RsaCrossCert.decode(wire);
        assertArrayEquals(ED, d.ed25519Key());
        assertEquals(EXP, d.expirationHours());
        d.verify(RSA.publicKey(), ED, NOW);
        d.verify(RSA.publicKey(), null, NOW);
    }

    @Test
    void tamperingAnyByteFails() {
        byte[] wire = RsaCrossCert.create(ED, EXP, RSA).encode();
        for (int i = 0; i < wire.length; i++) {
            byte[] t = wire.clone();
            t[i] ^= 0x01;
            int at = i;
            assertThrows(ProtocolException.class,
                    () -> RsaCrossCert.decode(t).verify(RSA.publicKey(), ED, NOW), "byte " + at);
        }
    }

    @Test
    void expiredWrongKeyAndWrongIdentityFail() {
        RsaCrossCert c = RsaCrossCert.create(ED, EXP, RSA);
        assertTrue(assertThrows(ProtocolException.class, () -> c.verify(RSA.publicKey(), ED, EXP * 3600 + 1))
                .getMessage().contains("expired"));
        Rsa.PublicKey other = X509Cert.decode(org.onionpeer.bytes.Bytes.unhex(CertKnownAnswers.CERT_T2)).rsaPublicKey();
        assertTrue(assertThrows(ProtocolException.class, () -> c.verify(other, ED, NOW))
                .getMessage().contains("bad signature"));
        byte[] otherEd = ED.clone();
        otherEd[0] ^= 1;
        assertTrue(assertThrows(ProtocolException.class, () -> c.verify(RSA.publicKey(), otherEd, NOW))
                .getMessage().contains("different Ed25519"));
    }

    @Test
    void strictLengths() {
        byte[] wire = RsaCrossCert.create(ED, EXP, RSA).encode();
        for (int n = 0; n < wire.length; n++) {
            byte[] cut = Arrays.copyOf(wire, n);
            assertThrows(ProtocolException.class, () -> RsaCrossCert.decode(cut), "length " + n);
        }
        assertThrows(ProtocolException.class, () -> RsaCrossCert.decode(Arrays.copyOf(wire, wire.length + 1)));
        byte[] zeroSig = Arrays.copyOf(wire, 37);
        zeroSig[36] = 0;
        RsaCrossCert empty = RsaCrossCert.decode(zeroSig); // parses; can never verify
        assertThrows(ProtocolException.class, () -> empty.verify(RSA.publicKey(), ED, NOW));
    }
}
