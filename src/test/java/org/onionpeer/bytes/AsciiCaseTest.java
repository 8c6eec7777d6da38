package org.onionpeer.bytes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Text's ASCII case helpers: the JDK's answers on ASCII, and non-ASCII left alone. */
class AsciiCaseTest {
    @Test
    void matchesJdkOnEveryAsciiChar() {
        for (char c = 0; c < 128; c++) {
            String s = "x" + c + "Y";
            assertEquals(s.toLowerCase(Locale.ROOT), Text.asciiLower(s), "char " + (int) c);
            assertEquals(s.toUpperCase(Locale.ROOT), Text.asciiUpper(s), "char " + (int) c);
            assertEquals(Character.toUpperCase(c), Text.asciiUpper(c), "char " + (int) c);
            assertEquals(Character.digit(c, 16), Text.hexDigit(c), "char " + (int) c);
            assertEquals(s.regionMatches(true, 0, "X" + c, 0, 2), Text.startsWithIgnoreAsciiCase(s, "X" + c));
            for (char d = 0; d < 128; d++) {
                assertEquals(String.valueOf(c).equalsIgnoreCase(String.valueOf(d)),
                        Text.equalsIgnoreAsciiCase(String.valueOf(c), String.valueOf(d)), (int) c + " " + (int) d);
            }
        }
    }

    @Test
    void headersAndHex() {
        assertEquals("ABCDEF0123", Text.asciiUpper("abcdef0123"));
        assertEquals("abcdef0123", Text.asciiLower("ABCdef0123"));
        String same = "0123";
        assertSame(same, Text.asciiUpper(same));
        assertEquals(true, Text.equalsIgnoreAsciiCase("content-LENGTH", "Content-Length"));
        assertFalse(Text.equalsIgnoreAsciiCase("Content-Length", "Content-Lengt"));
        assertFalse(Text.equalsIgnoreAsciiCase(null, "a"));
        assertFalse(Text.equalsIgnoreAsciiCase("a", null));
    }

    @Test
    void nonAsciiIsNotFolded() {
        assertEquals("\u00c9t\u00e9", Text.asciiLower("\u00c9T\u00e9"));
        assertEquals("\u00e9T\u00c9", Text.asciiUpper("\u00e9t\u00c9"));
        assertFalse(Text.equalsIgnoreAsciiCase("\u00e9", "\u00c9"));
        assertFalse(Text.equalsIgnoreAsciiCase("\u0131", "I")); // dotless i: the JDK folds it, the protocols don't
        assertFalse(Text.equalsIgnoreAsciiCase("@", "`"));
        assertEquals('\u00e9', Text.asciiUpper('\u00e9'));
        assertEquals(-1, Text.hexDigit('\uff10')); // fullwidth zero: a digit to the JDK, not to hex protocols
        assertFalse(Text.startsWithIgnoreAsciiCase("a=", "a=fingerprint:"));
    }
}
