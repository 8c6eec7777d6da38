package org.onionpeer.cert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

class CertsCellTest {
    @Test
    void roundTripKeepsOrderAndBodies() {
        List<CertsCell.Entry> l = new ArrayList<>();
        l.add(new CertsCell.Entry(7, new byte[] {1, 2, 3}));
        l.add(new CertsCell.Entry(2, new byte[0]));
        l.add(new CertsCell.Entry(200, new byte[300]));
        CertsCell c = new CertsCell(l);
        byte[] wire = c.encode();
        assertEquals("03" + "070003010203" + "020000" + "c8012c", Bytes.hex(Arrays.copyOf(wire, 13)));
        assertEquals(1 + 6 + 3 + 303, wire.length);
        CertsCell d = CertsCell.decode(wire);
        assertArrayEquals(wire, d.encode());
        assertEquals(3, d.entries().size());
        assertArrayEquals(new byte[] {1, 2, 3}, d.body(7));
        assertNull(d.body(4));
        assertEquals(-1, d.firstDuplicateType());
    }

    @Test
    void emptyCellIsOneZeroByte() {
        CertsCell c = CertsCell.decode(new byte[] {0});
        assertEquals(0, c.entries().size());
        assertArrayEquals(new byte[] {0}, c.encode());
        assertThrows(ProtocolException.class, () -> CertsCell.decode(new byte[0]));
    }

    @Test
    void duplicatesAreKeptAndDetected() {
        byte[] wire = Bytes.unhex("03" + "040001aa" + "050001bb" + "040001cc");
        CertsCell c = CertsCell.decode(wire);
        assertEquals(4, c.firstDuplicateType());
        assertEquals(2, c.count(4));
        assertThrows(ProtocolException.class, () -> c.body(4));
        assertArrayEquals(new byte[] {(byte) 0xbb}, c.body(5));
    }

    @Test
    void truncationAnywhereIsAnErrorButTrailingBytesAreIgnored() {
        byte[] wire = CertsCell.decode(Bytes.unhex(CertKnownAnswers.CERTS_BODY)).encode();
        for (int n = 0; n < wire.length; n++) {
            byte[] cut = Arrays.copyOf(wire, n);
            assertThrows(ProtocolException.class, () -> CertsCell.decode(cut), "length " + n);
        }
        // tor-spec §4.2: "Any extra octets at the end of a CERTS cell MUST be ignored."
        assertArrayEquals(wire, CertsCell.decode(Bytes.concat(wire, new byte[] {1, 2, 3})).encode());
    }

    @Test
    void limitsAreEnforcedOnConstruction() {
        List<CertsCell.Entry> many = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            many.add(new CertsCell.Entry(9, new byte[0]));
        }
        assertThrows(IllegalArgumentException.class, () -> new CertsCell(many));
        assertThrows(IllegalArgumentException.class, () -> new CertsCell.Entry(1, new byte[65536]));
    }
}
