package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.DhtConfig;
import org.onionpeer.dht.LookupResult;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.link.LinkManager;
import org.onionpeer.node.Node;
import org.onionpeer.node.OnionRouter;
import org.onionpeer.platform.Entropy;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

/**
 * Peer links end to end on {@link PeerNet}: one bridge and pages linked to it.
 */
class PeerLinkTest extends PeerNet {
    // ---- the tests -------------------------------------------------------------------------------------------
    /**
     * Rewrites the description in an INTRODUCE / INTRODUCED cell the bridge sends (one cell per send, link
     * protocol 4+: CircID (4), command (1), length (2), payload), re-framing it: a bridge may change lengths.
     */
    static byte[] rewriteDescription(byte[] wire, UnaryOperator<String> f) {
        if (wire.length < 7 || (wire[4] & 0xff) != PeerMessage.COMMAND) {
            return wire;
        }
        PeerMessage m = PeerMessage.decode(Bytes.slice(wire, 7, wire.length - 7));
        if (m.type() != PeerMessage.INTRODUCE && m.type() != PeerMessage.INTRODUCED) {
            return wire;
        }
        String d = f.apply(m.description());
        byte[] p = (m.type() == PeerMessage.INTRODUCE ? PeerMessage.introduce(m.peer(), d)
                : PeerMessage.introduced(m.peer(), d)).encode();
        return new org.onionpeer.bytes.ByteWriter(7 + p.length).bytes(Bytes.slice(wire, 0, 5)).u16(p.length).bytes(p)
                .toByteArray();
    }


    Page a;
    Page b;

    @BeforeEach
    void network() throws Exception {
        bridge = new Bridge();
        a = new Page("pageA");
        b = new Page("pageB");
        a.join();
        b.join();
        assertEquals(2, bridge.svc.registeredCount());
        assertEquals(2, bridge.svc.stats().registrations);
    }

    @Test
    void aDialsBThroughTheBridgeAndBothSeeTheOthersIdentity() {
        long relayedBefore = bridge.svc.stats().introductionsRelayed;
        Dial d = a.dial(b.info());
        await(d::done, 30_000, "A's dial");
        assertNull(d.failure, "dial failed");
        Channel ab = d.channel;
        assertTrue(ab.isOpen());
        assertTrue(ab.isPeerLink());
        assertEquals(Channel.Role.INITIATOR, ab.role());
        assertEquals(b.identity(), ab.peerIdentity());
        assertEquals(new RelayIdentity(b.id().bytes(), b.key.publicKey()), ab.peerIdentity());
        assertEquals(b.id(), a.svc.idOf(ab));
        assertSame(ab, a.svc.peerLink(b.id()));

        Channel ba = b.peerLinkTo(a);
        assertNotNull(ba, "B's end of the link");
        assertEquals(Channel.Role.RESPONDER, ba.role());
        assertEquals(a.identity(), ba.peerIdentity());
        assertEquals(a.id(), b.svc.idOf(ba));
        assertSame(ba, b.svc.peerLink(a.id()));

        // INTRODUCE one way, INTRODUCED the other.
        assertEquals(relayedBefore + 2, bridge.svc.stats().introductionsRelayed);
        assertEquals(1, a.svc.stats().introductionsMade);
        assertEquals(1, b.svc.stats().introductionsAnswered);
        assertEquals(0, a.svc.stats().introductionsFailed + b.svc.stats().introductionsFailed);

        // The link is reused, not introduced again.
        Dial again = a.dial(b.info());
        sched.runUntilIdle();
        assertSame(ab, again.channel);
        // B reaches A over the link A opened: it is indexed by the identity A proved.
        Dial back = b.dial(a.info());
        sched.runUntilIdle();
        assertSame(ba, back.channel);
        assertEquals(1, rtc.offers);
        assertEquals(0, a.svc.stats().peerCertsRefused + b.svc.stats().peerCertsRefused);

        // Peer messages flow both ways on it: a garbage one is counted where it lands, and the link stays.
        ab.sendLinkMessage(new byte[] {(byte) 0x77});
        ba.sendLinkMessage(new byte[] {(byte) 0x77});
        sched.runUntilIdle();
        assertEquals(1, a.svc.stats().malformed);
        assertEquals(1, b.svc.stats().malformed);
        assertTrue(ab.isOpen() && ba.isOpen());
    }

