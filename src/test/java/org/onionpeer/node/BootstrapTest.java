package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.EndReason;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.platform.Entropy;
import org.onionpeer.transport.Connector;

/**
 * The bootstrap state machine against an in-process relay network ({@link TestNet}) on the manual scheduler:
 * retries with backoff, the exact words of its states, bounded readiness waits, and recovery from a bridge
 * restart (new relay keys on the same addresses).
 */
class BootstrapTest {
    private static final Entropy NO_JITTER = b -> java.util.Arrays.fill(b, (byte) 0);
    private static final String URL = "http://bridge.test/tor/directory";

    private final TestNet net = new TestNet();
    private final Source source = new Source();
    private final List<String> states = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    /** The "bridge": directory GETs wait here until the test answers them. */
    static final class Source implements Bootstrap.TextSource {
        final ArrayDeque<Bootstrap.TextCallback> pending = new ArrayDeque<>();
        int requests;

        @Override
        public void get(String url, Bootstrap.TextCallback cb) {
            assertEquals(URL, url);
            requests++;
            pending.add(cb);
        }

        void answer(String text) {
            pending.remove().text(text);
        }

        void fail(String reason) {
            pending.remove().failed(reason);
        }
    }

    /** Records what a waiter heard. */
    static final class Waited implements Bootstrap.Waiter {
        final List<String> notes = new ArrayList<>();
        OnionProxy ready;
        String failed;

        @Override
        public void waiting(String state) {
            notes.add(state);
        }

        @Override
        public void ready(OnionProxy proxy) {
            assertNull(ready);
            assertNull(failed);
            ready = proxy;
        }

        @Override
        public void failed(String message) {
            assertNull(ready);
            assertNull(failed);
            failed = message;
        }
    }

    private static Connector refuseAll() {
        return (host, port, filter, cb) -> cb.failed(EndReason.CONNECTREFUSED, "test exit");
    }

    private void relays() {
        net.addRelay("alpha", null, null, null);
        net.addRelay("bravo", null, null, null);
        net.addRelay("charlie", refuseAll(), null, null);
    }

    private String directoryText() {
        long now = net.sched.epochSeconds();
        return Directory.sign(new ArrayList<>(net.infos), now - 60, now + 86400, Ed25519.generate(TestNet.RND)).text();
    }

    private Bootstrap bootstrap(Entropy jitter, Bootstrap.Options o) {
        Bootstrap b = new Bootstrap(net.sched, jitter, source, URL, d -> {
            Node node = new Node(net.sched, TestNet.ENTROPY, net.dialer(), null);
            return new OnionProxy(node, new BcRelayPrimitives(), d, null);
        }, o);
        b.setListener(new Bootstrap.Listener() {
            @Override
            public void state(String s) {
                states.add(s);
            }

            @Override
            public void event(String e) {
                events.add(e);
            }
        });
        return b;
    }

    @Test
    void http503ThenDirectoryIsReadyAfterTheBackoff() {
        relays();
        Bootstrap b = bootstrap(NO_JITTER, null);
        assertEquals("not started (call onionpeer.start())", b.state());
        b.start();
        net.sched.runUntilIdle();
        assertEquals(1, source.requests);
        source.fail("HTTP 503");
        net.sched.runUntilIdle();
        assertEquals("waiting for the bridge: HTTP 503, retry in 1 s", b.state());
        net.sched.advance(999);
        assertEquals(1, source.requests, "no retry before the backoff");
        net.sched.advance(1);
        assertEquals(2, source.requests);
        source.fail("HTTP 503");
        net.sched.runUntilIdle();
        assertEquals("waiting for the bridge: HTTP 503, retry in 2 s", b.state());
        net.sched.advance(1999);
        assertEquals(2, source.requests, "no retry before the doubled backoff");
        net.sched.advance(1);
        assertEquals(3, source.requests);
        assertFalse(b.isReady());
        source.answer(directoryText());
        net.sched.runUntilIdle();
        assertTrue(b.isReady());
        assertEquals(List.of(
                "fetching the directory (attempt 1)",
                "waiting for the bridge: HTTP 503, retry in 1 s",
                "fetching the directory (attempt 2)",
                "waiting for the bridge: HTTP 503, retry in 2 s",
                "fetching the directory (attempt 3)",
                "building circuits (3 relays known)",
                "ready"), states);
        assertEquals(3, source.requests, "no fetch once ready");
        assertEquals(0, source.pending.size());
    }

