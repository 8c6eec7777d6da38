package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.Begin;
import org.onionpeer.cell.End;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.Resolve;
import org.onionpeer.cell.Resolved;
import org.onionpeer.transport.Connector;

/** The exit's side of BEGIN host classification and RELAY_RESOLVE, against a fake platform connector. */
class ExitResolveTest {
    private TestNet net;
    private TestNet.Relay exit;
    private TestNet.Relay middle;
    private final FakeConnector platform = new FakeConnector();

    /** Records what reaches the platform; resolves are held until the test answers them. */
    static final class FakeConnector implements Connector {
        final List<String> connects = new ArrayList<>();
        final List<String> resolves = new ArrayList<>();
        final Map<String, ResolveCallback> held = new LinkedHashMap<>();

        @Override
        public void connect(String host, int port, AddressFilter filter, ConnectCallback cb) {
            connects.add(host + ":" + port);
            cb.failed(EndReason.CONNECTREFUSED, "fake");
        }

        @Override
        public void resolve(String host, ResolveCallback cb) {
            resolves.add(host);
            held.put(host, cb);
        }
    }

    @BeforeEach
    void setUp() {
        net = new TestNet();
        middle = net.addRelay("middle", null, null, null);
        exit = net.addRelay("exit", platform, (addr, port) -> true, null);
    }

    private ScriptedOp circuitTo(TestNet.Relay r) {
        ScriptedOp op = new ScriptedOp(net, r);
        op.create(r);
        return op;
    }

