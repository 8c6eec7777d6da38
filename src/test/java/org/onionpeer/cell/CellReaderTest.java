package org.onionpeer.cell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

class CellReaderTest {
    /** VERSIONS in the initial framing, then every sample channel message on link v{@code version}. */
    private static List<Cell> expected(int version) {
        List<Cell> cells = new ArrayList<>();
        cells.add(new Versions(version).toCell(0));
        long id = 1;
        for (ChannelMessage m : CellKnownAnswers.sampleChannelMessages()) {
            cells.add(m.toCell(id++));
        }
        return cells;
    }

    private static byte[] wire(List<Cell> cells, int version) {
        ByteWriter w = new ByteWriter();
        cells.get(0).encodeInto(w, LinkFormat.INITIAL);
        for (int i = 1; i < cells.size(); i++) {
            cells.get(i).encodeInto(w, LinkFormat.forVersion(version));
        }
        return w.toByteArray();
    }

    /** Feeds the stream in the chunk sizes {@code chunker} picks, negotiating at VERSIONS. */
    private static List<Cell> read(byte[] stream, SplittableRandom chunker, int maxChunk) {
        CellReader r = new CellReader();
        List<Cell> out = new ArrayList<>();
        int off = 0;
        while (off < stream.length) {
            int n = Math.min(stream.length - off, 1 + chunker.nextInt(maxChunk));
            r.push(stream, off, n);
            off += n;
            Cell c;
            while ((c = r.next()) != null) {
                out.add(c);
                if (c.command() == CellCommand.VERSIONS && out.size() == 1) {
                    r.setLinkVersion(LinkVersions.negotiate(Versions.decode(c.payload())));
                }
            }
        }
        assertEquals(0, r.buffered());
        return out;
    }

    @Test
    void byteByByteOnEveryVersion() {
        for (int v = 3; v <= 5; v++) {
            List<Cell> cells = expected(v);
            assertEquals(cells, read(wire(cells, v), new SplittableRandom(1), 1), "v" + v);
        }
    }

    @Test
    void randomChunkings() {
        SplittableRandom r = new SplittableRandom(20261125);
        for (int round = 0; round < 300; round++) {
            int v = 3 + r.nextInt(3);
            List<Cell> cells = expected(v);
            int maxChunk = 1 + r.nextInt(r.nextBoolean() ? 16 : 4000);
            assertEquals(cells, read(wire(cells, v), r, maxChunk), "round " + round);
        }
    }

    @Test
    void manyCellsInOneFrame() {
        ByteWriter w = new ByteWriter();
        new Versions(3, 4, 5).toCell(0).encodeInto(w, LinkFormat.INITIAL);
        for (int i = 0; i < 200; i++) {
            Relay.of(CellKnownAnswers.seq(i, 509)).toCell(0x80000000L + i).encodeInto(w, LinkFormat.V4);
        }
        CellReader r = new CellReader();
        r.push(w.toByteArray());
        assertEquals(CellCommand.VERSIONS, r.next().command());
        r.setLinkVersion(4);
        for (int i = 0; i < 200; i++) {
            Cell c = r.next();
            assertEquals(0x80000000L + i, c.circId());
            assertArrayEquals(CellKnownAnswers.seq(i, 509), c.payload());
        }
        assertNull(r.next());
        assertEquals(0, r.buffered());
    }

    @Test
    void versionMustBeSetBeforeReadingOn() {
        CellReader r = new CellReader();
        byte[] s = Bytes.concat(new Versions(4).toCell(0).encode(LinkFormat.INITIAL),
                new Padding().toCell(0).encode(LinkFormat.V4));
        r.push(s);
        assertEquals(CellCommand.VERSIONS, r.next().command());
        assertThrows(IllegalStateException.class, r::next);
        r.setLinkVersion(4);
        assertEquals(CellCommand.PADDING, r.next().command());
        assertThrows(IllegalStateException.class, () -> r.setLinkVersion(5));
    }

    @Test
    void vpaddingAndAuthorizeMayPrecedeVersions() {
        CellReader r = new CellReader();
        r.push(Bytes.concat(new VPadding(4).toCell(0).encode(LinkFormat.INITIAL),
                new Authorize(new byte[2]).toCell(0).encode(LinkFormat.INITIAL),
                new Versions(3).toCell(0).encode(LinkFormat.INITIAL),
                new Destroy(1).toCell(0x7001).encode(LinkFormat.V3)));
        assertEquals(CellCommand.VPADDING, r.next().command());
        assertEquals(CellCommand.AUTHORIZE, r.next().command());
        assertEquals(CellCommand.VERSIONS, r.next().command());
        r.setLinkVersion(3);
        Cell d = r.next();
        assertEquals(0x7001, d.circId());
        assertEquals(LinkFormat.V3, r.format());
    }

