package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.testing.ManualScheduler;

/** A downloader advertising at 25/50/75/100 %, and a publisher telling ORDBs linked later. */
class SeedingTest {
    final ManualScheduler s = new ManualScheduler();
    final SimNet net = new SimNet(s);

    /** An ORDB peer's end that logs the DB_INFOs it hears. */
    static final class Infos implements OrdbLink.Handler {
        final List<String> log = new ArrayList<>();

        @Override
        public void onMessage(int stream, int command, byte[] body) {
            DbInfo i = (DbInfo) OrdbMessage.decode(command, body);
            log.add(stream + ":P" + i.pieces() + (i.facilitator() ? "F" : ""));
        }

        @Override
        public void onClosed() {
        }
    }

    Infos ordbOf(OrdbServer server, String name) {
        SimNet.End[] l = net.pair(name, "ordb", 5, 1e6, 1e6);
        l[0].handler = server.attach(l[0], true);
        Infos i = new Infos();
        l[1].handler = i;
        return i;
    }

    @Test
    void aDownloaderAdvertisesEachLevelOnceAndServesWhatItHolds() {
        Content c = OrdbServerTest.content(40 * 256, 256); // 40 chunks: 25 % at 10
        Content.MemoryStore store = new Content.MemoryStore();
        OrdbServer d = new OrdbServer(store, null);
        Infos ordb = ordbOf(d, "D");
        List<String> announced = new ArrayList<>();
        List<String> delivered = new ArrayList<>();
        DownloadListener app = new DownloadListener() {
            @Override
            public void onData(long index, byte[] data, byte[][] proof) {
                delivered.add("" + index);
            }

            @Override
            public void onDone(String error) {
            }
        };
        Seeding seeding = new Seeding(app, store::add, d, (h, p, f) -> announced.add(p + (f ? "F" : "")), true);
        seeding.onManifest(c.manifest());
        for (int i = 0; i < 40; i++) {
            seeding.onData(i, c.chunk(i), c.proof(i));
            if (i == 8) {
                s.advance(20);
                assertEquals(List.of(), ordb.log, "nothing below 25 %");
            }
            if (i == 9) {
                assertEquals(0, seeding.level());
                assertEquals(c.chunk(9).length, store.get(c.hashName()).chunk(9).length, "served from 25 %");
            }
        }
        s.advance(20);
        assertEquals(List.of("0:P0F", "0:P1F", "0:P2F", "0:P3F"), ordb.log);
        assertEquals(List.of("0F", "1F", "2F", "3F"), announced);
        assertEquals(40, delivered.size());
        // A chunk that does not verify is not kept (nor passed on): the Content checks it again.
        Seeding other = new Seeding(app, store::add, d, null, false);
        other.onManifest(OrdbServerTest.content(40 * 256 + 1, 256).manifest());
        assertThrows(ProtocolException.class, () -> other.onData(0, c.chunk(0), c.proof(0)));
    }

    @Test
    void aPublisherTellsAnOrdbLinkedLaterWhatItHolds() {
        Content c = OrdbServerTest.content(10 * 256, 256);
        OrdbServer p = OrdbServerTest.serverWith(c);
        Infos first = ordbOf(p, "P");
        p.advertise(c.hashName(), DbInfo.P100, false);
        s.advance(20);
        assertEquals(List.of("0:P3"), first.log);
        Infos reopened = ordbOf(p, "P"); // e.g. a circuit reopened after the first closed
        s.advance(20);
        assertEquals(List.of("0:P3"), reopened.log);
        assertEquals(List.of("0:P3"), first.log, "told once");
    }
}
