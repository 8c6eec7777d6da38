package org.onionpeer.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.cell.Authenticate;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.CellReader;
import org.onionpeer.cell.LinkFormat;
import org.onionpeer.cert.Auth0003;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.CertsValidator;
import org.onionpeer.cert.LinkAuthKeys;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Rsa;
import org.onionpeer.platform.Entropy;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Pipe;
import org.onionpeer.transport.Transport;

/**
 * AUTH0003 between two of our relays over a pipe whose ends "export" keying material as a TLS session would
 * (the same bytes on both ends for the same label and context, derived from a per-link secret): the
 * responder learns the initiator's identity only when every field and the signature check out.
 */
class ChannelAuthTest {
    private static final SecureRandom RND = new SecureRandom();
    private static final Entropy ENTROPY = RND::nextBytes;
    private static RelayKeys responderKeys;
    private static RelayKeys initiatorKeys;
    private static LinkAuthKeys initiatorAuth;

    private final ManualScheduler sched = new ManualScheduler();
    private final byte[] linkDigest = new byte[32];

    @BeforeAll
    static void makeKeys() {
        responderKeys = RelayKeys.generate(RND);
        initiatorKeys = RelayKeys.generate(RND);
        long now = new ManualScheduler().epochSeconds();
        initiatorAuth = LinkAuthKeys.create(RelayCredentials.create(initiatorKeys, now),
                Rsa.generate(RelayKeys.RSA_IDENTITY_BITS, RND), Ed25519.generate(RND), now);
    }

    /** A transport end that exports HMAC-like bytes of (secret, label, context), or nothing (secret null). */
    static final class Exporting implements Transport {
        final Transport inner;
        final byte[] secret;
        final List<byte[]> sent = new ArrayList<>();

        Exporting(Transport inner, byte[] secret) {
            this.inner = inner;
            this.secret = secret;
        }

        @Override
        public void send(byte[] data) {
            sent.add(data.clone());
            inner.send(data);
        }

        @Override
        public void close(String reason) {
            inner.close(reason);
        }

        @Override
        public long bufferedAmount() {
            return inner.bufferedAmount();
        }

        @Override
        public void setListener(Listener listener) {
            inner.setListener(listener);
        }

        @Override
        public byte[] exportKeyingMaterial(String label, byte[] context, int length) {
            return secret == null ? null
                    : Bytes.slice(Rsa.sha256(Bytes.concat(secret, Bytes.ascii(label), context)), 0, length);
        }
    }

    private Channel[] link(byte[] initiatorSecret, byte[] responderSecret, LinkAuthKeys auth,
            ChannelTest.Recorder ir, ChannelTest.Recorder rr, List<byte[]> initiatorSent) {
        Pipe p = new Pipe(sched, sched);
        RND.nextBytes(linkDigest);
        long now = sched.epochSeconds();
        CertsCell certs = RelayCredentials.create(responderKeys, now).certsCell(linkDigest, null, now);
        Exporting a = new Exporting(p.a(), initiatorSecret);
        Channel resp = Channel.accept(new Exporting(p.b(), responderSecret), sched, ENTROPY, rr, null, certs, null,
                null);
        resp.markTransportBound();
        Channel init = Channel.initiate(a, sched, ENTROPY, ir, null, LinkBinding.expectedDigest(linkDigest),
                responderKeys.identity(), null);
        init.authenticateAs(auth);
        sched.runUntilIdle();
        if (initiatorSent != null) {
            initiatorSent.addAll(a.sent);
        }
        return new Channel[] {init, resp};
    }

    private static byte[] secret() {
        byte[] s = new byte[32];
        RND.nextBytes(s);
        return s;
    }

    @Test
    void theResponderLearnsTheInitiatorsIdentity() {
        byte[] s = secret();
        ChannelTest.Recorder ir = new ChannelTest.Recorder();
        ChannelTest.Recorder rr = new ChannelTest.Recorder();
        Channel[] c = link(s, s, initiatorAuth, ir, rr, null);
        assertTrue(c[0].isOpen() && c[1].isOpen(), "both ends open: " + ir.closed + rr.closed);
        assertEquals(initiatorKeys.identity(), c[1].peerIdentity(), "AUTH0003 proved the initiator");
        assertEquals(responderKeys.identity(), c[0].peerIdentity());
    }

    @Test
    void anotherTlsSessionIsRefused() {
        ChannelTest.Recorder ir = new ChannelTest.Recorder();
        ChannelTest.Recorder rr = new ChannelTest.Recorder();
        link(secret(), secret(), initiatorAuth, ir, rr, null);
        assertEquals(List.of("protocol error: AUTH0003 TLSSECRETS does not match this link"), rr.closed);
    }