    @Test
    void aClosedPeerLinkIsForgottenAndDialledAgain() {
        Dial d = a.dial(b.info());
        await(d::done, 30_000, "A's dial");
        Channel first = d.channel;
        first.close("user closed");
        sched.runUntilIdle();
        assertNull(a.svc.peerLink(b.id()));
        assertNull(b.svc.peerLink(a.id()));
        // The DHT goes through the bridge again meanwhile.
        long relayed = bridge.svc.stats().dhtRelayed;
        boolean[] pong = new boolean[1];
        a.svc.dht().ping(b.svc.dht().self(), ok -> pong[0] = ok);
        await(() -> pong[0], 5000, "B's pong through the bridge");
        assertEquals(relayed + 2, bridge.svc.stats().dhtRelayed);
        Dial again = a.dial(b.info());
        await(again::done, 30_000, "A's second dial");
        assertNull(again.failure);
        assertTrue(again.channel != first && again.channel.isOpen());
        assertEquals(2, rtc.offers);
    }

    @Test
    void anAnswerThatNeverComesTimesOutOnBothSides() {
        rtc.mute = true;
        Dial d = a.dial(b.info());
        await(d::done, 30_000, "A's dial");
        assertEquals("cannot reach " + b.info() + ": introduction to " + b.id().shortHex() + " timed out", d.failure);
        sched.advance(1000);
        assertTrue(b.events.contains("introduction from " + a.id().shortHex() + " failed: timed out"),
                b.events.toString());
        // B's answering slot is free again, and A may try again.
        rtc.mute = false;
        Dial again = a.dial(b.info());
        await(again::done, 30_000, "A's second dial");
        assertNull(again.failure);
    }

    @Test
    void iceFailureFailsTheDial() {
        rtc.forgetAnswers = true;
        Dial d = a.dial(b.info());
        await(d::done, 30_000, "A's dial");
        assertEquals("cannot reach " + b.info() + ": WebRTC: ICE failed", d.failure);
    }

    @Test
    void aCircuitOverThePeerLinkUsesNtorWithThePagesIdAndOnionKey() {
        // B relays circuits as its router entry says: NODEID = its ID, KEYID = its onion key.
        b.relayCircuits();
        Dial d = a.dial(b.info());
        await(d::done, 30_000, "A's dial");
        assertEquals("built", build(a, d.channel, List.of(b.info()), 10_000));
        // With another onion key than B's, ntor does not complete.
        RelayInfo wrongKey = new RelayInfo("pageB", b.identity(), Ntor.publicKey(random32()),
                List.of(Introductions.address(b.id())), Set.of(), "");
        assertEquals("destroyed by the network: PROTOCOL", build(a, d.channel, List.of(wrongKey), 40_000),
                "B has no such onion key");
    }

    @Test
    void theIdentityMayBeGivenAsIdAndKey() {
        RelayInfo byKey = new RelayInfo("pageB", new RelayIdentity(b.id().bytes(), b.key.publicKey()), b.onionKey,
                List.of(Introductions.address(b.id())), Set.of(), "");
        Dial d = a.dial(byKey);
        await(d::done, 30_000, "A's dial");
        assertNull(d.failure);
        assertEquals(b.identity(), d.channel.peerIdentity());
    }

    @Test
    void aSlowSignerOnTheAnsweringSideStillGetsTheLink() {
        b.signer.delayMillis = 3000; // WebCrypto under load: B's link certificate comes late
        Dial d = a.dial(b.info());
        await(d::done, 40_000, "A's dial");
        assertNull(d.failure, "dial failed");
        assertTrue(d.channel.isOpen());
        assertNotNull(b.peerLinkTo(a));
    }

    private static final String WRONG_BINDING_CLOSE = "protocol error: " + PeerCert.WRONG_BINDING;

