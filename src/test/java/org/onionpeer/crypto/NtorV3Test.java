package org.onionpeer.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

class NtorV3Test {
    private static final SecureRandom RNG = new SecureRandom();

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RNG.nextBytes(b);
        return b;
    }

    private static HandshakeException.Reason reason(Runnable r) {
        return assertThrows(HandshakeException.class, r::run).reason();
    }

    @Test
    void publishedVectorThroughThePublicApi() {
        // Proposal 332 §X.2 / tor test_ntor_v3.c: the relay must answer the published onionskin with the
        // published reply, and both ends reach the published key stream.
        byte[] ver = Bytes.unhex(NtorV3KnownAnswers.VER);
        NtorV3.Client c = NtorV3.client(Bytes.unhex(NtorV3KnownAnswers.ID), Bytes.unhex(NtorV3KnownAnswers.B_PUB),
                Bytes.unhex(NtorV3KnownAnswers.X_SECRET), Bytes.unhex(NtorV3KnownAnswers.CM), ver);
        assertEquals(NtorV3KnownAnswers.CLIENT_HANDSHAKE, Bytes.hex(c.onionskin()));
        NtorV3.Result r = c.complete(Bytes.unhex(NtorV3KnownAnswers.SERVER_HANDSHAKE));
        assertEquals(NtorV3KnownAnswers.SM, Bytes.hex(r.serverMessage));
        assertEquals(NtorV3KnownAnswers.KEYSTREAM.substring(0, 40), Bytes.hex(r.keys.df()));
        assertEquals(NtorV3KnownAnswers.KEYSTREAM.substring(144, 184), Bytes.hex(r.keys.kh()));
    }

    @Test
    void randomRoundTripsWithMessagesOfManyLengths() {
        for (int i = 0; i < 50; i++) {
            Ntor.Keypair b = Ntor.Keypair.fromSecret(random(32));
            Ntor.Keypair old = Ntor.Keypair.fromSecret(random(32));
            byte[] id = random(32);
            byte[] cm = random(i * 5);
            byte[] sm = random(i * 3);
            NtorV3.Client c = NtorV3.client(id, b.publicKey(), random(32), cm);
            assertEquals(NtorV3.MIN_ONIONSKIN_LEN + cm.length, c.onionskin().length);
            byte[][] seen = new byte[1][];
            NtorV3.ServerResult s = NtorV3.Server.respond(id, List.of(old, b), c.onionskin(), random(32), m -> {
                seen[0] = m;
                return sm;
            });
            assertArrayEquals(cm, seen[0]);
            assertArrayEquals(cm, s.clientMessage);
            assertEquals(NtorV3.MIN_REPLY_LEN + sm.length, s.reply.length);
            NtorV3.Result r = c.complete(s.reply);
            assertArrayEquals(sm, r.serverMessage);
            assertTrue(r.keys.sameAs(s.keys));
            if (cm.length > 0) {
                // The message travels encrypted.
                assertFalse(Bytes.hex(c.onionskin()).contains(Bytes.hex(cm)));
            }
        }
    }

    @Test
    void everyTamperedReplyByteIsRejected() {
        Ntor.Keypair b = Ntor.Keypair.fromSecret(random(32));
        byte[] id = random(32);
        NtorV3.Client c = NtorV3.client(id, b.publicKey(), random(32), NtorV3.Extensions.ccRequest().encode());
        byte[] reply = NtorV3.Server.respond(id, List.of(b), c.onionskin(), random(32),
                m -> NtorV3.Extensions.ccResponse(31).encode()).reply;
        for (int i = 0; i < reply.length; i++) {
            byte[] bad = reply.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            HandshakeException.Reason why = reason(() -> c.complete(bad));
            assertTrue(why == HandshakeException.Reason.BAD_AUTH || why == HandshakeException.Reason.BAD_POINT, "" + why);
        }
        assertEquals(HandshakeException.Reason.MALFORMED, reason(() -> c.complete(new byte[63])));
        assertEquals(31, NtorV3.Extensions.decode(c.complete(reply).serverMessage).ccSendmeInc());
    }

    @Test
    void everyTamperedOnionskinByteIsRejected() {
        Ntor.Keypair b = Ntor.Keypair.fromSecret(random(32));
        byte[] id = random(32);
        byte[] skin = NtorV3.client(id, b.publicKey(), random(32), random(20)).onionskin();
        for (int i = 0; i < skin.length; i++) {
            byte[] bad = skin.clone();
            bad[i] ^= 0x20;
            HandshakeException.Reason why = reason(() -> NtorV3.Server.respond(id, List.of(b), bad, random(32), m -> m));
            HandshakeException.Reason want = i < 32 ? HandshakeException.Reason.UNKNOWN_NODE_ID
                    : i < 64 ? HandshakeException.Reason.UNKNOWN_KEY_ID : HandshakeException.Reason.BAD_AUTH;
            assertEquals(want, why, "byte " + i);
        }
        assertEquals(HandshakeException.Reason.MALFORMED,
                reason(() -> NtorV3.Server.respond(id, List.of(b), new byte[127], random(32), m -> m)));
    }

    @Test
    void aRefusingHandlerStopsTheHandshake() {
        Ntor.Keypair b = Ntor.Keypair.fromSecret(random(32));
        byte[] id = random(32);
        byte[] skin = NtorV3.client(id, b.publicKey(), random(32), new byte[] {1, 2}).onionskin();
        // {01 02} is a malformed extension list: the handler's ProtocolException ends the handshake.
        assertThrows(ProtocolException.class, () -> NtorV3.Server.respond(id, List.of(b), skin, random(32),
                m -> NtorV3.Extensions.decode(m).encode()));
    }

    @Test
    void lowOrderRelayKeyIsAHandshakeFailure() {
        assertEquals(HandshakeException.Reason.BAD_POINT,
                reason(() -> NtorV3.client(random(32), new byte[32], random(32), new byte[0])));
    }

    @Test
    void extensionsRoundTrip() {
        NtorV3.Extensions e = new NtorV3.Extensions(List.of(new NtorV3.Extensions.Field(1, new byte[0]),
                new NtorV3.Extensions.Field(200, random(255)), new NtorV3.Extensions.Field(2, new byte[] {(byte) 200})));
        NtorV3.Extensions d = NtorV3.Extensions.decode(e.encode());
        assertArrayEquals(e.encode(), d.encode());
        assertEquals(200, d.ccSendmeInc());
        assertTrue(d.has(NtorV3.Extensions.CC_FIELD_REQUEST));
        assertEquals(3, d.fields().size());
    }
}
