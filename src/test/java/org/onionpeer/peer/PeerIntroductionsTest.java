package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Introductions through a peer linked to both sides: with its bridge gone, A still links to C through B (A
 * and C both linked to B); the answer counts only from the way A asked; a peer not linked to C says so.
 */
class PeerIntroductionsTest extends PeerNet {
    Page a;
    Page b;
    Page c;

    @BeforeEach
    void network() throws Exception {
        bridge = new Bridge();
        a = new Page("pageA");
        b = new Page("pageB");
        c = new Page("pageC");
        a.join();
        b.join();
        c.join();
        Dial ab = a.dial(b.info());
        Dial cb = c.dial(b.info());
        await(() -> ab.done() && cb.done(), 30_000, "A-B and C-B links");
        assertNull(ab.failure);
        assertNull(cb.failure);
    }

    @Test
    void withoutItsBridgeAPageIsIntroducedThroughAPeerLinkedToBoth() {
        a.bridgeLink.close("the bridge went away");
        await(() -> a.svc.bridgeLink() == null, 5000, "A lost its bridge");
        long relayedByBridge = bridge.svc.stats().introductionsRelayed;
        Dial ac = a.dial(c.info());
        await(ac::done, 30_000, "A's dial to C");
        assertNull(ac.failure);
        assertEquals(c.identity(), ac.channel.peerIdentity());
        assertNotNull(c.peerLinkTo(a), "C sees A");
        assertTrue(b.svc.stats().introductionsRelayed >= 2, "B passed the offer and the answer");
        assertEquals(relayedByBridge, bridge.svc.stats().introductionsRelayed, "the bridge had no part in it");
    }

    @Test
    void aPeerNotLinkedToTheTargetSaysSoAndNobodyElseIsLeft() {
        Page d = new Page("pageD");
        d.join(); // known to the bridge only
        a.bridgeLink.close("the bridge went away");
        await(() -> a.svc.bridgeLink() == null, 5000, "A lost its bridge");
        Dial ad = a.dial(d.info());
        await(ad::done, 30_000, "A's dial to D");
        assertEquals("cannot reach " + d.info() + ": the peers we are linked to could not introduce us to "
                + d.id().shortHex() + ": not linked", ad.failure);
    }

    @Test
    void aPageWithNeitherBridgeNorPeersCannotBeIntroduced() {
        Page e = new Page("pageE");
        Dial ed = e.dial(c.info());
        await(ed::done, 5000, "E's dial");
        assertEquals("cannot reach " + c.info() + ": no link to a bridge or a peer to be introduced through",
                ed.failure);
    }

    @Test
    void anAnswerFromAnotherWayThanAskedIsIgnored() {
        long refused = a.svc.stats().refused;
        // B (linked to A) claims to pass on C's answer to an introduction A never asked B for.
        b.peerLinkTo(a).sendLinkMessage(PeerMessage.introduced(c.id(), "v=0\r\n").encode());
        await(() -> a.svc.stats().refused > refused, 5000, "A refuses it");
        assertNull(a.peerLinkTo(c));
    }
}
