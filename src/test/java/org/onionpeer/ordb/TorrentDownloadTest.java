package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Hashes;
import org.onionpeer.torrent.Magnet;
import org.onionpeer.torrent.TorrentFixtures;

/**
 * A torrent fetched through facilitators (issue 11) in the core, virtual time: blocks are pieces, each
 * checked whole against the info dict; a facilitator that sends a bad piece is banned with the reason and
 * the piece is fetched again elsewhere; a resumed download starts at the piece holding its byte; a
 * downloader holding the pieces serves them on with no proofs. The swarm behind each facilitator is
 * {@link MemoryTorrents}: the real one is {@code e2e.TorrentBridgeTest}'s.
 */
class TorrentDownloadTest {
    static final int PIECE = 65536;

    /** A facilitator's swarm in memory: answers after the delays a swarm would take, optionally lying. */
    static final class MemoryTorrents implements TorrentProvider {
        final org.onionpeer.testing.ManualScheduler s;
        final byte[] data;
        final byte[] info;
        final long metadataMillis;
        final long pieceMillis;
        int badPiece = -1;
        final List<String> asked = new ArrayList<>();

        MemoryTorrents(org.onionpeer.testing.ManualScheduler s, byte[] data, byte[] info, long metadataMillis,
                long pieceMillis) {
            this.s = s;
            this.data = data;
            this.info = info;
            this.metadataMillis = metadataMillis;
            this.pieceMillis = pieceMillis;
        }

