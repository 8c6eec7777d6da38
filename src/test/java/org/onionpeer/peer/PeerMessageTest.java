package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dht.NodeId;
import org.onionpeer.fuzz.Fuzzer;

/** Peer messages: every type round-trips; decode refuses anything not exactly one well-formed message. */
class PeerMessageTest {
    private static final SecureRandom RND = new SecureRandom();
    private static final NodeId PEER = NodeId.fromHex("0123456789abcdef0123456789abcdef01234567");

    static List<PeerMessage> samples() {
        Ed25519.KeyPair k = Ed25519.generate(RND);
        byte[] fp = new byte[32];
        RND.nextBytes(fp);
        List<PeerMessage> l = new ArrayList<>();
        l.add(PeerMessage.register(PeerCert.sign(k, fp, null, fp, 1_750_000_000L)));
        l.add(PeerMessage.dht(PeerMessage.LINK_PEER, new byte[] {1, 2, 3}));
        l.add(PeerMessage.dht(PEER, new byte[PeerMessage.MAX_DHT]));
        l.add(PeerMessage.introduce(PEER, SdpTest.chromium(true, 42, fp, "\r\n")));
        l.add(PeerMessage.introduced(PEER, SdpTest.chromium(false, 43, fp, "\r\n")));
        l.add(PeerMessage.introduceFailed(PEER, "unknown peer"));
        l.add(PeerMessage.introduceFailed(PEER, ""));
        l.add(PeerMessage.join(PeerCert.sign(k, new byte[32], null, fp, 1_750_000_000L)));
        l.add(PeerMessage.relay(PEER, PeerMessage.dht(PEER, new byte[] {7})));
        l.add(PeerMessage.relay(PEER, PeerMessage.introduceFailed(PEER, "unknown peer")));
        l.add(PeerMessage.present(List.of(PEER, PeerMessage.LINK_PEER)));
        l.add(PeerMessage.absent(List.of(PEER)));
        return l;
    }

    private static String error(byte[] b) {
        return assertThrows(ProtocolException.class, () -> PeerMessage.decode(b)).getMessage();
    }

    @Test
    void everyTypeRoundTrips() {
        for (PeerMessage m : samples()) {
            byte[] enc = m.encode();
            PeerMessage d = PeerMessage.decode(enc);
            assertEquals(m.type(), d.type());
            assertEquals(m.peer(), d.peer());
            assertArrayEquals(enc, d.encode());
            assertArrayEquals(m.peer().bytes(), Bytes.slice(enc, 1, 20));
            assertEquals(m.type(), enc[0] & 0xff);
        }
    }

    @Test
    void bodies() {
        Ed25519.KeyPair k = Ed25519.generate(RND);
        PeerCert c = PeerCert.sign(k, new byte[32], null, new byte[32], 5);
        PeerMessage reg = PeerMessage.decode(PeerMessage.register(c).encode());
        assertEquals(PeerMessage.LINK_PEER, reg.peer());
        assertArrayEquals(c.encode(), reg.cert().encode());
        assertArrayEquals(new byte[] {9, 8}, PeerMessage.decode(PeerMessage.dht(PEER, new byte[] {9, 8}).encode())
                .dhtMessage());
        String sdp = SdpTest.chromium(true, 1, new byte[32], "\r\n") + "a=x:~\t!\r\n"; // printable ASCII survives
        assertEquals(sdp, PeerMessage.decode(PeerMessage.introduce(PEER, sdp).encode()).description());
        assertEquals(sdp, PeerMessage.decode(PeerMessage.introduced(PEER, sdp).encode()).description());
        assertEquals("busy", PeerMessage.decode(PeerMessage.introduceFailed(PEER, "busy").encode()).reason());
        // A reason is cut at 255 bytes.
        String longReason = "r".repeat(300);
        assertEquals("r".repeat(255),
                PeerMessage.decode(PeerMessage.introduceFailed(PEER, longReason).encode()).reason());
        assertEquals(PEER, PeerMessage.introduce(PeerMessage.LINK_PEER, sdp).withPeer(PEER).peer());
        assertThrows(IllegalStateException.class, () -> reg.dhtMessage());
        assertThrows(IllegalStateException.class, () -> reg.description());
        assertThrows(IllegalStateException.class, () -> reg.reason());
    }

