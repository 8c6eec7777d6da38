package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.ordb.CircuitLink;
import org.onionpeer.ordb.DownloadSource;
import org.onionpeer.ordb.LiveDownload;
import org.onionpeer.ordb.LiveListener;
import org.onionpeer.ordb.LivePublisher;
import org.onionpeer.ordb.Manifest;
import org.onionpeer.ordb.OrdbServer;

/**
 * A live stream over real onion circuits (in-process pipes, virtual time), as {@link OrdbCircuitTest} for a
 * file: P publishes through its 3-hop circuit to the hub; D joins mid-stream through 3-hop circuits to o1
 * and o2, each reaching the hub through a circuit of its own. D plays the init segment, then every byte
 * produced from its join window on.
 */
class OrdbLiveCircuitTest {
    static final int CHUNK = 4096;
    static final int WINDOW = 16;

    @Test
    void aLiveStreamJoinedMidStreamThroughTwoOrdbsOverCircuits() {
        long seed = Long.getLong("ordb.live.seed", System.nanoTime());
        System.out.println("[ordb-live-circuits] seed " + seed + " (-Dordb.live.seed=" + seed + " replays)");
        OrdbNet n = new OrdbNet(seed, 5);
        for (String r : new String[] {"gD", "gP", "gO", "m1", "m2", "m3", "m4", "hub", "o1", "o2"}) {
            n.relay(r);
        }
        n.sign();
        n.makeOrdb("hub", null, null, null);
        n.makeOrdb("o1", "gO", "hub", null);
        n.makeOrdb("o2", "gO", "hub", null);
        Random random = new Random(seed);

        // P: a live stream, its server holding queries up to 3 s, its circuit to the hub.
        byte[] keySeed = new byte[32];
        random.nextBytes(keySeed);
        Ed25519.KeyPair key = Ed25519.fromSeed(keySeed);
        Manifest m = Manifest.live(CHUNK, WINDOW, key.publicKey(), "live.webm".getBytes(), "video/webm");
        LivePublisher pub = new LivePublisher(n.net.sched, m, LivePublisher.signer(key));
        Map<Long, Long> windowStart = new HashMap<>();
        long[] publishedBytes = {0};
        pub.addListener(p -> {
            if (p.window.window() > 0) {
                windowStart.put(p.window.window(), publishedBytes[0]);
                for (int i = 0; i < p.window.count(); i++) {
                    publishedBytes[0] += p.chunk(i).length;
                }
            }
        });
        OrdbServer publisher = new OrdbServer(new org.onionpeer.ordb.Content.MemoryStore(), null);
        publisher.publishLive(pub, n.net.sched, 3000, 64);
        OrdbCircuits pOps = n.ops("P", n.client("P"), "gP");
        CircuitLink toHub = pOps.open(n.info("hub"), null);
        toHub.setHandler(publisher.attach(toHub, true));
        byte[] init = new byte[6000]; // an EBML header + Segment info + Tracks of two chunks
        random.nextBytes(init);
        pub.setInit(init);
        ByteArrayOutputStream produced = new ByteArrayOutputStream();
        Runnable[] produce = {null};
        produce[0] = () -> {
            byte[] b = new byte[random.nextInt(4001)]; // about 20 kB/s
            random.nextBytes(b);
            pub.append(b);
            produced.write(b, 0, b.length);
            if ((n.net.sched.nowMillis() / 100) % 10 == 0) {
                pub.flush(); // a fragment boundary every second
            }
            n.net.sched.schedule(100, produce[0]);
        };
        produce[0].run();
        n.net.sched.advance(8_000);
        assertEquals(1, n.servers.get("hub").sourcesOf(m.hashName()).size(), "the hub lists P's circuit");

        // D joins.
        List<RelayInfo> ordbs = List.of(n.info("o1"), n.info("o2"));
        OrdbCircuits dOps = n.ops("D", n.client("D"), "gD");
        ByteArrayOutputStream played = new ByteArrayOutputStream();
        long[] first = {-1};
        byte[][] gotInit = {null};
        List<String> skips = new ArrayList<>();
        LiveListener player = new LiveListener() {
            @Override
            public void onInit(byte[] b) {
                gotInit[0] = b;
            }

            @Override
            public void onData(long index, byte[] data) {
                assertTrue(gotInit[0] != null, "init first");
                if (first[0] < 0) {
                    first[0] = index;
                }
                played.write(data, 0, data.length);
            }

            @Override
            public void onSkip(long from, long to, String why) {
                skips.add(why);
            }

            @Override
            public void onDone(String error) {
                skips.add("done: " + error);
            }
        };
        LiveDownload.Config c = new LiveDownload.Config();
        c.sources = 2;
        c.stallMillis = 5000;
        Random r = new Random(seed + 1);
        LiveDownload d = new LiveDownload(n.net.sched, r::nextBytes, m.hashName(), dOps.connector(ordbs), c, player);
        d.start();
        n.net.sched.advance(20_000);

        StringBuilder report = new StringBuilder();
        for (DownloadSource s : d.sources()) {
            report.append(String.format("[ordb-live-circuits]   %-4s %7d bytes %4d chunks %3d requests  %s%n", s.name,
                    s.bytes, s.chunks, s.requests, s.fate));
        }
        long joinWindow = first[0] / WINDOW;
        long offset = windowStart.get(joinWindow);
        System.out.println("[ordb-live-circuits] joined at window " + joinWindow + " after 8 s; played "
                + played.size() + " bytes in 20 s; " + (publishedBytes[0] - offset - played.size())
                + " bytes published not yet played");
        System.out.print(report);
        assertEquals(List.of(), skips);
        assertArrayEquals(init, gotInit[0]);
        assertTrue(joinWindow >= 5, "joined mid-stream");
        byte[] all = produced.toByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(all, (int) offset, (int) offset + played.size()),
                played.toByteArray(), "seed " + seed);
        assertTrue(publishedBytes[0] - offset - played.size() < 3L * WINDOW * CHUNK, "D keeps up with the edge");
        assertTrue(played.size() > 250_000, "played " + played.size());
        for (DownloadSource s : d.sources()) {
            assertFalse(s.banned(), s.name + " " + s.fate);
        }
        OrdbCircuitTest.assertAnonymity(n, pOps, dOps);
    }
}
