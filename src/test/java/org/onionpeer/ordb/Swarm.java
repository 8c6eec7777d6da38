package org.onionpeer.ordb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.onionpeer.testing.ManualScheduler;

/**
 * A simulated ORDB network for tests: one publisher P linked to ORDBs, and a downloader D that opens
 * circuits to them (in name order) through {@link #connector}. Rates are bytes per millisecond.
 */
final class Swarm {
    final ManualScheduler scheduler = new ManualScheduler();
    final SimNet net = new SimNet(scheduler);
    final Content published;
    final OrdbServer publisher;
    final Map<String, OrdbServer> ordbs = new LinkedHashMap<>();
    final Map<String, List<SimNet.End>> endsOf = new HashMap<>();
    final Map<String, Double> downRate = new HashMap<>();
    final List<SimNet.End> publisherEnds = new ArrayList<>();
    final Map<String, SimNet.Tamper> tamperers = new HashMap<>();
    final long latency;
    double defaultDownRate;
    double upRate;

    Swarm(byte[] data, int chunkSize, int ordbCount, long latency, double upRate, double downRate) {
        this.latency = latency;
        this.upRate = upRate;
        this.defaultDownRate = downRate;
        published = Content.publish(data, "file.bin".getBytes(), "application/octet-stream", chunkSize);
        Content.MemoryStore store = new Content.MemoryStore();
        store.add(published);
        publisher = new OrdbServer(store, null);
        for (int k = 1; k <= ordbCount; k++) {
            String name = "ORDB" + k;
            OrdbServer o = new OrdbServer(new Content.MemoryStore(), null);
            ordbs.put(name, o);
            SimNet.End[] l = net.pair("P", name, latency, upRate, upRate);
            l[0].handler = publisher.attach(l[0], true);
            publisherEnds.add(l[0]);
            l[1].handler = o.attach(l[1], true);
            endsOf.computeIfAbsent(name, x -> new ArrayList<>()).add(l[1]);
        }
        publisher.advertise(hashName(), DbInfo.P100, false);
        scheduler.advance(latency + 10);
    }

    /** An ORDB linked to nobody: it knows no source of anything. */
    void addIsolated(String name) {
        ordbs.put(name, new OrdbServer(new Content.MemoryStore(), null));
        endsOf.computeIfAbsent(name, x -> new ArrayList<>()).add(net.pair(name, "nobody", 1, 1, 1)[0]);
    }

    HashName hashName() {
        return published.hashName();
    }

    /** D's circuits: to the first ORDB (in name order) not avoided and not vanished. */
    final OrdbLink.Connector connector = new OrdbLink.Connector() {
        @Override
        public OrdbLink open(Set<String> avoid, OrdbLink.Handler handler) {
            for (Map.Entry<String, OrdbServer> e : ordbs.entrySet()) {
                String name = e.getKey();
                if (avoid.contains(name) || endsOf.get(name).get(0).dead) {
                    continue;
                }
                SimNet.End[] l = net.pair("D", name, latency, upRate, downRate.getOrDefault(name, defaultDownRate));
                l[0].handler = handler;
                l[1].handler = e.getValue().attach(l[1], false);
                l[1].tamper = tamperers.get(name);
                endsOf.get(name).add(l[1]);
                return l[0];
            }
            return null;
        }
    };

    /** The publisher leaves: its circuits close. */
    void publisherLeaves() {
        for (SimNet.End e : publisherEnds) {
            e.close();
        }
    }

    /** Everything to and from this ORDB is lost from now on. */
    void vanish(String name) {
        for (SimNet.End e : endsOf.get(name)) {
            e.dead = true;
        }
    }

    /** The downloader's side: hashes what the sink gets, checks order, keeps it in a Content. */
    static final class Sink implements DownloadListener {
        final SHA256Digest sha = new SHA256Digest();
        final ManualScheduler scheduler;
        long next;
        long bytes;
        Content held;
        String error = "not done";
        long doneAt = -1;
        final List<String> events = new ArrayList<>();

        Sink(ManualScheduler scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public void onManifest(Manifest m) {
            held = Content.empty(m);
        }

        @Override
        public void onData(long index, byte[] data, byte[][] proof) {
            if (index != next) {
                throw new AssertionError("chunk " + index + " delivered, expected " + next);
            }
            held.put(index, data, proof);
            sha.update(data, 0, data.length);
            next++;
            bytes += data.length;
        }

        @Override
        public void onSource(DownloadSource s, String event) {
            events.add(scheduler.nowMillis() + " ms " + s.name + " " + event);
        }

        @Override
        public void onDone(String error) {
            this.error = error;
            doneAt = scheduler.nowMillis();
        }

        byte[] digest() {
            byte[] out = new byte[32];
            new SHA256Digest(sha).doFinal(out, 0);
            return out;
        }
    }

    /** Runs the scheduler until the download is done, at most {@code maxMillis} of virtual time. */
    void run(Download d, long maxMillis) {
        long end = scheduler.nowMillis() + maxMillis;
        while (!d.isDone() && scheduler.nowMillis() < end) {
            scheduler.advance(50);
        }
    }

    static String report(Download d) {
        StringBuilder b = new StringBuilder();
        for (DownloadSource s : d.sources()) {
            b.append(String.format("  %-6s %9.2f MB %6d chunks %4d requests %7.0f kB/s  %s%n", s.name,
                    s.bytes / 1e6, s.chunks, s.requests, s.rate, s.fate));
        }
        return b.toString();
    }
}
