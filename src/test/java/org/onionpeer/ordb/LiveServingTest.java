package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.testing.ManualScheduler;

/** The publisher's server answering live queries: held, short windows, gone, too far, refused. */
class LiveServingTest {
    final ManualScheduler s = new ManualScheduler();
    final SimNet net = new SimNet(s);
    final Ed25519.KeyPair key = Ed25519.fromSeed(new byte[32]);
    final Manifest m = Manifest.live(64, 8, key.publicKey(), new byte[0], "video/mp4");
    final LivePublisher pub = new LivePublisher(s, m, LivePublisher.signer(key));
    final OrdbServer server = new OrdbServer(new Content.MemoryStore(), null);
    final List<String> got = new ArrayList<>();
    final SimNet.End toServer;

    LiveServingTest() {
        server.publishLive(pub, s, 1000, 2);
        SimNet.End[] l = net.pair("R", "P", 5, 1000, 1000);
        toServer = l[0];
        l[0].handler = new OrdbLink.Handler() {
            @Override
            public void onMessage(int stream, int command, byte[] body) {
                OrdbMessage msg = OrdbMessage.decode(command, body);
                String w = msg instanceof DbData && ((DbData) msg).window() != null
                        ? " w" + ((DbData) msg).window().window() : msg instanceof DbConnected
                        ? " w" + ((DbConnected) msg).window().window() : "";
                got.add(stream + ":" + msg + w);
            }

            @Override
            public void onClosed() {
            }
        };
        l[1].handler = server.attach(l[1], false);
    }

    void ask(int stream, long chunk, int count) {
        toServer.send(stream, count == 0 ? DbQuery.info(m.hashName(), 0) : DbQuery.chunks(m.hashName(), chunk, count, 0));
        s.advance(20);
    }

    List<String> take() {
        List<String> out = new ArrayList<>(got);
        got.clear();
        return out;
    }

    @Test
    void heldUntilPublishedShortWindowsGoneAndRefused() {
        ask(1, 0, 0);
        assertEquals(List.of(), take(), "nothing published yet: the info query is held");
        pub.setInit(new byte[100]);
        s.advance(20);
        assertEquals(List.of("1:DB_CONNECTED w0"), take());
        ask(2, 8, 8); // window 1, not closed yet: held
        assertEquals(List.of(), take());
        pub.append(new byte[130]);
        pub.flush(); // window 1: 3 chunks
        s.advance(20);
        assertEquals(List.of("2:DB_DATA[8 64 bytes] w1", "2:DB_DATA[9 64 bytes]", "2:DB_DATA[10 2 bytes]",
                "2:DB_END[UNAVAILABLE]"), take(), "a window closed short ends UNAVAILABLE after its last chunk");
        ask(3, 9, 2);
        assertEquals(List.of("3:DB_DATA[9 64 bytes] w1", "3:DB_DATA[10 2 bytes]"), take(), "the rest of a window");
        ask(4, 14, 4);
        assertEquals(List.of("4:DB_END[REFUSED]"), take());
        assertEquals("live query 14+4 crosses a window of 8", server.stats().lastRefusal);
        ask(5, 16 * 8, 8);
        assertEquals(List.of("5:DB_END[REFUSED]"), take());
        assertEquals("live window 16 is too far ahead of 2", server.stats().lastRefusal);
        ask(6, 2 * 8, 8);
        ask(7, 3 * 8, 8);
        ask(8, 4 * 8, 8);
        assertEquals(List.of("8:DB_END[REFUSED]"), take());
        assertEquals("over 2 live queries held", server.stats().lastRefusal);
        s.advance(1000);
        assertEquals(List.of("6:DB_END[UNAVAILABLE]", "7:DB_END[UNAVAILABLE]"), take(), "held at most 1 s");
        for (int w = 2; w <= 6; w++) {
            pub.append(new byte[64 * 8]); // full windows close by themselves
        }
        s.advance(20);
        ask(9, 8, 1);
        assertEquals(List.of("9:DB_END[UNAVAILABLE]"), take(), "window 1 is older than the 4 kept");
        ask(10, 0, 8);
        assertEquals(List.of("10:DB_DATA[0 64 bytes] w0", "10:DB_DATA[1 36 bytes]", "10:DB_END[UNAVAILABLE]"), take(),
                "the init is kept for ever");
        ask(11, DbQuery.LIVE_EDGE, 1);
        assertEquals(List.of("11:DB_DATA[48 64 bytes] w6"), take(), "the live edge");
        ask(12, 0, 0);
        assertEquals(List.of("12:DB_CONNECTED w6"), take());
    }

    @Test
    void theDownloaderRefusesStaleAndOutOfOrderWindows() {
        LiveBuffer b = new LiveBuffer(m, new LiveListener() {
            @Override
            public void onInit(byte[] init) {
            }

            @Override
            public void onData(long index, byte[] data) {
            }

            @Override
            public void onDone(String error) {
            }
        }, 60);
        byte[] root = MerkleTree.leafHash(new byte[1]);
        b.check(LiveWindow.sign(key, m, 5, 1, 1000, root), 1010);
        org.onionpeer.bytes.ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.onionpeer.bytes.ProtocolException.class, () -> b.check(LiveWindow.sign(key, m, 6, 1, 999, root), 1010));
        assertEquals("live window 6 dated out of order with window 5", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(org.onionpeer.bytes.ProtocolException.class,
                () -> b.check(LiveWindow.sign(key, m, 7, 1, 1000, root), 1061));
        assertEquals("live window is stale: 61 s old, over 60", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(org.onionpeer.bytes.ProtocolException.class,
                () -> b.check(LiveWindow.sign(key, m, 7, 1, 1100, root), 1010));
        assertEquals("live window dated 90 s in the future", e.getMessage());
        b.check(LiveWindow.sign(key, m, 0, 1, 1, root), 1010); // the init: signed once, any age
    }
}
