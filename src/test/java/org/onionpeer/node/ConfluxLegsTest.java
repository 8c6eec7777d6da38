package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.ConfluxLink;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.circuit.ConfluxSet;
import org.onionpeer.circuit.NtorV3ExitHandshake;
import org.onionpeer.circuit.ScriptedRelay;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.Protover;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.testing.ManualScheduler;

/**
 * The onion proxy's conflux sets against the scripted relay playing an exit that lists Conflux=1 (prop329): a pool
 * circuit gets a second leg, streams wait until the set is linked and then use it, and an exit that never links
 * costs three sets before the proxy goes on without conflux.
 */
class ConfluxLegsTest {
    private static final SecureRandom RND = new SecureRandom();
    private final ManualScheduler sched = new ManualScheduler();
    private final ScriptedRelay relay = new ScriptedRelay(sched, 2);
    private final Node node = new Node(sched, RND::nextBytes, relay.dialer(false), null);
    private final List<String> buildFailures = new ArrayList<>();

    private OnionProxy proxy(String exitProto) {
        List<RelayInfo> relays = new ArrayList<>(relay.relayInfos());
        RelayInfo e = relays.get(relays.size() - 1);
        relays.set(relays.size() - 1, new RelayInfo(e.nickname(), e.identity(), e.ntorKey(), e.addresses(), e.flags(),
                e.exitPolicy(), Protover.parse(exitProto)));
        long now = sched.epochSeconds();
        OnionProxy.Options o = new OnionProxy.Options();
        o.poolSize = 1;
        o.confluxLegs = 2;
        o.conflux = ConfluxLegs.FACTORY;
        o.circuit.congestionControl = NtorV3ExitHandshake.FACTORY;
        o.circuit.buildTimeoutMillis = 5_000;
        OnionProxy p = new OnionProxy(node, new BcRelayPrimitives(),
                Directory.sign(relays, now - 60, now + 86400, Ed25519.generate(RND)), o);
        p.setListener(new OnionProxy.Listener() {
            @Override
            public void buildFailed(String reason) {
                buildFailures.add(reason);
            }
        });
        return p;
    }

    private OnionProxyTest.Opened open(OnionProxy p, String host) {
        OnionProxyTest.Opened o = new OnionProxyTest.Opened();
        p.open(host, 443, o);
        sched.runUntilIdle();
        return o;
    }

