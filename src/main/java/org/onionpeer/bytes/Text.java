package org.onionpeer.bytes;

import java.util.ArrayList;
import java.util.List;

/**
 * Text helpers without regular expressions: String.split would pull TeaVM's whole regex engine into the
 * browser bundle for what is always a split on one literal separator.
 */
public final class Text {
    private Text() {
    }

    /** Splits on every occurrence of {@code sep}, keeping empty fields (like split(sep, -1)). */
    public static String[] split(String s, String sep) {
        List<String> out = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out.toArray(new String[0]);
    }

    /**
     * {@code s.getBytes(StandardCharsets.UTF_8)}, the same bytes (an unpaired surrogate becomes '?'), without
     * TeaVM's java.nio.charset machinery in the browser bundle.
     */
    public static byte[] utf8(String s) {
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xc0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isSurrogate(c)) {
                char c2;
                if (Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(c2 = s.charAt(i + 1))) {
                    int uc = Character.toCodePoint(c, c2);
                    out[n++] = (byte) (0xf0 | (uc >> 18));
                    out[n++] = (byte) (0x80 | ((uc >> 12) & 0x3f));
                    out[n++] = (byte) (0x80 | ((uc >> 6) & 0x3f));
                    out[n++] = (byte) (0x80 | (uc & 0x3f));
                    i++;
                } else {
                    out[n++] = '?';
                }
            } else {
                out[n++] = (byte) (0xe0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                out[n++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return n == out.length ? out : Bytes.slice(out, 0, n);
    }

    /** {@code new String(b, StandardCharsets.UTF_8)}: see {@link #utf8(byte[], int, int)}. */
    public static String utf8(byte[] b) {
        return utf8(b, 0, b.length);
    }

    /**
     * {@code new String(b, off, len, StandardCharsets.UTF_8)}, the same text, malformed input included: this
     * follows the JDK's own decoder (java.lang.String's decodeUTF8_UTF16), one U+FFFD per maximal malformed
     * subpart and one for a truncated sequence at the end, so the JVM and the browser read the same bytes the
     * same way, without TeaVM's java.nio.charset machinery in the browser bundle.
     */
    public static String utf8(byte[] b, int off, int len) {
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new StringIndexOutOfBoundsException("offset " + off + ", length " + len + ", of " + b.length);
        }
        char[] out = new char[len];
        int n = 0;
        int sp = off;
        int sl = off + len;
        final char repl = '\ufffd';
        while (sp < sl) {
            int b1 = b[sp++];
            if (b1 >= 0) {
                out[n++] = (char) b1;
            } else if ((b1 >> 5) == -2 && (b1 & 0x1e) != 0) {
                if (sp < sl) {
                    int b2 = b[sp++];
                    if (notContinuation(b2)) {
                        out[n++] = repl;
                        sp--;
                    } else {
                        out[n++] = (char) (((b1 & 0x1f) << 6) | (b2 & 0x3f));
                    }
                    continue;
                }
                out[n++] = repl;
                break;
            } else if ((b1 >> 4) == -2) {
                if (sp + 1 < sl) {
                    int b2 = b[sp++];
                    int b3 = b[sp++];
                    if (malformed3Prefix(b1, b2) || notContinuation(b3)) {
                        out[n++] = repl;
                        sp -= 3;
                        sp += malformed3Prefix(b1, b2) ? 1 : 2;
                    } else {
                        char c = (char) (((b1 & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f));
                        out[n++] = Character.isSurrogate(c) ? repl : c;
                    }
                    continue;
                }
                if (sp < sl && malformed3Prefix(b1, b[sp])) {
                    out[n++] = repl;
                    continue;
                }
                out[n++] = repl;
                break;
            } else if ((b1 >> 3) == -2) {
                if (sp + 2 < sl) {
                    int b2 = b[sp++];
                    int b3 = b[sp++];
                    int b4 = b[sp++];
                    int uc = ((b1 & 0x07) << 18) | ((b2 & 0x3f) << 12) | ((b3 & 0x3f) << 6) | (b4 & 0x3f);
                    if (notContinuation(b2) || notContinuation(b3) || notContinuation(b4)
                            || !Character.isSupplementaryCodePoint(uc)) {
                        out[n++] = repl;
                        sp -= 4;
                        int c1 = b[sp] & 0xff;
                        int c2 = b[sp + 1] & 0xff;
                        sp += malformed4Prefix(c1, c2) ? 1 : notContinuation(b[sp + 2]) ? 2 : 3;
                    } else {
                        out[n++] = Character.highSurrogate(uc);
                        out[n++] = Character.lowSurrogate(uc);
                    }
                    continue;
                }
                b1 &= 0xff;
                if (b1 > 0xf4 || sp < sl && malformed4Prefix(b1, b[sp] & 0xff)) {
                    out[n++] = repl;
                    continue;
                }
                sp++;
                out[n++] = repl;
                if (sp < sl && notContinuation(b[sp])) {
                    continue;
                }
                break;
            } else {
                out[n++] = repl;
            }
        }
        return new String(out, 0, n);
    }

    private static boolean notContinuation(int b) {
        return (b & 0xc0) != 0x80;
    }

    /** A 3-byte lead and its second byte that cannot start a well-formed sequence (overlong, or no continuation). */
    private static boolean malformed3Prefix(int b1, int b2) {
        return (b1 == (byte) 0xe0 && (b2 & 0xe0) == 0x80) || notContinuation(b2);
    }

    /** The same for a 4-byte lead (unsigned here): above U+10FFFF, overlong, or no continuation. */
    private static boolean malformed4Prefix(int b1, int b2) {
        return b1 > 0xf4 || (b1 == 0xf0 && (b2 < 0x90 || b2 > 0xbf)) || (b1 == 0xf4 && (b2 & 0xf0) != 0x80)
                || notContinuation(b2);
    }

    /** {@code new String(b, off, len, StandardCharsets.ISO_8859_1)}: each byte the char of that value. */
    public static String latin1(byte[] b, int off, int len) {
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new StringIndexOutOfBoundsException("offset " + off + ", length " + len + ", of " + b.length);
        }
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = (char) (b[off + i] & 0xff);
        }
        return new String(c);
    }
}
