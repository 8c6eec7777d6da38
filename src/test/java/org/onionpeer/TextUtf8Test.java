package org.onionpeer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Text;

/**
 * Text.utf8 (both ways) against the JDK's own UTF-8 coding, which it replaces so that onionpeer.js carries no
 * java.nio.charset code (issue 12): the same bytes out, the same text in, malformed input included.
 */
class TextUtf8Test {
    static final byte[] INTERESTING = {0x00, 0x41, 0x7f, (byte) 0x80, (byte) 0x8f, (byte) 0x90, (byte) 0x9f,
        (byte) 0xa0, (byte) 0xbf, (byte) 0xc0, (byte) 0xc1, (byte) 0xc2, (byte) 0xdf, (byte) 0xe0, (byte) 0xe1,
        (byte) 0xed, (byte) 0xee, (byte) 0xef, (byte) 0xf0, (byte) 0xf1, (byte) 0xf3, (byte) 0xf4, (byte) 0xf5,
        (byte) 0xf7, (byte) 0xf8, (byte) 0xfe, (byte) 0xff};

    @Test
    void decodesLikeTheJdk() {
        Random r = new Random(7);
        for (int i = 0; i < 400_000; i++) {
            byte[] b = new byte[r.nextInt(9)];
            for (int j = 0; j < b.length; j++) {
                b[j] = r.nextInt(3) == 0 ? (byte) r.nextInt(256) : INTERESTING[r.nextInt(INTERESTING.length)];
            }
            assertEquals(new String(b, StandardCharsets.UTF_8), Text.utf8(b), () -> org.onionpeer.bytes.Bytes.hex(b));
        }
        byte[] all = new byte[3 * 256 * 256];
        for (int i = 0; i < 256 * 256; i++) { // every two-byte prefix, then a continuation byte
            all[3 * i] = (byte) (i >> 8);
            all[3 * i + 1] = (byte) i;
            all[3 * i + 2] = (byte) 0x80;
        }
        assertEquals(new String(all, StandardCharsets.UTF_8), Text.utf8(all));
        assertEquals(new String(all, 5, 1000, StandardCharsets.UTF_8), Text.utf8(all, 5, 1000));
    }

    @Test
    void encodesLikeTheJdk() {
        Random r = new Random(8);
        char[] interesting = {'a', '\u00e9', '\u07ff', '\u0800', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff',
            '\ue000', '\uffff', '\ufffd'};
        for (int i = 0; i < 200_000; i++) {
            char[] c = new char[r.nextInt(8)];
            for (int j = 0; j < c.length; j++) {
                c[j] = r.nextBoolean() ? (char) r.nextInt(65536) : interesting[r.nextInt(interesting.length)];
            }
            String s = new String(c);
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), Text.utf8(s), s);
        }
        assertArrayEquals(new byte[0], Text.utf8(""));
    }
}
