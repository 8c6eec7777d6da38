package org.onionpeer.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One node's bounds and checks, driven by scripted peers over a fixed-latency (so FIFO) network. */
class DhtNodeTest {
    private final SimNetwork net = new SimNetwork(1, 50, 50);

    @Test
    void theValueTableIsBoundedInCountAndBytes() {
        DhtConfig cfg = new DhtConfig();
        cfg.maxValues = 2;
        cfg.maxValueBytes = 1500;
        SimNetwork.Node v = net.addNode(cfg);
        Contact me = net.newContact();
        List<Integer> statuses = new ArrayList<>();
        SimNetwork.Endpoint c = net.addEndpoint(me, (from, data) -> {
            if (data[0] == DhtMessage.STORED) { // the node also PINGs us, a neighbour, now and then
                statuses.add(Stored.decode(data).status());
            }
        });
        NodeId k1 = NodeId.random(net.random());
        NodeId k2 = NodeId.random(net.random());
        NodeId k3 = NodeId.random(net.random());
        c.send(v.contact, new Store(1, me, k1, new byte[1000]).encode());
        c.send(v.contact, new Store(2, me, k2, new byte[600]).encode()); // 1,600 bytes > 1,500
        c.send(v.contact, new Store(3, me, k2, new byte[400]).encode());
        c.send(v.contact, new Store(4, me, k3, new byte[10]).encode()); // a third value
        c.send(v.contact, new Store(5, me, k1, new byte[10]).encode()); // replacing one is fine
        c.send(v.contact, new Store(6, me, k3, new byte[10]).encode());
        net.scheduler.advance(1000);
        assertEquals(List.of(Stored.OK, Stored.FULL, Stored.OK, Stored.FULL, Stored.OK, Stored.FULL), statuses);
        assertEquals(2, v.dht.storedCount());
        assertEquals(3, v.dht.stats().storesRefused);
        // Once expired, the values make room again.
        net.scheduler.advance(cfg.valueExpiryMillis);
        c.send(v.contact, new Store(7, me, k3, new byte[10]).encode());
        net.scheduler.advance(1000);
        assertEquals(Stored.OK, statuses.get(6));
        assertEquals(1, v.dht.storedCount());
    }

    @Test
    void answersMustMatchARequestInPeerAndType() {
        SimNetwork.Node a = net.addNode(new DhtConfig());
        Contact bc = net.newContact();
        SimNetwork.Endpoint[] b = new SimNetwork.Endpoint[1];
        // b answers a PING with STORED: a protocol breach.
        b[0] = net.addEndpoint(bc, (from, data) -> b[0].send(a.contact, new Stored(DhtMessage.decode(data).requestId(), 0).encode()));
        Contact cc = net.newContact();
        SimNetwork.Endpoint c = net.addEndpoint(cc, (from, data) -> { });
        List<Boolean> alive = new ArrayList<>();
        a.dht.ping(bc, alive::add);
        c.send(a.contact, new Pong(12345).encode()); // never asked
        net.scheduler.advance(2000);
        assertEquals(List.of(false), alive);
        assertEquals(1, a.dht.stats().garbage);
        assertEquals(1, a.dht.stats().unsolicited);
        assertEquals(0, a.dht.stats().timeouts); // failed at once on the bad answer, not by timeout
        assertTrue(a.dht.isBanned(bc.id()));
    }

    @Test
    void ownRequestsInFlightAreBoundedPerPeer() {
        SimNetwork.Node a = net.addNode(new DhtConfig());
        Contact silent = net.newContact();
        net.addEndpoint(silent, (from, data) -> { });
        List<Boolean> alive = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            a.dht.ping(silent, alive::add);
        }
        net.scheduler.advance(2000);
        assertEquals(List.of(false, false, false, false, false, false), alive);
        assertEquals(2, a.dht.stats().refusedLocally);
        assertEquals(4, a.dht.stats().timeouts);
    }
}
