package org.onionpeer.ordb;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.testing.ManualScheduler;

/**
 * A simulated live stream for tests: publisher P produces media at a varying rate (seeded), flushing a
 * window every second (a fragment boundary), and serves it through its links to ORDBs; a downloader D opens
 * circuits to the ORDBs (in name order) through {@link #connector}. Records every byte produced and where
 * each published window starts in that sequence.
 */
final class LiveSwarm {
    static final int CHUNK = 1024;
    static final int WINDOW = 8;

    final ManualScheduler scheduler = new ManualScheduler();
    final SimNet net = new SimNet(scheduler);
    final Random random;
    final Manifest manifest;
    final LivePublisher publisher;
    final OrdbServer server;
    final Map<String, OrdbServer> ordbs = new LinkedHashMap<>();
    final Map<String, SimNet.Tamper> tamperers = new HashMap<>();
    final List<SimNet.End> downloaderEnds = new ArrayList<>();
    /** The ORDB's end of its latest circuit from D, by ORDB name. */
    final Map<String, SimNet.End> ordbEndToD = new HashMap<>();
    final byte[] init;
    final ByteArrayOutputStream produced = new ByteArrayOutputStream();
    /** Media window number -> offset of its first byte in {@link #produced}. */
    final Map<Long, Long> windowStart = new HashMap<>();
    long publishedBytes;
    int maxKept;
    int maxHeldChunks;
    boolean blackout;
    final long latency = 20;

    LiveSwarm(long seed, int ordbCount) {
        random = new Random(seed);
        byte[] keySeed = new byte[32];
        random.nextBytes(keySeed);
        Ed25519.KeyPair key = Ed25519.fromSeed(keySeed);
        manifest = Manifest.live(CHUNK, WINDOW, key.publicKey(), "live.mp4".getBytes(), "video/mp4");
        publisher = new LivePublisher(scheduler, manifest, LivePublisher.signer(key));
        server = new OrdbServer(new Content.MemoryStore(), null);
        publisher.addListener(p -> {
            if (p.window.window() > 0) {
                windowStart.put(p.window.window(), publishedBytes);
                for (int i = 0; i < p.window.count(); i++) {
                    publishedBytes += p.chunk(i).length;
                }
            }
            maxKept = Math.max(maxKept, publisher.keptWindows());
            maxHeldChunks = Math.max(maxHeldChunks, publisher.heldChunks());
        });
        for (int k = 1; k <= ordbCount; k++) {
            String name = "ORDB" + k;
            OrdbServer o = new OrdbServer(new Content.MemoryStore(), null);
            ordbs.put(name, o);
            SimNet.End[] l = net.pair("P", name, latency, 2000, 2000);
            l[0].handler = server.attach(l[0], true);
            l[1].handler = o.attach(l[1], true);
        }
        server.publishLive(publisher, scheduler, 2000, 64);
        init = new byte[2500]; // an "ftyp+moov" of three chunks, the last one short
        random.nextBytes(init);
        publisher.setInit(init);
        scheduler.advance(latency + 10);
    }

    /** Produces media every 100 ms (0..1400 bytes) and flushes every second, for {@code millis}. */
    void produce(long millis) {
        long end = scheduler.nowMillis() + millis;
        while (scheduler.nowMillis() < end) {
            byte[] b = new byte[random.nextInt(1401)];
            random.nextBytes(b);
            publisher.append(b);
            produced.write(b, 0, b.length);
            if ((scheduler.nowMillis() / 100) % 10 == 9) {
                publisher.flush();
            }
            scheduler.advance(100);
        }
    }

    final OrdbLink.Connector connector = connectorTo(null);
    /** ORDBs that left the network: no circuit reaches them any more. */
    final Set<String> left = new java.util.HashSet<>();

    /** D's circuits to the ORDBs named in {@code only} (all when null) that have not left. */
    OrdbLink.Connector connectorTo(Set<String> only) {
        return (Set<String> avoid, OrdbLink.Handler handler) -> {
            if (blackout) {
                return null;
            }
            for (Map.Entry<String, OrdbServer> e : ordbs.entrySet()) {
                if (avoid.contains(e.getKey()) || left.contains(e.getKey()) || (only != null && !only.contains(e.getKey()))) {
                    continue;
                }
                SimNet.End[] l = net.pair("D", e.getKey(), latency, 500, 500);
                l[0].handler = handler;
                l[1].handler = e.getValue().attach(l[1], false);
                l[1].tamper = tamperers.get(e.getKey());
                downloaderEnds.add(l[0]);
                downloaderEnds.add(l[1]);
                ordbEndToD.put(e.getKey(), l[1]);
                return l[0];
            }
            return null;
        };
    }

    /** ORDB {@code name} leaves the network (its tab closed): its circuit to D closes, none opens again. */
    void leave(String name) {
        left.add(name);
        ordbEndToD.get(name).close();
    }

    /** D loses its network (everything to and from it is lost) until {@link #reconnect}. */
    void cutDownloader() {
        blackout = true;
        for (SimNet.End e : downloaderEnds) {
            e.dead = true;
        }
    }

    void reconnect() {
        blackout = false;
    }

    /** The bytes produced from {@code offset}, {@code length} of them. */
    byte[] producedFrom(long offset, int length) {
        byte[] all = produced.toByteArray();
        return java.util.Arrays.copyOfRange(all, (int) offset, (int) offset + length);
    }

    /** D's side: the init, then media bytes, checked contiguous, with skips and source events. */
    static final class Player implements LiveListener {
        byte[] init;
        long firstChunk = -1;
        long nextChunk = -1;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        /** Bytes played after the last skip, and the chunk they start at. */
        final ByteArrayOutputStream sinceSkip = new ByteArrayOutputStream();
        long sinceSkipChunk = -1;
        final List<String> skips = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        String error = "not done";
        final ManualScheduler scheduler;

        Player(ManualScheduler scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public void onInit(byte[] init) {
            if (this.init != null || firstChunk >= 0) {
                throw new AssertionError("init twice or after media");
            }
            this.init = init;
        }

        @Override
        public void onData(long index, byte[] data) {
            if (init == null) {
                throw new AssertionError("media before the init segment");
            }
            if (firstChunk < 0) {
                firstChunk = index;
            }
            if (sinceSkipChunk < 0) {
                sinceSkipChunk = index;
            }
            // within a window chunks are consecutive; a new window starts at its own first chunk number
            if (nextChunk >= 0 && index != nextChunk && index % WINDOW != 0) {
                throw new AssertionError("chunk " + index + " after " + (nextChunk - 1));
            }
            nextChunk = index + 1;
            bytes.write(data, 0, data.length);
            sinceSkip.write(data, 0, data.length);
        }

        @Override
        public void onSkip(long from, long to, String why) {
            skips.add(from + ".." + to + ": " + why);
            sinceSkip.reset();
            sinceSkipChunk = -1;
        }

        @Override
        public void onSource(DownloadSource s, String event) {
            events.add(scheduler.nowMillis() + " ms " + s.name + " " + event);
        }

        @Override
        public void onDone(String error) {
            this.error = error;
        }
    }
}
