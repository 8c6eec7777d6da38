package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.testing.ManualScheduler;

/** The serving side: answers in order, source lists, forwarding, the loop counter, DB_INFO passed on once. */
class OrdbServerTest {
    final ManualScheduler s = new ManualScheduler();
    final SimNet net = new SimNet(s);

    /** A requester's end that records what it hears. */
    static final class Probe implements OrdbLink.Handler {
        final List<OrdbMessage> got = new ArrayList<>();
        final List<Integer> streams = new ArrayList<>();
        boolean closed;

        @Override
        public void onMessage(int stream, int command, byte[] body) {
            got.add(OrdbMessage.decode(command, body));
            streams.add(stream);
        }

        @Override
        public void onClosed() {
            closed = true;
        }

        String log() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < got.size(); i++) {
                OrdbMessage m = got.get(i);
                b.append(streams.get(i)).append(':');
                b.append(m instanceof DbData ? "D" + ((DbData) m).chunk() : m.toString()).append(' ');
            }
            return b.toString().trim();
        }
    }

    /** Links a and b as ORDB peers. */
    SimNet.End[] peer(OrdbServer a, String an, OrdbServer b, String bn, long latency) {
        SimNet.End[] l = net.pair(an, bn, latency, 1e6, 1e6);
        l[0].handler = a.attach(l[0], true);
        l[1].handler = b.attach(l[1], true);
        return l;
    }

    /** A requester linked to server {@code o}; returns the requester's end. */
    SimNet.End client(OrdbServer o, Probe p) {
        SimNet.End[] l = net.pair("D", "O", 1, 1e6, 1e6);
        l[0].handler = p;
        l[1].handler = o.attach(l[1], false);
        return l[0];
    }

    static Content content(int size, int chunk) {
        byte[] d = new byte[size];
        new Random(size).nextBytes(d);
        return Content.publish(d, new byte[0], "a/b", chunk);
    }

    static OrdbServer serverWith(Content c) {
        Content.MemoryStore st = new Content.MemoryStore();
        if (c != null) {
            st.add(c);
        }
        return new OrdbServer(st, null);
    }

    @Test
    void answersFromItsStoreInOrderAndRefusesWhatIsOutOfRange() {
        Content c = content(10 * 256 - 7, 256);
        OrdbServer o = serverWith(c);
        Probe p = new Probe();
        SimNet.End d = client(o, p);
        HashName h = c.hashName();
        d.send(1, DbQuery.info(h, 0));
        d.send(2, DbQuery.chunks(h, 8, 2, 1));
        d.send(3, DbQuery.chunks(h, 9, 2, 1));
        s.advance(10);
        assertEquals("1:DB_CONNECTED 2:D8 2:D9 3:DB_END[REFUSED]", p.log());
        assertEquals("chunks 9+2 beyond 10", o.stats().lastRefusal);
        DbData last = (DbData) p.got.get(2);
        c.manifest().verifyChunk(9, last.data(), last.proof());
        assertEquals(c.manifest().hashName(), ((DbConnected) p.got.get(0)).checkFor(h).hashName());
    }

    @Test
    void forwardsToItsSourcesAndAnswersEachQueryOnItsStream() {
        Content c = content(20 * 256, 256);
        OrdbServer pub = serverWith(c);
        Content half = Content.empty(c.manifest());
        for (int i = 0; i < 5; i++) {
            half.put(i, c.chunk(i), c.proof(i));
        }
        OrdbServer o = serverWith(half); // holds chunks 0..4 (25 %), verified
        peer(pub, "P", o, "O", 30);
        pub.advertise(c.hashName(), DbInfo.P100, false);
        s.advance(40);
        assertEquals(List.of("P"), o.sourcesOf(c.hashName()));
        Probe p = new Probe();
        SimNet.End d = client(o, p);
        d.send(4, DbQuery.chunks(c.hashName(), 10, 3, 0)); // not held: forwarded, 60 ms round trip
        d.send(5, DbQuery.chunks(c.hashName(), 2, 2, 0)); // held: answered at once
        s.advance(200);
        assertEquals("5:D2 5:D3 4:D10 4:D11 4:D12", p.log());
        assertEquals(1, o.stats().forwarded);
        assertEquals(2, o.stats().servedChunks);
        assertEquals(3, pub.stats().servedChunks);
    }

    @Test
    void aLoopOfOrdbsStopsAtTheCounter() {
        // A lists B, B lists C, C lists A (forged DB_INFOs: none of them holds anything)
        OrdbServer a = serverWith(null);
        OrdbServer b = serverWith(null);
        OrdbServer c = serverWith(null);
        SimNet.End[] ab = peer(a, "A", b, "B", 5);
        SimNet.End[] bc = peer(b, "B", c, "C", 5);
        SimNet.End[] ca = peer(c, "C", a, "A", 5);
        HashName h = OrdbCodecTest.H;
        ab[1].send(0, DbInfo.of(h, 3, false)); // B tells A
        bc[1].send(0, DbInfo.of(h, 3, false)); // C tells B
        ca[1].send(0, DbInfo.of(h, 3, false)); // A tells C
        s.advance(10);
        Probe p = new Probe();
        SimNet.End d = client(a, p);
        d.send(6, DbQuery.chunks(h, 0, 4, 0));
        s.advance(500);
        String dbg = "";
        for (OrdbServer x : List.of(a, b, c)) {
            dbg += " q" + x.stats().queries + " f" + x.stats().forwarded + " l" + x.stats().loops + " u" + x.stats().unavailable + " " + x.sourcesOf(h) + x.stats().lastRefusal;
        }
        assertEquals("6:DB_END[LOOP]", p.log(), dbg);
        long forwarded = a.stats().forwarded + b.stats().forwarded + c.stats().forwarded;
        assertEquals(5, forwarded, "counter 0 -> A -> B -> C -> A -> B -> C, which refuses at 5");
        assertEquals(1, c.stats().loops);
    }

    @Test
    void dbInfoIsPassedOnOnlyWhenNew() {
        List<OrdbServer> mesh = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            mesh.add(serverWith(null));
        }
        for (int i = 0; i < 4; i++) {
            for (int j = i + 1; j < 4; j++) {
                peer(mesh.get(i), "O" + i, mesh.get(j), "O" + j, 10 + i + j);
            }
        }
        Content c = content(1000, 256);
        OrdbServer pub = serverWith(c);
        peer(pub, "P", mesh.get(0), "O0", 5);
        pub.advertise(c.hashName(), 3, true);
        s.advance(200);
        long passed = 0;
        for (OrdbServer o : mesh) {
            passed += o.stats().infosPassed;
            assertTrue(!o.sourcesOf(c.hashName()).isEmpty());
        }
        assertTrue(passed <= 3 + 3 * 2, "each ORDB passes a new hash_name on once, to peers not known to know it: "
                + passed);
        pub.advertise(c.hashName(), 3, true); // old news
        s.advance(200);
        long again = -passed;
        for (OrdbServer o : mesh) {
            again += o.stats().infosPassed;
        }
        assertEquals(0, again);
        // and a query at the far end of the mesh finds its way to P
        Probe p = new Probe();
        client(mesh.get(3), p).send(7, DbQuery.chunks(c.hashName(), 0, 4, 0));
        s.advance(300);
        assertEquals("7:D0 7:D1 7:D2 7:D3", p.log());
    }

    @Test
    void withNoSourceItAsksTheFinderOnce() {
        Content c = content(1000, 256);
        List<HashName> asked = new ArrayList<>();
        OrdbServer o = new OrdbServer(new Content.MemoryStore(), asked::add);
        Probe p = new Probe();
        SimNet.End d = client(o, p);
        d.send(8, DbQuery.chunks(c.hashName(), 0, 1, 0));
        d.send(9, DbQuery.chunks(c.hashName(), 1, 1, 0));
        s.advance(10);
        assertEquals(List.of(c.hashName()), asked);
        assertEquals("", p.log());
        OrdbServer pub = serverWith(c);
        SimNet.End[] l = peer(pub, "P", o, "O", 5); // the finder's circuit
        o.addSource(c.hashName(), l[1]);
        s.advance(50);
        assertEquals("8:D0 9:D1", p.log());
        HashName unknown = OrdbCodecTest.H;
        d.send(10, DbQuery.info(unknown, 0));
        s.advance(10);
        o.notFound(unknown);
        s.advance(10);
        assertEquals("8:D0 9:D1 10:DB_END[UNAVAILABLE]", p.log());
        assertNull(o.stats().lastRefusal);
    }

    @Test
    void theAskersFinishedCancelsUpstream() {
        Content c = content(20 * 256, 256);
        OrdbServer pub = serverWith(c);
        OrdbServer o = serverWith(null);
        peer(pub, "P", o, "O", 30);
        pub.advertise(c.hashName(), DbInfo.P100, false);
        s.advance(40);
        Probe p = new Probe();
        SimNet.End d = client(o, p);
        d.send(11, DbQuery.chunks(c.hashName(), 0, 3, 0));
        s.advance(1);
        d.send(11, DbEnd.of(DbEnd.FINISHED));
        s.advance(200);
        assertEquals("", p.log());
        assertEquals(3, o.stats().unsolicited, "P's answers, already on their way, are dropped");
        d.send(12, DbQuery.chunks(c.hashName(), 5, 1, 0));
        s.advance(200);
        assertEquals("12:D5", p.log(), "the circuit still works");
    }

    @Test
    void aRequesterGetsAtMost8QueriesInFlightAndOneQueryPerStream() {
        Content c = content(20 * 256, 256);
        OrdbServer pub = serverWith(c);
        OrdbServer o = serverWith(null);
        peer(pub, "P", o, "O", 30);
        pub.advertise(c.hashName(), DbInfo.P100, false);
        s.advance(40);
        Probe p = new Probe();
        SimNet.End d = client(o, p);
        for (int i = 1; i <= 9; i++) {
            d.send(i, DbQuery.chunks(c.hashName(), i, 1, 0));
        }
        d.send(3, DbQuery.chunks(c.hashName(), 0, 1, 0));
        d.send(0, DbQuery.chunks(c.hashName(), 0, 1, 0));
        s.advance(200);
        assertTrue(p.log().startsWith("9:DB_END[REFUSED] 1:D1 2:D2 3:D3"), p.log());
        assertEquals("DB_QUERY on stream 0", o.stats().lastRefusal);
        assertEquals(3, o.stats().refused, "the 9th, the second on stream 3, the one on stream 0");
        assertEquals(0, pub.stats().refused, "an ORDB's circuit to P may carry more");
    }
}
