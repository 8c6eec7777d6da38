package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.circuit.ScriptedRelay;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.testing.ManualScheduler;

/**
 * Paths with peers: the first hop is a long-lived peer or else a relay we may take first (a page: its
 * bridge), the middle hops are peers, the exit a relay of the directory; with too few peers, no peer path.
 */
class PeerPathTest {
    private static final java.security.SecureRandom RND = new java.security.SecureRandom();

    private final ManualScheduler sched = new ManualScheduler();
    private final ScriptedRelay relay = new ScriptedRelay(sched, 2); // guard, middle1, exit
    private final Node node = new Node(sched, RND::nextBytes, relay.dialer(false), null);
    private final List<RelayInfo> peers = new ArrayList<>();
    private final List<RelayInfo> longLived = new ArrayList<>();

    static RelayInfo peer(String name) {
        byte[] rsa = new byte[20];
        RND.nextBytes(rsa);
        return new RelayInfo(name, RelayIdentity.rsaOnly(rsa), new byte[32],
                List.of("webrtc:" + org.onionpeer.bytes.Bytes.hex(rsa)),
                Set.of(), "reject *:*");
    }

    private OnionProxy proxy() {
        OnionProxy.Options o = new OnionProxy.Options();
        o.firstHopFilter = r -> r.nickname().equals("guard"); // a page: only its bridge is a first hop
        o.peerHops = new OnionProxy.PeerHops() {
            @Override
            public List<RelayInfo> peers(int n, Set<String> exclude) {
                List<RelayInfo> out = new ArrayList<>();
                for (RelayInfo p : peers) {
                    if (out.size() < n && !exclude.contains(p.identity().fingerprint())) {
                        out.add(p);
                    }
                }
                return out;
            }

            @Override
            public RelayInfo firstHop(Set<String> exclude) {
                for (RelayInfo p : longLived) {
                    if (!exclude.contains(p.identity().fingerprint())) {
                        return p;
                    }
                }
                return null;
            }
        };
        long now = sched.epochSeconds();
        Directory d = Directory.sign(relay.relayInfos(), now - 60, now + 86400, Ed25519.generate(RND));
        OnionProxy p = new OnionProxy(node, new BcRelayPrimitives(), d, o);
        p.setPreferPeers(true);
        return p;
    }

    private static List<String> names(List<RelayInfo> path) {
        List<String> n = new ArrayList<>();
        for (RelayInfo r : path) {
            n.add(r.nickname());
        }
        return n;
    }

    @Test
    void withoutALongLivedPeerTheBridgeIsTheFirstHopAndAPeerTheMiddle() {
        peers.add(peer("pageB"));
        OnionProxy p = proxy();
        assertTrue(p.peersEnough());
        assertEquals(List.of("guard", "pageB", "exit"), names(p.paths().choosePath("example.com", 443)));
    }

    @Test
    void aLongLivedPeerIsTheFirstHopAndANewOneTheMiddle() {
        RelayInfo b = peer("pageB");
        RelayInfo c = peer("pageC");
        peers.add(b);
        peers.add(c);
        longLived.add(b);
        OnionProxy p = proxy();
        for (int i = 0; i < 20; i++) {
            assertEquals(List.of("pageB", "pageC", "exit"), names(p.paths().choosePath("example.com", 443)));
        }
    }

    @Test
    void aNewPeerIsNeverTheFirstHop() {
        peers.add(peer("pageB"));
        peers.add(peer("pageC"));
        OnionProxy p = proxy();
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            firsts.add(p.paths().choosePath("example.com", 443).get(0).nickname());
        }
        assertEquals(Set.of("guard"), firsts);
    }

    @Test
    void aPeerThatCannotBeExtendedToIsLeftAloneAndDirectoryPathsServe() {
        peers.add(peer("pageGone")); // known from the DHT, but its tab closed: the guard cannot reach it
        OnionProxy p = proxy();
        List<List<String>> built = new ArrayList<>();
        p.setListener(new OnionProxy.Listener() {
            @Override
            public void circuitBuilt(int circuit, List<String> nicknames) {
                built.add(nicknames);
            }

        });
        p.start();
        for (int i = 0; i < 200 && built.isEmpty(); i++) {
            sched.advance(100);
        }
        assertTrue(relay.violations.contains("EXTEND2 to an unknown relay"), "the guard was asked for the peer");
        assertTrue(!built.isEmpty(), "a circuit was built after the failed extend");
        assertEquals(List.of("guard", "middle1", "exit"), built.get(0), "without the gone peer: the directory's");
        for (int i = 0; i < 20; i++) {
            assertTrue(!names(p.paths().choosePath("example.com", 443)).contains("pageGone"));
        }
    }

    @Test
    void circuitsBuiltBeforePeersWereKnownGiveWayOnceTheyAre() {
        OnionProxy p = proxy();
        List<List<String>> built = new ArrayList<>();
        p.setListener(new OnionProxy.Listener() {
            @Override
            public void circuitBuilt(int circuit, List<String> nicknames) {
                built.add(nicknames);
            }
        });
        p.start();
        for (int i = 0; i < 100 && built.size() < 2; i++) {
            sched.advance(100);
        }
        assertEquals(2, built.size(), "the pool was filled from the directory: " + built);
        longLived.add(peer("pageB"));
        peers.add(longLived.get(0));
        peers.add(peer("pageC"));
        p.peersChanged();
        assertEquals(0, p.openCircuits(), "the idle directory circuits were closed for circuits through peers");
    }

    @Test
    void withoutPeersThereIsNoPeerPathAndDirectoryPathsAreUsed() {
        OnionProxy p = proxy();
        assertTrue(!p.peersEnough());
        List<RelayInfo> path = p.paths().choosePath("example.com", 443);
        assertEquals("guard", path.get(0).nickname());
        for (RelayInfo r : path) {
            assertTrue(!OnionProxy.isPeer(r), "no peer in " + names(path));
        }
        p.setPreferPeers(false);
        peers.add(peer("pageB"));
        for (RelayInfo r : p.paths().choosePath("example.com", 443)) {
            assertTrue(!OnionProxy.isPeer(r), "peers not preferred: none used");
        }
    }
}
