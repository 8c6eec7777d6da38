package org.onionpeer.netdoc;

import org.onionpeer.bytes.ProtocolException;

/**
 * Strict standard base64 (RFC 4648 §4, alphabet {@code A-Za-z0-9+/}) as tor writes it: objects carry '='
 * padding, keyword-line arguments (identities in "r" lines, ntor keys, Ed25519 signatures) usually omit it
 * (dir-spec §1.2, tor's base64 without trailing '='). Both forms decode; anything else is rejected: a
 * foreign character, padding that is not exactly what the length needs, a length no encoding produces, or
 * non-zero bits left over in the last character (so every byte string has exactly one accepted spelling
 * apart from the optional padding).
 */
public final class Base64 {
    /** Longest text {@link #decode} accepts (objects and arguments in directory documents stay far below). */
    public static final int MAX_TEXT = 1 << 20;

    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private Base64() {
    }

    private static int value(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '+') {
            return 62;
        }
        if (c == '/') {
            return 63;
        }
        return -1;
    }

    /** Decodes padded or unpadded base64. */
    public static byte[] decode(String s) {
        if (s == null) {
            throw new ProtocolException("base64: no text");
        }
        int len = s.length();
        if (len > MAX_TEXT) {
            throw new ProtocolException("base64: longer than " + MAX_TEXT + " characters");
        }
        int pad = 0;
        while (pad < 2 && len - pad > 0 && s.charAt(len - pad - 1) == '=') {
            pad++;
        }
        int n = len - pad;
        if (pad > 0 && len % 4 != 0) {
            throw new ProtocolException("base64: padding on a length that is not a multiple of 4");
        }
        int rem = n % 4;
        if (rem == 1) {
            throw new ProtocolException("base64: impossible length " + n);
        }
        if (pad > 0 && pad != (4 - rem) % 4) {
            throw new ProtocolException("base64: wrong amount of padding");
        }
        byte[] out = new byte[n / 4 * 3 + (rem == 0 ? 0 : rem - 1)];
        int o = 0;
        int acc = 0;
        int bits = 0;
        for (int i = 0; i < n; i++) {
            int v = value(s.charAt(i));
            if (v < 0) {
                throw new ProtocolException("base64: bad character at " + i);
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (byte) (acc >> bits);
                acc &= (1 << bits) - 1;
            }
        }
        if (acc != 0) {
            throw new ProtocolException("base64: non-zero trailing bits");
        }
        return out;
    }

    /** Decodes and requires exactly {@code length} bytes; {@code what} names the field in the error. */
    public static byte[] decode(String s, int length, String what) {
        byte[] b = decode(s);
        if (b.length != length) {
            throw new ProtocolException(what + ": " + b.length + " bytes, expected " + length);
        }
        return b;
    }

    /** Encodes with padding. */
    public static String encode(byte[] b) {
        StringBuilder sb = new StringBuilder((b.length + 2) / 3 * 4);
        for (int i = 0; i < b.length; i += 3) {
            int v = (b[i] & 0xff) << 16;
            int k = Math.min(3, b.length - i);
            if (k > 1) {
                v |= (b[i + 1] & 0xff) << 8;
            }
            if (k > 2) {
                v |= b[i + 2] & 0xff;
            }
            sb.append(ALPHABET[(v >> 18) & 63]).append(ALPHABET[(v >> 12) & 63]);
            sb.append(k > 1 ? ALPHABET[(v >> 6) & 63] : '=').append(k > 2 ? ALPHABET[v & 63] : '=');
        }
        return sb.toString();
    }

    /** Encodes without trailing '=' (tor's form in keyword lines). */
    public static String encodeUnpadded(byte[] b) {
        String s = encode(b);
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        return s.substring(0, end);
    }
}