    @Test
    void aPoolCircuitToAConfluxExitIsLinkedWithASecondLegAndCarriesTheStream() {
        relay.answerConfluxLink = true;
        OnionProxy p = proxy("FlowCtrl=1-2 Relay=2-4 Conflux=1");
        p.start();
        sched.runUntilIdle();
        assertEquals(2, relay.circuits.size(), "the pool circuit and its second leg");
        List<ConfluxSet> sets = p.confluxSets();
        assertEquals(1, sets.size());
        ConfluxSet set = sets.get(0);
        assertEquals(1, p.circuits().size(), "the second leg is the set's, not the pool's");
        assertSame(set.primary(), p.circuits().get(0));
        OnionProxyTest.Opened o = open(p, "cfx.example");
        assertNotNull(o.stream, o.message);
        assertSame(set.primary(), o.stream.circuit());
        byte[] msg = new byte[5000];
        RND.nextBytes(msg);
        o.stream.send(msg);
        sched.runUntilIdle();
        assertArrayEquals(msg, o.data.toByteArray(), "echoed through the set");
        assertTrue(set.lastSeqDelivered() > 1);
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void streamsWaitForTheLinkAndAnExitThatNeverLinksCostsThreeSetsThenConfluxIsLeftOff() {
        OnionProxy p = proxy("FlowCtrl=1-2 Relay=2-4 Conflux=1");
        p.start();
        sched.runUntilIdle();
        OnionProxyTest.Opened o = open(p, "wait.example");
        assertNull(o.stream, "no stream on a primary whose set is not linked");
        assertEquals(0, relay.begins);
        for (int set = 1; set <= ConfluxLegs.MAX_LINK_FAILURES; set++) {
            assertEquals(2 * set, relay.circuits.size(), "set " + set + ": two legs");
            ScriptedRelay.RCirc leg = relay.circuits.get(2 * set - 1);
            assertEquals(RelayCommand.CONFLUX_LINK, leg.confluxReceived.get(0).command());
            sched.advance(5_000);
            sched.runUntilIdle();
        }
        assertEquals(List.of("conflux left off after 3 sets failed to link, the last: conflux set not linked within"
                + " 5000 ms (0 of 2 legs answered)"), buildFailures);
        // The pool's next circuit is a plain one, and the waiting stream took it.
        assertEquals(2 * ConfluxLegs.MAX_LINK_FAILURES + 1, relay.circuits.size());
        assertNotNull(o.stream, o.message);
        assertEquals(1, relay.begins);
        assertTrue(p.confluxSets().isEmpty());
    }

    @Test
    void noSecondLegWhereTheExitDoesNotListConfluxOrTheConsensusTurnsItOff() {
        OnionProxy p = proxy("FlowCtrl=1-2 Relay=2-4");
        p.start();
        sched.runUntilIdle();
        assertEquals(1, relay.circuits.size());
        assertNotNull(open(p, "plain.example").stream);
        p.stop();

        ScriptedRelay.RCirc before = relay.circuits.get(0);
        OnionProxy q = proxy("FlowCtrl=1-2 Relay=2-4 Conflux=1");
        q.options().useConsensus(Map.of("cfx_enabled", 0));
        q.start();
        sched.runUntilIdle();
        assertEquals(2, relay.circuits.size(), "one more circuit, no second leg");
        assertTrue(before.confluxReceived.isEmpty() && relay.circuits.get(1).confluxReceived.isEmpty());
        assertNotNull(open(q, "plain.example").stream);
    }

    @Test
    void theSecondLegSharesAsLittleAsTheDirectoryAllows() {
        RelayInfo x = relay.relayInfos().get(0);
        RelayInfo y = relay.relayInfos().get(1);
        RelayInfo e = relay.relayInfos().get(2);
        // Scored on the non-exit positions: the same relay in the same position 2, elsewhere 1.
        assertEquals(0, ConfluxLegs.overlap(List.of(x, y, e), List.of(e, e, e)));
        assertEquals(1, ConfluxLegs.overlap(List.of(x, y, e), List.of(y, e, e)), "A's middle as B's first hop");
        assertEquals(2, ConfluxLegs.overlap(List.of(x, y, e), List.of(e, y, e)), "the same middle");
        assertEquals(2, ConfluxLegs.overlap(List.of(x, y, e), List.of(y, x, e)), "both, swapped");
        assertEquals(4, ConfluxLegs.overlap(List.of(x, y, e), List.of(x, y, e)));
    }

    @Test
    void linkCellsCarryTheSameNonceOnBothLegs() {
        OnionProxy p = proxy("FlowCtrl=1-2 Relay=2-4 Conflux=1");
        p.start();
        sched.runUntilIdle();
        byte[] a = ConfluxLink.decode(RelayCommand.CONFLUX_LINK, relay.circuits.get(0).confluxReceived.get(0).data())
                .nonce();
        byte[] b = ConfluxLink.decode(RelayCommand.CONFLUX_LINK, relay.circuits.get(1).confluxReceived.get(0).data())
                .nonce();
        assertArrayEquals(a, b);
    }

    /** prop329 as tor reads it: cfx_num_legs_set legs per set, at most cfx_max_legs_set, and our own bound of 8. */
    @Test
    void theConsensusSetsTheLegsPerSet() {
        OnionProxy.Options o = new OnionProxy.Options();
        o.confluxLegs = 2;
        assertEquals(2, o.confluxLegs(), "tor's default");
        o.useConsensus(Map.of("cfx_num_legs_set", 3));
        assertEquals(3, o.confluxLegs());
        o.useConsensus(Map.of("cfx_num_legs_set", 5, "cfx_max_legs_set", 3));
        assertEquals(3, o.confluxLegs(), "at most cfx_max_legs_set");
        o.useConsensus(Map.of("cfx_num_legs_set", 200, "cfx_max_legs_set", 255));
        assertEquals(OnionProxy.Options.MAX_CONFLUX_LEGS, o.confluxLegs(), "at most our own bound");
        o.useConsensus(Map.of("cfx_num_legs_set", 1));
        assertEquals(0, o.confluxLegs(), "one leg is no set");
        o.useConsensus(Map.of("cfx_num_legs_set", 3, "cfx_enabled", 0));
        assertEquals(0, o.confluxLegs());
        o.useConsensus(Map.of("cfx_num_legs_set", 3));
        o.confluxLegs = 0;
        assertEquals(0, o.confluxLegs(), "off by us");
    }

    @Test
    void aConsensusAskingThreeLegsGetsASetOfThreeThatCarriesTheStream() {
        relay.answerConfluxLink = true;
        OnionProxy p = proxy("FlowCtrl=1-2 Relay=2-4 Conflux=1");
        p.options().useConsensus(Map.of("cfx_num_legs_set", 3));
        p.start();
        sched.runUntilIdle();
        assertEquals(3, relay.circuits.size(), "the pool circuit and two more legs");
        ConfluxSet set = p.confluxSets().get(0);
        assertEquals(3, set.legs().size());
        byte[] nonce = ConfluxLink.decode(RelayCommand.CONFLUX_LINK, relay.circuits.get(0).confluxReceived.get(0)
                .data()).nonce();
        for (int i = 1; i < 3; i++) {
            assertArrayEquals(nonce, ConfluxLink.decode(RelayCommand.CONFLUX_LINK, relay.circuits.get(i)
                    .confluxReceived.get(0).data()).nonce(), "leg " + (i + 1) + " links to the same set");
        }
        OnionProxyTest.Opened o = open(p, "three.example");
        assertNotNull(o.stream, o.message);
        byte[] msg = new byte[3000];
        RND.nextBytes(msg);
        o.stream.send(msg);
        sched.runUntilIdle();
        assertArrayEquals(msg, o.data.toByteArray());
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void aLegThatCannotBeBuiltIsLeftOutAndTheOthersStillLink() {
        relay.answerConfluxLink = true;
        relay.destroyCreates.add(1); // the second circuit (the first extra leg) is refused at its first hop
        OnionProxy p = proxy("FlowCtrl=1-2 Relay=2-4 Conflux=1");
        p.options().useConsensus(Map.of("cfx_num_legs_set", 3));
        p.start();
        sched.runUntilIdle();
        assertEquals(3, relay.circuits.size());
        assertTrue(relay.circuits.get(1).confluxReceived.isEmpty(), "no LINK on the leg that was refused");
        ConfluxSet set = p.confluxSets().get(0);
        assertEquals(2, set.legs().size(), "the primary and the leg that was built");
        assertNotNull(open(p, "two.example").stream);
    }

    @Test
    void whenNoOtherLegCanBeBuiltThePrimaryServesAsAPlainCircuit() {
        relay.destroyCreates.add(1);
        OnionProxy p = proxy("FlowCtrl=1-2 Relay=2-4 Conflux=1");
        p.start();
        sched.runUntilIdle();
        assertEquals(2, relay.circuits.size());
        assertTrue(p.confluxSets().isEmpty());
        assertTrue(relay.circuits.get(0).confluxReceived.isEmpty(), "no LINK went out");
        OnionProxyTest.Opened o = open(p, "plain.example");
        assertNotNull(o.stream, o.message);
        assertSame(p.circuits().get(0), o.stream.circuit());
    }
}

