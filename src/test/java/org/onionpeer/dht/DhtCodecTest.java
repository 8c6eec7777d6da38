package org.onionpeer.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Hashes;

/** NodeId arithmetic, Contact verification, and every message's round trip and exact rejections. */
class DhtCodecTest {
    static byte[] key(int n) {
        byte[] k = new byte[44];
        k[0] = 0x30;
        k[40] = (byte) (n >>> 24);
        k[41] = (byte) (n >>> 16);
        k[42] = (byte) (n >>> 8);
        k[43] = (byte) n;
        return k;
    }

    static Contact contact(int n) {
        return Contact.of(key(n), BridgeAddress.of("bridge" + n + ".example", 443), List.of(NodeId.ofKey(key(n + 1))));
    }

    /** Sample valid messages of every type (fuzz seeds too). */
    static List<DhtMessage> samples() {
        List<DhtMessage> l = new ArrayList<>();
        Contact s = contact(1);
        List<Contact> eight = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            eight.add(i % 2 == 0 ? contact(10 + i) : Contact.of(key(10 + i), null, List.of()));
        }
        l.add(new Ping(7, s));
        l.add(new Pong(0xffffffff));
        l.add(new FindNode(1, s, NodeId.ofKey(key(99))));
        l.add(new FindNode(11, s, NodeId.ofKey(key(98)), List.of(eight.get(0).id(), eight.get(1).id())));
        l.add(new Nodes(2, eight));
        l.add(new Nodes(3, List.of()));
        l.add(new FindValue(4, Contact.of(key(2), BridgeAddress.of("::1", 1), List.of()), NodeId.ofKey(key(5))));
        l.add(new Value(5, new byte[1024]));
        l.add(new Value(6, new byte[0]));
        l.add(new Value(7, List.of(new byte[] {1}, new byte[1024], new byte[0])));
        l.add(new Store(8, s, NodeId.ofKey(key(6)), Bytes.ascii("hello")));
        l.add(new Stored(9, Stored.OK));
        l.add(new Stored(10, Stored.FULL));
        return l;
    }

    @Test
    void nodeIdIsSha1OfKeyAndMeasuresXorDistance() {
        byte[] k = key(3);
        NodeId id = NodeId.ofKey(k);
        assertArrayEquals(Hashes.sha1(k), id.bytes());
        assertEquals(id, NodeId.fromHex(id.hex()));
        assertEquals(160, id.commonPrefixLength(id));
        assertEquals(-1, id.bucketIndex(id));
        NodeId zero = NodeId.of(new byte[20]);
        byte[] b = new byte[20];
        b[19] = 1;
        assertEquals(0, zero.bucketIndex(NodeId.of(b)));
        b[0] = (byte) 0x80;
        assertEquals(159, zero.bucketIndex(NodeId.of(b)));
        assertEquals(0, zero.commonPrefixLength(NodeId.of(b)));
        byte[] c = new byte[20];
        c[2] = 0x10; // bit 8*2+3 = 19 from the top
        assertEquals(19, zero.commonPrefixLength(NodeId.of(c)));
        assertTrue(zero.compareDistance(NodeId.of(c), NodeId.of(b)) < 0);
        assertEquals(0, zero.compareDistance(NodeId.of(c), NodeId.of(c)));
        assertArrayEquals(b, zero.xor(NodeId.of(b)).bytes());
        Random r = new Random(1);
        for (int j = 0; j < 160; j++) {
            assertEquals(j, id.bucketIndex(NodeId.randomInBucket(id, j, r)), "bucket " + j);
        }
        assertEquals("node ID must be 20 bytes, got 19", assertThrows(ProtocolException.class,
                () -> NodeId.of(new byte[19])).getMessage());
    }

    @Test
    void contactIsAcceptedOnlyWhenIdIsTheHashOfItsKey() {
        Contact c = contact(4);
        assertEquals(c, Contact.decode(c.encode()));
        assertEquals(c, Contact.verified(c.id(), c.key(), c.bridge(), c.introducers()));
        Contact lie = Contact.unchecked(NodeId.ofKey(key(5)), key(4), null, List.of());
        assertEquals(Contact.BAD_ID, assertThrows(ProtocolException.class, () -> Contact.decode(lie.encode()))
                .getMessage());
        assertEquals(Contact.BAD_ID, assertThrows(ProtocolException.class,
                () -> Contact.verified(NodeId.ofKey(key(5)), key(4), null, List.of())).getMessage());
        assertNull(Contact.of(key(1), null, List.of()).bridge());
    }

    @Test
    void contactFieldsAreBounded() {
        assertEquals("contact key length out of 1..300", assertThrows(ProtocolException.class,
                () -> Contact.of(new byte[301], null, List.of())).getMessage());
        assertEquals("contact has more than 4 introducers", assertThrows(ProtocolException.class,
                () -> Contact.of(key(1), null, List.of(NodeId.ofKey(key(1)), NodeId.ofKey(key(2)),
                        NodeId.ofKey(key(3)), NodeId.ofKey(key(4)), NodeId.ofKey(key(5))))).getMessage());
        assertEquals("bridge host has a bad character", assertThrows(ProtocolException.class,
                () -> BridgeAddress.of("a/b", 80)).getMessage());
        assertEquals("bridge port out of 1..65535", assertThrows(ProtocolException.class,
                () -> BridgeAddress.of("a", 0)).getMessage());
        assertEquals("[::1]:9", BridgeAddress.of("::1", 9).toString());
        // A wire contact with key length 0.
        byte[] w = Bytes.concat(new byte[20], new byte[] {0, 0, 0, 0});
        assertEquals("contact key length out of 1..300", assertThrows(ProtocolException.class,
                () -> Contact.decode(w)).getMessage());
    }

    @Test
    void everyMessageRoundTrips() {
        for (DhtMessage m : samples()) {
            byte[] enc = m.encode();
            DhtMessage d = DhtMessage.decode(enc);
            assertEquals(m.type(), d.type());
            assertEquals(m.requestId(), d.requestId());
            assertArrayEquals(enc, d.encode(), m.toString());
            assertEquals(m.isRequest(), d.sender() != null, m.toString());
        }
    }

    @Test
    void decodersRejectBadInputWithExactReasons() {
        assertEquals("empty DHT message", reject(new byte[0]));
        assertEquals("unknown DHT message type 9", reject(new byte[] {9, 0, 0, 0, 0}));
        assertEquals("not a PONG message", assertThrows(ProtocolException.class,
                () -> Pong.decode(new Stored(1, 0).encode())).getMessage());
        assertEquals("trailing bytes after PONG", reject(new byte[] {2, 0, 0, 0, 0, 0}));
        assertEquals("u32: need 4 bytes, have 3", reject(new byte[] {2, 0, 0, 0}));
        assertEquals("NODES has more than 8 contacts", reject(new byte[] {4, 0, 0, 0, 1, 9}));
        assertEquals("value longer than 1024 bytes", reject(new byte[] {6, 0, 0, 0, 1, 1, 4, 1}));
        assertEquals("VALUE with 0 values, not 1..8", reject(new byte[] {6, 0, 0, 0, 1, 0}));
        assertEquals("VALUE with 9 values, not 1..8", reject(new byte[] {6, 0, 0, 0, 1, 9}));
        assertEquals("VALUE with 8192 value bytes, limit 7168", assertThrows(ProtocolException.class,
                () -> new Value(1, List.of(new byte[1024], new byte[1024], new byte[1024], new byte[1024],
                        new byte[1024], new byte[1024], new byte[1024], new byte[1024]))).getMessage());
        assertEquals("unknown STORED status 3", reject(new byte[] {8, 0, 0, 0, 1, 3}));
        Contact c = contact(1);
        byte[] twice = Bytes.concat(new byte[] {4, 0, 0, 0, 1, 2}, c.encode(), c.encode());
        assertEquals("NODES lists a contact twice", reject(twice));
        Contact lie = Contact.unchecked(NodeId.ofKey(key(2)), key(3), null, List.of());
        assertEquals(Contact.BAD_ID, reject(Bytes.concat(new byte[] {4, 0, 0, 0, 1, 1}, lie.encode())));
        assertEquals(Contact.BAD_ID, reject(new FindNode(1, lie, c.id()).encode()));
        assertEquals("value longer than 1024 bytes", assertThrows(ProtocolException.class,
                () -> new Value(1, new byte[1025])).getMessage());
        byte[] nine = Bytes.concat(new byte[] {3, 0, 0, 0, 1}, c.encode(), c.id().bytes(), new byte[] {9});
        assertEquals("FIND_NODE excludes more than 8 IDs", reject(nine));
        byte[] none = Bytes.concat(new byte[] {3, 0, 0, 0, 1}, c.encode(), c.id().bytes(), new byte[] {0});
        assertEquals(List.of(), ((FindNode) DhtMessage.decode(none)).exclude());
        assertEquals("u8: need 1 bytes, have 0", reject(java.util.Arrays.copyOf(none, none.length - 1)));
    }

    private static String reject(byte[] data) {
        return assertThrows(ProtocolException.class, () -> DhtMessage.decode(data)).getMessage();
    }
}
