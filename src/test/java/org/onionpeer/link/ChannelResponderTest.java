package org.onionpeer.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.cell.Authenticate;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.CellReader;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cell.LinkFormat;
import org.onionpeer.cell.Netinfo;
import org.onionpeer.cell.PaddingNegotiate;
import org.onionpeer.cell.VPadding;
import org.onionpeer.cell.Versions;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.platform.Entropy;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

/**
 * Our responder facing C tor initiators, cell by cell as tor 0.4.9 sends them (tor-spec §4): a relay that
 * authenticates sends VERSIONS, CERTS, AUTHENTICATE, NETINFO; a client sends VERSIONS, NETINFO; both then
 * send PADDING_NEGOTIATE (channel padding, padding-spec) and may send PADDING/VPADDING at any time.
 */
class ChannelResponderTest {
    private static final SecureRandom RND = new SecureRandom();
    private static final Entropy ENTROPY = RND::nextBytes;
    private static RelayKeys ourKeys;
    private static RelayKeys peerKeys;

    private final ManualScheduler sched = new ManualScheduler();

    @BeforeAll
    static void makeKeys() {
        ourKeys = RelayKeys.generate(RND);
        peerKeys = RelayKeys.generate(RND);
    }

    /** The raw initiator end: sends hand-made cells, decodes what the responder sends. */
    private final class RawPeer implements Transport.Listener {
        final Transport t;
        final CellReader reader = new CellReader(Cell.MAX_VAR_PAYLOAD_LEN, CellReader.DEFAULT_MAX_BUFFERED);
        final List<Integer> received = new ArrayList<>();
        final List<String> closed = new ArrayList<>();
        LinkFormat format = LinkFormat.INITIAL;

        RawPeer(Transport t) {
            this.t = t;
            t.setListener(this);
        }

        void send(Cell c) {
            t.send(c.encode(c.command() == CellCommand.VERSIONS ? LinkFormat.INITIAL : format));
        }

        @Override
        public void onData(byte[] data) {
            int off = 0;
            while (off < data.length) {
                off += reader.offer(data, off, data.length - off);
                Cell c;
                while ((c = reader.next()) != null) {
                    received.add(c.command());
                    if (c.command() == CellCommand.VERSIONS) {
                        int v = 0;
                        for (int x : Versions.decode(c.payload()).versions()) {
                            v = Math.max(v, x);
                        }
                        reader.setLinkVersion(v);
                        format = LinkFormat.forVersion(v);
                    }
                }
            }
        }

        @Override
        public void onClosed(String reason) {
            closed.add(reason);
        }
    }

    private ChannelTest.Recorder rr;
    private Channel resp;
    private RawPeer peer;

    private void accept() {
        Pipe p = new Pipe(sched, sched);
        rr = new ChannelTest.Recorder();
        byte[] digest = new byte[32];
        RND.nextBytes(digest);
        CertsCell certs = RelayCredentials.create(ourKeys, sched.epochSeconds()).certsCell(digest, null,
                sched.epochSeconds());
        resp = Channel.accept(p.b(), sched, ENTROPY, rr, null, certs, IpAddress.ipv4(127, 0, 0, 1),
                IpAddress.ipv4(127, 0, 0, 1));
        peer = new RawPeer(p.a());
        // tor 0.4.9 offers link versions 3, 4 and 5.
        peer.send(new Versions(3, 4, 5).toCell(0));
        sched.runUntilIdle();
        assertEquals(List.of(CellCommand.VERSIONS, CellCommand.CERTS, CellCommand.AUTH_CHALLENGE, CellCommand.NETINFO),
                peer.received, "the responder's half of the handshake");
    }

