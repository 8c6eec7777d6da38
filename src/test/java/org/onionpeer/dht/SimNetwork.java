package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.onionpeer.testing.ManualScheduler;

/**
 * An in-memory network of DHT nodes on one ManualScheduler: each message is delivered after a random
 * latency in [minLatency, maxLatency] ms drawn from a seeded Random, to nodes that are up; a node that left
 * silently loses what is sent to it. Public for the e2e DhtBench.
 */
public final class SimNetwork {
    public final ManualScheduler scheduler;
    private final Random random;
    private final int minLatency;
    private final int maxLatency;
    private final Map<NodeId, Endpoint> endpoints = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    public long messages;

    /** One node's attachment: its transport, and an optional override that plays a hostile node. */
    public final class Endpoint implements DhtTransport {
        final Contact contact;
        public Receiver receiver;
        /** When set, gets what is sent to this endpoint instead of its receiver (a hostile node). */
        public Receiver override;
        boolean up = true;

        Endpoint(Contact contact) {
            this.contact = contact;
        }

        @Override
        public void send(Contact to, byte[] message) {
            if (!up) {
                return;
            }
            messages++;
            Endpoint dst = endpoints.get(to.id());
            long latency = minLatency + random.nextInt(maxLatency - minLatency + 1);
            NodeId from = contact.id();
            scheduler.schedule(latency, () -> {
                if (dst != null && dst.up) {
                    Receiver r = dst.override != null ? dst.override : dst.receiver;
                    if (r != null) {
                        r.onMessage(from, message);
                    }
                }
            });
        }

        @Override
        public void setReceiver(Receiver receiver) {
            this.receiver = receiver;
        }
    }

    /** A node of the simulation: an honest Dht on an endpoint. */
    public final class Node {
        public final Contact contact;
        public final Endpoint endpoint;
        public final Dht dht;
        public boolean joined;

        Node(Contact contact, Endpoint endpoint, Dht dht) {
            this.contact = contact;
            this.endpoint = endpoint;
            this.dht = dht;
        }

        public boolean live() {
            return joined && endpoint.up;
        }

        /** Leaves without a word, as a closed tab does. */
        public void leave() {
            endpoint.up = false;
            dht.close();
        }
    }

    public SimNetwork(long seed, int minLatency, int maxLatency) {
        this(new ManualScheduler(), seed, minLatency, maxLatency);
    }

    /** On {@code scheduler}, shared with other simulated parts (an onion network). */
    public SimNetwork(ManualScheduler scheduler, long seed, int minLatency, int maxLatency) {
        this.scheduler = scheduler;
        this.random = new Random(seed);
        this.minLatency = minLatency;
        this.maxLatency = maxLatency;
    }

    public boolean isUp(NodeId id) {
        Endpoint e = endpoints.get(id);
        return e != null && e.up;
    }

    public Random random() {
        return random;
    }

    public Contact newContact() {
        byte[] key = new byte[44]; // the size of an Ed25519 SPKI; any bytes do, the ID is their SHA-1
        random.nextBytes(key);
        return Contact.of(key, BridgeAddress.of("bridge" + random.nextInt(4) + ".sim", 443), List.of());
    }

    public Node addNode(DhtConfig config) {
        return addNode(newContact(), config);
    }

    /** A node with a contact of the test's making (e.g. a real Ed25519 key and router entry). */
    public Node addNode(Contact c, DhtConfig config) {
        Endpoint e = new Endpoint(c);
        endpoints.put(c.id(), e);
        Node n = new Node(c, e, new Dht(scheduler, e, c, config, new Random(random.nextLong())));
        nodes.add(n);
        return n;
    }

    /** A bare endpoint (no Dht): tests script what it sends and receives. */
    public Endpoint addEndpoint(Contact c, DhtTransport.Receiver receiver) {
        Endpoint e = new Endpoint(c);
        e.receiver = receiver;
        endpoints.put(c.id(), e);
        return e;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<Node> live() {
        List<Node> l = new ArrayList<>();
        for (Node n : nodes) {
            if (n.live()) {
                l.add(n);
            }
        }
        return l;
    }

    /** Starts {@code n}'s join through {@code seeds}; it counts as live once its bootstrap is done. */
    public void join(Node n, List<Contact> seeds) {
        n.dht.bootstrap(seeds, r -> n.joined = true);
    }

    /** Advances virtual time in steps of {@code step} ms until {@code done}, failing after {@code maxMillis}. */
    public void advanceUntil(BooleanSupplier done, long step, long maxMillis) {
        long start = scheduler.nowMillis();
        while (!done.getAsBoolean()) {
            if (scheduler.nowMillis() - start > maxMillis) {
                throw new AssertionError("not done after " + maxMillis + " ms of virtual time");
            }
            scheduler.advance(step);
        }
    }

    /** The {@code k} live nodes closest to {@code target}, closest first, {@code except} left out: brute force. */
    public List<NodeId> trueClosest(NodeId target, int k, NodeId except, List<Node> among) {
        List<NodeId> ids = new ArrayList<>();
        for (Node n : among) {
            if (!n.contact.id().equals(except)) {
                ids.add(n.contact.id());
            }
        }
        ids.sort(target::compareDistance);
        return ids.size() > k ? new ArrayList<>(ids.subList(0, k)) : ids;
    }

    public static List<NodeId> ids(List<Contact> contacts) {
        List<NodeId> l = new ArrayList<>();
        for (Contact c : contacts) {
            l.add(c.id());
        }
        return l;
    }

    /** Builds a network of {@code count} nodes joined through the first {@code seeds}, a new join every {@code gapMillis}. */
    public List<Contact> build(int count, int seeds, long gapMillis, DhtConfig config) {
        List<Contact> seedContacts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Node n = addNode(config);
            if (i < seeds) {
                join(n, new ArrayList<>(seedContacts)); // each seed knows the ones before it
                seedContacts.add(n.contact);
                advanceUntil(() -> n.joined, 50, 600_000);
            } else {
                join(n, seedContacts);
                scheduler.advance(gapMillis);
            }
        }
        advanceUntil(() -> live().size() == count, 100, 3_600_000);
        return seedContacts;
    }
}
