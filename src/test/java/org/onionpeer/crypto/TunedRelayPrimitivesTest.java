package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;

class TunedRelayPrimitivesTest {
    private final RelayPrimitives p = new TunedRelayPrimitives();

    @Test
    void knownAnswers() {
        RelayPrimitivesEquivalence.knownAnswersPass(p);
    }

    @Test
    void cipherMatchesBouncyCastle() {
        RelayPrimitivesEquivalence.cipherMatchesBc(p, 1, 400);
    }

    @Test
    void digestMatchesBouncyCastle() {
        RelayPrimitivesEquivalence.digestMatchesBc(p, 2, 400);
    }

    /** FIPS 197 Appendix C.1 (AES-128): one block, checked through the raw block function. */
    @Test
    void fips197AppendixC1() {
        TunedAes128 aes = new TunedAes128(Bytes.unhex("000102030405060708090a0b0c0d0e0f"));
        byte[] out = new byte[16];
        // Plaintext 00112233..ff as the "counter" gives the ECB block.
        aes.keystream(0x00112233, 0x44556677, 0x8899aabb, 0xccddeeff, out, 0, 1);
        assertArrayEquals(Bytes.unhex("69c4e0d86a7b0430d8cdb78070b4c55a"), out);
    }

    /** The 128-bit counter carries across word boundaries exactly like BC's SIC mode. */
    @Test
    void counterCarriesAcrossWords() {
        Random r = new Random(3);
        int[][] starts = {{0, 0, 0, -3}, {0, 0, -1, -2}, {0, -1, -1, -1}, {5, 7, 0x7fffffff, -1}};
        for (int[] s : starts) {
            byte[] key = new byte[16];
            r.nextBytes(key);
            byte[] iv = new byte[16];
            for (int i = 0; i < 4; i++) {
                iv[4 * i] = (byte) (s[i] >>> 24);
                iv[4 * i + 1] = (byte) (s[i] >>> 16);
                iv[4 * i + 2] = (byte) (s[i] >>> 8);
                iv[4 * i + 3] = (byte) s[i];
            }
            SICBlockCipher bc = new SICBlockCipher(AESEngine.newInstance());
            bc.init(true, new ParametersWithIV(new KeyParameter(key), iv));
            byte[] want = new byte[16 * 6];
            bc.processBytes(new byte[want.length], 0, want.length, want, 0);
            byte[] got = new byte[want.length];
            new TunedAes128(key).keystream(s[0], s[1], s[2], s[3], got, 0, 6);
            assertArrayEquals(want, got);
        }
    }

    @Test
    void rejectsWrongKeyLength() {
        assertThrows(IllegalArgumentException.class, () -> p.aes128Ctr(new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> p.sha1().peek(new byte[30], 0, 21));
    }
}