    @Test
    void aBadDirectoryIsRetriedLikeAFailedFetch() {
        relays();
        Bootstrap b = bootstrap(NO_JITTER, null);
        b.start();
        net.sched.runUntilIdle();
        source.answer("not a directory\n");
        net.sched.runUntilIdle();
        assertEquals("waiting for the bridge: bad directory: directory is not signed, retry in 1 s", b.state());
        net.sched.advance(1000);
        source.answer(directoryText());
        net.sched.runUntilIdle();
        assertEquals("ready", b.state());
    }

    @Test
    void waitersAreReleasedOnReadyAndHearTheStatesMeanwhile() {
        relays();
        Bootstrap b = bootstrap(NO_JITTER, null);
        Waited early = new Waited();
        b.whenReady(early);
        b.start();
        net.sched.runUntilIdle();
        source.fail("cannot reach " + URL);
        net.sched.advance(1000);
        assertNull(early.ready);
        source.answer(directoryText());
        net.sched.runUntilIdle();
        assertSame(b.proxy(), early.ready);
        assertNull(early.failed);
        assertEquals(List.of(
                "not started (call onionpeer.start())",
                "fetching the directory (attempt 1)",
                "waiting for the bridge: cannot reach " + URL + ", retry in 1 s",
                "fetching the directory (attempt 2)",
                "building circuits (3 relays known)"), early.notes);

        // Once ready, a waiter is answered at once but never from inside whenReady.
        Waited late = new Waited();
        b.whenReady(late);
        assertNull(late.ready);
        net.sched.runUntilIdle();
        assertSame(b.proxy(), late.ready);
        assertEquals(List.of(), late.notes);
        // The ready waiters' timers were withdrawn: nothing fails them after the bound.
        net.sched.advance(120_000);
        assertNull(early.failed);
        assertNull(late.failed);
    }

    @Test
    void waitersFailAfterTheBoundSayingWhatTheNodeWaitedFor() {
        relays();
        Bootstrap b = bootstrap(NO_JITTER, null);
        b.start();
        net.sched.runUntilIdle();
        Waited w = new Waited();
        b.whenReady(w);
        // The bridge never answers: the fetch times out at 30 s, is retried 1 s later and hangs again.
        net.sched.advance(59_999);
        assertNull(w.failed);
        assertEquals(2, source.requests);
        net.sched.advance(1);
        assertEquals("the node was not ready within 60 s: fetching the directory (attempt 2)", w.failed);
        assertNull(w.ready);
        assertEquals(List.of(
                "fetching the directory (attempt 1)",
                "waiting for the bridge: no answer in 30 s, retry in 1 s",
                "fetching the directory (attempt 2)"), w.notes);
        // A late answer to the timed-out first request is ignored; the current one still counts.
        source.answer(directoryText());
        net.sched.runUntilIdle();
        assertEquals("fetching the directory (attempt 2)", b.state());
        source.answer(directoryText());
        net.sched.runUntilIdle();
        assertEquals("ready", b.state());
        assertNull(w.ready, "a failed waiter is not called again");
    }

    @Test
    void aWithdrawnWaitIsNeverAnswered() {
        relays();
        Bootstrap b = bootstrap(NO_JITTER, null);
        Waited w = new Waited();
        b.whenReady(w).cancel();
        b.start();
        net.sched.runUntilIdle();
        source.answer(directoryText());
        net.sched.advance(70_000);
        assertTrue(b.isReady());
        assertNull(w.ready);
        assertNull(w.failed);
    }