    @Test
    void aKeyTheCertsDoNotCertifyIsRefused() {
        long now = sched.epochSeconds();
        RelayCredentials creds = RelayCredentials.create(initiatorKeys, now);
        // CERTS certify one auth key; AUTHENTICATE is signed by another.
        LinkAuthKeys certified = LinkAuthKeys.create(creds, Rsa.generate(RelayKeys.RSA_IDENTITY_BITS, RND),
                Ed25519.generate(RND), now);
        LinkAuthKeys forged = LinkAuthKeys.withAuthKeyForTest(certified, Ed25519.generate(RND));
        byte[] s = secret();
        ChannelTest.Recorder ir = new ChannelTest.Recorder();
        ChannelTest.Recorder rr = new ChannelTest.Recorder();
        link(s, s, forged, ir, rr, null);
        assertEquals(List.of("protocol error: AUTH0003 signature is not by the certified authentication key"),
                rr.closed);
    }

    @Test
    void withoutAnExporterNobodyAuthenticates() {
        ChannelTest.Recorder ir = new ChannelTest.Recorder();
        ChannelTest.Recorder rr = new ChannelTest.Recorder();
        List<byte[]> sent = new ArrayList<>();
        Channel[] c = link(null, null, initiatorAuth, ir, rr, sent);
        assertTrue(c[0].isOpen() && c[1].isOpen());
        assertNull(c[1].peerIdentity(), "an unauthenticated initiator is a client");
        for (int cmd : commands(sent)) {
            assertTrue(cmd != CellCommand.CERTS && cmd != CellCommand.AUTHENTICATE, "sent " + CellCommand.name(cmd));
        }
    }

    /**
     * The known transcript: the AUTHENTICATE the initiator sent carries CLOG = SHA-256 of exactly its VERSIONS
     * and CERTS wire bytes, the exporter output for context CID, and our identities, in tor-spec order.
     */
    @Test
    void theAuthenticatorCarriesTheTranscriptItSigned() {
        byte[] s = secret();
        ChannelTest.Recorder ir = new ChannelTest.Recorder();
        ChannelTest.Recorder rr = new ChannelTest.Recorder();
        List<byte[]> sent = new ArrayList<>();
        link(s, s, initiatorAuth, ir, rr, sent);
        List<Cell> cells = cells(sent);
        assertEquals(List.of(CellCommand.VERSIONS, CellCommand.CERTS, CellCommand.AUTHENTICATE, CellCommand.NETINFO),
                commandsOf(cells));
        byte[] clog = Rsa.sha256(Bytes.concat(cells.get(0).encode(LinkFormat.INITIAL),
                cells.get(1).encode(LinkFormat.forVersion(5))));
        byte[] body = Authenticate.decode(cells.get(2).payload()).authentication();
        assertEquals(Auth0003.LEN, body.length);
        byte[] cid = Rsa.sha256(initiatorKeys.rsaIdentity().publicKey().toPkcs1Der());
        assertArrayEquals(Bytes.ascii("AUTH0003"), Bytes.slice(body, 0, 8));
        assertArrayEquals(cid, Bytes.slice(body, 8, 32), "CID");
        assertArrayEquals(Rsa.sha256(responderKeys.rsaIdentity().publicKey().toPkcs1Der()), Bytes.slice(body, 40, 32),
                "SID");
        assertArrayEquals(initiatorKeys.identity().ed25519Identity(), Bytes.slice(body, 72, 32), "CID_ED");
        assertArrayEquals(responderKeys.identity().ed25519Identity(), Bytes.slice(body, 104, 32), "SID_ED");
        assertArrayEquals(clog, Bytes.slice(body, 168, 32), "CLOG");
        assertArrayEquals(linkDigest, Bytes.slice(body, 200, 32), "SCERT");
        assertArrayEquals(Bytes.slice(Rsa.sha256(Bytes.concat(s, Bytes.ascii(Auth0003.EXPORTER_LABEL), cid)), 0, 32),
                Bytes.slice(body, 232, 32), "TLSSECRETS: the exporter with context CID");
        CertsValidator.Initiator certified = CertsValidator.validateInitiator(CertsCell.decode(cells.get(1).payload()),
                sched.epochSeconds());
        assertTrue(Ed25519.verify(certified.authKey, Bytes.slice(body, 0, Auth0003.SIGNED_LEN),
                Bytes.slice(body, Auth0003.SIGNED_LEN, 64)), "signed by the type-6 key");
    }

    private static List<Cell> cells(List<byte[]> sent) {
        CellReader r = new CellReader(Cell.MAX_VAR_PAYLOAD_LEN, CellReader.DEFAULT_MAX_BUFFERED);
        List<Cell> out = new ArrayList<>();
        for (byte[] b : sent) {
            int off = 0;
            while (off < b.length) {
                off += r.offer(b, off, b.length - off);
                Cell c;
                while ((c = r.next()) != null) {
                    out.add(c);
                    if (c.command() == CellCommand.VERSIONS) {
                        r.setLinkVersion(5);
                    }
                }
            }
        }
        return out;
    }

    private static List<Integer> commandsOf(List<Cell> cells) {
        List<Integer> l = new ArrayList<>();
        for (Cell c : cells) {
            l.add(c.command());
        }
        return l;
    }

    private static List<Integer> commands(List<byte[]> sent) {
        return commandsOf(cells(sent));
    }
}
