package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.DhtConfig;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dht.SimNetwork;
import org.onionpeer.ordb.DbInfo;
import org.onionpeer.ordb.HashName;

/** Source records: what verifies, and each forgery refused with its exact reason, by the reader and by the DHT. */
class OrdbSourceTest {
    static final long NOW = 1_750_000_000L;
    static final HashName H = HashName.of(Bytes.unhex("11".repeat(32)));

    static Ed25519.KeyPair key(int n) {
        byte[] seed = new byte[32];
        seed[0] = (byte) n;
        return Ed25519.fromSeed(seed);
    }

    /** The contact of key {@code n}, with a router entry signed by key {@code routerBy}, valid until {@code until}. */
    static Contact contact(int n, int routerBy, long until) {
        Ed25519.KeyPair k = key(n);
        PeerCert cert = PeerCert.sign(key(routerBy), new byte[32], null, null, until);
        return Contact.of(PeerCert.spkiOf(k.publicKey()), BridgeAddress.of("bridge.test", 443), List.of())
                .withRouter(cert.encode());
    }

    static OrdbSource record(int n, HashName h, long expires) {
        return OrdbSource.sign(key(n), h, DbInfo.P100, false, expires, contact(n, n, NOW + 86400));
    }

    static String refusal(byte[] value, NodeId key, long now) {
        return assertThrows(ProtocolException.class, () -> OrdbSource.decode(value).verify(key, now)).getMessage();
    }

    @Test
    void aSignedRecordVerifiesAndNamesItsRouterEntry() {
        OrdbSource r = record(1, H, NOW + 3600);
        OrdbSource d = OrdbSource.decode(r.encode());
        assertArrayEquals(r.encode(), d.encode());
        PeerCert cert = d.verify(OrdbSource.keyOf(H), NOW);
        assertEquals(contact(1, 1, NOW + 86400).id(), cert.id());
        assertEquals(H, d.hashName());
        assertEquals(DbInfo.P100, d.pieces());
        assertArrayEquals(Bytes.slice(H.bytes(), 0, 20), OrdbSource.keyOf(H).bytes(), "key = first 160 bits");
        assertEquals(cert.id(), OrdbSource.VALIDATOR.check(OrdbSource.keyOf(H), r.encode(), NOW));
    }

    @Test
    void forgeriesAreRefusedWithTheirReason() {
        NodeId key = OrdbSource.keyOf(H);
        byte[] good = record(1, H, NOW + 3600).encode();

        byte[] badSig = good.clone();
        badSig[badSig.length - 1] ^= 1;
        assertEquals(OrdbSource.BAD_SIGNATURE, refusal(badSig, key, NOW));
        byte[] morePieces = good.clone();
        morePieces[33] = DbInfo.P25; // P changed after signing
        assertEquals(OrdbSource.BAD_SIGNATURE, refusal(morePieces, key, NOW));
        // Key 2 signs a record naming key 1's contact: checked against the contact's key, it fails.
        byte[] otherSigner = OrdbSource.sign(key(2), H, DbInfo.P100, false, NOW + 3600, contact(1, 1, NOW + 86400)).encode();
        assertEquals(OrdbSource.BAD_SIGNATURE, refusal(otherSigner, key, NOW));

        assertEquals(OrdbSource.EXPIRED, refusal(good, key, NOW + 3601));
        assertEquals(OrdbSource.TOO_LONG, refusal(record(1, H, NOW + 3 * 3600).encode(), key, NOW));
        HashName other = HashName.of(Bytes.unhex("22".repeat(32)));
        assertEquals(OrdbSource.WRONG_KEY, refusal(good, OrdbSource.keyOf(other), NOW));
        assertEquals(OrdbSource.WRONG_KEY, refusal(record(1, other, NOW + 3600).encode(), key, NOW));

        // The contact's ID is not SHA-1 of its key: refused as the record is read.
        byte[] badId = good.clone();
        badId[1 + 32 + 1 + 1 + 4 + 2] ^= 1;
        assertEquals(Contact.BAD_ID, refusal(badId, key, NOW));

        Contact foreignRouter = contact(1, 3, NOW + 86400);
        assertEquals(OrdbSource.ROUTER_OF_ANOTHER, refusal(
                OrdbSource.sign(key(1), H, DbInfo.P100, false, NOW + 3600, foreignRouter).encode(), key, NOW));
        Contact oldRouter = contact(1, 1, NOW - 1);
        assertEquals("source record router entry: " + PeerCert.EXPIRED, refusal(
                OrdbSource.sign(key(1), H, DbInfo.P100, false, NOW + 3600, oldRouter).encode(), key, NOW));
        Contact bare = Contact.of(PeerCert.spkiOf(key(1).publicKey()), null, List.of());
        assertEquals(OrdbSource.NO_ROUTER, refusal(
                OrdbSource.sign(key(1), H, DbInfo.P100, false, NOW + 3600, bare).encode(), key, NOW));

        assertEquals("trailing bytes after source record", refusal(Bytes.concat(good, new byte[1]), key, NOW));
        assertEquals("source record version 2 is not 1", refusal(Bytes.concat(new byte[] {2}, Bytes.slice(good, 1,
                good.length - 1)), key, NOW));
    }