    /** The link A got (or the close reason its handshake ended with) when the dial fails. */
    private void expectWrongBinding(Dial d) {
        await(d::done, 40_000, "A's dial");
        assertNull(d.channel, "a man in the middle got a link");
        assertEquals("link to " + b.identity().fingerprint().substring(0, 8) + " failed: " + WRONG_BINDING_CLOSE,
                d.failure);
        assertNull(a.peerLinkTo(b));
        assertNull(b.peerLinkTo(a));
        assertEquals(1, a.svc.stats().peerCertsRefused);
        assertTrue(a.events.contains("peer link refused: " + PeerCert.WRONG_BINDING), a.events.toString());
    }

    @Test
    void aBridgeRewritingBothFingerprintsCannotSitInTheMiddle() {
        byte[] mitmFp = random32();
        bridge.toPages = data -> rewriteFingerprints(data, mitmFp);
        rtc.mitm = true; // it terminates DTLS on both sides with a certificate of that fingerprint
        Dial d = a.dial(b.info());
        expectWrongBinding(d);
        assertEquals(2, bridge.svc.stats().introductionsRelayed);
    }

    @Test
    void aBridgeRewritingOnlyTheOfferCannotSitInTheMiddle() {
        byte[] mitmFp = random32();
        bridge.toPages = data -> {
            String s = new String(data, StandardCharsets.ISO_8859_1);
            // Only the INTRODUCE to B (setup:actpass is the offer), not B's answer to A.
            return s.contains("a=setup:actpass") ? rewriteFingerprints(data, mitmFp) : data;
        };
        rtc.mitm = true;
        Dial d = a.dial(b.info());
        expectWrongBinding(d);
    }

    /**
     * The real sha-256 fingerprint moved to session level, and a media-level sha-512 one of the man in the
     * middle's certificate under the m= line: WebRTC checks DTLS against the media-level one.
     */
    private UnaryOperator<String> addMediaLevelSha512(byte[] mitmCert64) {
        return sdp -> {
            int i = sdp.indexOf("a=fingerprint:sha-256 ");
            String line = sdp.substring(i, i + 22 + 95);
            String without = sdp.replace(line + "\r\n", "");
            return without.replace("t=0 0\r\n", "t=0 0\r\n" + line + "\r\n")
                    .replace("a=ice-options:trickle\r\n", "a=ice-options:trickle\r\na=fingerprint:sha-512 "
                            + SdpTest.colons(mitmCert64) + "\r\n");
        };
    }

    @Test
    void aBridgeAddingAFingerprintOfAnotherHashIsRefused() {
        byte[] mitm = Bytes.concat(random32(), random32());
        UnaryOperator<String> rewrite = addMediaLevelSha512(mitm);
        bridge.toPages = data -> rewriteDescription(data, rewrite);
        rtc.mitm = true; // the browsers would accept the man in the middle's certificate (the sha-512 one)
        Dial d = a.dial(b.info());
        await(d::done, 40_000, "A's dial");
        assertNull(d.channel, "a man in the middle got a link");
        assertEquals("cannot reach " + b.info() + ": the bridge could not introduce us to " + b.id().shortHex()
                + ": bad offer", d.failure);
        assertEquals(0, rtc.answers);
    }

    @Test
    void aBridgeAddingAFingerprintOfAnotherHashToTheAnswerIsRefused() {
        byte[] mitm = Bytes.concat(random32(), random32());
        UnaryOperator<String> rewrite = addMediaLevelSha512(mitm);
        bridge.toPages = data -> rewriteDescription(data,
                sdp -> sdp.contains("a=setup:active") ? rewrite.apply(sdp) : sdp);
        rtc.mitm = true;
        Dial d = a.dial(b.info());
        await(d::done, 40_000, "A's dial");
        assertNull(d.channel, "a man in the middle got a link");
        assertEquals("cannot reach " + b.info() + ": bad answer from " + b.id().shortHex() + ": " + Sdp.OTHER_HASH,
                d.failure);
    }

