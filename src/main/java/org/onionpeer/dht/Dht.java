package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.platform.Scheduler;

/**
 * One Kademlia node: answers PING, FIND_NODE, FIND_VALUE and STORE; runs iterative lookups; keeps its routing
 * table alive (PING the oldest before evicting, refresh idle buckets) and the values it published (republish).
 * Everything runs on the node's {@link Scheduler}; nothing blocks. What peers say is checked: contacts must
 * carry ID == SHA-1(key) (or the whole answer is garbage), a request's sender must be the peer the transport
 * authenticated, answers must match a request of ours in type and peer; a peer that sends garbage, or
 * repeatedly hides the nodes it must know, is dropped and banned. Requests are rate-limited per sender, our
 * own in-flight requests are bounded, and so is the value table.
 */
public final class Dht {
    /** The outcome of one request. */
    interface Answer {
        void onAnswer(DhtMessage m);

        void onFailure();
    }

    private static final class Pending {
        final Contact peer;
        final int type;
        final Answer answer;
        Scheduler.Cancellable timer;

        Pending(Contact peer, int type, Answer answer) {
            this.peer = peer;
            this.type = type;
            this.answer = answer;
        }
    }

    private final Scheduler scheduler;
    private final DhtTransport transport;
    private final Contact self;
    private final DhtConfig config;
    private final Random random;
    private final RoutingTable table;
    private final ValueStore values;
    private final RateWindows<NodeId> limiter;
    private final Publisher publisher;
    private final DhtStats stats = new DhtStats();
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final Map<NodeId, Integer> inFlightPerPeer = new HashMap<>();
    private final Reputation reputation;
    private Scheduler.Cancellable maintenance;
    private Scheduler.Cancellable liveness;
    private boolean closed;

    public Dht(Scheduler scheduler, DhtTransport transport, Contact self, DhtConfig config, Random random) {
        this.scheduler = scheduler;
        this.transport = transport;
        this.self = self;
        this.config = config;
        this.random = random;
        this.table = new RoutingTable(self.id(), config.k, config.replacementCacheSize, scheduler.nowMillis());
        this.values = new ValueStore(config.maxValues, config.maxValueBytes, config.maxValuesPerKey);
        this.limiter = new RateWindows<>(1, config.maxTrackedSenders);
        this.publisher = new Publisher(this, scheduler, config);
        this.reputation = new Reputation(config);
        transport.setReceiver(this::receive);
        maintenance = scheduler.schedule(config.maintenanceMillis, this::maintain);
        liveness = scheduler.schedule(config.livenessMillis, this::checkNeighbours);
    }

    public Contact self() {
        return self;
    }

    public RoutingTable table() {
        return table;
    }

    public DhtStats stats() {
        return stats;
    }

    public DhtConfig config() {
        return config;
    }

    /** Stops answering and cancels timers; pending requests just expire. */
    public void close() {
        closed = true;
        maintenance.cancel();
        liveness.cancel();
        publisher.close();
    }

    /**
     * Joins through {@code seeds} (peers a bridge gave us): a lookup of our own ID starting from them, then a
     * lookup of a random ID in every bucket from our nearest neighbour's outwards, one after the other.
     * {@code done} gets the self-lookup's result.
     */
    public void bootstrap(List<Contact> seeds, Consumer<LookupResult> done) {
        Lookup l = new Lookup(this, self.id(), false, config.k, config.alpha, r -> {
            refreshChain(table.staleBuckets(scheduler.nowMillis(), 0), 0, () -> done.accept(r));
        });
        l.start(seeds);
    }

    public void findNode(NodeId target, Consumer<LookupResult> done) {
        table.touchBucket(self.id().bucketIndex(target), scheduler.nowMillis());
        new Lookup(this, target, false, config.k, config.alpha, done).start(table.closest(target, config.k));
    }

    public void findValue(NodeId key, Consumer<LookupResult> done) {
        List<byte[]> mine = values.get(key, scheduler.nowMillis());
        if (!mine.isEmpty()) {
            done.accept(new LookupResult(key, new ArrayList<>(), copies(mine), 0, 0, 0));
            return;
        }
        table.touchBucket(self.id().bucketIndex(key), scheduler.nowMillis());
        new Lookup(this, key, true, config.k, config.alpha, done).start(table.closest(key, config.k));
    }

