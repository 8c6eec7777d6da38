package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.bouncycastle.crypto.StreamCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;

/**
 * TunedAes128.ctr256 (ntor v3's ENC) against Bouncy Castle's AES-256 in SIC mode, which NtorV3 used before;
 * NtorV3KnownAnswersTest checks it inside tor's own handshake vectors.
 */
class Aes256CtrTest {
    static byte[] bc(byte[] key, byte[] m) {
        StreamCipher ctr = SICBlockCipher.newInstance(AESEngine.newInstance());
        ctr.init(true, new ParametersWithIV(new KeyParameter(key), new byte[16]));
        byte[] out = new byte[m.length];
        ctr.processBytes(m, 0, m.length, out, 0);
        return out;
    }

    @Test
    void matchesBouncyCastleOnRandomKeysAndLengths() {
        Random r = new Random(12);
        for (int n = 0; n < 300; n++) {
            byte[] key = new byte[32];
            r.nextBytes(key);
            byte[] m = new byte[n < 100 ? n : r.nextInt(5000)];
            r.nextBytes(m);
            assertArrayEquals(bc(key, m), TunedAes128.ctr256(key, m), "length " + m.length);
        }
    }
}