    @Test
    void theBackoffDoublesToItsCap() {
        Bootstrap b = bootstrap(NO_JITTER, null);
        b.start();
        List<String> waits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            net.sched.runUntilIdle();
            source.fail("HTTP 503");
            net.sched.runUntilIdle();
            waits.add(b.state());
            net.sched.advance(30_000);
        }
        List<String> want = new ArrayList<>();
        for (int s : new int[] {1, 2, 4, 8, 16, 30, 30, 30}) {
            want.add("waiting for the bridge: HTTP 503, retry in " + s + " s");
        }
        assertEquals(want, waits);
    }

    @Test
    void jitterTakesAtMostAFifthOff() {
        long seed = new Random().nextLong();
        System.out.println("BootstrapTest.jitterTakesAtMostAFifthOff seed " + seed);
        Random r = new Random(seed);
        Bootstrap b = bootstrap(r::nextBytes, null);
        Set<Long> seen = new HashSet<>();
        for (int n = 0; n < 200; n++) {
            long full = Math.min(1000L << Math.min(n, 20), 30_000);
            long d = b.backoff(n);
            assertTrue(d <= full && d >= full * 4 / 5, "seed " + seed + ": backoff(" + n + ") = " + d);
            seen.add(d);
        }
        assertTrue(seen.size() > 10, "seed " + seed + ": jitter varies");
    }

    @Test
    void aRestartedBridgeIsFetchedAgainAndTheNodeRebuildsOnItsNewRelays() {
        relays();
        Bootstrap b = bootstrap(NO_JITTER, null);
        b.start();
        net.sched.runUntilIdle();
        String first = directoryText();
        source.answer(first);
        net.sched.runUntilIdle();
        assertEquals("ready", b.state());
        OnionProxy proxy = b.proxy();
        Directory before = proxy.directory();

        // The bridge stops: its relays drop every link and come back on the same addresses with new keys.
        for (TestNet.Relay old : new ArrayList<>(net.relays.values())) {
            old.node.links().closeAll("bridge stopped");
            net.relays.remove(old.name);
            net.infos.remove(old.info);
        }
        relays();
        states.clear();
        net.sched.runUntilIdle();
        assertFalse(b.isReady());
        // Builds against the old keys fail until the third in a row sends the node back to the directory.
        for (int i = 0; i < 60 && source.pending.isEmpty(); i++) {
            net.sched.advance(500);
        }
        assertEquals(1, source.pending.size(), "the directory is fetched again: " + states);
        assertTrue(states.get(0).startsWith("building circuits (3 relays known)"), states.toString());
        assertTrue(events.contains("no circuit after 3 failed builds: fetching the directory again"), events.toString());
        String refetch = states.get(states.size() - 1);
        assertEquals("fetching the directory (attempt 1)", refetch);
        assertTrue(states.get(states.size() - 2).startsWith("waiting for the bridge: no circuit ("), states.toString());
        assertTrue(states.get(states.size() - 2).endsWith("), retry in 1 s"), states.toString());

        // Its directory is not ready yet (503), then it is, with the new relays.
        source.fail("HTTP 503");
        net.sched.runUntilIdle();
        assertEquals("waiting for the bridge: HTTP 503, retry in 2 s", b.state());
        net.sched.advance(2000);
        String second = directoryText();
        source.answer(second);
        net.sched.runUntilIdle();
        assertEquals("ready", b.state());
        assertSame(proxy, b.proxy(), "the same proxy, with a new relay list");
        assertNotSame(before, proxy.directory());
        assertEquals(second, proxy.directory().text());
        assertTrue(events.contains("the bridge's directory changed (3 relays): rebuilding circuits"), events.toString());
        Set<String> fresh = new HashSet<>();
        for (RelayInfo i : net.infos) {
            fresh.add(i.identity().fingerprint());
        }
        int open = 0;
        for (ClientCircuit c : proxy.circuits()) {
            if (c.isOpen()) {
                open++;
                for (RelayInfo hop : c.path()) {
                    assertTrue(fresh.contains(hop.identity().fingerprint()), "circuit over the new relays only");
                }
            }
        }
        assertTrue(open > 0);
    }

    @Test
    void aDroppedLinkWithTheBridgeStillUpRebuildsWithoutAFetch() {
        relays();
        Bootstrap b = bootstrap(NO_JITTER, null);
        b.start();
        net.sched.runUntilIdle();
        source.answer(directoryText());
        net.sched.runUntilIdle();
        assertEquals("ready", b.state());
        for (TestNet.Relay r : net.relays.values()) {
            r.node.links().closeAll("link dropped");
        }
        net.sched.advance(5_000);
        assertEquals("ready", b.state());
        assertEquals(1, source.requests, "the old directory still works: no fetch");
        assertTrue(events.stream().anyMatch(e -> e.startsWith("no circuit left")), events.toString());
    }

    @Test
    void stopFailsWaitersAndEndsRetries() {
        Bootstrap b = bootstrap(NO_JITTER, null);
        b.start();
        net.sched.runUntilIdle();
        Waited w = new Waited();
        b.whenReady(w);
        source.fail("HTTP 503");
        net.sched.runUntilIdle();
        b.stop();
        assertEquals("the node stopped", w.failed);
        assertEquals("stopped", b.state());
        net.sched.advance(120_000);
        assertEquals(1, source.requests, "no retry after stop");
        Waited after = new Waited();
        b.whenReady(after);
        net.sched.runUntilIdle();
        assertEquals("the node stopped", after.failed);
    }
}