    /**
     * Like {@link #findValue}, but always asks the network, and adds what this node holds for the key: for a
     * key many nodes publish under (facilitators under one well-known key), a node that holds some of the
     * values would otherwise answer its own lookup with only those. Values are deduplicated.
     */
    public void findAllValues(NodeId key, Consumer<LookupResult> done) {
        table.touchBucket(self.id().bucketIndex(key), scheduler.nowMillis());
        new Lookup(this, key, true, config.k, config.alpha, res -> {
            List<byte[]> all = copies(values.get(key, scheduler.nowMillis()));
            for (byte[] v : res.values()) {
                boolean dup = false;
                for (byte[] m : all) {
                    dup |= java.util.Arrays.equals(m, v);
                }
                if (!dup) {
                    all.add(v);
                }
            }
            done.accept(new LookupResult(key, res.closest(), all, res.rounds(), res.queried(), res.failed()));
        }).start(table.closest(key, config.k));
    }

    /**
     * Publishes {@code value} under {@code key}: STOREs it on the k nodes closest to the key, and again every
     * {@link DhtConfig#republishMillis} until {@link #unpublish}. {@code done} gets how many stored it.
     */
    public void put(NodeId key, byte[] value, Consumer<Integer> done) {
        publisher.publish(key, DhtMessage.checkValue(value), done);
    }

    public void unpublish(NodeId key) {
        publisher.unpublish(key);
    }

    /** The newest value we hold for others under {@code key} (not expired), or null. */
    public byte[] storedValue(NodeId key) {
        List<byte[]> v = values.get(key, scheduler.nowMillis());
        return v.isEmpty() ? null : v.get(0).clone();
    }

    /** Every value we hold for others under {@code key}, newest first. */
    public List<byte[]> storedValues(NodeId key) {
        return copies(values.get(key, scheduler.nowMillis()));
    }

    private static List<byte[]> copies(List<byte[]> l) {
        List<byte[]> out = new ArrayList<>(l.size());
        for (byte[] v : l) {
            out.add(v.clone());
        }
        return out;
    }

    /**
     * {@code value} if the validator (if any) accepts it for {@code key}, else null, counted with its
     * reason. {@code sender}, if not null, must be the value's signer (a STORE from someone else).
     */
    byte[] validate(NodeId key, NodeId sender, byte[] value) {
        if (config.validator == null) {
            return value;
        }
        try {
            NodeId signer = config.validator.check(key, value, scheduler.epochSeconds());
            if (sender != null && signer != null && !signer.equals(sender)) {
                throw new ProtocolException("value signed by " + signer.shortHex() + ", stored by " + sender.shortHex());
            }
            return value;
        } catch (ProtocolException e) {
            stats.valuesRefused++;
            stats.lastValueRefusal = e.getMessage();
            return null;
        }
    }

    public int storedCount() {
        return values.count();
    }

    public void ping(Contact c, Consumer<Boolean> done) {
        request(c, new Ping(0, self), new Answer() {
            @Override
            public void onAnswer(DhtMessage m) {
                done.accept(true);
            }

            @Override
            public void onFailure() {
                done.accept(false);
            }
        });
    }

    public boolean isBanned(NodeId id) {
        return reputation.isBanned(id, scheduler.nowMillis());
    }

    // ---- incoming ----

    private void receive(NodeId from, byte[] data) {
        if (closed) {
            return;
        }
        if (isBanned(from)) {
            stats.bannedDropped++;
            return;
        }
        DhtMessage m;
        try {
            m = DhtMessage.decode(data);
        } catch (ProtocolException e) {
            if (data.length >= 5 && (data[0] & 1) == 0) {
                failPending(from, (int) Bytes.u32(data, 1)); // its answer was garbage: don't wait for it
            }
            misbehaved(from);
            return;
        }
        if (m.isRequest()) {
            onRequest(from, m);
        } else {
            onAnswer(from, m);
        }
    }

