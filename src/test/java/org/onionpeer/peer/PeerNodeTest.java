package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.node.OnionProxy;

/**
 * A page as a member of the peer network ({@link PeerNode}) on the JVM: it links to its bridge and
 * registers, relinks by itself when the link drops, learns peers from the DHT, and offers a peer as a first
 * hop only once it has known it long enough.
 */
class PeerNodeTest extends PeerNet {
    Page b;
    Page c;

    /** A page running a PeerNode (its own proxy over the bridge's directory, never started: no circuits). */
    final class NodePage {
        final Page page;
        final PeerNode node;

        NodePage(String name, PeerNode.Limits limits) {
            page = new Page(name);
            long now = sched.epochSeconds();
            Directory d = Directory.sign(List.of(bridge.info), now - 60, now + 86400, Ed25519.fromSeed(random32()));
            OnionProxy proxy = new OnionProxy(page.node, new BcRelayPrimitives(), d, new OnionProxy.Options());
            node = new PeerNode(page.node, proxy, page.svc, new BcRelayPrimitives(), page.onion, page.routerCert,
                    limits);
            node.start();
            await(() -> node.state().equals("in the peer network"), 30_000, name + " joins");
        }
    }

    @BeforeEach
    void network() throws Exception {
        bridge = new Bridge();
        b = new Page("pageB");
        c = new Page("pageC");
        b.join();
        c.join();
    }

    @Test
    void itRelinksToItsBridgeWhenTheLinkDrops() {
        NodePage a = new NodePage("pageA", null);
        assertEquals(3, bridge.svc.registeredCount());
        Channel link = a.page.svc.bridgeLink();
        assertNotNull(link);
        link.close("the bridge restarted");
        assertTrue(a.node.state().startsWith("bridge link lost: "), a.node.state());
        await(() -> a.node.state().equals("in the peer network"), 30_000, "A relinks");
        assertEquals(3, bridge.svc.registeredCount());
        assertTrue(a.page.svc.bridgeLink() != link);
    }

    @Test
    void aPeerBecomesAFirstHopOnlyOnceKnownLongEnough() {
        PeerNode.Limits l = new PeerNode.Limits();
        l.firstHopMinAgeMillis = 60_000;
        NodePage a = new NodePage("pageA", l);
        await(() -> a.node.knownPeers().size() >= 2, 30_000, "A learns B and C from the DHT");
        OnionProxy.PeerHops hops = a.node.hops();
        assertEquals(2, hops.peers(2, new HashSet<>()).size(), "both are middle hops at once");
        assertNull(hops.firstHop(new HashSet<>()), "neither is a first hop yet");
        sched.advance(30_000);
        a.node.knownPeers(); // nothing new: ages only grow
        assertNull(hops.firstHop(new HashSet<>()));
        sched.advance(31_000);
        RelayInfo first = hops.firstHop(new HashSet<>());
        assertNotNull(first, "a minute later, one is");
        HashSet<String> exclude = new HashSet<>();
        for (RelayInfo r : a.node.knownPeers()) {
            exclude.add(r.identity().fingerprint());
        }
        assertNull(hops.firstHop(exclude), "excluded ones are not offered");
        // A peer whose link to us closed left: its age starts again if it comes back.
        Dial d = a.page.dial(first);
        await(d::done, 30_000, "A links to its first hop");
        assertNull(d.failure);
        d.channel.close("the tab closed");
        sched.runUntilIdle();
        assertTrue(a.node.knownPeers().stream().noneMatch(r -> r.identity().equals(first.identity())),
                "not offered for a while after it left");
    }

    @Test
    void aPeerTheBridgeNoLongerKnowsIsNotOfferedAgain() {
        NodePage a = new NodePage("pageA", null);
        await(() -> a.node.knownPeers().size() >= 2, 30_000, "A learns B and C from the DHT");
        RelayInfo cInfo = null;
        for (RelayInfo r : a.node.knownPeers()) {
            if (r.identity().equals(c.identity())) {
                cInfo = r;
            }
        }
        assertNotNull(cInfo, "A knows C");
        c.bridgeLink.close("C's tab closed");
        sched.runUntilIdle();
        Dial d = a.page.dial(cInfo);
        await(d::done, 30_000, "A's dial to C");
        assertTrue(d.failure.endsWith(": unknown peer"), d.failure);
        assertTrue(a.node.knownPeers().stream().noneMatch(r -> r.identity().equals(c.identity())),
                "C, gone, is not offered as a hop");
    }

    @Test
    void withNoMinimumAgeAnyKnownPeerIsAFirstHop() {
        NodePage a = new NodePage("pageA", null);
        a.node.setFirstHopMinAge(0);
        await(() -> a.node.knownPeers().size() >= 2, 30_000, "A learns B and C from the DHT");
        assertNotNull(a.node.hops().firstHop(new HashSet<>()));
    }

    @Test
    void aRelayRateIsSetAndRelayingCanStop() {
        NodePage a = new NodePage("pageA", null);
        assertEquals(8L << 20, a.node.router().pacer().rate());
        a.node.setRelayRate(1_000_000);
        assertEquals(1_000_000, a.node.router().pacer().rate());
        a.node.setRelayRate(1);
        assertEquals(8 * 514, a.node.router().pacer().rate(), "at least 8 cells' worth");
        assertTrue(a.node.isRelaying());
        a.node.setRelaying(false);
        assertTrue(!a.node.isRelaying());
    }
}
