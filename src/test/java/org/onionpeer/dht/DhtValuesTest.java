package org.onionpeer.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/** Several values per key (one per sender, at most 8, newest first) and the validator, in a 60-node network. */
class DhtValuesTest {
    /** Test values: "ok ..." verifies, anything else does not. */
    static final ValueValidator VALIDATOR = (key, v, now) -> {
        if (v.length < 3 || v[0] != 'o' || v[1] != 'k') {
            throw new ProtocolException("not an ok value");
        }
        return null;
    };

    private static List<byte[]> find(SimNetwork net, SimNetwork.Node reader, NodeId key) {
        List<List<byte[]>> got = new ArrayList<>();
        reader.dht.findValue(key, r -> got.add(r.values()));
        net.advanceUntil(() -> !got.isEmpty(), 50, 60_000);
        return got.get(0);
    }

    private static int put(SimNetwork net, SimNetwork.Node n, NodeId key, byte[] v) {
        int[] stored = {-1};
        n.dht.put(key, v, c -> stored[0] = c);
        net.advanceUntil(() -> stored[0] >= 0, 50, 60_000);
        return stored[0];
    }

    /** {@code liar} answers every FIND_VALUE with a value that does not verify; the rest honestly. */
    private static void lie(SimNetwork.Node liar) {
        liar.endpoint.override = (from, data) -> {
            DhtMessage m = DhtMessage.decode(data);
            if (m.type() == DhtMessage.FIND_VALUE) {
                liar.endpoint.send(m.sender(), new Value(m.requestId(), Bytes.ascii("forged source")).encode());
            } else {
                liar.endpoint.receiver.onMessage(from, data);
            }
        };
    }

    private static List<String> strings(List<byte[]> l) {
        List<String> out = new ArrayList<>();
        for (byte[] b : l) {
            out.add(new String(b, java.nio.charset.StandardCharsets.US_ASCII));
        }
        return out;
    }

    @Test
    void aKeyHoldsOneValuePerSenderAtMostEightNewestFirst() {
        SimNetwork net = new SimNetwork(DhtSimulationTest.seed("values"), 10, 60);
        DhtConfig cfg = new DhtConfig();
        net.build(60, 3, 50, cfg);
        List<SimNetwork.Node> nodes = net.live();
        NodeId key = NodeId.random(net.random());
        // Senders from outside the 16 closest, so every holder (and whoever answers FIND_VALUE) has all of them.
        List<NodeId> near = net.trueClosest(key, 2 * cfg.k, null, nodes);
        List<SimNetwork.Node> senders = new ArrayList<>();
        for (SimNetwork.Node n : nodes) {
            if (!near.contains(n.contact.id()) && senders.size() < 10) {
                senders.add(n);
            }
        }
        for (int i = 0; i < 9; i++) {
            assertEquals(cfg.k, put(net, senders.get(i), key, Bytes.ascii("ok source " + i)));
        }
        // Sender 5 re-STOREs: its old value is replaced, not added; it becomes the newest.
        put(net, senders.get(5), key, Bytes.ascii("ok source 5 again"));
        List<String> expect = List.of("ok source 5 again", "ok source 8", "ok source 7", "ok source 6", "ok source 4",
                "ok source 3", "ok source 2", "ok source 1");
        for (NodeId holder : net.trueClosest(key, cfg.k, null, nodes)) {
            for (SimNetwork.Node n : nodes) {
                if (n.contact.id().equals(holder)) {
                    assertEquals(expect, strings(n.dht.storedValues(key)), "at " + holder.shortHex());
                }
            }
        }
        assertEquals(expect, strings(find(net, senders.get(9), key)));
    }

    /**
     * The 3 nodes closest to the key answer FIND_VALUE with values that do not verify: a reader with the
     * validator skips them (and strikes their senders) and still finds the real value from the others. Under
     * a key where nothing real is stored, it finds nothing, where a reader without the validator takes the
     * forged value (so the check is what makes the difference).
     */
    @Test
    void forgedValuesDoNotEndALookup() {
        SimNetwork net = new SimNetwork(DhtSimulationTest.seed("forged values"), 10, 60);
        DhtConfig cfg = new DhtConfig();
        cfg.validator = VALIDATOR;
        net.build(60, 3, 50, cfg);
        List<SimNetwork.Node> nodes = net.live();
        NodeId key = NodeId.random(net.random());
        SimNetwork.Node reader = nodes.get(30);
        List<NodeId> liars = net.trueClosest(key, 3, reader.contact.id(), nodes);
        for (SimNetwork.Node n : nodes) {
            if (liars.contains(n.contact.id())) {
                lie(n);
            }
        }
        assertEquals(cfg.k, put(net, nodes.get(10), key, Bytes.ascii("ok real source")));
        assertEquals(List.of("ok real source"), strings(find(net, reader, key)));
        assertTrue(reader.dht.stats().valuesRefused >= 1);
        assertEquals("not an ok value", reader.dht.stats().lastValueRefusal);

        NodeId empty = NodeId.random(net.random());
        liars = net.trueClosest(empty, 3, null, nodes);
        SimNetwork.Node reader2 = null;
        for (SimNetwork.Node n : nodes) {
            if (liars.contains(n.contact.id())) {
                lie(n);
            } else if (reader2 == null && n != reader) {
                reader2 = n;
            }
        }
        assertEquals(List.of(), find(net, reader2, empty));
        SimNetwork.Node fresh = net.addNode(new DhtConfig());
        net.join(fresh, List.of(reader2.contact));
        net.advanceUntil(() -> fresh.joined, 50, 60_000);
        assertArrayEquals(Bytes.ascii("forged source"), find(net, fresh, empty).get(0), "without the validator");
    }
}