    private void onRequest(NodeId from, DhtMessage m) {
        long now = scheduler.nowMillis();
        if (!limiter.allow(from, 0, config.maxRequestsPerSecond, now)) {
            stats.rateLimited++;
            return;
        }
        if (!m.sender().id().equals(from)) {
            misbehaved(from); // a request claiming to come from someone else
            return;
        }
        learn(m.sender());
        DhtMessage answer;
        switch (m.type()) {
            case DhtMessage.PING:
                answer = new Pong(m.requestId());
                break;
            case DhtMessage.FIND_NODE:
                answer = new Nodes(m.requestId(), closestExcept(((FindNode) m).target(), from, ((FindNode) m).exclude()));
                break;
            case DhtMessage.FIND_VALUE: {
                FindValue f = (FindValue) m;
                List<byte[]> v = fitting(values.get(f.key(), now));
                answer = !v.isEmpty() ? new Value(m.requestId(), v) : new Nodes(m.requestId(), closestExcept(f.key(), from, List.of()));
                break;
            }
            default: {
                Store s = (Store) m;
                if (validate(s.key(), from, s.value()) == null) {
                    answer = new Stored(m.requestId(), Stored.INVALID);
                    break;
                }
                boolean ok = values.put(s.key(), from, s.value(), now + config.valueExpiryMillis, now);
                if (!ok) {
                    stats.storesRefused++;
                }
                answer = new Stored(m.requestId(), ok ? Stored.OK : Stored.FULL);
                break;
            }
        }
        stats.answered++;
        transport.send(m.sender(), answer.encode());
    }

    /** The newest values that fit in one VALUE answer. */
    private static List<byte[]> fitting(List<byte[]> all) {
        List<byte[]> out = new ArrayList<>();
        int total = 0;
        for (byte[] v : all) {
            if (out.size() == DhtMessage.MAX_VALUES || total + v.length > DhtMessage.MAX_VALUES_BYTES) {
                break;
            }
            out.add(v);
            total += v.length;
        }
        return out;
    }

    private List<Contact> closestExcept(NodeId target, NodeId asker, List<NodeId> exclude) {
        List<Contact> l = table.closest(target, config.k + 1 + exclude.size());
        List<Contact> out = new ArrayList<>(config.k);
        for (int i = 0; i < l.size() && out.size() < config.k; i++) {
            NodeId id = l.get(i).id();
            if (!id.equals(asker) && !exclude.contains(id)) {
                out.add(l.get(i));
            }
        }
        return out;
    }

    private void onAnswer(NodeId from, DhtMessage m) {
        Pending p = pending.get(m.requestId());
        if (p == null || !p.peer.id().equals(from)) {
            stats.unsolicited++;
            return;
        }
        boolean fits = p.type == DhtMessage.PING ? m.type() == DhtMessage.PONG
                : p.type == DhtMessage.FIND_VALUE ? m.type() == DhtMessage.VALUE || m.type() == DhtMessage.NODES
                : m.type() == p.type + 1;
        if (!fits) {
            failPending(from, m.requestId());
            misbehaved(from);
            return;
        }
        settle(m.requestId(), p);
        learn(p.peer);
        p.answer.onAnswer(m);
    }

    /** A peer that just proved alive: into the table, PINGing the bucket's oldest if it is full. */
    private void learn(Contact c) {
        if (isBanned(c.id())) {
            return;
        }
        if (table.offer(c, scheduler.nowMillis()) == RoutingTable.Offer.CHECK_OLDEST) {
            Contact oldest = table.oldest(c.id());
            ping(oldest, alive -> table.checkDone(oldest, alive, scheduler.nowMillis()));
        }
    }

    // ---- outgoing ----

    void lookupRequest(Contact to, NodeId target, boolean findValue, List<NodeId> exclude, Answer answer) {
        request(to, findValue ? new FindValue(0, self, target) : new FindNode(0, self, target, exclude), answer);
    }

    void storeRequest(Contact to, NodeId key, byte[] value, Answer answer) {
        request(to, new Store(0, self, key, value), answer);
    }

