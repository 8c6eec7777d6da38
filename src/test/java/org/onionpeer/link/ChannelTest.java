package org.onionpeer.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.LinkFormat;
import org.onionpeer.cell.Versions;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.platform.Entropy;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

class ChannelTest {
    private static final SecureRandom RND = new SecureRandom();
    private static final Entropy ENTROPY = RND::nextBytes;
    private static RelayKeys keys;
    private static RelayKeys otherKeys;

    private final ManualScheduler sched = new ManualScheduler();
    private final byte[] linkDigest = new byte[32];

    @BeforeAll
    static void makeKeys() {
        keys = RelayKeys.generate(RND);
        otherKeys = RelayKeys.generate(RND);
    }

    /** Records what a channel tells its node. */
    static final class Recorder implements Channel.Handler {
        int opened;
        final List<Cell> cells = new ArrayList<>();
        final List<String> closed = new ArrayList<>();

        @Override
        public void opened(Channel channel) {
            opened++;
        }

        @Override
        public void cell(Channel channel, Cell cell) {
            cells.add(cell);
        }

        @Override
        public void closed(Channel channel, String reason) {
            closed.add(reason);
        }
    }

    private CertsCell certs(RelayKeys k) {
        RND.nextBytes(linkDigest);
        return RelayCredentials.create(k, sched.epochSeconds()).certsCell(linkDigest, null, sched.epochSeconds());
    }

    private Channel[] link(Recorder ir, Recorder rr, LinkBinding binding, RelayIdentity expected) {
        Pipe p = new Pipe(sched, sched);
        Channel resp = Channel.accept(p.b(), sched, ENTROPY, rr, null, certs(keys), null, null);
        Channel init = Channel.initiate(p.a(), sched, ENTROPY, ir, null, binding, expected, null);
        sched.runUntilIdle();
        return new Channel[] {init, resp};
    }

    @Test
    void handshakeOpensBothEndsAndProvesTheResponder() {
        Recorder ir = new Recorder();
        Recorder rr = new Recorder();
        Channel[] c = link(ir, rr, null, keys.identity());
        // The binding digest is only known after certs() ran; bind in a second link below.
        assertEquals(1, ir.opened);
        assertEquals(1, rr.opened);
        assertEquals(5, c[0].linkVersion());
        assertEquals(5, c[1].linkVersion());
        assertEquals(keys.identity(), c[0].peerIdentity());
        assertFalse(c[0].isAuthenticated(), "no transport binding: not authenticated");
        // The handshake timers are cancelled; each open link keeps its keepalive/idle timer.
        assertEquals(2, sched.pendingTimers(), "one link timer per open end");
    }

