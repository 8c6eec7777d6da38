package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.testing.ManualScheduler;

/** {@link CircuitLink} against a fake circuit end: window, framing both ways, closing, the queue bound. */
class CircuitLinkTest {
    final ManualScheduler sched = new ManualScheduler();
    final List<int[]> sent = new ArrayList<>();
    final List<byte[]> sentData = new ArrayList<>();
    final List<String> heard = new ArrayList<>();
    int window;
    boolean portClosed;

    final CircuitLink.Port port = new CircuitLink.Port() {
        @Override
        public boolean canSend() {
            return window > 0;
        }

        @Override
        public void send(int command, int stream, byte[] data) {
            window--;
            sent.add(new int[] {command, stream});
            sentData.add(data);
        }

        @Override
        public void close() {
            portClosed = true;
        }
    };

    final OrdbLink.Handler handler = new OrdbLink.Handler() {
        @Override
        public void onMessage(int stream, int command, byte[] body) {
            heard.add(stream + " " + OrdbMessage.decode(command, body));
        }

        @Override
        public void onClosed() {
            heard.add("closed");
        }
    };

    CircuitLink link(long max) {
        CircuitLink l = new CircuitLink("x", sched, port, max);
        l.setHandler(handler);
        return l;
    }

    static DbData chunk() {
        return DbData.of(3, new byte[16384], new byte[][] {new byte[32], new byte[32]});
    }

    @Test
    void cellsWaitForTheWindowAndGoInOrder() {
        CircuitLink l = link(1 << 20);
        l.send(7, chunk()); // 16384 + 4 + 1 + 1 + 64 + 4 = 16458 bytes: 34 cells
        assertEquals(0, sent.size());
        window = 10;
        l.windowOpened();
        assertEquals(10, sent.size());
        window = 100;
        l.windowOpened();
        assertEquals(34, sent.size());
        assertEquals(0, l.queuedBytes());
        for (int[] c : sent) {
            assertEquals(OrdbMessage.DB_DATA, c[0]);
            assertEquals(7, c[1]);
        }
        // The far end puts it back together.
        CircuitLink far = link(1 << 20);
        for (int i = 0; i < sent.size(); i++) {
            far.onCell(7, OrdbMessage.DB_DATA, sentData.get(i));
        }
        assertEquals(List.of("7 DB_DATA[3 16384 bytes]"), heard);
    }

    @Test
    void framingErrorsThrowForTheCircuitToTearDown() {
        CircuitLink l = link(1 << 20);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> l.onCell(1, OrdbMessage.DB_QUERY, new byte[] {(byte) 0xff, 0, 0}));
        assertEquals("ORDB message of 16711680 bytes over " + OrdbMessage.MAX_LENGTH, e.getMessage());
        l.onCell(2, OrdbMessage.DB_QUERY, new byte[] {0, 1, 0, 9});
        e = assertThrows(ProtocolException.class, () -> l.onCell(2, OrdbMessage.DB_END, new byte[] {1}));
        assertEquals("DB_END cell inside a DB_QUERY on stream 2", e.getMessage());
    }

    @Test
    void closingOurselvesIsSilentTheCircuitClosingIsHeardLater() {
        CircuitLink a = link(1 << 20);
        a.close();
        assertTrue(portClosed);
        sched.runUntilIdle();
        assertEquals(List.of(), heard);
        a.send(1, DbEnd.of(DbEnd.FINISHED));
        window = 10;
        a.windowOpened();
        assertEquals(0, sent.size(), "nothing goes after close");

        CircuitLink b = link(1 << 20);
        b.circuitClosed();
        assertEquals(List.of(), heard, "not from inside the call");
        sched.runUntilIdle();
        assertEquals(List.of("closed"), heard);
    }

    @Test
    void aFarEndThatDoesNotReadIsCutOffPastTheBound() {
        CircuitLink l = link(100_000);
        for (int i = 0; i < 6; i++) {
            l.send(1 + i, chunk());
            assertFalse(portClosed, "after " + (i + 1) + " chunks");
        }
        l.send(9, chunk()); // 7 x 16,458 bytes > 100,000
        assertTrue(portClosed);
        assertTrue(l.isClosed());
        assertEquals(0, l.queuedBytes());
        sched.runUntilIdle();
        assertEquals(List.of("closed"), heard);
    }
}
