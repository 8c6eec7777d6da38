package org.onionpeer.circuit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.CreateFast;
import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.RelayPrimitives;

/** Long randomized conversations over a 3-hop circuit, with handshake-made keys, in both directions. */
class RelayCryptoTest {
    private final RelayPrimitives p = new BcRelayPrimitives();
    private final SplittableRandom rnd = new SplittableRandom(509);

    private byte[] random(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    private HopKeys keys() {
        CreateFast.Client c = CreateFast.client(random(20));
        return c.finish(CreateFast.server(c.onionskin(), random(20)).reply);
    }

    /** A relay body with Recognized 0 and random everything else (digest field included: stamp overwrites it). */
    private byte[] plain(byte[] buf, int off) {
        byte[] r = random(RelayBody.LEN);
        System.arraycopy(r, 0, buf, off, RelayBody.LEN);
        buf[off + RelayBody.RECOGNIZED] = 0;
        buf[off + RelayBody.RECOGNIZED + 1] = 0;
        return buf;
    }

    private static byte[] withoutDigest(byte[] b, int off) {
        byte[] c = Arrays.copyOfRange(b, off, off + RelayBody.LEN);
        Arrays.fill(c, RelayBody.DIGEST, RelayBody.DIGEST + RelayBody.DIGEST_LEN, (byte) 0);
        return c;
    }

    @Test
    void threeHopConversationInBothDirections() {
        ClientCircuitCrypto op = new ClientCircuitCrypto(p);
        RelayCircuitCrypto[] relay = new RelayCircuitCrypto[3];
        for (int i = 0; i < 3; i++) {
            HopKeys k = keys();
            op.addHop(k);
            relay[i] = new RelayCircuitCrypto(k, p);
        }
        int off = 5; // as inside a 514-byte cell buffer: CircID(4) Cmd(1) then the body
        byte[] buf = new byte[off + RelayBody.LEN];
        byte[] a = new byte[20];
        byte[] b = new byte[20];
        for (int n = 0; n < 3000; n++) {
            int hop = rnd.nextInt(3);
            plain(buf, off);
            byte[] sent = withoutDigest(buf, off);
            if (rnd.nextBoolean()) {
                op.encrypt(buf, off, hop);
                op.forwardDigest(hop, a, 0);
                int at = -1;
                for (int i = 0; i < 3 && at < 0; i++) {
                    if (relay[i].decryptForward(buf, off)) {
                        at = i;
                    }
                }
                assertEquals(hop, at, "cell " + n);
                assertArrayEquals(sent, withoutDigest(buf, off));
                relay[hop].forwardDigest(b, 0);
                assertArrayEquals(a, b, "SENDME v1 digest, forward, cell " + n);
            } else {
                relay[hop].originateBackward(buf, off);
                relay[hop].backwardDigest(a, 0);
                for (int i = hop - 1; i >= 0; i--) {
                    relay[i].relayBackward(buf, off);
                }
                assertEquals(hop, op.decrypt(buf, off), "cell " + n);
                assertArrayEquals(sent, withoutDigest(buf, off));
                op.backwardDigest(hop, b, 0);
                assertArrayEquals(a, b, "SENDME v1 digest, backward, cell " + n);
            }
        }
    }

    @Test
    void aRefusedCellLeavesTheBodyAsItCame() {
        RelayLayer sender = new RelayLayer(new byte[16], new byte[20], p);
        RelayLayer receiver = new RelayLayer(new byte[16], new byte[20], p);
        byte[] body = plain(new byte[RelayBody.LEN], 0);
        sender.stamp(body, 0);
        body[RelayBody.DIGEST] ^= 1; // Recognized stays 0, the digest is off
        byte[] before = body.clone();
        assertFalse(receiver.recognize(body, 0));
        assertArrayEquals(before, body);
        body[RelayBody.DIGEST] ^= 1;
        assertTrue(receiver.recognize(body, 0), "the refused try did not disturb the running digest");
        body[RelayBody.RECOGNIZED] = 1;
        assertFalse(new RelayLayer(new byte[16], new byte[20], p).recognize(body, 0));
    }

    @Test
    void garbageInboundIsNotRecognized() {
        ClientCircuitCrypto op = new ClientCircuitCrypto(p);
        op.addHop(keys());
        op.addHop(keys());
        for (int n = 0; n < 2000; n++) {
            assertEquals(ClientCircuitCrypto.NOT_RECOGNIZED, op.decrypt(random(RelayBody.LEN), 0));
        }
        assertEquals(ClientCircuitCrypto.NOT_RECOGNIZED, new ClientCircuitCrypto(p).decrypt(new byte[509], 0),
                "a circuit without hops recognizes nothing");
    }

    @Test
    void truncateForgetsTheFarHops() {
        ClientCircuitCrypto op = new ClientCircuitCrypto(p);
        HopKeys k0 = keys();
        op.addHop(k0);
        op.addHop(keys());
        op.addHop(keys());
        op.truncate(1);
        assertEquals(1, op.hopCount());
        assertThrows(IllegalArgumentException.class, () -> op.encrypt(new byte[509], 0, 1));
        RelayCircuitCrypto r0 = new RelayCircuitCrypto(k0, p);
        byte[] body = plain(new byte[RelayBody.LEN], 0);
        op.encrypt(body, 0, 0);
        assertTrue(r0.decryptForward(body, 0));
        assertEquals(1, op.addHop(keys()), "a new hop takes the freed index");
    }

    @Test
    void shortOrMisplacedBodiesAreProtocolErrors() {
        ClientCircuitCrypto op = new ClientCircuitCrypto(p);
        op.addHop(keys());
        RelayCircuitCrypto r = new RelayCircuitCrypto(keys(), p);
        assertThrows(ProtocolException.class, () -> op.decrypt(new byte[508], 0));
        assertThrows(ProtocolException.class, () -> op.decrypt(new byte[509], 1));
        assertThrows(ProtocolException.class, () -> op.decrypt(new byte[509], -1));
        assertThrows(ProtocolException.class, () -> op.decrypt(null, 0));
        assertThrows(ProtocolException.class, () -> r.decryptForward(new byte[100], 0));
        assertThrows(ProtocolException.class, () -> r.relayBackward(new byte[514], 6));
    }
}
