package org.onionpeer.cert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;

class Ed25519CertTest {
    private static final Ed25519.KeyPair ID = Ed25519.fromSeed(seed(1));
    private static final Ed25519.KeyPair SIGNING = Ed25519.fromSeed(seed(2));
    private static final long EXP_HOURS = 500_000; // 2027
    private static final long NOW = (EXP_HOURS - 10) * 3600;

    private static byte[] seed(int v) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) v);
        return s;
    }

    @Test
    void createEncodeDecodeVerify() {
        Ed25519Cert c = Ed25519Cert.create(4, SIGNING.publicKey(), Ed25519Cert.KEY_ED25519, EXP_HOURS, ID, true);
        byte[] wire = c.encode();
        assertEquals(104 + 36, wire.length);
        Ed25519Cert d = Ed25519Cert.decode(wire);
        assertArrayEquals(wire, d.encode());
        assertEquals(4, d.certType());
        assertEquals(EXP_HOURS, d.expirationHours());
        assertArrayEquals(SIGNING.publicKey(), d.certifiedKey());
        assertArrayEquals(ID.publicKey(), d.includedSigningKey());
        d.verify(null, NOW);
        d.verify(ID.publicKey(), NOW);
        assertTrue(d.signatureValidBy(ID.publicKey()));
    }

    @Test
    void withoutTheExtensionTheCallerMustNameTheKey() {
        Ed25519Cert c = Ed25519Cert.create(5, new byte[32], Ed25519Cert.KEY_SHA256_OF_X509, EXP_HOURS, SIGNING, false);
        assertNull(c.includedSigningKey());
        assertEquals(104, c.encode().length);
        ProtocolException e = assertThrows(ProtocolException.class, () -> c.verify(null, NOW));
        assertTrue(e.getMessage().contains("no signing key"));
        c.verify(SIGNING.publicKey(), NOW);
        assertThrows(ProtocolException.class, () -> c.verify(ID.publicKey(), NOW));
    }

    @Test
    void tamperingAnyByteFailsDecodeOrVerify() {
        byte[] wire = Ed25519Cert.create(4, SIGNING.publicKey(), 1, EXP_HOURS, ID, true).encode();
        for (int i = 0; i < wire.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] t = wire.clone();
                t[i] ^= (byte) (1 << bit);
                int at = i;
                assertThrows(ProtocolException.class, () -> Ed25519Cert.decode(t).verify(ID.publicKey(), NOW),
                        "byte " + at);
            }
        }
    }

    @Test
    void expiryIsExclusiveOfTheLastSecondOfTheHour() {
        Ed25519Cert c = Ed25519Cert.create(4, SIGNING.publicKey(), 1, EXP_HOURS, ID, true);
        c.verify(null, EXP_HOURS * 3600); // tor: expired only when EXPIRATION*3600 < now
        ProtocolException e = assertThrows(ProtocolException.class, () -> c.verify(null, EXP_HOURS * 3600 + 1));
        assertEquals("Ed25519 cert: expired", e.getMessage());
    }

    @Test
    void includedKeyMustMatchTheExpectedKey() {
        Ed25519Cert c = Ed25519Cert.create(4, SIGNING.publicKey(), 1, EXP_HOURS, ID, true);
        ProtocolException e = assertThrows(ProtocolException.class, () -> c.verify(SIGNING.publicKey(), NOW));
        assertTrue(e.getMessage().contains("does not match"));
    }

    @Test
    void unknownExtensionsCountOnlyWhenTheyAffectValidation() {
        List<Ed25519Cert.Extension> harmless = new ArrayList<>();
        harmless.add(new Ed25519Cert.Extension(0x42, 0, new byte[] {1, 2, 3}));
        Ed25519Cert ok = Ed25519Cert.create(4, SIGNING.publicKey(), 1, EXP_HOURS, harmless, ID);
        ok.verify(ID.publicKey(), NOW);
        assertEquals(1, ok.extensions().size());

        List<Ed25519Cert.Extension> critical = new ArrayList<>();
        critical.add(new Ed25519Cert.Extension(0x42, Ed25519Cert.FLAG_AFFECTS_VALIDATION, new byte[0]));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> Ed25519Cert.create(4, SIGNING.publicKey(), 1, EXP_HOURS, critical, ID));
        assertTrue(e.getMessage().contains("affects validation"));
    }

    @Test
    void signingKeyExtensionMustBe32BytesAndUnique() {
        List<Ed25519Cert.Extension> shortKey = new ArrayList<>();
        shortKey.add(new Ed25519Cert.Extension(4, 0, new byte[31]));
        assertThrows(ProtocolException.class, () -> Ed25519Cert.create(4, new byte[32], 1, 1, shortKey, ID));
        List<Ed25519Cert.Extension> twice = new ArrayList<>();
        twice.add(new Ed25519Cert.Extension(4, 0, ID.publicKey()));
        twice.add(new Ed25519Cert.Extension(4, 0, ID.publicKey()));
        assertThrows(ProtocolException.class, () -> Ed25519Cert.create(4, new byte[32], 1, 1, twice, ID));
    }

    @Test
    void strictLengths() {
        byte[] wire = Ed25519Cert.create(4, SIGNING.publicKey(), 1, EXP_HOURS, ID, true).encode();
        for (int n = 0; n < wire.length; n++) {
            byte[] cut = Arrays.copyOf(wire, n);
            assertThrows(ProtocolException.class, () -> Ed25519Cert.decode(cut), "length " + n);
        }
        assertThrows(ProtocolException.class, () -> Ed25519Cert.decode(Arrays.copyOf(wire, wire.length + 1)));
        byte[] more = wire.clone();
        more[39] = 2; // N_EXTENSIONS claims a second extension that is not there
        assertThrows(ProtocolException.class, () -> Ed25519Cert.decode(more));
    }

    @Test
    void maximumExpirationFitsFourBytes() {
        Ed25519Cert c = Ed25519Cert.create(4, new byte[32], 1, 0xffffffffL, ID, false);
        assertEquals(0xffffffffL, Ed25519Cert.decode(c.encode()).expirationHours());
        assertThrows(IllegalArgumentException.class, () -> Ed25519Cert.create(4, new byte[32], 1, 1L << 32, ID, false));
    }
}
