package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;

/** Round trips and failure paths of CREATE_FAST and ntor with many (seeded) random keys. */
class HandshakeTest {
    private final SplittableRandom rnd = new SplittableRandom(0x6e746f72L);

    private byte[] random(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    @Test
    void createFastBothEndsAgree() {
        for (int i = 0; i < 200; i++) {
            CreateFast.Client c = CreateFast.client(random(20));
            CreateFast.ServerResult s = CreateFast.server(c.onionskin(), random(20));
            assertEquals(CreateFast.REPLY_LEN, s.reply.length);
            HopKeys k = c.finish(s.reply);
            assertTrue(k.sameAs(s.keys));
            assertFalse(Bytes.constantTimeEquals(k.kf(), k.kb()), "forward and backward keys differ");
        }
    }

    @Test
    void createFastRejectsEveryFlippedBitOfKh() {
        CreateFast.Client c = CreateFast.client(random(20));
        byte[] reply = CreateFast.server(c.onionskin(), random(20)).reply;
        for (int bit = 0; bit < 8 * CreateFast.REPLY_LEN; bit++) {
            byte[] bad = reply.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            HandshakeException e = assertThrows(HandshakeException.class, () -> c.finish(bad));
            assertEquals(HandshakeException.Reason.BAD_AUTH, e.reason());
        }
    }

    @Test
    void ntorBothEndsAgreeAndKeyIdSelectsTheKey() {
        byte[] id = random(20);
        Ntor.Keypair current = Ntor.Keypair.fromSecret(random(32));
        Ntor.Keypair previous = Ntor.Keypair.fromSecret(random(32));
        for (int i = 0; i < 50; i++) {
            Ntor.Keypair target = i % 2 == 0 ? current : previous;
            Ntor.Client c = Ntor.client(id, target.publicKey(), random(32));
            byte[] skin = c.onionskin();
            assertEquals(Ntor.ONIONSKIN_LEN, skin.length);
            Ntor.ServerResult s = Ntor.server(id, List.of(current, previous), skin, random(32));
            assertEquals(Ntor.REPLY_LEN, s.reply.length);
            assertTrue(c.finish(s.reply).sameAs(s.keys));
        }
    }

    @Test
    void ntorClientRejectsAServerWithoutTheOnionKey() {
        byte[] id = random(20);
        Ntor.Keypair real = Ntor.Keypair.fromSecret(random(32));
        Ntor.Keypair impostor = Ntor.Keypair.fromSecret(random(32));
        Ntor.Client c = Ntor.client(id, real.publicKey(), random(32));
        // The impostor answers as if KEYID were its own key: it cannot compute EXP(X,b) for the real b.
        Ntor.Onionskin skin = Ntor.Onionskin.decode(c.onionskin());
        byte[] forged = new Ntor.Onionskin(skin.nodeId(), impostor.publicKey(), skin.x()).encode();
        byte[] reply = Ntor.server(id, List.of(impostor), forged, random(32)).reply;
        HandshakeException e = assertThrows(HandshakeException.class, () -> c.finish(reply));
        assertEquals(HandshakeException.Reason.BAD_AUTH, e.reason());
    }

    @Test
    void ntorRejectsLowOrderPointsOnBothSides() {
        // The order-8 points of Curve25519 (u = 0, 1, and the two of order 8 listed with RFC 7748 discussions),
        // each as the client's X and as the server's Y: every one gives an all-zero shared secret.
        String[] lowOrder = {
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        };
        byte[] id = random(20);
        Ntor.Keypair b = Ntor.Keypair.fromSecret(random(32));
        Ntor.Client c = Ntor.client(id, b.publicKey(), random(32));
        byte[] goodReply = Ntor.server(id, List.of(b), c.onionskin(), random(32)).reply;
        for (String p : lowOrder) {
            byte[] skin = new Ntor.Onionskin(id, b.publicKey(), Bytes.unhex(p)).encode();
            HandshakeException e = assertThrows(HandshakeException.class,
                    () -> Ntor.server(id, List.of(b), skin, random(32)));
            assertEquals(HandshakeException.Reason.BAD_POINT, e.reason(), p);
            byte[] reply = goodReply.clone();
            System.arraycopy(Bytes.unhex(p), 0, reply, 0, 32);
            HandshakeException e2 = assertThrows(HandshakeException.class, () -> c.finish(reply));
            assertEquals(HandshakeException.Reason.BAD_POINT, e2.reason(), p);
        }
    }

    @Test
    void handshakeExceptionsAreProtocolExceptionsWithClearMessages() {
        byte[] id = random(20);
        Ntor.Keypair b = Ntor.Keypair.fromSecret(random(32));
        byte[] skin = Ntor.client(random(20), b.publicKey(), random(32)).onionskin();
        HandshakeException e = assertThrows(HandshakeException.class, () -> Ntor.server(id, List.of(b), skin, random(32)));
        assertTrue(e instanceof org.onionpeer.bytes.ProtocolException);
        assertEquals(HandshakeException.Reason.UNKNOWN_NODE_ID, e.reason());
        assertTrue(e.getMessage().contains("NODEID"), e.getMessage());
    }

    @Test
    void kdfSplitOrders() {
        byte[] m = new byte[HopKeys.MATERIAL_LEN];
        for (int i = 0; i < m.length; i++) {
            m[i] = (byte) i;
        }
        HopKeys t = HopKeys.fromKdfTor(m); // KH Df Db Kf Kb
        assertArrayEquals(Bytes.slice(m, 0, 20), t.kh());
        assertArrayEquals(Bytes.slice(m, 20, 20), t.df());
        assertArrayEquals(Bytes.slice(m, 76, 16), t.kb());
        HopKeys h = HopKeys.fromHkdf(m); // Df Db Kf Kb KH
        assertArrayEquals(Bytes.slice(m, 0, 20), h.df());
        assertArrayEquals(Bytes.slice(m, 40, 16), h.kf());
        assertArrayEquals(Bytes.slice(m, 72, 20), h.kh());
    }
}
