package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ClientStream;
import org.onionpeer.circuit.ScriptedRelay;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.platform.Entropy;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.StreamOpener;
import org.onionpeer.transport.Transport;

/** The onion proxy's pool, path choice, stream attachment and retries against the scripted relay. */
class OnionProxyTest {
    private static final java.security.SecureRandom RND = new java.security.SecureRandom();
    private static final Entropy ENTROPY = RND::nextBytes;

    private final ManualScheduler sched = new ManualScheduler();
    private final ScriptedRelay relay = new ScriptedRelay(sched, 2);
    private final Node node = new Node(sched, ENTROPY, relay.dialer(false), null);
    private final Events events = new Events();

    static final class Events implements OnionProxy.Listener {
        final List<List<String>> built = new ArrayList<>();
        final List<String> closed = new ArrayList<>();
        final List<String> streamsOpened = new ArrayList<>();
        final List<String> streamsClosed = new ArrayList<>();

        @Override
        public void circuitBuilt(int circuit, List<String> nicknames) {
            built.add(nicknames);
        }

        @Override
        public void circuitClosed(int circuit, String reason) {
            closed.add(reason);
        }

        @Override
        public void streamOpened(String target, int circuit) {
            streamsOpened.add(target);
        }

        @Override
        public void streamClosed(String target, int circuit, String reason) {
            streamsClosed.add(target);
        }
    }

    /** The outcome of one open(). */
    static final class Opened implements StreamOpener.OpenCallback, Transport.Listener {
        ClientStream stream;
        int failed = -1;
        String message;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<String> closed = new ArrayList<>();

        @Override
        public void opened(Transport s) {
            stream = (ClientStream) s;
            s.setListener(this);
        }

        @Override
        public void failed(int endReason, String msg) {
            failed = endReason;
            message = msg;
        }

        @Override
        public void onData(byte[] d) {
            data.write(d, 0, d.length);
        }

        @Override
        public void onClosed(String reason) {
            closed.add(reason);
        }
    }

    private Directory directory(List<RelayInfo> relays) {
        long now = sched.epochSeconds();
        return Directory.sign(relays, now - 60, now + 86400, Ed25519.generate(RND));
    }

    private OnionProxy proxy(OnionProxy.Options o) {
        return proxy(o, relay.relayInfos());
    }

    private OnionProxy proxy(OnionProxy.Options o, List<RelayInfo> relays) {
        OnionProxy p = new OnionProxy(node, new BcRelayPrimitives(), directory(relays), o);
        p.setListener(events);
        return p;
    }

    private Opened open(OnionProxy p, String host) {
        Opened o = new Opened();
        p.open(host, 443, o);
        sched.runUntilIdle();
        return o;
    }

    private ScriptedRelay.RCirc relayCircuit(ClientCircuit c) {
        return relay.circuit(c.circId());
    }

    @Test
    void startBuildsAPoolOfThreeHopCircuits() {
        OnionProxy p = proxy(null);
        p.start();
        sched.runUntilIdle();
        assertEquals(2, p.openCircuits());
        assertEquals(2, events.built.size());
        assertEquals(Arrays.asList("guard", "middle1", "exit"), events.built.get(0));
        assertEquals(1, node.links().channels().size(), "both circuits share the one link");
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
    }

    @Test
    void streamsAreSpreadOverCircuitsAndEcho() {
        OnionProxy p = proxy(null);
        p.start();
        sched.runUntilIdle();
        Opened a = open(p, "a.example");
        Opened b = open(p, "b.example");
        assertNotNull(a.stream);
        assertNotNull(b.stream);
        assertNotSame(a.stream.circuit(), b.stream.circuit(), "one stream per circuit first");
        byte[] msg = new byte[3000];
        RND.nextBytes(msg);
        a.stream.send(msg);
        sched.runUntilIdle();
        assertArrayEquals(msg, a.data.toByteArray());
        assertEquals(Arrays.asList("a.example:443", "b.example:443"), events.streamsOpened);
        a.stream.close("bye");
        sched.runUntilIdle();
        assertEquals(Collections.singletonList("a.example:443"), events.streamsClosed);
    }

    @Test
    void streamsOpenedBeforeStartWaitForTheFirstCircuit() {
        OnionProxy p = proxy(null);
        Opened a = new Opened();
        p.open("early.example", 80, a);
        assertEquals(1, p.pendingStreams());
        sched.runUntilIdle();
        assertNotNull(a.stream);
        assertEquals(0, p.pendingStreams());
    }

    @Test
    void destroyMidStreamFailsTheStreamAndTheProxyRebuilds() {
        OnionProxy p = proxy(null);
        p.start();
        sched.runUntilIdle();
        Opened a = open(p, "a.example");
        a.stream.send(new byte[10_000]);
        ClientCircuit dying = a.stream.circuit();
        relay.destroy(relayCircuit(dying), DestroyReason.OR_IDENTITY);
        sched.runUntilIdle();
        assertEquals(1, a.closed.size());
        assertTrue(a.closed.get(0).contains("OR_IDENTITY"), a.closed.get(0));
        assertEquals(EndReason.DESTROY, a.stream.endReason());
        assertEquals(Collections.singletonList("destroyed by the network: OR_IDENTITY"), events.closed);
        assertEquals(2, p.openCircuits(), "a new circuit replaced the dead one");
        assertEquals(3, events.built.size());
        assertTrue(!p.circuits().contains(dying));
        Opened b = open(p, "b.example");
        assertNotNull(b.stream);
    }

