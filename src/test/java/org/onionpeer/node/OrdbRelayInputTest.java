package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.ordb.CircuitLink;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.DbEnd;
import org.onionpeer.ordb.DbQuery;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbMessage;
import org.onionpeer.ordb.OrdbServer;

/**
 * DB_* relay cells at the last hop of a real circuit, on the in-process network: at a relay that is no
 * ORDB, and malformed ones at an ORDB. Each case checks what comes back and how the circuit ends.
 */
class OrdbRelayInputTest {
    private OrdbNet n;
    private OrdbServer server;
    private OrdbCircuits ops;
    private final List<String> heard = new ArrayList<>();
    private final OrdbLink.Handler handler = new OrdbLink.Handler() {
        @Override
        public void onMessage(int stream, int command, byte[] body) {
            heard.add(stream + " " + OrdbMessage.decode(command, body));
        }

        @Override
        public void onClosed() {
            heard.add("closed");
        }
    };
    private final HashName h = Content.publish(new byte[1000], "x".getBytes(), "a/b", 256).hashName();

    @BeforeEach
    void setUp() {
        long seed = System.nanoTime();
        System.out.println("[ordb-relay-input] seed " + seed);
        n = new OrdbNet(seed, 2);
        for (String r : new String[] {"g", "m", "plain", "ordb"}) {
            n.relay(r);
        }
        n.sign();
        server = n.makeOrdb("ordb", null, null, null);
        ops = n.ops("C", n.client("C"), "g");
    }

    /** A built circuit to {@code to} with its ORDB link. */
    private ClientCircuit open(String to, CircuitLink[] link) {
        link[0] = ops.open(n.info(to), handler);
        n.net.sched.advance(500);
        ClientCircuit c = ops.circuits().get(ops.circuits().size() - 1);
        assertTrue(c.isOpen(), c.closeReason());
        assertEquals(3, c.path().size());
        return c;
    }

    /** {@code body} as the first (only) cell of a message: length(3) then the bytes. */
    private static byte[] frame(int length, byte[] body) {
        byte[] c = new byte[3 + body.length];
        c[0] = (byte) (length >>> 16);
        c[1] = (byte) (length >>> 8);
        c[2] = (byte) length;
        System.arraycopy(body, 0, c, 3, body.length);
        return c;
    }

    @Test
    void dbCellsAtARelayThatIsNoOrdbAreDroppedAsUnknownRelayCommands() {
        CircuitLink[] link = new CircuitLink[1];
        ClientCircuit c = open("plain", link);
        int window = c.packageWindow();
        link[0].send(1, DbQuery.info(h, 0));
        link[0].send(0, org.onionpeer.ordb.DbInfo.of(h, 3, false));
        n.net.sched.advance(5_000);
        // tor-spec §6.1: dropped and ignored; no END (no stream was begun), the circuit stays.
        assertEquals(2, n.net.relays.get("plain").router.ordbCellsDropped());
        assertEquals(List.of(), heard);
        assertTrue(c.isOpen(), c.closeReason());
        assertEquals(1, n.net.relays.get("plain").router.circuitCount());
        // Not counted at the relay, so no SENDME will ever acknowledge them: our window stays 2 cells short.
        assertEquals(window - 2, c.packageWindow());
    }

    @Test
    void aMalformedQueryIsEndedRefusedOnItsStreamAndTheCircuitStays() {
        CircuitLink[] link = new CircuitLink[1];
        ClientCircuit c = open("ordb", link);
        byte[] q = DbQuery.chunks(h, 0, 1, 0).encode();
        q[q.length - 1] = 6; // counter 6: over the limit of 5
        c.sendCounted(OrdbMessage.DB_QUERY, 7, frame(q.length, q));
        n.net.sched.advance(500);
        assertEquals(List.of("7 DB_END[REFUSED]"), heard);
        assertEquals("DB_QUERY: DB_QUERY counter 6 over 5", server.stats().lastRefusal);
        assertTrue(c.isOpen());
        // A query on stream 0 cannot be answered (no stream to answer on): refused, nothing sent.
        heard.clear();
        link[0].send(0, DbQuery.info(h, 0));
        n.net.sched.advance(500);
        assertEquals(List.of(), heard);
        assertEquals("DB_QUERY on stream 0", server.stats().lastRefusal);
        // An answer nobody asked for is counted and dropped.
        link[0].send(5, DbEnd.of(DbEnd.UNAVAILABLE));
        n.net.sched.advance(500);
        assertEquals("unsolicited DB_END[UNAVAILABLE] on stream 5", server.stats().lastRefusal);
        assertTrue(c.isOpen());
        // A well-formed query for something nobody has: UNAVAILABLE (this ORDB has no finder).
        link[0].send(9, DbQuery.info(h, 0));
        n.net.sched.advance(500);
        assertEquals(List.of("9 DB_END[UNAVAILABLE]"), heard);
    }

    @Test
    void aMessageLongerThanTheLimitTearsTheCircuitDown() {
        CircuitLink[] link = new CircuitLink[1];
        ClientCircuit c = open("ordb", link);
        c.sendCounted(OrdbMessage.DB_DATA, 3, frame(OrdbMessage.MAX_LENGTH + 1, new byte[100]));
        n.net.sched.advance(500);
        // The ORDB sent DESTROY(PROTOCOL) back; the middle reports it as TRUNCATED (tor-spec §5.4).
        assertEquals("truncated after hop 2: PROTOCOL", c.closeReason());
        assertEquals(0, n.net.relays.get("ordb").router.circuitCount());
        assertEquals(List.of("closed"), heard);
    }

    @Test
    void aCellOfAnotherCommandInsideAMessageTearsTheCircuitDown() {
        CircuitLink[] link = new CircuitLink[1];
        ClientCircuit c = open("ordb", link);
        c.sendCounted(OrdbMessage.DB_QUERY, 4, frame(1000, new byte[10]));
        n.net.sched.advance(500);
        assertTrue(c.isOpen());
        c.sendCounted(OrdbMessage.DB_DATA, 4, new byte[10]);
        n.net.sched.advance(500);
        // The ORDB sent DESTROY(PROTOCOL) back; the middle reports it as TRUNCATED (tor-spec §5.4).
        assertEquals("truncated after hop 2: PROTOCOL", c.closeReason());
        assertEquals(List.of("closed"), heard);
    }

    @Test
    void dbCellsCountInTheCircuitWindowBothWaysAtAnOrdb() {
        CircuitLink[] link = new CircuitLink[1];
        ClientCircuit c = open("ordb", link);
        int window = c.packageWindow();
        // 150 queries' worth of cells (each refused at once): a SENDME must come back after 100.
        for (int i = 1; i <= 150; i++) {
            link[0].send(1000 + i, DbQuery.info(h, 6 - 1));
            n.net.sched.advance(500);
        }
        assertEquals(window - 50, c.packageWindow());
        // And the 150 DB_END cells back counted in ours: one SENDME sent after 100 of them.
        assertEquals(1000 - 150 + 100, c.deliverWindow());
        assertEquals(150, heard.size(), heard.toString()); // each: DB_END LOOP (counter 5)
        assertTrue(heard.get(0).endsWith("DB_END[LOOP]"), heard.get(0));
        assertTrue(c.isOpen());
    }
}