    @Test
    void failuresAreFinal() {
        CellReader r = new CellReader();
        r.push(Bytes.unhex("0000 03"));
        assertThrows(ProtocolException.class, r::next);
        assertThrows(ProtocolException.class, r::next);
        assertThrows(ProtocolException.class, () -> r.push(new byte[1]));
    }

    @Test
    void oversizedVariableCellIsRefusedFromItsHeader() {
        CellReader r = new CellReader(600, 4096);
        r.push(Bytes.unhex("0000 07 0002 0004"));
        r.next();
        r.setLinkVersion(4);
        r.push(Bytes.unhex("00000000 81 0258")); // 600: allowed, waits for the payload
        assertNull(r.next());
        CellReader r2 = new CellReader(600, 4096);
        r2.push(Bytes.unhex("0000 81 0259")); // 601
        assertThrows(ProtocolException.class, r2::next);
    }

    @Test
    void bufferIsBoundedAndOfferAppliesBackPressure() {
        assertThrows(IllegalArgumentException.class, () -> new CellReader(65535, 1000));
        CellReader r = new CellReader(1000, 1100);
        r.push(Bytes.unhex("0000 07 0002 0004"));
        r.next();
        r.setLinkVersion(4);
        byte[] stream = new byte[514 * 20];
        for (int i = 0; i < 20; i++) {
            System.arraycopy(new Destroy(i).toCell(i + 1).encode(LinkFormat.V4), 0, stream, 514 * i, 514);
        }
        assertThrows(ProtocolException.class, () -> new CellReader(1000, 1100).push(stream));
        int off = 0;
        int seen = 0;
        while (off < stream.length) {
            int n = r.offer(stream, off, stream.length - off);
            assertTrue(n > 0 && r.buffered() <= 1100);
            off += n;
            Cell c;
            while ((c = r.next()) != null) {
                assertEquals(seen + 1, c.circId());
                assertEquals(seen, ((Destroy) ChannelMessages.decode(c)).reason());
                seen++;
            }
        }
        assertEquals(20, seen);
    }

    /**
     * A link's loop with views: offer, nextView, detach once handled. Cells kept past later offers (which compact
     * or grow the reader's buffer) still hold what arrived; without the detach they would show later bytes.
     */
    @Test
    void viewsKeptAfterTheirDetachSurviveLaterOffers() {
        long seed = 20261207;
        System.out.println("CellReaderTest views seed " + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int round = 0; round < 100; round++) {
            List<Cell> cells = new ArrayList<>();
            cells.add(new Versions(4).toCell(0));
            for (int i = 0; i < 40; i++) {
                byte[] p = new byte[Cell.PAYLOAD_LEN];
                rnd.nextBytes(p);
                cells.add(new Cell(1 + rnd.nextInt(1000), CellCommand.RELAY, p));
            }
            byte[] stream = wire(cells, 4);
            CellReader r = new CellReader();
            List<Cell> kept = new ArrayList<>();
            int off = 0;
            int maxChunk = 1 + rnd.nextInt(rnd.nextBoolean() ? 600 : 6000);
            while (off < stream.length) {
                off += r.offer(stream, off, Math.min(stream.length - off, 1 + rnd.nextInt(maxChunk)));
                Cell c;
                while ((c = r.nextView()) != null) {
                    if (kept.isEmpty()) {
                        r.setLinkVersion(4);
                    }
                    kept.add(c);
                    c.detach();
                }
            }
            assertEquals(cells, kept, "round " + round);
        }
    }

    @Test
    void aBorrowedPayloadIsTheReadersBufferAtItsOffset() {
        byte[] p = new byte[Cell.PAYLOAD_LEN];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 7);
        }
        List<Cell> cells = List.of(new Versions(4).toCell(0), new Cell(5, CellCommand.RELAY, p));
        CellReader r = new CellReader();
        r.push(wire(cells, 4));
        r.nextView().detach();
        r.setLinkVersion(4);
        Cell c = r.nextView();
        int at = c.payloadOffset();
        byte[] buf = c.borrowPayload();
        assertTrue(at > 0, "a view past the VERSIONS cell and the header: " + at);
        assertArrayEquals(p, java.util.Arrays.copyOfRange(buf, at, at + Cell.PAYLOAD_LEN));
        IllegalStateException e = assertThrows(IllegalStateException.class, c::payload);
        assertEquals("the payload of this cell was taken by its consumer", e.getMessage());
        c.detach(); // borrowed: nothing to copy, and nothing breaks

        // A cell that did not come from a reader lends a copy, at offset 0.
        Cell own = new Cell(5, CellCommand.RELAY, p);
        byte[] lent = own.borrowPayload();
        assertEquals(0, own.payloadOffset());
        lent[0] = 1;
        assertArrayEquals(p, own.payload());
    }
}