    @Test
    void beginWithoutAnswerIsRetriedOnceOnAnotherCircuit() {
        relay.ignoreBegins.put("slow.example", 1);
        OnionProxy p = proxy(null);
        p.start();
        sched.runUntilIdle();
        Opened o = open(p, "slow.example");
        assertNull(o.stream);
        sched.advance(15_001);
        assertNotNull(o.stream, "retried and connected");
        assertEquals(Arrays.asList("slow.example:443", "slow.example:443"), relay.beginTargets);
        assertEquals(Collections.singletonList(EndReason.TIMEOUT), relay.endsReceived, "END TIMEOUT for the first");
        int withStream = 0;
        for (ScriptedRelay.RCirc rc : relay.circuits) {
            withStream += rc.streams.isEmpty() ? 0 : 1;
        }
        assertEquals(1, withStream);
    }

    @Test
    void aSecondTimeoutFailsTheStream() {
        relay.ignoreBegins.put("dead.example", 5);
        OnionProxy p = proxy(null);
        p.start();
        sched.runUntilIdle();
        Opened o = open(p, "dead.example");
        sched.advance(30_002);
        assertEquals(EndReason.TIMEOUT, o.failed);
        assertEquals(2, relay.beginTargets.size(), "tried exactly twice");
        assertEquals(0, p.pendingStreams());
    }

    @Test
    void circuitDeathDuringBeginRetriesElsewhere() {
        relay.ignoreBegins.put("x.example", 1);
        OnionProxy p = proxy(null);
        p.start();
        sched.runUntilIdle();
        Opened o = open(p, "x.example");
        ScriptedRelay.RCirc first = null;
        for (ClientCircuit c : p.circuits()) {
            if (c.streamCount() == 1) {
                first = relayCircuit(c);
            }
        }
        assertNotNull(first);
        relay.destroy(first, DestroyReason.RESOURCELIMIT);
        sched.runUntilIdle();
        assertNotNull(o.stream, "retried on the other circuit at once");
        assertEquals(2, relay.beginTargets.size());
    }

    @Test
    void exitRefusalsMapToEndReasonsWithoutRetry() {
        relay.refuse.put("policy.example", EndReason.EXITPOLICY);
        relay.refuse.put("nxdomain.example", EndReason.RESOLVEFAILED);
        relay.refuse.put("closed.example", EndReason.CONNECTREFUSED);
        OnionProxy p = proxy(null);
        p.start();
        sched.runUntilIdle();
        assertEquals(EndReason.EXITPOLICY, open(p, "policy.example").failed);
        assertEquals(EndReason.RESOLVEFAILED, open(p, "nxdomain.example").failed);
        Opened c = open(p, "closed.example");
        assertEquals(EndReason.CONNECTREFUSED, c.failed);
        assertTrue(c.message.contains("CONNECTREFUSED"), c.message);
        assertEquals(3, relay.beginTargets.size(), "no retries");
        assertEquals(EndReason.MISC, open(p, "bad host").failed);
    }

    @Test
    void pendingStreamsAreBounded() {
        relay.ignoreBegins.put("slow.example", 100);
        OnionProxy.Options o = new OnionProxy.Options();
        o.maxPendingStreams = 2;
        OnionProxy p = proxy(o);
        p.start();
        sched.runUntilIdle();
        open(p, "slow.example");
        open(p, "slow.example");
        assertEquals(EndReason.RESOURCELIMIT, open(p, "slow.example").failed);
    }

    @Test
    void withoutAnExitThereIsNoRoute() {
        List<RelayInfo> noExit = new ArrayList<>(relay.relayInfos());
        noExit.remove(2);
        OnionProxy p = proxy(null, noExit);
        p.start();
        Opened o = open(p, "a.example");
        assertEquals(EndReason.NOROUTE, o.failed);
        assertEquals(0, relay.circuits.size());
    }

    @Test
    void failedBuildsBackOff() {
        relay.silent = true;
        OnionProxy p = proxy(null);
        p.start();
        sched.runUntilIdle();
        assertEquals(2, relay.circuits.size());
        sched.advance(60_001);
        assertEquals(2, events.closed.size(), "both builds timed out");
        assertEquals(2, relay.circuits.size(), "no immediate rebuild");
        sched.advance(1_997);
        assertEquals(2, relay.circuits.size());
        sched.advance(2);
        assertEquals(4, relay.circuits.size(), "rebuilt after 2 s (two failures)");
        relay.silent = false;
    }