    /** DHT nodes with the validator refuse forged STOREs (INVALID) and a record STOREd by another than its signer. */
    @Test
    void theDhtStoresOnlyRecordsSignedByTheirSender() {
        long seed = Long.getLong("ordb.src.seed", System.nanoTime());
        System.out.println("[ordb-source] seed " + seed + " (-Dordb.src.seed=" + seed + " replays)");
        SimNetwork net = new SimNetwork(seed, 5, 20);
        DhtConfig cfg = new DhtConfig();
        cfg.validator = OrdbSource.VALIDATOR;
        net.build(12, 2, 50, cfg);
        SimNetwork.Node a = net.addNode(contact(1, 1, NOW + 86400), cfg);
        SimNetwork.Node b = net.addNode(contact(2, 2, NOW + 86400), cfg);
        net.join(a, List.of(net.nodes().get(0).contact));
        net.join(b, List.of(net.nodes().get(0).contact));
        net.advanceUntil(() -> a.joined && b.joined, 50, 60_000);
        NodeId key = OrdbSource.keyOf(H);
        long now = net.scheduler.epochSeconds();
        byte[] good = record(1, H, now + 3600).encode();

        // B replays A's genuine record: no storer keeps it (its signer is not its sender).
        int[] stored = {-1};
        b.dht.put(key, good, n -> stored[0] = n);
        net.advanceUntil(() -> stored[0] >= 0, 50, 60_000);
        assertEquals(0, stored[0]);
        assertTrue(lastRefusals(net).stream().anyMatch(r -> r.startsWith("value signed by " + a.contact.id().shortHex()
                + ", stored by " + b.contact.id().shortHex())), lastRefusals(net).toString());
        // A STOREs a record with a broken signature: refused as such.
        byte[] forged = good.clone();
        forged[forged.length - 1] ^= 1;
        stored[0] = -1;
        a.dht.put(key, forged, n -> stored[0] = n);
        net.advanceUntil(() -> stored[0] >= 0, 50, 60_000);
        assertEquals(0, stored[0]);
        assertTrue(lastRefusals(net).contains(OrdbSource.BAD_SIGNATURE), lastRefusals(net).toString());
        // A's genuine record is stored by the k closest.
        stored[0] = -1;
        a.dht.put(key, good, n -> stored[0] = n);
        net.advanceUntil(() -> stored[0] >= 0, 50, 60_000);
        assertEquals(cfg.k, stored[0]);
    }

    static List<String> lastRefusals(SimNetwork net) {
        List<String> l = new ArrayList<>();
        for (SimNetwork.Node n : net.nodes()) {
            if (n.dht.stats().lastValueRefusal != null) {
                l.add(n.dht.stats().lastValueRefusal);
            }
        }
        return l;
    }
}
