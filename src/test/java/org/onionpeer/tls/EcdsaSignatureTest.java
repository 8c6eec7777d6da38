package org.onionpeer.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;

/** DER to raw r||s for WebCrypto: the JDK's own P1363 output is the reference; malformed DER gives null. */
class EcdsaSignatureTest {
    @Test
    void matchesTheJdksRawFormOnBothCurves() throws Exception {
        for (String[] c : new String[][] {{"secp256r1", "SHA256", "32"}, {"secp384r1", "SHA384", "48"}}) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(c[0]));
            KeyPair kp = g.generateKeyPair();
            for (int i = 0; i < 50; i++) { // enough to meet r or s with a high bit set and with leading zeros
                byte[] msg = Bytes.ascii("message " + i);
                Signature der = Signature.getInstance(c[1] + "withECDSA");
                der.initSign(kp.getPrivate());
                der.update(msg);
                byte[] d = der.sign();
                Signature raw = Signature.getInstance(c[1] + "withECDSAinP1363Format");
                raw.initVerify(kp.getPublic());
                raw.update(msg);
                byte[] r = EcdsaSignature.toRaw(d, Integer.parseInt(c[2]));
                if (!raw.verify(r)) {
                    throw new AssertionError(c[0] + ": raw form does not verify for " + Bytes.hex(d));
                }
            }
        }
    }

    @Test
    void refusesMalformedDer() {
        byte[] good = Bytes.unhex("3006020101020102");
        assertArrayEquals(Bytes.unhex("0000000000000000000000000000000000000000000000000000000000000001"
                + "0000000000000000000000000000000000000000000000000000000000000002"), EcdsaSignature.toRaw(good, 32));
        assertNull(EcdsaSignature.toRaw(Bytes.unhex("3007020101020102"), 32), "length beyond the end");
        assertNull(EcdsaSignature.toRaw(Bytes.unhex("300602010102010200"), 32), "trailing byte");
        assertNull(EcdsaSignature.toRaw(Bytes.unhex("3006020181020102"), 32), "negative r");
        assertNull(EcdsaSignature.toRaw(Bytes.unhex("300702020001020102"), 32), "non-minimal r");
        assertNull(EcdsaSignature.toRaw(Bytes.unhex("3006030101020102"), 32), "not an INTEGER");
        assertNull(EcdsaSignature.toRaw(Bytes.unhex("3006020101020102"), 0), "too wide for the curve");
    }
}