    @Test
    void unknownTypes() {
        for (int t : new int[] {0, 10, 11, 0x7f, 0xf0, 0xff}) {
            byte[] b = new byte[21 + 4];
            b[0] = (byte) t;
            assertEquals("unknown peer message type " + t, error(b));
        }
    }

    @Test
    void truncated() {
        assertEquals("u8: need 1 bytes, have 0", error(new byte[0]));
        assertEquals("bytes: need 20 bytes, have 19", error(new byte[20]));
        byte[] reg = PeerMessage.register(PeerCert.sign(Ed25519.generate(RND), new byte[32], null, null, 5)).encode();
        assertEquals("bytes: need 64 bytes, have 63", error(Bytes.slice(reg, 0, reg.length - 1)));
        byte[] intro = PeerMessage.introduce(PEER, "a=fingerprint:x").encode();
        assertEquals("bytes: need 15 bytes, have 14", error(Bytes.slice(intro, 0, intro.length - 1)));
        assertEquals("u16: need 2 bytes, have 1", error(Bytes.slice(intro, 0, 22)));
        byte[] failed = PeerMessage.introduceFailed(PEER, "busy").encode();
        assertEquals("bytes: need 4 bytes, have 3", error(Bytes.slice(failed, 0, failed.length - 1)));
    }

    @Test
    void trailingBytes() {
        for (PeerMessage m : samples()) {
            if (m.type() == PeerMessage.DHT || m.type() == PeerMessage.RELAY && m.inner().type() == PeerMessage.DHT) {
                continue; // a DHT body is the rest of the payload
            }
            byte[] enc = Bytes.concat(m.encode(), new byte[] {0, 0});
            assertEquals("peer message has 2 extra bytes", error(enc), "type " + m.type());
        }
    }

    @Test
    void oversizedAndEmptyBodies() {
        byte[] big = new byte[PeerMessage.MAX_DHT + 1];
        assertEquals("DHT message over 8192 bytes",
                assertThrows(ProtocolException.class, () -> PeerMessage.dht(PEER, big)).getMessage());
        byte[] wireBig = new ByteWriter(21 + big.length).u8(PeerMessage.DHT).bytes(PEER.bytes()).bytes(big)
                .toByteArray();
        assertEquals("DHT message length out of 1..8192", error(wireBig));
        byte[] wireEmpty = new ByteWriter(21).u8(PeerMessage.DHT).bytes(PEER.bytes()).toByteArray();
        assertEquals("DHT message length out of 1..8192", error(wireEmpty));

        String sdp = "x".repeat(Sdp.MAX_LENGTH + 1);
        assertEquals("session description longer than 16384 bytes",
                assertThrows(ProtocolException.class, () -> PeerMessage.introduce(PEER, sdp)).getMessage());
        // Descriptions are ASCII (browsers make nothing else); other characters are refused both ways.
        assertEquals("session description is not ASCII",
                assertThrows(ProtocolException.class, () -> PeerMessage.introduced(PEER, "a=x:\u00e9")).getMessage());
        byte[] high = new ByteWriter(26).u8(PeerMessage.INTRODUCE).bytes(PEER.bytes()).u16(3)
                .bytes(new byte[] {'v', '=', (byte) 0xc3}).toByteArray();
        assertEquals("session description has a byte that is not printable ASCII", error(high));
        PeerMessage.introduce(PEER, "x".repeat(Sdp.MAX_LENGTH)); // the bound itself is fine
        for (int type : new int[] {PeerMessage.INTRODUCE, PeerMessage.INTRODUCED}) {
            byte[] over = new ByteWriter(23 + Sdp.MAX_LENGTH + 1).u8(type).bytes(PEER.bytes())
                    .u16(Sdp.MAX_LENGTH + 1).bytes(new byte[Sdp.MAX_LENGTH + 1]).toByteArray();
            assertEquals("session description length out of 1..16384", error(over));
            byte[] empty = new ByteWriter(23).u8(type).bytes(PEER.bytes()).u16(0).toByteArray();
            assertEquals("session description length out of 1..16384", error(empty));
        }
    }

