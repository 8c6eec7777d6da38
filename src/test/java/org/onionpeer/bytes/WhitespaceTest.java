package org.onionpeer.bytes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Bytes.isWhitespace stands in for Character.isWhitespace (issue 12: no Unicode tables in onionpeer.js). */
class WhitespaceTest {
    @Test
    void sameAnswerAsTheJdkForEveryChar() {
        for (int c = 0; c <= 0xffff; c++) {
            assertEquals(Character.isWhitespace((char) c), Bytes.isWhitespace((char) c), Integer.toHexString(c));
        }
    }
}