    @Test
    void withoutAManInTheMiddleARewrittenFingerprintFailsInDtls() {
        byte[] otherFp = random32();
        bridge.toPages = data -> rewriteFingerprints(data, otherFp);
        Dial d = a.dial(b.info());
        await(d::done, 40_000, "A's dial");
        assertEquals("cannot reach " + b.info() + ": WebRTC: DTLS certificate does not match the fingerprint",
                d.failure);
    }

    @Test
    void aThirdPartyWithItsOwnCertificateGetsWrongBinding() {
        // The connection reaches C, who signs over its own DTLS fingerprint and A's (it saw the offer).
        Page c = new Page("pageC");
        byte[][] aFp = new byte[1][];
        rtc.thirdParty = t -> {
            byte[] cFp = random32();
            PeerCert cert = PeerCert.sign(c.key, c.onionKey, cFp, aFp[0], sched.epochSeconds() + 600);
            c.node.links().acceptPeer(t, new PeerLinkAuth(cert, cFp, aFp[0]));
        };
        bridge.toPages = data -> {
            String s = new String(data, StandardCharsets.ISO_8859_1);
            int i = s.indexOf("a=fingerprint:sha-256 ");
            if (i >= 0 && s.contains("a=setup:actpass")) {
                aFp[0] = Sdp.fingerprint(s.substring(i, i + 22 + 95));
            }
            return data;
        };
        Dial d = a.dial(b.info());
        expectWrongBinding(d);
    }

    @Test
    void aPeerWithAValidCertificateForAnotherIdIsRefused() {
        // The answering side presents a certificate over exactly this connection, but under another key (B
        // answering as C, or whoever has B's DTLS certificate): its binding is right, its ID is not B's.
        Ed25519.KeyPair other = Ed25519.fromSeed(random32());
        Dial d = dialWithAnsweringCert((aFp, bFp) -> PeerCert.sign(other, random32(), bFp, aFp,
                sched.epochSeconds() + 600));
        String otherFp = Bytes.hex(NodeId.ofKey(PeerCert.spkiOf(other.publicKey())).bytes()).toUpperCase();
        assertEquals("link to " + b.identity().fingerprint().substring(0, 8) + " failed: protocol error: peer is "
                + otherFp + ", expected " + b.identity().fingerprint(), d.failure);
        assertNull(a.peerLinkTo(b));
        assertEquals(1, a.svc.stats().peerCertsRefused);
    }

    /** The answering end presents {@code cert(aFp, bFp)} (B's key, this connection's fingerprints). */
    private Dial dialWithAnsweringCert(java.util.function.BiFunction<byte[], byte[], PeerCert> cert) {
        byte[][] fps = new byte[2][];
        rtc.thirdParty = t -> b.node.links().acceptPeer(t,
                new PeerLinkAuth(cert.apply(fps[0], fps[1]), fps[1], fps[0]));
        bridge.toPages = data -> {
            String s = new String(data, StandardCharsets.ISO_8859_1);
            int i = s.indexOf("a=fingerprint:sha-256 ");
            if (i >= 0) {
                fps[s.contains("a=setup:actpass") ? 0 : 1] = Sdp.fingerprint(s.substring(i, i + 22 + 95));
            }
            return data;
        };
        Dial d = a.dial(b.info());
        await(d::done, 40_000, "A's dial");
        return d;
    }

    @Test
    void theRightCertificateWorksThroughTheSameHarness() {
        Dial d = dialWithAnsweringCert((aFp, bFp) -> PeerCert.sign(b.key, b.onionKey, bFp, aFp,
                sched.epochSeconds() + 60));
        assertNull(d.failure);
        assertEquals(b.identity(), d.channel.peerIdentity());
    }

    @Test
    void anExpiredLinkCertificateIsRefused() {
        Dial d = dialWithAnsweringCert((aFp, bFp) -> PeerCert.sign(b.key, b.onionKey, bFp, aFp,
                sched.epochSeconds() - 1));
        assertEquals("link to " + b.identity().fingerprint().substring(0, 8) + " failed: protocol error: "
                + PeerCert.EXPIRED, d.failure);
        assertEquals(1, a.svc.stats().peerCertsRefused);
    }