    private static byte[] ip(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    private static Resolved resolved(ScriptedOp op, int streamId) {
        RelayCell rc = op.receiveRelay();
        assertEquals(RelayCommand.RESOLVED, rc.command(), "got " + rc.command());
        assertEquals(streamId, rc.streamId());
        return (Resolved) rc.message();
    }

    private static void assertError(Resolved r, int type) {
        assertEquals(1, r.answers().size(), r.answers().toString());
        assertEquals(type, r.answers().get(0).type());
    }

    private static int endReason(ScriptedOp op) {
        RelayCell rc = op.receiveRelay();
        assertEquals(RelayCommand.END, rc.command());
        return ((End) rc.message()).reason();
    }

    @Test
    void beginToNumbersTorDoesNotReadAsLiteralsIsRefusedBeforeAnyResolver() {
        ScriptedOp op = circuitTo(exit);
        String[] hosts = {"0177.0.0.1", "2130706433", "127.1", "0x7f.0.0.1", "127.0.0.1.", "010.0.0.1",
            "1.2.3.4.in-addr.arpa"};
        int id = 1;
        for (String h : hosts) {
            op.relay(0, id, new Begin(h, 80), false);
            assertEquals(EndReason.RESOLVEFAILED, endReason(op), h);
            id++;
        }
        assertTrue(platform.connects.isEmpty(), platform.connects.toString());
    }

    @Test
    void beginHandsTheConnectorTheParsedLiteralOrTheCheckedName() {
        ScriptedOp op = circuitTo(exit);
        op.relay(0, 1, new Begin("Example.COM", 80), false);
        op.relay(0, 2, new Begin("0:0:0:0:0:0:0:1", 443), false);
        op.relay(0, 3, new Begin("127.0.0.1", 22), false);
        for (int i = 0; i < 3; i++) {
            assertEquals(EndReason.CONNECTREFUSED, endReason(op));
        }
        assertEquals(List.of("example.com:80", "::1:443", "127.0.0.1:22"), platform.connects);
    }

    @Test
    void resolveAnswersPublicAddressesOnlyWithClippedTtl() {
        ScriptedOp op = circuitTo(exit);
        op.relay(0, 7, new Resolve("WWW.Example.com"), false);
        net.sched.runUntilIdle();
        assertEquals(List.of("www.example.com"), platform.resolves);
        byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[15] = 1;
        platform.held.get("www.example.com").resolved(List.of(ip(93, 184, 216, 34), ip(10, 0, 0, 1), v6,
                ip(127, 0, 0, 1), ip(100, 64, 0, 1)), 5);
        Resolved r = resolved(op, 7);
        assertEquals(2, r.answers().size(), r.answers().toString());
        assertEquals(Resolved.TYPE_IPV4, r.answers().get(0).type());
        assertArrayEquals(ip(93, 184, 216, 34), r.answers().get(0).value());
        assertEquals(300, r.answers().get(0).ttl(), "TTL clipped up to 5 minutes");
        assertEquals(Resolved.TYPE_IPV6, r.answers().get(1).type());
        assertArrayEquals(v6, r.answers().get(1).value());

        op.relay(0, 8, new Resolve("long.example"), false);
        net.sched.runUntilIdle();
        platform.held.get("long.example").resolved(List.of(ip(8, 8, 8, 8)), 86_400);
        assertEquals(3600, resolved(op, 8).answers().get(0).ttl(), "TTL clipped down to 1 hour");
    }

    @Test
    void aNameThatMapsOnlyToInternalAddressesIsAnError() {
        ScriptedOp op = circuitTo(exit);
        op.relay(0, 3, new Resolve("router.lan"), false);
        net.sched.runUntilIdle();
        platform.held.get("router.lan").resolved(List.of(ip(192, 168, 1, 1), ip(127, 0, 0, 1)), 60);
        assertError(resolved(op, 3), Resolved.TYPE_ERROR);
    }

    @Test
    void literalsAreAnsweredWithThemselvesAndRefusedHostsWithAnError() {
        ScriptedOp op = circuitTo(exit);
        op.relay(0, 1, new Resolve("192.0.2.1"), false);
        Resolved lit = resolved(op, 1);
        assertArrayEquals(ip(192, 0, 2, 1), lit.answers().get(0).value());
        assertEquals(1800, lit.answers().get(0).ttl());
        op.relay(0, 2, new Resolve("0177.0.0.1"), false);
        assertError(resolved(op, 2), Resolved.TYPE_ERROR);
        op.relay(0, 3, new Resolve("4.3.2.1.in-addr.arpa"), false);
        assertError(resolved(op, 3), Resolved.TYPE_ERROR);
        op.relay(0, 4, new Resolve("bad_.-x"), false);
        assertError(resolved(op, 4), Resolved.TYPE_ERROR);
        assertTrue(platform.resolves.isEmpty(), platform.resolves.toString());
    }

    @Test
    void resolverFailuresAreTransientUnlessTheNameDoesNotExist() {
        ScriptedOp op = circuitTo(exit);
        op.relay(0, 1, new Resolve("nx.example"), false);
        op.relay(0, 2, new Resolve("servfail.example"), false);
        op.relay(0, 3, new Resolve("silent.example"), false);
        net.sched.runUntilIdle();
        platform.held.get("nx.example").failed(EndReason.RESOLVEFAILED, "NXDOMAIN");
        assertError(resolved(op, 1), Resolved.TYPE_ERROR);
        platform.held.get("servfail.example").failed(EndReason.MISC, "SERVFAIL");
        assertError(resolved(op, 2), Resolved.TYPE_ERROR_TRANSIENT);
        net.sched.advance(ExitResolves.TIMEOUT_MILLIS - 1);
        assertTrue(op.cells.isEmpty());
        net.sched.advance(1);
        assertError(resolved(op, 3), Resolved.TYPE_ERROR_TRANSIENT);
        // The late answer after the timeout goes nowhere.
        platform.held.get("silent.example").resolved(List.of(ip(8, 8, 8, 8)), 60);
        net.sched.runUntilIdle();
        assertTrue(op.cells.isEmpty());
    }

    @Test
    void theDefaultConnectorHasNoResolver() {
        TestNet.Relay bare = net.addRelay("bare", (h, p, f, cb) -> cb.failed(EndReason.CONNECTREFUSED, "x"),
                (a, p) -> true, null);
        ScriptedOp op = circuitTo(bare);
        op.relay(0, 1, new Resolve("example.com"), false);
        assertError(resolved(op, 1), Resolved.TYPE_ERROR);
    }

    @Test
    void aRelayThatIsNoExitAnswersAnErrorAsTorDoes() {
        ScriptedOp op = circuitTo(middle);
        op.relay(0, 1, new Resolve("example.com"), false);
        assertError(resolved(op, 1), Resolved.TYPE_ERROR);
        op.relay(0, 2, new Resolve("192.0.2.1"), false);
        assertError(resolved(op, 2), Resolved.TYPE_ERROR);
    }

    @Test
    void resolveOnAStreamIdInUseIsDroppedAsTorDoes() {
        ScriptedOp op = circuitTo(exit);
        op.relay(0, 5, new Resolve("a.example"), false);
        op.relay(0, 5, new Resolve("b.example"), false);
        net.sched.runUntilIdle();
        assertEquals(List.of("a.example"), platform.resolves);
        assertTrue(op.cells.isEmpty());
        platform.held.get("a.example").resolved(List.of(ip(8, 8, 4, 4)), 600);
        assertArrayEquals(ip(8, 8, 4, 4), resolved(op, 5).answers().get(0).value());
        assertTrue(op.cells.isEmpty(), "exactly one answer");
        // A BEGIN on the ID of a pending RESOLVE is a stream that exists: the circuit goes (PROTOCOL).
        op.relay(0, 6, new Resolve("c.example"), false);
        op.relay(0, 6, new Begin("example.com", 80), false);
        assertEquals(org.onionpeer.cell.CellCommand.DESTROY, op.take().command());
    }

    @Test
    void pendingResolvesCountAgainstTheStreamLimitAndEndCancelsThem() {
        exit.router.config().maxStreamsPerCircuit = 2;
        ScriptedOp op = circuitTo(exit);
        op.relay(0, 1, new Resolve("one.example"), false);
        op.relay(0, 2, new Resolve("two.example"), false);
        op.relay(0, 3, new Resolve("three.example"), false);
        assertEquals(EndReason.RESOURCELIMIT, endReason(op));
        op.relay(0, 4, new Begin("four.example", 80), false);
        assertEquals(EndReason.RESOURCELIMIT, endReason(op));
        assertEquals(List.of("one.example", "two.example"), platform.resolves);
        // END frees a slot; the late answer to the ended request is not sent.
        op.relay(0, 1, End.of(EndReason.DONE), false);
        op.relay(0, 5, new Resolve("five.example"), false);
        net.sched.runUntilIdle();
        assertEquals(List.of("one.example", "two.example", "five.example"), platform.resolves);
        platform.held.get("one.example").resolved(List.of(ip(8, 8, 8, 8)), 600);
        net.sched.runUntilIdle();
        assertTrue(op.cells.isEmpty(), op.cells.toString());
        platform.held.get("five.example").failed(EndReason.RESOLVEFAILED, "NXDOMAIN");
        assertError(resolved(op, 5), Resolved.TYPE_ERROR);
    }
}