    @Test
    void federationMessages() {
        PeerMessage inner = PeerMessage.introduce(PEER, "v=0");
        PeerMessage r = PeerMessage.decode(PeerMessage.relay(PeerMessage.LINK_PEER, inner).encode());
        assertEquals(PeerMessage.RELAY, r.type());
        assertArrayEquals(inner.encode(), r.inner().encode());
        assertEquals(List.of(PEER), PeerMessage.decode(PeerMessage.present(List.of(PEER)).encode()).ids());
        // A RELAY in a RELAY would let relaying nodes bounce messages forever; a REGISTER in one means nothing.
        byte[] nested = new ByteWriter(64).u8(PeerMessage.RELAY).bytes(PEER.bytes())
                .bytes(PeerMessage.relay(PEER, inner).encode()).toByteArray();
        assertEquals("a RELAY must carry one DHT or introduction message", error(nested));
        byte[] reg = new ByteWriter(300).u8(PeerMessage.RELAY).bytes(PEER.bytes())
                .bytes(samples().get(0).encode()).toByteArray();
        assertEquals("a RELAY must carry one DHT or introduction message", error(reg));
        byte[] empty = new ByteWriter(21).u8(PeerMessage.RELAY).bytes(PEER.bytes()).toByteArray();
        assertEquals("a RELAY must carry one DHT or introduction message", error(empty));
        byte[] none = new ByteWriter(23).u8(PeerMessage.PRESENT).bytes(PEER.bytes()).u16(0).toByteArray();
        assertEquals("ID count out of 1..1000", error(none));
        byte[] many = new ByteWriter(23).u8(PeerMessage.ABSENT).bytes(PEER.bytes()).u16(1001).toByteArray();
        assertEquals("ID count out of 1..1000", error(many));
        byte[] shortList = new ByteWriter(43).u8(PeerMessage.PRESENT).bytes(PEER.bytes()).u16(2)
                .bytes(PEER.bytes()).toByteArray();
        assertThrows(ProtocolException.class, () -> PeerMessage.decode(shortList));
        assertThrows(IllegalArgumentException.class, () -> PeerMessage.relay(PEER, samples().get(0)));
    }

    @Test
    void fuzz() {
        long seed = Long.getLong("peer.fuzz.seed", System.nanoTime());
        System.out.println("[fuzz] PeerMessage.decode seed " + seed + " (-Dpeer.fuzz.seed=" + seed + " replays)");
        Fuzzer f = new Fuzzer(seed).maxLen(2000);
        for (PeerMessage m : samples()) {
            byte[] enc = m.encode();
            assertArrayEquals(enc, PeerMessage.decode(enc).encode(), "seed type " + m.type());
            f.seed(enc);
        }
        int n = 500_000;
        String summary = f.run("PeerMessage.decode", n, b -> {
            PeerMessage m = PeerMessage.decode(b);
            // What decode accepted, the accessors read without surprise.
            switch (m.type()) {
                case PeerMessage.REGISTER:
                case PeerMessage.JOIN: m.cert(); break;
                case PeerMessage.RELAY: m.inner(); break;
                case PeerMessage.PRESENT:
                case PeerMessage.ABSENT: m.ids(); break;
                case PeerMessage.DHT: m.dhtMessage(); break;
                case PeerMessage.INTRODUCE:
                case PeerMessage.INTRODUCED: m.description(); break;
                default: m.reason(); break;
            }
            if (!java.util.Arrays.equals(b, m.encode())) {
                throw new AssertionError("decoded but re-encodes differently");
            }
        });
        System.out.println("[fuzz] " + summary);
        assertEquals(n, f.accepted() + f.rejected(), summary);
        assertTrue(f.accepted() > 0, "the mutator must reach valid messages too: " + summary);
        assertTrue(f.rejected() > 0, summary);
    }
}