    /** The link reads cells as views of its reader's buffer: a handler that keeps them still sees what came. */
    @Test
    void cellsAHandlerKeepsSurviveTheReadersReuse() {
        Recorder ir = new Recorder();
        Recorder rr = new Recorder();
        Channel[] c = link(ir, rr, null, keys.identity());
        List<Cell> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] p = new byte[Cell.PAYLOAD_LEN];
            RND.nextBytes(p);
            Cell cell = new Cell(1 + i, org.onionpeer.cell.CellCommand.RELAY, p);
            sent.add(cell);
            c[0].send(cell);
            if (i % 7 == 0) {
                sched.runUntilIdle();
            }
        }
        sched.runUntilIdle();
        assertEquals(sent, rr.cells);
    }

    @Test
    void boundLinkIsAuthenticated() {
        Recorder ir = new Recorder();
        Recorder rr = new Recorder();
        Pipe p = new Pipe(sched, sched);
        CertsCell certs = certs(keys);
        Channel resp = Channel.accept(p.b(), sched, ENTROPY, rr, null, certs, null, null);
        Channel init = Channel.initiate(p.a(), sched, ENTROPY, ir, null, LinkBinding.expectedDigest(linkDigest),
                keys.identity(), null);
        sched.runUntilIdle();
        assertTrue(init.isOpen() && resp.isOpen());
        assertTrue(init.isAuthenticated());
    }

    @Test
    void wrongBindingClosesTheLink() {
        Recorder ir = new Recorder();
        Recorder rr = new Recorder();
        byte[] other = new byte[32];
        RND.nextBytes(other);
        Channel[] c = link(ir, rr, LinkBinding.expectedDigest(other), null);
        assertEquals(0, ir.opened);
        assertEquals(1, ir.closed.size());
        assertTrue(ir.closed.get(0).startsWith("protocol error"), ir.closed.get(0));
        assertEquals(1, rr.closed.size(), "the responder hears the close");
        assertEquals(Channel.State.CLOSED, c[1].state());
    }

    @Test
    void unexpectedIdentityClosesTheLink() {
        Recorder ir = new Recorder();
        Recorder rr = new Recorder();
        link(ir, rr, null, otherKeys.identity());
        assertEquals(0, ir.opened);
        assertTrue(ir.closed.get(0).contains("expected"), ir.closed.get(0));
    }

    @Test
    void rsaOnlyExpectationIsMetByTheProvenIdentityWhichSuppliesTheEd25519Key() {
        Recorder ir = new Recorder();
        Recorder rr = new Recorder();
        RelayIdentity expected = RelayIdentity.rsaOnly(keys.identity().rsaIdentity());
        assertFalse(expected.hasEd25519());
        Channel[] c = link(ir, rr, null, expected);
        assertEquals(1, ir.opened, "opened: " + ir.closed);
        assertEquals(keys.identity(), c[0].peerIdentity(), "the full proven identity, Ed25519 included");
        assertTrue(expected.matches(c[0].peerIdentity()));
        assertNotEquals(expected, c[0].peerIdentity(), "equality stays strict");
    }

    @Test
    void rsaOnlyExpectationWithAnotherFingerprintClosesTheLink() {
        Recorder ir = new Recorder();
        Recorder rr = new Recorder();
        link(ir, rr, null, RelayIdentity.rsaOnly(otherKeys.identity().rsaIdentity()));
        assertEquals(0, ir.opened);
        assertTrue(ir.closed.get(0).contains("expected " + otherKeys.identity().fingerprint()), ir.closed.get(0));
    }

    @Test
    void fullExpectationNeedsTheSameEd25519Identity() {
        RelayIdentity mixed = new RelayIdentity(keys.identity().rsaIdentity(), otherKeys.identity().ed25519Identity());
        assertFalse(mixed.matches(keys.identity()));
        Recorder ir = new Recorder();
        link(ir, new Recorder(), null, mixed);
        assertEquals(0, ir.opened, "same RSA, other Ed25519: refused");
    }

    @Test
    void cellsFlowBothWaysAfterOpenAndCircIdsFollowRoles() {
        Recorder ir = new Recorder();
        Recorder rr = new Recorder();
        Channel[] c = link(ir, rr, null, null);
        long id = c[0].allocateCircId();
        assertTrue((id & 0x80000000L) != 0, "initiator sets the high bit");
        assertTrue(c[1].isPeerCircId(id));
        assertFalse(c[0].isPeerCircId(id));
        long rid = c[1].allocateCircId();
        assertTrue(rid != 0 && (rid & 0x80000000L) == 0, "responder clears it");
        c[0].send(new Cell(id, CellCommand.CREATE_FAST, new byte[20]));
        c[1].send(new Cell(id, CellCommand.DESTROY, new byte[] {1}));
        c[0].send(new Cell(0, CellCommand.PADDING, new byte[0]));
        sched.runUntilIdle();
        assertEquals(1, rr.cells.size());
        assertEquals(CellCommand.CREATE_FAST, rr.cells.get(0).command());
        assertEquals(id, rr.cells.get(0).circId());
        assertEquals(1, ir.cells.size());
        assertEquals(CellCommand.DESTROY, ir.cells.get(0).command());
    }

    @Test
    void circuitLimitIsEnforced() {
        Recorder ir = new Recorder();
        Recorder rr = new Recorder();
        Pipe p = new Pipe(sched, sched);
        Channel.Limits lim = new Channel.Limits();
        lim.maxCircuits = 3;
        Channel.accept(p.b(), sched, ENTROPY, rr, null, certs(keys), null, null);
        Channel init = Channel.initiate(p.a(), sched, ENTROPY, ir, lim, null, null, null);
        sched.runUntilIdle();
        for (int i = 0; i < 3; i++) {
            assertNotEquals(0, init.allocateCircId());
        }
        assertEquals(0, init.allocateCircId(), "full link allocates nothing");
        assertTrue(init.atCircuitLimit());
    }

    @Test
    void garbageFromThePeerClosesWithAProtocolError() {
        Recorder rr = new Recorder();
        Pipe p = new Pipe(sched, sched);
        Channel resp = Channel.accept(p.b(), sched, ENTROPY, rr, null, certs(keys), null, null);
        List<String> peerClosed = new ArrayList<>();
        p.a().setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
            }

            @Override
            public void onClosed(String reason) {
                peerClosed.add(reason);
            }
        });
        p.a().send(new byte[] {0, 0, 3, 0, 0, 0, 0}); // a RELAY cell header where VERSIONS must come
        sched.runUntilIdle();
        assertEquals(Channel.State.CLOSED, resp.state());
        assertTrue(rr.closed.get(0).startsWith("protocol error"), rr.closed.get(0));
        assertEquals(1, peerClosed.size());
    }

    @Test
    void noCommonVersionCloses() {
        Recorder rr = new Recorder();
        Pipe p = new Pipe(sched, sched);
        Channel resp = Channel.accept(p.b(), sched, ENTROPY, rr, null, certs(keys), null, null);
        p.a().setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
            }

            @Override
            public void onClosed(String reason) {
            }
        });
        p.a().send(new Versions(1, 2).toCell(0).encode(LinkFormat.INITIAL));
        sched.runUntilIdle();
        assertEquals(Channel.State.CLOSED, resp.state());
        assertEquals(0, rr.opened);
    }

    @Test
    void silentPeerTimesOut() {
        Recorder rr = new Recorder();
        Pipe p = new Pipe(sched, sched);
        Channel resp = Channel.accept(p.b(), sched, ENTROPY, rr, null, certs(keys), null, null);
        sched.advance(29_000);
        assertEquals(Channel.State.HANDSHAKING, resp.state());
        sched.advance(2_000);
        assertEquals(Channel.State.CLOSED, resp.state());
        assertEquals("link handshake timed out", rr.closed.get(0));
    }

    @Test
    void circuitCellBeforeOpenCloses() {
        Recorder rr = new Recorder();
        Pipe p = new Pipe(sched, sched);
        Channel resp = Channel.accept(p.b(), sched, ENTROPY, rr, null, certs(keys), null, null);
        p.a().setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
            }

            @Override
            public void onClosed(String reason) {
            }
        });
        p.a().send(new Versions(4).toCell(0).encode(LinkFormat.INITIAL));
        p.a().send(new Cell(0x80000001L, CellCommand.CREATE_FAST, new byte[20]).encode(LinkFormat.V4));
        sched.runUntilIdle();
        assertEquals(Channel.State.CLOSED, resp.state());
        assertNull(resp.peerIdentity());
    }
}