        @Override
        public void serve(DbQuery q, QueryAnswer a) {
            asked.add(q.isInfo() ? "info" : q.chunk() + "+" + q.count());
            if (q.isInfo()) {
                s.schedule(metadataMillis, () -> {
                    a.send(DbConnected.of(Manifest.torrent(q.torrent().infoHash(), info)));
                    a.done();
                });
                return;
            }
            s.schedule(pieceMillis, () -> {
                for (long i = q.chunk(); i < q.chunk() + q.count() && !a.gone(); i++) {
                    int off = (int) (i * 16384);
                    byte[] c = java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 16384));
                    if (off / PIECE == badPiece) {
                        c[0] ^= 1;
                    }
                    a.send(DbData.of(i, c, new byte[0][]));
                }
                a.done();
            });
        }
    }

    final org.onionpeer.testing.ManualScheduler s = new org.onionpeer.testing.ManualScheduler();
    final SimNet net = new SimNet(s);
    final byte[] data = OrdbSimulationTest.data(11, 3_000_000);
    final byte[] info = TorrentFixtures.info("film.webm", data, PIECE);
    final Magnet magnet = Magnet.of(TorrentFixtures.infoHash(info), List.of("http://127.0.0.1:6969/announce"));
    final Map<String, OrdbServer> facilitators = new LinkedHashMap<>();
    final Map<String, MemoryTorrents> swarms = new LinkedHashMap<>();

    void facilitator(String name, long pieceMillis) {
        OrdbServer f = new OrdbServer(new Content.MemoryStore(), null);
        MemoryTorrents t = new MemoryTorrents(s, data, info, 800, pieceMillis);
        f.setTorrentProvider(t);
        facilitators.put(name, f);
        swarms.put(name, t);
    }

    final OrdbLink.Connector connector = new OrdbLink.Connector() {
        @Override
        public OrdbLink open(Set<String> avoid, OrdbLink.Handler handler) {
            for (Map.Entry<String, OrdbServer> e : facilitators.entrySet()) {
                if (!avoid.contains(e.getKey())) {
                    SimNet.End[] l = net.pair("D", e.getKey(), 20, 2000, 2000);
                    l[0].handler = handler;
                    l[1].handler = e.getValue().attach(l[1], false);
                    return l[0];
                }
            }
            return null;
        }
    };

    Download start(Swarm.Sink sink, long fromByte) {
        return start(sink, fromByte, connector);
    }

    Download start(Swarm.Sink sink, long fromByte, OrdbLink.Connector connector) {
        Download.Config c = new Download.Config();
        c.magnet = magnet;
        c.fromByte = fromByte;
        Download d = new Download(s, OrdbSimulationTest.entropy(3), HashName.ofTorrent(magnet.infoHash()), connector,
            c, sink);
        d.start();
        long end = s.nowMillis() + 300_000;
        while (!d.isDone() && s.nowMillis() < end) {
            s.advance(50);
        }
        return d;
    }

    @Test
    void aTorrentComesThroughFacilitatorsPieceByPieceAndABadPieceBansItsSender() {
        facilitator("F1", 100);
        facilitator("F2", 100);
        facilitator("F3", 100);
        swarms.get("F2").badPiece = 5;
        Swarm.Sink sink = new Swarm.Sink(s);
        Download d = start(sink, 0);
        String report = Swarm.report(d);
        System.out.print(report);
        assertNull(sink.error, report);
        assertArrayEquals(Hashes.sha256(data), sink.digest());
        assertEquals(sink.held.manifest().chunkCount(), sink.held.held(), "the downloader holds every piece");
        assertTrue(report.contains("banned: piece 5 does not match its SHA-1 in the info dict"), report);
        // Every query asked one whole piece (4 chunks of 16 KiB), from its first chunk.
        for (MemoryTorrents t : swarms.values()) {
            for (String q : t.asked) {
                assertTrue(q.equals("info") || q.endsWith("+4") && Long.parseLong(q.split("\\+")[0]) % 4 == 0
                    || q.equals("180+4") || q.equals("180+3"), q);
            }
        }
    }

    @Test
    void aResumedTorrentStartsAtThePieceHoldingItsByteAndTheDownloaderServesOn() {
        facilitator("F1", 50);
        Swarm.Sink sink = new Swarm.Sink(s);
        sink.next = 12; // byte 200,000 is in chunk 12, piece 3: chunks 12..15
        Download d = start(sink, 200_000);
        assertNull(sink.error, Swarm.report(d));
        assertEquals(List.of("info", "12+4"), swarms.get("F1").asked.subList(0, 2));

        // A holder serves a torrent's pieces as any ORDB content (no proofs: the asker checks pieces).
        Content.MemoryStore store = new Content.MemoryStore();
        Content held = Content.empty(Manifest.torrent(magnet.infoHash(), info));
        for (long i = 0; i < held.manifest().chunkCount(); i++) {
            int off = (int) (i * 16384);
            held.put(i, java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 16384)), new byte[0][]);
        }
        store.add(held);
        facilitators.clear();
        facilitators.put("page", new OrdbServer(store, null));
        Swarm.Sink again = new Swarm.Sink(s);
        Download d2 = start(again, 0);
        assertNull(again.error, Swarm.report(d2));
        assertArrayEquals(Hashes.sha256(data), again.digest());
    }

    /**
     * Facilitators whose circuits are never built: the download looks for them again (rounds of waiting 1, 2,
     * 4, 8 s, each circuit given connectMillis), then ends in the words of a torrent, within that bound.
     */
    @Test
    void aTorrentWhoseFacilitatorsAllStallLooksAgainThenSaysNoFacilitatorIsLeft() {
        facilitator("F1", 100);
        facilitator("F2", 100);
        Swarm.Sink sink = new Swarm.Sink(s);
        long t0 = s.nowMillis();
        Download d = start(sink, 0, (avoid, handler) -> {
            for (String name : facilitators.keySet()) {
                if (!avoid.contains(name)) {
                    SimNet.End[] l = net.pair("D", name, 20, 2000, 2000);
                    l[0].handler = handler; // the other end answers nothing: a circuit never built
                    return l[0];
                }
            }
            return null;
        });
        assertEquals("no facilitator left to ask: every source stalled or dropped, and looking for sources 4 more"
                + " times over 56 s brought none that sent data (last: dropped: stalled: nothing for 10375 ms)",
                sink.error, Swarm.report(d));
        assertTrue(sink.doneAt - t0 <= 5 * (10_000 + 375) + 15_000, "ended at " + (sink.doneAt - t0) + " ms");
        assertEquals(10, d.sources().size(), Swarm.report(d));
    }
}
