package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.RelayCell;

/** Messages split over relay cells and put back together, interleaved by stream; bad framing refused. */
class OrdbFramesTest {
    @Test
    void aChunkTravelsIn34CellsInterleavedWithAnotherStream() {
        Content c = OrdbServerTest.content(40 * 16384, 16384);
        DbData big = DbData.of(3, c.chunk(3), c.proof(3));
        List<byte[]> cells = OrdbFrames.split(big);
        assertEquals(34, cells.size());
        for (byte[] cell : cells) {
            assertTrue(cell.length <= RelayCell.MAX_DATA_LEN);
        }
        List<byte[]> small = OrdbFrames.split(DbEnd.of(DbEnd.LOOP));
        assertEquals(1, small.size());
        OrdbFrames.Reassembler r = new OrdbFrames.Reassembler();
        for (int i = 0; i < cells.size() - 1; i++) {
            assertNull(r.add(7, OrdbMessage.DB_DATA, cells.get(i)));
            if (i == 10) {
                assertArrayEquals(DbEnd.of(DbEnd.LOOP).encode(), r.add(9, OrdbMessage.DB_END, small.get(0)));
            }
        }
        byte[] whole = r.add(7, OrdbMessage.DB_DATA, cells.get(cells.size() - 1));
        assertArrayEquals(big.encode(), whole);
        assertEquals(0, r.pending());
        for (OrdbMessage m : OrdbCodecTest.samples()) {
            List<byte[]> parts = OrdbFrames.split(m);
            byte[] got = null;
            for (byte[] p : parts) {
                got = r.add(1, m.command(), p);
            }
            assertArrayEquals(m.encode(), got);
        }
    }

    @Test
    void badFramingIsRefused() {
        OrdbFrames.Reassembler r = new OrdbFrames.Reassembler();
        assertEquals("ORDB message of 16777215 bytes over " + OrdbMessage.MAX_LENGTH, assertThrows(ProtocolException.class,
                () -> r.add(1, OrdbMessage.DB_DATA, new byte[] {-1, -1, -1})).getMessage());
        assertEquals("DB_DATA first cell of 2 bytes",
                assertThrows(ProtocolException.class, () -> r.add(1, OrdbMessage.DB_DATA, new byte[2])).getMessage());
        assertNull(r.add(2, OrdbMessage.DB_DATA, new byte[] {0, 3, 0}));
        assertEquals("DB_END cell inside a DB_DATA on stream 2",
                assertThrows(ProtocolException.class, () -> r.add(2, OrdbMessage.DB_END, new byte[1])).getMessage());
        byte[] over = new byte[769];
        assertEquals("cell runs 1 bytes past its message",
                assertThrows(ProtocolException.class, () -> r.add(2, OrdbMessage.DB_DATA, over)).getMessage());
        Random rnd = new Random(1);
        byte[] junk = new byte[498];
        for (int i = 0; i < 1000; i++) {
            rnd.nextBytes(junk);
            try {
                r.add(rnd.nextInt(4), OrdbMessage.DB_QUERY + rnd.nextInt(5), junk.clone());
            } catch (ProtocolException e) {
                // refused is fine; anything else fails the test
            }
        }
    }
}