    /** What an authenticating relay's CERTS holds (tor-spec §4.2): types 2, 4, 6 and 7, not 5. */
    private CertsCell initiatorCerts() {
        byte[] digest = new byte[32];
        RND.nextBytes(digest);
        CertsCell real = RelayCredentials.create(peerKeys, sched.epochSeconds()).certsCell(digest, null,
                sched.epochSeconds());
        List<CertsCell.Entry> out = new ArrayList<>();
        for (CertsCell.Entry e : real.entries()) {
            // Our credentials make a type-5 (signing key -> TLS) cert; an initiator sends type 6 (signing key ->
            // authentication key) in its place. The responder only parses the cell, so the body can stand in.
            out.add(new CertsCell.Entry(e.type == CertsCell.TYPE_ED_SIGNING_V_TLS ? CertsCell.TYPE_ED_SIGNING_V_AUTH
                    : e.type, e.body()));
        }
        return new CertsCell(out);
    }

    private void afterOpenPaddingThenACircuit() {
        peer.send(PaddingNegotiate.startDefault().toCell(0));
        peer.send(new VPadding(37).toCell(0));
        peer.send(new Cell(0, CellCommand.PADDING, new byte[Cell.PAYLOAD_LEN]));
        peer.send(PaddingNegotiate.stop().toCell(0));
        peer.send(new Cell(0x80000001L, CellCommand.CREATE_FAST, new byte[Cell.PAYLOAD_LEN]));
        sched.runUntilIdle();
        assertTrue(resp.isOpen(), "padding cells leave the link open: " + rr.closed);
        assertEquals(1, rr.cells.size(), "only the circuit cell reaches the node");
        assertEquals(CellCommand.CREATE_FAST, rr.cells.get(0).command());
        assertTrue(peer.closed.isEmpty());
    }

    @Test
    void relayInitiatorWithCertsAndAuthenticateIsAcceptedUnauthenticated() {
        accept();
        peer.send(new Cell(0, CellCommand.CERTS, initiatorCerts().encode()));
        byte[] auth = new byte[352]; // AUTH0003's size; we cannot check it (no RFC 5705 exporter in JDK 17)
        RND.nextBytes(auth);
        peer.send(new Authenticate(Authenticate.TYPE_ED25519_SHA256_RFC5705, auth).toCell(0));
        peer.send(new Netinfo(sched.epochSeconds(), IpAddress.ipv4(127, 0, 0, 1),
                List.of(IpAddress.ipv4(127, 0, 0, 1))).toCell(0));
        sched.runUntilIdle();
        assertEquals(1, rr.opened, "link opened: " + rr.closed);
        assertEquals(5, resp.linkVersion());
        assertNull(resp.peerIdentity(), "an initiator we could not authenticate has no proven identity");
        assertFalse(resp.isAuthenticated());
        afterOpenPaddingThenACircuit();
    }

    @Test
    void clientInitiatorWithNetinfoOnlyThenPaddingNegotiate() {
        accept();
        peer.send(new VPadding(0).toCell(0)); // padding is allowed during the handshake too
        peer.send(Netinfo.forClient(IpAddress.ipv4(127, 0, 0, 1)).toCell(0));
        sched.runUntilIdle();
        assertEquals(1, rr.opened, "link opened: " + rr.closed);
        assertNull(resp.peerIdentity());
        afterOpenPaddingThenACircuit();
    }

    @Test
    void malformedAuthenticateClosesTheLink() {
        accept();
        peer.send(new Cell(0, CellCommand.CERTS, initiatorCerts().encode()));
        peer.send(new Cell(0, CellCommand.AUTHENTICATE, new byte[] {0, 3, 1}));
        sched.runUntilIdle();
        assertEquals(Channel.State.CLOSED, resp.state());
        assertEquals(0, rr.opened);
        assertTrue(rr.closed.get(0).startsWith("protocol error"), rr.closed.get(0));
    }

    @Test
    void aCircuitCellOnCircIdZeroAfterOpenStillCloses() {
        accept();
        peer.send(Netinfo.forClient(IpAddress.ipv4(127, 0, 0, 1)).toCell(0));
        peer.send(new Cell(0, CellCommand.CREATE_FAST, new byte[Cell.PAYLOAD_LEN]));
        sched.runUntilIdle();
        assertEquals(Channel.State.CLOSED, resp.state(), "padding is ignored, but not everything");
    }
}