    /** Sends {@code template} under a fresh request ID; exactly one of the answer's methods runs, later. */
    private void request(Contact to, DhtMessage template, Answer answer) {
        Integer perPeer = inFlightPerPeer.get(to.id());
        int n = perPeer == null ? 0 : perPeer;
        if (closed || pending.size() >= config.maxInFlight || n >= config.maxInFlightPerPeer) {
            stats.refusedLocally++;
            scheduler.execute(answer::onFailure);
            return;
        }
        int rid;
        do {
            rid = random.nextInt();
        } while (pending.containsKey(rid));
        DhtMessage m = withId(template, rid);
        Pending p = new Pending(to, m.type(), answer);
        pending.put(rid, p);
        inFlightPerPeer.put(to.id(), n + 1);
        int id = rid;
        p.timer = scheduler.schedule(config.requestTimeoutMillis, () -> {
            if (pending.get(id) == p) {
                stats.timeouts++;
                settle(id, p);
                table.failed(to.id(), config.maxFailures);
                answer.onFailure();
            }
        });
        transport.send(to, m.encode());
    }

    private static DhtMessage withId(DhtMessage t, int rid) {
        switch (t.type()) {
            case DhtMessage.PING: return new Ping(rid, t.sender());
            case DhtMessage.FIND_NODE:
                return new FindNode(rid, t.sender(), ((FindNode) t).target(), ((FindNode) t).exclude());
            case DhtMessage.FIND_VALUE: return new FindValue(rid, t.sender(), ((FindValue) t).key());
            default: return new Store(rid, t.sender(), ((Store) t).key(), ((Store) t).value());
        }
    }

    private void settle(int rid, Pending p) {
        pending.remove(rid);
        p.timer.cancel();
        int n = inFlightPerPeer.get(p.peer.id()) - 1;
        if (n == 0) {
            inFlightPerPeer.remove(p.peer.id());
        } else {
            inFlightPerPeer.put(p.peer.id(), n);
        }
    }

    private void failPending(NodeId from, int rid) {
        Pending p = pending.get(rid);
        if (p != null && p.peer.id().equals(from)) {
            settle(rid, p);
            p.answer.onFailure();
        }
    }

    // ---- misbehaviour ----

    private void misbehaved(NodeId peer) {
        stats.garbage++;
        drop(peer);
    }

    void strike(NodeId peer) {
        stats.strikes++;
        if (reputation.strike(peer)) {
            drop(peer);
        }
    }

    void acquit(NodeId peer) {
        reputation.acquit(peer);
    }

    /** Strikes against {@code peer} so far (0 once dropped). */
    int strikesOf(NodeId peer) {
        return reputation.strikesOf(peer);
    }

    private void drop(NodeId peer) {
        stats.dropped++;
        table.remove(peer);
        reputation.ban(peer, scheduler.nowMillis());
    }

    // ---- maintenance ----

    private void maintain() {
        if (closed) {
            return;
        }
        long now = scheduler.nowMillis();
        values.purge(now);
        reputation.purge(now);
        refreshChain(table.staleBuckets(now, config.bucketRefreshMillis), 0, () -> { });
        maintenance = scheduler.schedule(config.maintenanceMillis, this::maintain);
    }

    /** PINGs the neighbours that have been silent for a while; one that does not answer is dropped. */
    private void checkNeighbours() {
        if (closed) {
            return;
        }
        long now = scheduler.nowMillis();
        for (Contact c : table.closest(self.id(), config.neighbourhood)) {
            if (now - table.lastSeen(c.id()) >= config.livenessMillis) {
                ping(c, alive -> {
                    if (!alive) {
                        table.remove(c.id());
                    }
                });
            }
        }
        liveness = scheduler.schedule(config.livenessMillis, this::checkNeighbours);
    }

    /** Lookups of a random ID in each of {@code buckets}, one at a time, then {@code then}. */
    private void refreshChain(List<Integer> buckets, int i, Runnable then) {
        if (i >= buckets.size() || closed) {
            then.run();
            return;
        }
        findNode(NodeId.randomInBucket(self.id(), buckets.get(i), random), r -> refreshChain(buckets, i + 1, then));
    }
}
