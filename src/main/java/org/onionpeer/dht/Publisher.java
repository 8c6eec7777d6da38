package org.onionpeer.dht;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.onionpeer.platform.Scheduler;

/**
 * The values this node published: each is STOREd on the k nodes closest to its key, and again every
 * republish period, so it outlives the storers' one-hour expiry and reaches nodes that joined near the key.
 */
final class Publisher {
    private static final class Item {
        final byte[] value;
        Scheduler.Cancellable timer;

        Item(byte[] value) {
            this.value = value;
        }
    }

    private final Dht dht;
    private final Scheduler scheduler;
    private final DhtConfig config;
    private final Map<NodeId, Item> items = new HashMap<>();
    /** Rounds of STOREs done, for tests and status. */
    int rounds;

    Publisher(Dht dht, Scheduler scheduler, DhtConfig config) {
        this.dht = dht;
        this.scheduler = scheduler;
        this.config = config;
    }

    void publish(NodeId key, byte[] value, Consumer<Integer> done) {
        Item old = items.get(key);
        if (old == null && items.size() >= config.maxPublished) {
            throw new IllegalStateException("already publishing " + config.maxPublished + " values");
        }
        if (old != null) {
            old.timer.cancel();
        }
        Item it = new Item(value);
        items.put(key, it);
        storeRound(key, it, done);
    }

    void unpublish(NodeId key) {
        Item it = items.remove(key);
        if (it != null) {
            it.timer.cancel();
        }
    }

    void close() {
        for (Item it : items.values()) {
            it.timer.cancel();
        }
        items.clear();
    }

    private void storeRound(NodeId key, Item it, Consumer<Integer> done) {
        rounds++;
        it.timer = scheduler.schedule(config.republishMillis, () -> {
            if (items.get(key) == it) {
                storeRound(key, it, n -> { });
            }
        });
        dht.findNode(key, r -> {
            List<Contact> targets = r.closest();
            if (targets.isEmpty()) {
                done.accept(0);
                return;
            }
            int[] left = {targets.size()};
            int[] stored = {0};
            for (Contact c : targets) {
                dht.storeRequest(c, key, it.value, new Dht.Answer() {
                    @Override
                    public void onAnswer(DhtMessage m) {
                        if (((Stored) m).status() == Stored.OK) {
                            stored[0]++;
                        }
                        next();
                    }

                    @Override
                    public void onFailure() {
                        next();
                    }

                    private void next() {
                        if (--left[0] == 0) {
                            done.accept(stored[0]);
                        }
                    }
                });
            }
        });
    }
}
