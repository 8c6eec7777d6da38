package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.onionpeer.circuit.CircuitOptions;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.link.Channel;

/**
 * 500 simultaneous 3-hop circuits through the bridge's embedded network, one HTTP download per circuit
 * through the exit, every body checked by SHA-256; heap growth bounded; every relay circuit gone afterwards.
 *
 * <p>All 500 circuits are built before any stream opens, and none is closed before every download has
 * finished, so the relays really hold 1500 circuit hops at once (checked). Paths are chosen here, not by an
 * onion proxy, so exactly these circuits exist: first hop one of the five non-exit relays (the bridge's own
 * router included) round robin, middle another of them, last the exit.
 */
@Tag("e2e")
class LoadTest {
    static final int CIRCUITS = 500;
    static final int HOPS = 3;
    static final int MIN_BODY = 64 * 1024;
    static final int MAX_BODY = 256 * 1024;
    /**
     * Live heap (after GC) above the idle network's, mid-transfer and with all 500 circuits open after their
     * downloads. Measured: about 75 MB mid-transfer, 42 MB after.
     */
    static final long MAX_LOADED_GROWTH = 256L << 20;
    /** Live heap left once everything is torn down, above the idle network's. Measured: about 8 MB. */
    static final long MAX_RESIDUAL_GROWTH = 32L << 20;
    static final long TEARDOWN_MILLIS = 20_000;
    /** Below SocketConnector.DEFAULT_MAX_PENDING (256), the exit's bound on connects under way. */
    static final int MAX_UNANSWERED_BEGINS = 200;
    static final long MB = 1 << 20;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void fiveHundredConcurrentCircuits() throws Exception {
        long tStart = System.nanoTime();
        Bridge.Options o = TestBridges.options(5);
        o.socksPort = -1; // no onion proxy: its pool circuits would blur the relays' counts
        Channel.Limits limits = new Channel.Limits(); // maxCircuits 2048 per link: enough, see the report
        o.limits = limits;
        CircuitOptions co = new CircuitOptions();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();

        long[] sizes = new long[CIRCUITS];
        String[] expected = new String[CIRCUITS];
        SplittableRandom r = new SplittableRandom(0x10ad);
        long total = 0;
        for (int i = 0; i < CIRCUITS; i++) {
            sizes[i] = MIN_BODY + r.nextInt(MAX_BODY - MIN_BODY + 1);
            expected[i] = SeededHttpServer.sha256(1000 + i, sizes[i]);
            total += sizes[i];
        }

        try (SeededHttpServer http = new SeededHttpServer(); Bridge bridge = new Bridge(o);
                TorClient client = new TorClient(limits, co)) {
            List<RelayInfo> middles = TorClient.exits(bridge, false);
            List<RelayInfo> exits = TorClient.exits(bridge, true);
            assertEquals(5, middles.size(), "bridge router + 4 relays");
            assertEquals(1, exits.size());
            RelayInfo exit = exits.get(0);

            long heapBefore = usedAfterGc(mem);
            AtomicLong peak = new AtomicLong(heapBefore);
            Thread sampler = sampler(mem, peak);

            // 1. Build all circuits at once.
            long t0 = System.nanoTime();
            List<CompletableFuture<TorClient.Built>> builds = new ArrayList<>();
            for (int i = 0; i < CIRCUITS; i++) {
                RelayInfo first = middles.get(i % middles.size());
                RelayInfo middle = middles.get((i + 1 + (i / middles.size()) % (middles.size() - 1)) % middles.size());
                builds.add(client.build(List.of(first, middle, exit)));
            }
            List<ClientCircuit> circuits = new ArrayList<>();
            long[] buildMs = new long[CIRCUITS];
            int failedBuilds = 0;
            String firstBuildFailure = null;
            for (int i = 0; i < CIRCUITS; i++) {
                try {
                    TorClient.Built b = builds.get(i).get(60, TimeUnit.SECONDS);
                    circuits.add(b.circuit());
                    buildMs[i] = b.buildNanos() / 1_000_000;
                } catch (Exception e) {
                    failedBuilds++;
                    if (firstBuildFailure == null) {
                        firstBuildFailure = String.valueOf(e.getCause() == null ? e : e.getCause());
                    }
                }
            }
            long buildWall = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, failedBuilds, "circuit builds failed; first: " + firstBuildFailure);
            int[] whileOpen = TorClient.relayCircuitCounts(bridge);
            assertEquals(CIRCUITS * HOPS, Arrays.stream(whileOpen).sum(),
                    "relay circuits with all " + CIRCUITS + " open: " + Arrays.toString(whileOpen));
            int clientCircuits = TorClient.onLoop(client.loop(), () -> client.node().circuits().size());
            assertEquals(CIRCUITS, clientCircuits);

            // 2. One download per circuit, all at once, except that at most MAX_UNANSWERED_BEGINS wait for
            // CONNECTED at a time: the exit's connector refuses more than 256 pending TCP connects (END
            // RESOURCELIMIT, which a real onion proxy retries elsewhere).
            long t1 = System.nanoTime();
            List<CompletableFuture<TorClient.Fetched>> fetches = new ArrayList<>();
            Semaphore unanswered = new Semaphore(MAX_UNANSWERED_BEGINS);
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger maxInFlight = new AtomicInteger();
            for (int i = 0; i < CIRCUITS; i++) {
                unanswered.acquire();
                CompletableFuture<TorClient.Fetched> f = client.fetch(circuits.get(i), "127.0.0.1", http.port(),
                        SeededHttpServer.path(1000 + i, sizes[i]), () -> {
                            unanswered.release();
                            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        });
                fetches.add(f.whenComplete((x, e) -> inFlight.decrementAndGet()));
            }
            // Live heap in the thick of it: every BEGIN sent, hundreds of streams moving data.
            int inFlightAtMid = inFlight.get();
            long heapMid = usedAfterGc(mem);
            int bad = 0;
            List<String> problems = new ArrayList<>();
            long[] fetchMs = new long[CIRCUITS];
            for (int i = 0; i < CIRCUITS; i++) {
                try {
                    TorClient.Fetched f = fetches.get(i).get(60, TimeUnit.SECONDS);
                    fetchMs[i] = f.nanos() / 1_000_000;
                    if (f.length() != sizes[i] || !f.sha256().equals(expected[i])) {
                        bad++;
                        problems.add("#" + i + ": " + f.length() + " bytes, sha256 " + f.sha256());
                    }
                } catch (Exception e) {
                    bad++;
                    problems.add("#" + i + ": " + (e.getCause() == null ? e : e.getCause()));
                }
            }
            long fetchWall = (System.nanoTime() - t1) / 1_000_000;
            int[] afterFetch = TorClient.relayCircuitCounts(bridge);
            long heapLoaded = usedAfterGc(mem); // all 500 circuits still open here
            assertEquals(0, bad, bad + " of " + CIRCUITS + " downloads wrong, e.g. "
                    + problems.subList(0, Math.min(5, problems.size())));
            assertEquals(CIRCUITS * HOPS, Arrays.stream(afterFetch).sum(),
                    "no circuit may die during the downloads: " + Arrays.toString(afterFetch));

            // 3. Tear everything down and wait (bounded) for every relay to forget every circuit.
            long t2 = System.nanoTime();
            for (ClientCircuit c : circuits) {
                client.close(c);
            }
            int[] counts;
            long deadline = System.nanoTime() + TEARDOWN_MILLIS * 1_000_000L;
            do {
                counts = TorClient.relayCircuitCounts(bridge);
                if (Arrays.stream(counts).sum() == 0) {
                    break;
                }
                Thread.sleep(10); // polling a condition with a deadline, not a timing assumption
            } while (System.nanoTime() < deadline);
            long teardownMs = (System.nanoTime() - t2) / 1_000_000;
            sampler.interrupt();
            // The test's own references must not count as retained by the network.
            circuits.clear();
            builds.clear();
            fetches.clear();
            long heapAfter = usedAfterGc(mem);

            Arrays.sort(buildMs);
            Arrays.sort(fetchMs);
            System.out.printf(Locale.ROOT, "LoadTest: %d circuits x %d hops, %d downloads of %d-%d KB (%.1f MB in all)%n",
                    CIRCUITS, HOPS, CIRCUITS, MIN_BODY / 1024, MAX_BODY / 1024, total / (double) MB);
            System.out.printf(Locale.ROOT, "  build: all %d in %d ms wall; per circuit median %d ms, max %d ms%n",
                    CIRCUITS, buildWall, buildMs[CIRCUITS / 2], buildMs[CIRCUITS - 1]);
            System.out.printf(Locale.ROOT, "  relay circuits with all open %s (sum %d)%n", Arrays.toString(whileOpen),
                    Arrays.stream(whileOpen).sum());
            System.out.printf(Locale.ROOT, "  downloads: all %d in %d ms wall (%.1f MB/s aggregate); per download median"
                    + " %d ms, max %d ms; at most %d streams in flight at once; all SHA-256 match%n", CIRCUITS,
                    fetchWall, total / (double) MB / (fetchWall / 1000.0), fetchMs[CIRCUITS / 2], fetchMs[CIRCUITS - 1],
                    maxInFlight.get());
            System.out.printf(Locale.ROOT, "  teardown: relay circuits %s after %d ms%n", Arrays.toString(counts),
                    teardownMs);
            System.out.printf(Locale.ROOT, "  heap used after GC: before %.1f MB, mid-transfer (%d streams in flight)"
                    + " %.1f MB (+%.1f MB), with %d circuits open after the downloads %.1f MB (+%.1f MB),"
                    + " after teardown %.1f MB (%+.1f MB); peak sampled (incl. garbage) %.1f MB; max heap %.0f MB%n",
                    heapBefore / (double) MB, inFlightAtMid, heapMid / (double) MB,
                    (heapMid - heapBefore) / (double) MB, CIRCUITS, heapLoaded / (double) MB,
                    (heapLoaded - heapBefore) / (double) MB, heapAfter / (double) MB,
                    (heapAfter - heapBefore) / (double) MB, peak.get() / (double) MB,
                    mem.getHeapMemoryUsage().getMax() / (double) MB);
            System.out.printf(Locale.ROOT, "  total %.1f s%n", (System.nanoTime() - tStart) / 1e9);

            assertEquals(0, Arrays.stream(counts).sum(), "relay circuits left " + TEARDOWN_MILLIS + " ms after"
                    + " closing: " + Arrays.toString(counts));
            int clientLeft = TorClient.onLoop(client.loop(), () -> client.node().circuits().size());
            assertEquals(0, clientLeft, "client circuit table after teardown");
            assertTrue(heapMid - heapBefore < MAX_LOADED_GROWTH, "heap growth mid-transfer "
                    + (heapMid - heapBefore) / MB + " MB, bound " + MAX_LOADED_GROWTH / MB + " MB");
            assertTrue(heapLoaded - heapBefore < MAX_LOADED_GROWTH, "heap growth with all circuits open "
                    + (heapLoaded - heapBefore) / MB + " MB, bound " + MAX_LOADED_GROWTH / MB + " MB");
            assertTrue(heapAfter - heapBefore < MAX_RESIDUAL_GROWTH, "heap growth after teardown "
                    + (heapAfter - heapBefore) / MB + " MB, bound " + MAX_RESIDUAL_GROWTH / MB + " MB");
        }
    }

    static long usedAfterGc(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    /** Samples heap use every 20 ms (garbage included: an upper bound on what the run touched). */
    static Thread sampler(MemoryMXBean mem, AtomicLong peak) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                // done
            }
        }, "heap-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