    @Test
    void aLinkCertificateThatDoesNotVerifyIsRefused() {
        Dial d = dialWithAnsweringCert((aFp, bFp) -> {
            byte[] enc = PeerCert.sign(b.key, b.onionKey, bFp, aFp, sched.epochSeconds() + 60).encode();
            enc[1 + 32] ^= 1; // the onion key: someone else's for ntor
            return PeerCert.decode(enc);
        });
        assertEquals("link to " + b.identity().fingerprint().substring(0, 8) + " failed: protocol error: "
                + PeerCert.BAD_SIGNATURE, d.failure);
    }

    @Test
    void aRouterEntryIsNoLinkCertificate() {
        Dial d = dialWithAnsweringCert((aFp, bFp) -> b.routerCert);
        assertEquals("link to " + b.identity().fingerprint().substring(0, 8) + " failed: protocol error: "
                + PeerCert.WRONG_BINDING, d.failure);
    }

    @Test
    void aSlowSignerOnTheOfferingSideStillGetsTheLink() {
        a.signer.delayMillis = 3000;
        Dial d = a.dial(b.info());
        await(d::done, 40_000, "A's dial");
        assertNull(d.failure, "dial failed");
        assertNotNull(b.peerLinkTo(a));
    }

    @Test
    void expectingAnotherIdentityAtBsAddressIsRefused() {
        // A contact that names B's address under C's identity: B proves B, which is not what A expects.
        Page c = new Page("pageC");
        RelayInfo lie = new RelayInfo("pageC", c.identity(), c.onionKey, List.of(Introductions.address(b.id())),
                Set.of(), "");
        Dial d = a.dial(lie);
        await(d::done, 40_000, "A's dial");
        assertEquals("link to " + c.identity().fingerprint().substring(0, 8) + " failed: protocol error: peer is "
                + b.identity().fingerprint() + ", expected " + c.identity().fingerprint(), d.failure);
        assertNull(a.peerLinkTo(b));
    }

    @Test
    void introducingAnUnknownPeerFails() {
        Page c = new Page("pageC"); // never joined the bridge
        Dial d = a.dial(c.info());
        await(d::done, 30_000, "A's dial");
        assertEquals("cannot reach " + c.info() + ": the bridge could not introduce us to " + c.id().shortHex()
                + ": unknown peer", d.failure);
        assertEquals(1, a.svc.stats().introductionsFailed);
        assertEquals(0, bridge.svc.stats().introductionsRelayed);
        assertEquals(0, rtc.answers);
        // The failed introduction is forgotten: A may try again (and fails the same way).
        Dial again = a.dial(c.info());
        await(again::done, 30_000, "A's second dial");
        assertEquals(d.failure, again.failure);
    }

    @Test
    void anIntroduceFloodFromOneLinkIsRateLimited() {
        Page c = new Page("pageC");
        c.join();
        sched.advance(2000); // a fresh rate window for everyone
        long limitedBefore = bridge.svc.stats().rateLimited;
        // A floods INTRODUCE for B (well-formed offers from sessions that will never connect).
        int flood = 30;
        for (int i = 0; i < flood; i++) {
            String offer = SdpTest.chromium(true, 1_000_000 + i, random32(), "\r\n");
            a.bridgeLink.sendLinkMessage(PeerMessage.introduce(b.id(), offer).encode());
        }
        // In the same second, C asks for B.
        Dial d = c.dial(b.info());
        await(d::done, 40_000, "C's dial");
        long limit = bridge.svc.limits().introducePerSecond;
        assertEquals(flood - limit, bridge.svc.stats().rateLimited - limitedBefore, "A's excess is refused");
        assertNull(d.failure, "C is introduced to B despite A's flood");
        assertTrue(d.channel.isOpen());
        assertEquals(b.identity(), d.channel.peerIdentity());
        assertTrue(a.bridgeLink.isOpen());
        assertEquals(0, b.svc.stats().rateLimited, "B limits what its bridge relays per asker");
        // Each of A's INTRODUCEs that reached B replaced the one before: A held one of B's answering slots.
        String superseded = "introduction from " + a.id().shortHex() + " failed: superseded by a newer introduction";
        assertEquals(limit - 1, b.events.stream().filter(superseded::equals).count(), b.events.toString());
        assertEquals(limit + 1, rtc.answers, "B answered A's 5 and C's 1");
        // A second later A may ask again.
        sched.advance(1000);
        long limited = bridge.svc.stats().rateLimited;
        a.bridgeLink.sendLinkMessage(PeerMessage.introduce(b.id(), SdpTest.chromium(true, 7, random32(), "\n"))
                .encode());
        sched.runUntilIdle();
        assertEquals(limited, bridge.svc.stats().rateLimited);
    }