    @Test
    void streamsGoOnlyToExitsWhosePolicyMayAllowThem() {
        List<RelayInfo> relays = new ArrayList<>();
        for (RelayInfo r : relay.relayInfos()) {
            relays.add(!r.hasFlag(RelayInfo.FLAG_EXIT) ? r : new RelayInfo(r.nickname(), r.identity(), r.ntorKey(),
                    r.addresses(), r.flags(), "accept *:80, reject *:*"));
        }
        OnionProxy p = proxy(null, relays);
        p.start();
        sched.runUntilIdle();
        int built = relay.circuits.size();

        Opened refused = open(p, "a.example"); // port 443
        assertEquals(EndReason.EXITPOLICY, refused.failed, "the only exit allows port 80 alone");
        assertEquals(built, relay.circuits.size(), "no circuit is built for a stream no exit takes");

        Opened ok = new Opened();
        p.open("a.example", 80, ok);
        sched.runUntilIdle();
        assertNotNull(ok.stream, "port 80 is allowed: " + ok.message);
    }

    @Test
    void anUnreachableGuardIsAvoided() {
        byte[] rsa = new byte[20];
        byte[] ed = new byte[32];
        RND.nextBytes(rsa);
        RND.nextBytes(ed);
        List<RelayInfo> relays = new ArrayList<>(relay.relayInfos());
        relays.add(new RelayInfo("deadguard", new RelayIdentity(rsa, ed), new byte[32],
                Collections.singletonList("tls://10.9.9.9:1"), new HashSet<>(Collections.singletonList("Guard")), ""));
        OnionProxy.Options o = new OnionProxy.Options();
        o.pathLength = 2;
        OnionProxy p = proxy(o, relays);
        p.start();
        sched.advance(10_000);
        assertEquals(2, p.openCircuits());
        for (ClientCircuit c : p.circuits()) {
            assertEquals("guard", c.path().get(0).nickname());
            assertEquals("exit", c.path().get(1).nickname());
        }
    }

    @Test
    void firstHopFilterIsHonoured() {
        OnionProxy.Options o = new OnionProxy.Options();
        o.firstHopFilter = r -> !r.nickname().equals("guard");
        OnionProxy p = proxy(o);
        p.start();
        sched.advance(5_000);
        assertEquals(0, p.openCircuits(), "only the guard is reachable, and it is filtered out");
        Opened x = open(p, "a.example");
        assertEquals(EndReason.NOROUTE, x.failed);
    }

    @Test
    void stopClosesEverything() {
        OnionProxy p = proxy(null);
        p.start();
        sched.runUntilIdle();
        Opened a = open(p, "a.example");
        p.stop();
        sched.runUntilIdle();
        assertEquals(0, p.circuits().size());
        assertEquals(1, a.closed.size());
        for (ScriptedRelay.RCirc rc : relay.circuits) {
            assertEquals(DestroyReason.NONE, rc.destroyReasonReceived);
        }
        assertEquals(EndReason.MISC, open(p, "b.example").failed);
    }

    @Test
    void fetchDirectoryOverAOneHopCircuit() {
        OnionProxy p = proxy(null);
        byte[][] got = new byte[1][];
        String[] err = new String[1];
        OnionProxy.DirectoryCallback cb = new OnionProxy.DirectoryCallback() {
            @Override
            public void fetched(byte[] body) {
                got[0] = body;
            }

            @Override
            public void failed(String reason) {
                err[0] = reason;
            }
        };
        p.fetchDirectory(relay.hops.get(0).info, "/onionpeer/directory", cb);
        sched.runUntilIdle();
        assertNull(err[0]);
        assertArrayEquals(relay.directoryBody, got[0]);
        assertEquals(1, relay.circuits.size());
        ScriptedRelay.RCirc rc = relay.circuits.get(0);
        assertEquals(1, rc.layers.size(), "one hop");
        assertEquals(DestroyReason.NONE, rc.destroyReasonReceived, "closed afterwards");
        assertTrue(relay.violations.isEmpty(), relay.violations.toString());
        assertEquals(0, p.circuits().size(), "not part of the pool");
    }

    @Test
    void fetchDirectoryIsBounded() {
        OnionProxy.Options o = new OnionProxy.Options();
        o.maxDirectoryBytes = 40;
        OnionProxy p = proxy(o);
        String[] err = new String[1];
        p.fetchDirectory(relay.hops.get(0).info, "/x", new OnionProxy.DirectoryCallback() {
            @Override
            public void fetched(byte[] body) {
                throw new AssertionError("too large, must fail");
            }

            @Override
            public void failed(String reason) {
                err[0] = reason;
            }
        });
        sched.runUntilIdle();
        assertTrue(err[0].contains("over 40 bytes"), err[0]);
        String[] bad = new String[1];
        p.fetchDirectory(relay.hops.get(0).info, "no slash", new OnionProxy.DirectoryCallback() {
            @Override
            public void fetched(byte[] body) {
            }

            @Override
            public void failed(String reason) {
                bad[0] = reason;
            }
        });
        assertNull(bad[0], "refusals arrive as a later task");
        sched.runUntilIdle();
        assertNotNull(bad[0]);
    }
}
