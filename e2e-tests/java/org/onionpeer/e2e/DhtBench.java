package org.onionpeer.e2e;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.onionpeer.dht.DhtConfig;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dht.SimNetwork;

/**
 * DHT lookup figures at 1,000 and 10,000 simulated nodes (20-150 ms latency per message, virtual time):
 * builds the network through 3 seeds, makes 10 % of it leave and as many join, then runs 1,000 random
 * FIND_NODE lookups and prints how many returned exactly the true k closest live nodes and the median /
 * p95 rounds. Prints, asserts nothing; not part of the test suite. Arguments: node counts (default
 * 1000 10000); -Ddht.bench.seed=N. Run e.g. with
 * {@code java -Xmx4g -cp target/test-classes:target/classes:$(cat cp.txt) org.onionpeer.e2e.DhtBench}.
 */
public final class DhtBench {
    private DhtBench() {
    }

    public static void main(String[] args) {
        long seed = Long.getLong("dht.bench.seed", System.nanoTime());
        System.out.println("DhtBench seed " + seed);
        int[] sizes = args.length == 0 ? new int[] {1000, 10_000} : new int[args.length];
        for (int i = 0; i < args.length; i++) {
            sizes[i] = Integer.parseInt(args[i]);
        }
        for (int n : sizes) {
            run(n, seed);
        }
    }

    private static void run(int n, long seed) {
        long t0 = System.nanoTime();
        SimNetwork net = new SimNetwork(seed, 20, 150);
        DhtConfig cfg = new DhtConfig();
        List<org.onionpeer.dht.Contact> seeds = net.build(n, 3, 50, cfg);
        long buildMessages = net.messages;
        long t1 = System.nanoTime();
        Random r = net.random();
        List<SimNetwork.Node> live = net.live();
        for (int i = 0; i < n / 10; i++) {
            SimNetwork.Node gone = live.get(3 + r.nextInt(live.size() - 3));
            if (gone.live()) {
                gone.leave();
            }
        }
        List<SimNetwork.Node> joining = new ArrayList<>();
        for (int i = 0; i < n / 10; i++) {
            SimNetwork.Node j = net.addNode(cfg);
            joining.add(j);
            net.join(j, seeds);
            net.scheduler.advance(20);
        }
        net.advanceUntil(() -> {
            for (SimNetwork.Node j : joining) {
                if (!j.joined) {
                    return false;
                }
            }
            return true;
        }, 100, 3_600_000);
        List<SimNetwork.Node> now = net.live();
        int count = 1000;
        int[] ok = {0};
        int[] left = {count};
        List<Integer> rounds = new ArrayList<>();
        long lookupMessages = net.messages;
        for (int i = 0; i < count; i++) {
            SimNetwork.Node from = now.get(r.nextInt(now.size()));
            NodeId target = NodeId.random(r);
            List<NodeId> expected = net.trueClosest(target, cfg.k, from.contact.id(), now);
            from.dht.findNode(target, res -> {
                left[0]--;
                rounds.add(res.rounds());
                ok[0] += SimNetwork.ids(res.closest()).equals(expected) ? 1 : 0;
            });
            net.scheduler.advance(10);
        }
        net.advanceUntil(() -> left[0] == 0, 100, 600_000);
        Collections.sort(rounds);
        System.out.println(String.format(java.util.Locale.ROOT,
                "%,d nodes (%d left, %d joined): %d/%d lookups exact k closest (%.1f %%), rounds median %d, p95 %d,"
                        + " max %d; %.1f messages per lookup; build %,d messages in %.1f s, all %.1f s wall",
                n, n / 10, n / 10, ok[0], count, 100.0 * ok[0] / count, rounds.get(count / 2),
                rounds.get(count * 95 / 100), rounds.get(count - 1), (net.messages - lookupMessages) / (double) count,
                buildMessages, (t1 - t0) / 1e9, (System.nanoTime() - t0) / 1e9));
    }
}
