package org.onionpeer.bytes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Bytes#append}: the growable buffer the page's WebSocket, HTTP head and fetch body share. */
class BytesAppendTest {
    @Test
    void appendsInPlaceWhenThereIsRoomAndDoublesWhenNot() {
        byte[] buf = new byte[4];
        assertSame(buf, Bytes.append(buf, 0, new byte[] {1, 2, 3}));
        byte[] grown = Bytes.append(buf, 3, new byte[] {4, 5});
        assertNotSame(buf, grown);
        assertEquals(8, grown.length, "twice as long when that is enough");
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Arrays.copyOf(grown, 5));
        assertEquals(3 + 20, Bytes.append(grown, 3, new byte[20]).length, "as long as needed when twice is not");
    }

    @Test
    void manyAppendsKeepEveryByteInOrder() {
        long seed = Long.getLong("bytes.seed", System.nanoTime());
        System.out.println("[bytes] seed " + seed + " (-Dbytes.seed=" + seed + " replays)");
        Random r = new Random(seed);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        byte[] buf = new byte[1];
        int len = 0;
        for (int i = 0; i < 500; i++) {
            byte[] d = new byte[r.nextInt(600)];
            r.nextBytes(d);
            expected.write(d, 0, d.length);
            buf = Bytes.append(buf, len, d);
            len += d.length;
        }
        assertArrayEquals(expected.toByteArray(), Arrays.copyOf(buf, len));
    }
}