    @Test
    void aPageAnswersMoreAskersThanOneAskerMayAsk() {
        // Seven pages ask for B in the same second: B answers each (four links, the rest "busy") and the
        // bridge passes every answer on, although B sends more than introducePerSecond of them.
        List<Page> askers = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Page p = new Page("asker" + i);
            p.join();
            askers.add(p);
        }
        sched.advance(2000);
        List<Dial> dials = new ArrayList<>();
        for (Page p : askers) {
            dials.add(p.dial(b.info()));
        }
        await(() -> dials.stream().allMatch(Dial::done), 3000, "every asker hears back");
        int linked = 0;
        for (int i = 0; i < dials.size(); i++) {
            Dial d = dials.get(i);
            if (d.channel != null) {
                linked++;
            } else {
                assertEquals("cannot reach " + b.info() + ": the bridge could not introduce us to " + b.id().shortHex()
                        + ": busy", d.failure);
            }
        }
        assertTrue(linked >= 4, linked + " linked");
        assertEquals(0, bridge.svc.stats().rateLimited);
    }

    @Test
    void aPageLimitsWhatItsBridgeRelaysPerAsker() {
        // A bridge (here: one that does not limit) passing one asker's flood: the page answers that asker
        // introducePerSecond times a second, and still hears from the others.
        bridge.svc.limits().introducePerSecond = 1000;
        Page c = new Page("pageC");
        c.join();
        sched.advance(2000);
        for (int i = 0; i < 30; i++) {
            a.bridgeLink.sendLinkMessage(PeerMessage.introduce(b.id(), SdpTest.chromium(true, 5_000 + i, random32(),
                    "\r\n")).encode());
        }
        Dial d = c.dial(b.info());
        await(d::done, 40_000, "C's dial");
        assertNull(d.failure);
        assertEquals(30 - b.svc.limits().introducePerSecond, b.svc.stats().rateLimited);
    }

    @Test
    void aPageTracksABoundedNumberOfAskers() {
        Channel bridgeSide = bridgeSideOf(a);
        sched.advance(2000);
        long limited = a.svc.stats().rateLimited;
        // INTRODUCE_FAILED "from" as many peers as the page keeps windows for, in one second: all taken.
        for (int i = 0; i < PeerService.MAX_RELAYED_WINDOWS; i++) {
            bridgeSide.sendLinkMessage(PeerMessage.introduceFailed(NodeId.random(rnd), "busy").encode());
        }
        sched.runUntilIdle();
        assertEquals(limited, a.svc.stats().rateLimited);
        // One more asker in the same second is refused; a second later the stale windows make room.
        bridgeSide.sendLinkMessage(PeerMessage.introduceFailed(NodeId.random(rnd), "busy").encode());
        sched.runUntilIdle();
        assertEquals(limited + 1, a.svc.stats().rateLimited);
        sched.advance(1000);
        bridgeSide.sendLinkMessage(PeerMessage.introduceFailed(NodeId.random(rnd), "busy").encode());
        sched.runUntilIdle();
        assertEquals(limited + 1, a.svc.stats().rateLimited);
        assertTrue(a.bridgeLink.isOpen());
    }

    private Channel bridgeSideOf(Page p) {
        for (Channel ch : bridge.node.links().channels()) {
            if (p.id().equals(bridge.svc.idOf(ch))) {
                return ch;
            }
        }
        throw new AssertionError("no bridge link of " + p.name);
    }

    @Test
    void garbageLinkMessagesAreCountedAndTheLinkStays() {
        long before = bridge.svc.stats().malformed;
        a.bridgeLink.sendLinkMessage(new byte[0]);
        a.bridgeLink.sendLinkMessage(new byte[] {9});
        a.bridgeLink.sendLinkMessage(new byte[] {(byte) PeerMessage.REGISTER, 1, 2, 3});
        byte[] intro = PeerMessage.introduce(b.id(), "x").encode();
        a.bridgeLink.sendLinkMessage(Bytes.concat(intro, new byte[] {0})); // trailing byte
        sched.runUntilIdle();
        assertEquals(before + 4, bridge.svc.stats().malformed);
        assertTrue(a.bridgeLink.isOpen());
        // A REGISTER that does not verify is refused, not taken.
        long refused = bridge.svc.stats().refused;
        sched.advance(1000);
        PeerCert bad = PeerCert.sign(a.key, a.onionKey, null, random32(), sched.epochSeconds() + 60);
        a.bridgeLink.sendLinkMessage(PeerMessage.register(bad).encode());
        sched.runUntilIdle();
        assertEquals(refused + 1, bridge.svc.stats().refused);
        // Garbage the other way, from the bridge to a page, too.
        long pageBefore = a.svc.stats().malformed;
        Channel bridgeSide = null;
        for (Channel ch : bridge.node.links().channels()) {
            if (a.id().equals(bridge.svc.idOf(ch))) {
                bridgeSide = ch;
            }
        }
        assertNotNull(bridgeSide);
        bridgeSide.sendLinkMessage(new byte[] {(byte) PeerMessage.INTRODUCED, 0});
        sched.runUntilIdle();
        assertEquals(pageBefore + 1, a.svc.stats().malformed);
        assertTrue(a.bridgeLink.isOpen() && bridgeSide.isOpen());
        // And everything still works.
        Dial d = a.dial(b.info());
        await(d::done, 30_000, "A's dial");
        assertNull(d.failure);
    }

    @Test
    void dhtOverLinksFindsBWithItsRouterEntry() {
        // Every node started its DHT with its router entry; the pages bootstrapped through the bridge as they
        // joined (B after A: A learns of B only by looking).
        Bridge br = bridge;
        assertTrue(br.svc.dht().table().size() >= 2, "the bridge knows both pages");
        LookupResult[] found = new LookupResult[1];
        a.svc.dht().findNode(b.id(), r -> found[0] = r);
        await(() -> found[0] != null, 30_000, "A's lookup");
        Contact bc = null;
        for (Contact c : found[0].closest()) {
            if (c.id().equals(b.id())) {
                bc = c;
            }
        }
        assertNotNull(bc, "A found B: " + found[0]);
        assertArrayEquals(b.routerCert.encode(), bc.router());
        PeerCert router = PeerCert.decode(bc.router());
        assertEquals(b.id(), router.verify(null, null, sched.epochSeconds()));
        assertArrayEquals(b.onionKey, router.onionKey());
        assertEquals(BRIDGE_ADDRESS, bc.bridge());
        assertTrue(br.svc.stats().dhtRelayed > 0, "pages talk through the bridge");
        // From the contact alone A can dial B.
        RelayInfo fromDht = new RelayInfo("found", PeerLinkAuth.identityOf(router), router.onionKey(),
                List.of(Introductions.address(bc.id())), Set.of(), "");
        Dial d = a.dial(fromDht);
        await(d::done, 30_000, "A's dial");
        assertNull(d.failure);
        // Over the peer link, DHT messages go directly, not through the bridge.
        long viaBridge = br.svc.stats().dhtRelayed;
        boolean[] pong = new boolean[1];
        a.svc.dht().ping(bc, ok -> pong[0] = ok);
        await(() -> pong[0], 5000, "B's pong");
        assertEquals(viaBridge, br.svc.stats().dhtRelayed);
    }

}
