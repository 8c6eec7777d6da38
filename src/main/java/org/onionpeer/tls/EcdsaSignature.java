package org.onionpeer.tls;

/**
 * ECDSA signatures between the two encodings in use: TLS and X.509 carry DER {@code SEQUENCE {r INTEGER,
 * s INTEGER}} (RFC 8446 §4.2.3, RFC 5480), WebCrypto wants the raw fixed-width {@code r || s} (WebCrypto
 * §23.4). Strict: a malformed DER signature is not a signature, so it converts to null (a failed verify),
 * never to something a lenient verifier might accept.
 */
public final class EcdsaSignature {
    private EcdsaSignature() {
    }

    /** {@code r || s}, each left-padded to {@code size} bytes (32 for P-256, 48 for P-384), or null. */
    public static byte[] toRaw(byte[] der, int size) {
        if (der.length < 8 || der[0] != 0x30 || (der[1] & 0xff) >= 0x80 && (der[1] & 0xff) != 0x81) {
            return null;
        }
        int p = 1;
        int len = der[p] & 0xff;
        p++;
        if (len == 0x81) {
            len = der[p++] & 0xff;
            if (len < 0x80) {
                return null; // not minimal DER
            }
        }
        if (p + len != der.length) {
            return null;
        }
        byte[] out = new byte[2 * size];
        for (int i = 0; i < 2; i++) {
            if (p + 2 > der.length || der[p] != 0x02) {
                return null;
            }
            int n = der[p + 1] & 0xff;
            p += 2;
            if (n == 0 || n >= 0x80 || p + n > der.length) {
                return null;
            }
            int start = p;
            int count = n;
            if (der[start] < 0) {
                return null; // negative
            }
            if (der[start] == 0) {
                if (count > 1 && der[start + 1] >= 0) {
                    return null; // not minimal
                }
                start++;
                count--;
            }
            if (count > size) {
                return null;
            }
            System.arraycopy(der, start, out, (i + 1) * size - count, count);
            p += n;
        }
        return p == der.length ? out : null;
    }
}
