package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.LookupResult;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;

/**
 * Bridges joined with {@code --join} run one peer network: a page of one bridge finds a page of the other in
 * the DHT and is introduced to it, the two bridges passing what is for each other's pages (RELAY), and each
 * knowing the other's pages (PRESENT / ABSENT).
 */
class FederationTest extends PeerNet {
    static final BridgeAddress ADDRESS_2 = BridgeAddress.of("bridge2.example.org", 8443);

    Bridge bridge2;
    Page a;
    Page d;

    @BeforeEach
    void network() throws Exception {
        bridge = new Bridge();
        bridge2 = new Bridge("bridge2", ADDRESS_2);
        assertNull(bridge2.join(bridge));
        a = new Page("pageA", bridge);
        d = new Page("pageD", bridge2);
        a.join();
        d.join();
    }

    @Test
    void eachBridgeKnowsTheOthersPages() throws Exception {
        assertEquals(1, bridge.svc.federatedBridges());
        assertEquals(1, bridge2.svc.federatedBridges());
        await(() -> bridge.svc.remotePages() == 1 && bridge2.svc.remotePages() == 1, 5000, "PRESENT both ways");
        // A page that registers later is announced; one that leaves is withdrawn.
        Page e = new Page("pageE", bridge2);
        e.join();
        await(() -> bridge.svc.remotePages() == 2, 5000, "E announced");
        e.bridgeLink.close("tab closed");
        await(() -> bridge.svc.remotePages() == 1, 5000, "E withdrawn");
        // Pages registered before the federation link opened are told when it opens.
        Bridge bridge3 = new Bridge("bridge3", BridgeAddress.of("bridge3.example.org", 443));
        Page f = new Page("pageF", bridge3);
        f.join();
        assertNull(bridge3.join(bridge));
        await(() -> bridge.svc.remotePages() == 2 && bridge3.svc.remotePages() == 1, 5000, "bridge3's pages");
    }

    @Test
    void aPageOfOneBridgeFindsAndLinksToAPageOfTheOther() {
        LookupResult[] found = new LookupResult[1];
        a.svc.dht().findNode(d.id(), r -> found[0] = r);
        await(() -> found[0] != null, 30_000, "A's lookup");
        Contact dc = null;
        for (Contact c : found[0].closest()) {
            if (c.id().equals(d.id())) {
                dc = c;
            }
        }
        assertNotNull(dc, "A found D through the federated DHT: " + found[0]);
        assertEquals(ADDRESS_2, dc.bridge());
        assertTrue(bridge.svc.stats().federated > 0, "bridge 1 handed messages to bridge 2");
        PeerCert router = PeerCert.decode(dc.router());
        assertEquals(d.id(), router.verify(null, null, sched.epochSeconds()));
        RelayInfo fromDht = new RelayInfo("found", PeerLinkAuth.identityOf(router), router.onionKey(),
                List.of(Introductions.address(dc.id())), Set.of(), "");
        long introducedBefore = bridge.svc.stats().introductionsRelayed;
        Dial link = a.dial(fromDht);
        await(link::done, 30_000, "A's dial to D");
        assertNull(link.failure);
        assertEquals(d.identity(), link.channel.peerIdentity());
        Channel back = d.peerLinkTo(a);
        assertNotNull(back, "D sees A over the peer link");
        assertTrue(bridge.svc.stats().introductionsRelayed > introducedBefore);
        assertTrue(bridge2.svc.stats().introductionsRelayed > 0);
    }

    @Test
    void anUnknownPeerFailsAtOnceAndAFederationLinkThatClosesForgetsItsPages() {
        Page ghost = new Page("ghost", bridge2); // never registered anywhere
        Dial g = a.dial(ghost.info());
        await(g::done, 5000, "A's dial to an unknown page");
        assertEquals("cannot reach " + ghost.info() + ": the bridge could not introduce us to "
                + ghost.id().shortHex() + ": unknown peer", g.failure);

        await(() -> bridge.svc.remotePages() == 1, 5000, "PRESENT");
        Channel fed = bridge2.node.links().channelTo(bridge.keys.identity());
        assertNotNull(fed, "bridge 2's link to bridge 1");
        fed.close("bridge 2 restarts");
        await(() -> bridge.svc.federatedBridges() == 0 && bridge.svc.remotePages() == 0, 5000, "forgotten");
        Dial after = a.dial(d.info());
        await(after::done, 5000, "A's dial after the federation link closed");
        assertEquals("cannot reach " + d.info() + ": the bridge could not introduce us to " + d.id().shortHex()
                + ": unknown peer", after.failure);
        // Joining again restores it.
        assertNull(bridge2.join(bridge));
        await(() -> bridge.svc.remotePages() == 1, 5000, "PRESENT again");
        Dial again = a.dial(d.info());
        await(again::done, 30_000, "A's dial after the bridges joined again");
        assertNull(again.failure);
    }

    @Test
    void aPageCannotSpeakForABridge() {
        long refused = bridge.svc.stats().refused;
        // A page claiming pages of its own (to draw their introductions) is not a federated bridge.
        a.bridgeLink.sendLinkMessage(PeerMessage.present(List.of(d.id(), a.id())).encode());
        // A page's RELAY is from that page, whatever its inner message says.
        a.bridgeLink.sendLinkMessage(PeerMessage.relay(d.id(),
                PeerMessage.introduceFailed(bridge2.svc.id(), "forged")).encode());
        await(() -> bridge.svc.stats().refused == refused + 1, 5000, "the PRESENT refused");
        Page e = new Page("pageE", bridge);
        e.join();
        Dial ok = e.dial(a.info());
        await(ok::done, 30_000, "E's dial to A");
        assertNull(ok.failure, "routing to A unchanged");
        assertArrayEquals(a.id().bytes(), ok.channel.peerIdentity().rsaIdentity());
    }
}
