package org.onionpeer.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.Dht;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.node.OrdbCircuits;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.OrdbServer;
import org.onionpeer.platform.Scheduler;

/**
 * ORDB content discovery through the DHT (the seed's "Content discovery"): {@link #announce} STOREs a
 * signed {@link OrdbSource} naming this node under the hash_name's key, and re-signs and re-STOREs it
 * before the DHT's republish would send the old one (a record lives 2 h at most); {@link #find} is the
 * FIND_VALUE-backed {@link OrdbCircuits.Lookup} of an ORDB that knows no source: every value is verified
 * before use, and those that do not verify are counted and ignored. As an {@link OrdbServer.Listener} it
 * announces each hash_name the server learns (the seed: "each time an ORDB has a new hash_name it sends a
 * STORE").
 *
 * <p>The DHT must run with {@link OrdbSource#VALIDATOR}: then its lookups skip answers holding only forged
 * records instead of ending on them, and its nodes refuse to store them.
 */
public final class OrdbDiscovery implements OrdbCircuits.Lookup, OrdbServer.Listener {
    /** Signs a record for this node (a key pair on the JVM, WebCrypto on a page, which may answer later). */
    public interface Signer {
        void sign(HashName h, int pieces, boolean facilitator, long expires, Consumer<OrdbSource> done);
    }

    /** Counters, for tests and status. */
    public static final class Stats {
        public long announced;
        /** Hash_names not announced because we already publish as many values as the DHT allows. */
        public long notAnnounced;
        public long lookups;
        public long found;
        /** Values refused by {@link #find}, and the last reason. */
        public long refused;
        public String lastRefusal;
    }

    private final Dht dht;
    private final Scheduler scheduler;
    private final Signer signer;
    private final Function<PeerCert, RelayInfo> route;
    private final Stats stats = new Stats();
    private final Map<HashName, Scheduler.Cancellable> announcing = new HashMap<>();

    /**
     * {@code route} turns a verified router entry into the relay to build a circuit to ({@code
     * PeerNode.asRelay} for peers), or null if this node cannot reach it.
     */
    public OrdbDiscovery(Dht dht, Scheduler scheduler, Signer signer, Function<PeerCert, RelayInfo> route) {
        // Without it, one node answering FIND_VALUE with forged records ends the lookup with nothing usable.
        if (dht.config().validator == null) {
            throw new IllegalArgumentException("the DHT must validate its values (OrdbSource.VALIDATOR)");
        }
        this.dht = dht;
        this.scheduler = scheduler;
        this.signer = signer;
        this.route = route;
    }

    /** A signer with a key pair in memory; {@code self} is this node's contact, with its router entry. */
    public static Signer keyPair(org.onionpeer.crypto.Ed25519.KeyPair key, Contact self) {
        return (h, p, f, expires, done) -> done.accept(OrdbSource.sign(key, h, p, f, expires, self));
    }

    /** The default route: a peer's router entry as a relay of the peer network. */
    public static RelayInfo peerRoute(PeerCert cert) {
        return PeerNode.asRelay(cert);
    }

    public Stats stats() {
        return stats;
    }

    @Override
    public void learned(HashName h, int pieces, boolean facilitator) {
        announce(h, pieces, facilitator, n -> { });
    }

    /**
     * STOREs our record for {@code h} (P, F as in DB_INFO: a publisher at 100 %, a downloader from 25 %) at
     * the k closest nodes, replacing our previous one there; {@code done} gets how many stored it. Again,
     * freshly signed, every 9/10 of the DHT's republish period, until {@link #withdraw}.
     */
    public void announce(HashName h, int pieces, boolean facilitator, Consumer<Integer> done) {
        if (!announcing.containsKey(h) && announcing.size() >= dht.config().maxPublished) {
            stats.notAnnounced++; // an ORDB learning many hash_names: the DHT publishes a bounded number
            done.accept(0);
            return;
        }
        Scheduler.Cancellable old = announcing.remove(h);
        if (old != null) {
            old.cancel();
        }
        long expires = scheduler.epochSeconds() + Math.min(OrdbSource.MAX_LIFETIME_SECONDS,
                2 * dht.config().valueExpiryMillis / 1000);
        long period = dht.config().republishMillis * 9 / 10;
        announcing.put(h, scheduler.schedule(period, () -> announce(h, pieces, facilitator, n -> { })));
        signer.sign(h, pieces, facilitator, expires, rec -> {
            stats.announced++;
            dht.put(OrdbSource.keyOf(h), rec.encode(), done);
        });
    }

    public void withdraw(HashName h) {
        Scheduler.Cancellable t = announcing.remove(h);
        if (t != null) {
            t.cancel();
        }
        dht.unpublish(OrdbSource.keyOf(h));
    }

    public void close() {
        for (Scheduler.Cancellable t : announcing.values()) {
            t.cancel();
        }
        announcing.clear();
    }

    /** FIND_VALUE for {@code h}: the verified sources' relays, newest record first, ourselves left out. */
    @Override
    public void find(HashName h, Consumer<List<RelayInfo>> found) {
        find(h, found, false);
    }

    /** As {@link #find}, but the network is always asked, and what this node stores is added (see {@link Dht#findAllValues}). */
    public void findAll(HashName h, Consumer<List<RelayInfo>> found) {
        find(h, found, true);
    }

    private void find(HashName h, Consumer<List<RelayInfo>> found, boolean all) {
        stats.lookups++;
        NodeId key = OrdbSource.keyOf(h);
        Consumer<org.onionpeer.dht.LookupResult> answer = res -> {
            List<RelayInfo> out = new ArrayList<>();
            Set<NodeId> seen = new HashSet<>();
            for (byte[] v : res.values()) {
                try {
                    OrdbSource rec = OrdbSource.decode(v);
                    PeerCert cert = rec.verify(key, scheduler.epochSeconds());
                    if (!rec.hashName().equals(h)) {
                        throw new ProtocolException("source record is for another hash_name with this key");
                    }
                    if (cert.id().equals(dht.self().id()) || !seen.add(cert.id())) {
                        continue;
                    }
                    RelayInfo r = route.apply(cert);
                    if (r != null) {
                        out.add(r);
                    }
                } catch (ProtocolException e) {
                    stats.refused++;
                    stats.lastRefusal = e.getMessage();
                }
            }
            stats.found += out.size();
            found.accept(out);
        };
        if (all) {
            dht.findAllValues(key, answer);
        } else {
            dht.findValue(key, answer);
        }
    }
}
