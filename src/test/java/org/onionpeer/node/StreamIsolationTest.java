package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ScriptedRelay;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.node.OnionProxyTest.Opened;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Isolation;

/**
 * Stream isolation in the onion proxy, as tor's client does it: by SOCKS credentials (IsolateSOCKSAuth) and by
 * time (MaxCircuitDirtiness), against the scripted relay.
 */
class StreamIsolationTest {
    private static final SecureRandom RND = new SecureRandom();
    private static final Isolation ALICE = Isolation.socksAuth("alice".getBytes(), "x".getBytes());
    private static final Isolation BOB = Isolation.socksAuth("bob".getBytes(), "x".getBytes());
    private static final Isolation CAROL = Isolation.socksAuth("carol".getBytes(), "x".getBytes());

    private final ManualScheduler sched = new ManualScheduler();
    private final ScriptedRelay relay = new ScriptedRelay(sched, 2);
    private final Node node = new Node(sched, RND::nextBytes, relay.dialer(false), null);
    private final OnionProxyTest.Events events = new OnionProxyTest.Events();

    private OnionProxy started(OnionProxy.Options o) {
        long now = sched.epochSeconds();
        Directory d = Directory.sign(relay.relayInfos(), now - 60, now + 86400, Ed25519.generate(RND));
        OnionProxy p = new OnionProxy(node, new BcRelayPrimitives(), d, o);
        p.setListener(events);
        p.start();
        sched.runUntilIdle();
        return p;
    }

    private Opened open(OnionProxy p, String host, Isolation iso) {
        Opened o = new Opened();
        p.open(host, 443, iso, o);
        sched.runUntilIdle();
        return o;
    }

    private void end(Opened o) {
        o.stream.close("done");
        sched.runUntilIdle();
    }

    @Test
    void streamsOfDifferentIsolationsNeverShareACircuit() {
        OnionProxy p = started(null);
        assertEquals(2, p.openCircuits());
        Opened a1 = open(p, "a.example", ALICE);
        Opened b1 = open(p, "b.example", BOB);
        Opened a2 = open(p, "c.example", ALICE);
        Opened none = open(p, "d.example", Isolation.NONE);
        assertNotNull(a1.stream);
        assertNotNull(b1.stream);
        assertNotNull(a2.stream);
        assertNotNull(none.stream);
        assertNotSame(a1.stream.circuit(), b1.stream.circuit());
        assertSame(a1.stream.circuit(), a2.stream.circuit(), "the same credentials share their circuit");
        ClientCircuit n = none.stream.circuit();
        assertTrue(n != a1.stream.circuit() && n != b1.stream.circuit(), "no credentials: a circuit of its own");
        assertEquals(3, p.openCircuits(), "the third built for the stream no claimed circuit could take");
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void aCircuitTakesNoNewStreamAfterItsDirtinessTimeAndClosesWhenItsLastStreamEnds() {
        OnionProxy.Options o = new OnionProxy.Options();
        o.poolSize = 1;
        OnionProxy p = started(o);
        Opened first = open(p, "a.example", Isolation.NONE);
        ClientCircuit old = first.stream.circuit();
        Opened early = open(p, "b.example", Isolation.NONE);
        assertSame(old, early.stream.circuit(), "within the time: the same circuit");
        sched.advance(o.maxCircuitDirtinessMillis);
        assertTrue(old.isOpen(), "its streams still run on it");
        assertEquals(2, p.openCircuits(), "a fresh circuit took its place in the pool");
        Opened late = open(p, "c.example", Isolation.NONE);
        assertNotNull(late.stream);
        assertNotSame(old, late.stream.circuit(), "too old for a new stream");
        end(first);
        assertTrue(old.isOpen(), "one stream left on it");
        end(early);
        assertFalse(old.isOpen(), "idle and too old: closed");
        assertFalse(p.circuits().contains(old));
        assertTrue(late.stream.circuit().isOpen());
    }

    @Test
    void atMaxCircuitsAnIdleCircuitOfAnotherIsolationMakesRoom() {
        OnionProxy.Options o = new OnionProxy.Options();
        o.poolSize = 2;
        o.maxCircuits = 2;
        OnionProxy p = started(o);
        Opened a = open(p, "a.example", ALICE);
        Opened b = open(p, "b.example", BOB);
        ClientCircuit ca = a.stream.circuit();
        ClientCircuit cb = b.stream.circuit();
        Opened c = open(p, "c.example", CAROL);
        assertNull(c.stream, "both circuits busy with other isolations, and no room for a third");
        assertEquals(1, p.pendingStreams());
        end(a);
        assertNotNull(c.stream, "alice's idle circuit made room");
        assertFalse(ca.isOpen());
        assertTrue(cb.isOpen(), "bob's, still in use, was left alone");
        assertNotSame(ca, c.stream.circuit());
        assertNotSame(cb, c.stream.circuit());
        assertEquals(2, p.circuits().size());
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void aStreamWaitingBehindAStuckBuildGetsAnotherCircuit() {
        OnionProxy p = started(null);
        Opened a = open(p, "a.example", ALICE);
        Opened b = open(p, "b.example", BOB);
        assertNotNull(a.stream);
        assertNotNull(b.stream);
        relay.silent = true; // the next CREATE is never answered
        Opened c = open(p, "c.example", CAROL);
        assertNull(c.stream);
        relay.silent = false;
        sched.advance(new OnionProxy.Options().slowBuildMillis - 1);
        assertNull(c.stream, "still waiting for the first build");
        sched.advance(1);
        assertNotNull(c.stream, "a second circuit, launched beside the stuck one, took it");
        ClientCircuit stuck = null;
        for (ClientCircuit k : p.circuits()) {
            if (!k.isOpen()) {
                stuck = k;
            }
        }
        assertNotNull(stuck, "the stuck build is still there, until its own timeout");
        assertNotSame(stuck, c.stream.circuit());
    }

    @Test
    void isolationsCompareByBothCredentials() {
        assertEquals(ALICE, Isolation.socksAuth("alice".getBytes(), "x".getBytes()));
        assertFalse(ALICE.equals(Isolation.socksAuth("alice".getBytes(), "y".getBytes())));
        assertFalse(Isolation.socksAuth("ab".getBytes(), "c".getBytes())
                .equals(Isolation.socksAuth("a".getBytes(), "bc".getBytes())));
        assertFalse(Isolation.NONE.equals(Isolation.socksAuth(new byte[0], new byte[0])));
        assertEquals("SOCKS credentials", ALICE.toString());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Isolation.socksAuth(new byte[256], new byte[0]));
        assertEquals("SOCKS5 username or password longer than 255 bytes", e.getMessage());
    }
}
