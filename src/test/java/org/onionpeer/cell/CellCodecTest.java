package org.onionpeer.cell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

class CellCodecTest {
    private static byte[] h(String hex) {
        return Bytes.unhex(hex);
    }

    @Test
    void everyChannelMessageRoundTripsOnEveryLinkVersion() {
        for (ChannelMessage m : CellKnownAnswers.sampleChannelMessages()) {
            for (int v = 3; v <= 5; v++) {
                LinkFormat f = LinkFormat.forVersion(v);
                long circId = v == 3 ? 0xfffe : 0xfffffffeL;
                byte[] wire = m.toCell(circId).encode(f);
                assertEquals(m.toCell(circId).encodedLength(f), wire.length);
                if (!CellCommand.isVariable(m.command())) {
                    assertEquals(f.fixedCellLen(), wire.length, m.toString());
                }
                Cell cell = Cell.decode(f, wire);
                assertEquals(circId, cell.circId());
                ChannelMessage back = ChannelMessages.decode(cell);
                assertEquals(m, back, m + " on v" + v);
                assertEquals(m.getClass(), back.getClass());
                assertArrayEquals(wire, back.toCell(circId).encode(f));
            }
        }
    }

    @Test
    void everyRelayMessageRoundTripsThroughARelayCell() {
        for (RelayMessage m : CellKnownAnswers.sampleRelayMessages()) {
            RelayCell cell = RelayCell.of(0xabcd, m);
            byte[] body = cell.encode(CellKnownAnswers.FIXED_PAD);
            assertEquals(RelayCell.BODY_LEN, body.length);
            RelayCell back = RelayCell.decode(body);
            assertEquals(cell, back);
            assertEquals(m, back.message(), m.toString());
            assertEquals(m, RelayMessages.decode(m.relayCommand(), m.encode()));
            // And inside a RELAY channel cell on a v4 link.
            Cell outer = Relay.of(body).toCell(0x80000001L);
            Relay relay = (Relay) ChannelMessages.decode(Cell.decode(LinkFormat.V4, outer.encode(LinkFormat.V4)));
            assertEquals(m, RelayCell.decode(relay.body()).message());
        }
    }

    @Test
    void fixedPayloadIsPaddedAndCopiesAreDefensive() {
        Cell c = new Cell(5, CellCommand.DESTROY, new byte[] {1});
        assertEquals(Cell.PAYLOAD_LEN, c.payloadLength());
        byte[] p = c.payload();
        p[0] = 9;
        assertEquals(1, c.payload()[0]);
        byte[] data = {1, 2, 3};
        Data d = new Data(data);
        data[0] = 7;
        assertEquals(1, d.bytes()[0]);
        Cell var = new Cell(0, CellCommand.VPADDING, new byte[0]);
        assertEquals(0, var.payloadLength());
        assertEquals(7, var.encode(LinkFormat.V4).length);
        assertEquals(5, var.encode(LinkFormat.V3).length);
    }

    @Test
    void circIdWidthFollowsTheLinkVersion() {
        Cell c = new Destroy(0).toCell(0x10000);
        assertThrows(ProtocolException.class, () -> c.encode(LinkFormat.V3));
        assertEquals(514, c.encode(LinkFormat.V4).length);
        assertThrows(ProtocolException.class, () -> new Cell(-1, 0, new byte[0]));
        assertThrows(ProtocolException.class, () -> new Cell(0x100000000L, 0, new byte[0]));
        assertThrows(ProtocolException.class, () -> new Cell(0, 256, new byte[0]));
        assertThrows(ProtocolException.class, () -> new Cell(0, CellCommand.CERTS, new byte[65536]));
        assertEquals(65535 + 7, new Cell(0, CellCommand.CERTS, new byte[65535]).encode(LinkFormat.V4).length);
        assertEquals(6, LinkFormat.forVersion(6).version());
        assertEquals(4, LinkFormat.forVersion(6).circIdLen());
        assertThrows(ProtocolException.class, () -> LinkFormat.forVersion(1));
    }

    @Test
    void versionNegotiationPicksTheHighestCommon() {
        assertEquals(4, LinkVersions.highestCommon(new int[] {3, 4}, new int[] {5, 4, 3}));
        assertEquals(5, LinkVersions.highestCommon(new int[] {5, 3, 4}, new int[] {3, 5}));
        assertThrows(ProtocolException.class, () -> LinkVersions.highestCommon(new int[] {3, 4, 5}, new int[0]));
        assertThrows(ProtocolException.class, () -> LinkVersions.highestCommon(new int[] {2}, new int[] {2}));
        assertArrayEquals(new int[] {3, 4, 5}, LinkVersions.supported());
        assertThrows(ProtocolException.class, () -> new Versions(70000));
    }

    @Test
    void netinfoLimits() {
        List<IpAddress> many = new ArrayList<>();
        for (int i = 0; i < 255; i++) {
            many.add(IpAddress.ipv4(10, 0, 0, i));
        }
        Netinfo ni = new Netinfo(0xffffffffL, null, many);
        assertEquals(255, Netinfo.decode(ni.encode()).myAddresses().size());
        // 4 + 2 + 1 + 255 * 6 bytes: too big for a fixed cell, so the Cell refuses it.
        assertThrows(ProtocolException.class, () -> ni.toCell(0));
        many.add(IpAddress.ipv4(1, 1, 1, 1));
        assertThrows(ProtocolException.class, () -> new Netinfo(0, null, many));
        assertThrows(ProtocolException.class, () -> new Netinfo(-1, null, Collections.<IpAddress>emptyList()));
        assertThrows(ProtocolException.class, () -> IpAddress.of(new byte[5]));
    }

    @Test
    void ipv6TextFollowsRfc5952() {
        assertEquals("2001:db8::1:0:0:1", IpAddress.of(h("20010db8000000000001000000000001")).toString());
        assertEquals("::", IpAddress.of(new byte[16]).toString());
        assertEquals("1::", IpAddress.of(h("00010000000000000000000000000000")).toString());
        assertEquals("1:0:1:0:1:0:1:0", IpAddress.of(h("00010000000100000001000000010000")).toString());
        assertEquals("255.0.0.1", IpAddress.ipv4(255, 0, 0, 1).toString());
    }

    @Test
    void handshakeLengthBounds() {
        assertEquals(505, Create2.decode(new Create2(2, new byte[505]).encode()).handshakeData().length);
        assertThrows(ProtocolException.class, () -> new Create2(2, new byte[506]));
        assertThrows(ProtocolException.class, () -> new Created2(new byte[508]));
        assertThrows(ProtocolException.class, () -> new Create2(0x10000, new byte[0]));
        assertThrows(ProtocolException.class, () -> new Extended2(new byte[497]));
        assertEquals(496, new Extended2(new byte[496]).encode().length - 2);
        // EXTEND2 with specifiers leaves less room for HDATA: the whole must fit 498 bytes.
        List<LinkSpecifier> specs = Arrays.asList(LinkSpecifier.rsaId(new byte[20]));
        assertEquals(498, new Extend2(specs, 2, new byte[498 - 1 - 22 - 4]).encode().length);
        assertThrows(ProtocolException.class, () -> new Extend2(specs, 2, new byte[498 - 1 - 22 - 3]));
        assertEquals(64, Extended2.from(new Created2(new byte[64])).handshakeData().length);
        Extend2 e = new Extend2(specs, 2, new byte[84]);
        assertEquals(84, e.toCreate2().handshakeData().length);
        assertNull(e.first(LinkSpecifier.TYPE_IPV4));
    }

    @Test
    void relayPaddingIsFourZerosThenTheSource() {
        byte[] ones = new byte[509];
        PaddingSource ff = (buf, off, len) -> Arrays.fill(buf, off, off + len, (byte) 0xff);
        for (int len : new int[] {0, 1, 100, 493, 494, 495, 496, 497, 498}) {
            byte[] body = new RelayCell(RelayCommand.DATA, 1, Arrays.copyOf(ones, len)).encode(ff);
            int padAt = RelayCell.DATA_OFFSET + len;
            for (int i = padAt; i < Math.min(509, padAt + 4); i++) {
                assertEquals(0, body[i], "zero pad at " + i + " for len " + len);
            }
            for (int i = padAt + 4; i < 509; i++) {
                assertEquals((byte) 0xff, body[i], "source pad at " + i);
            }
        }
        byte[] random = new RelayCell(RelayCommand.DATA, 1, new byte[10]).encode(PaddingSource.from(new SecureRandom()));
        assertEquals(10, Bytes.u16(random, RelayCell.LENGTH_OFFSET));
        byte[] zeros = new RelayCell(RelayCommand.DATA, 1, new byte[10]).encode(PaddingSource.ZEROS);
        assertArrayEquals(new byte[509 - 21], Arrays.copyOfRange(zeros, 21, 509));
        // encodeInto at an offset leaves the surrounding bytes alone.
        byte[] big = new byte[600];
        Arrays.fill(big, (byte) 0x55);
        new RelayCell(RelayCommand.DROP, 0, new byte[0]).encodeInto(big, 50, ff);
        assertEquals(0x55, big[49]);
        assertEquals(0x55, big[559]);
        assertEquals(RelayCommand.DROP, big[50]);
    }

    @Test
    void relayHeaderFieldsAreWhereTheCryptoExpectsThem() {
        RelayCell c = new RelayCell(RelayCommand.BEGIN, 0x1234, 0x5678, h("deadbeef"), new byte[] {1, 2});
        byte[] b = c.encode(PaddingSource.ZEROS);
        assertEquals(0x1234, Bytes.u16(b, RelayCell.RECOGNIZED_OFFSET));
        assertEquals(0x5678, Bytes.u16(b, RelayCell.STREAM_ID_OFFSET));
        assertEquals("deadbeef", Bytes.hex(b, RelayCell.DIGEST_OFFSET, RelayCell.DIGEST_LEN));
        assertEquals(2, Bytes.u16(b, RelayCell.LENGTH_OFFSET));
        RelayCell back = RelayCell.decode(b);
        assertEquals(0x1234, back.recognized());
        assertArrayEquals(h("deadbeef"), back.digest());
        byte[] inside = new byte[520];
        System.arraycopy(b, 0, inside, 5, 509);
        assertEquals(c, RelayCell.decode(inside, 5, 509));
        assertThrows(ProtocolException.class, () -> RelayCell.decode(inside, 15, 509));
        assertThrows(ProtocolException.class, () -> new RelayCell(256, 0, new byte[0]));
    }

    @Test
    void beginAddresses() {
        Begin v6 = new Begin("2001:DB8::1", 443);
        assertEquals("[2001:DB8::1]:443", new String(Arrays.copyOf(v6.encode(), v6.encode().length - 1),
                java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(v6, Begin.decode(v6.encode()));
        assertThrows(ProtocolException.class, () -> new Begin("a b", 80));
        assertThrows(ProtocolException.class, () -> new Begin("", 80));
        assertThrows(ProtocolException.class, () -> new Begin("::g", 80));
        assertThrows(ProtocolException.class, () -> new Begin("x", 0));
        assertThrows(ProtocolException.class, () -> new Begin("x", 65536));
        StringBuilder longHost = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            longHost.append('a');
        }
        assertThrows(ProtocolException.class, () -> new Begin(longHost.toString(), 80));
        assertThrows(ProtocolException.class, () -> Begin.decode(Bytes.ascii("[1.2.3.4]:80\0")));
        assertThrows(ProtocolException.class, () -> Begin.decode(new byte[] {'h', (byte) 0xe9, ':', '8', '0', 0}));
        assertEquals(80, Begin.decode(Bytes.ascii("a.b:00080\0")).port());
    }

    @Test
    void connectedAndEndForms() {
        assertThrows(ProtocolException.class, () -> Connected.of(IpAddress.ipv4(0, 0, 0, 0), 1));
        assertThrows(ProtocolException.class, () -> Connected.of(IpAddress.of(new byte[16]), -1));
        assertThrows(ProtocolException.class, () -> End.exitPolicy(IpAddress.ipv4(1, 1, 1, 1), -2));
        End e = End.decode(h("06 01020304 00000001"));
        assertEquals(EndReason.DONE, e.reason());
        assertNull(e.address());
        assertEquals("DONE", e.reasonName());
        End ipv4NoTtl = End.decode(h("04 01020304"));
        assertEquals(-1, ipv4NoTtl.ttl());
        assertEquals(ipv4NoTtl, End.decode(ipv4NoTtl.encode()));
    }

    @Test
    void sendmeVersions() {
        Sendme v1 = Sendme.authenticated(new byte[20]);
        assertEquals(1, v1.version());
        assertEquals(23, v1.encode().length);
        assertNull(Sendme.unauthenticated().digest());
        assertThrows(ProtocolException.class, () -> Sendme.decode(h("ff0000")));
        assertThrows(ProtocolException.class, () -> Sendme.decode(h("00")));
        assertThrows(ProtocolException.class, () -> Sendme.authenticated(new byte[19]));
        assertNotEquals(v1, Sendme.unauthenticated());
    }

    @Test
    void linkSpecifiers() {
        LinkSpecifier v4 = LinkSpecifier.ipv4(IpAddress.ipv4(1, 2, 3, 4), 9001);
        assertEquals("0006010203042329", Bytes.hex(v4.encode()));
        assertEquals(9001, LinkSpecifier.decode(v4.encode()).port());
        assertThrows(ProtocolException.class, () -> v4.identity());
        assertThrows(ProtocolException.class, () -> LinkSpecifier.rsaId(new byte[20]).address());
        assertThrows(ProtocolException.class, () -> LinkSpecifier.ipv4(IpAddress.of(new byte[16]), 1));
        assertThrows(ProtocolException.class, () -> LinkSpecifier.ipv6(IpAddress.ipv4(1, 1, 1, 1), 1));
        assertThrows(ProtocolException.class, () -> LinkSpecifier.raw(0, new byte[5]));
        assertThrows(ProtocolException.class, () -> LinkSpecifier.raw(9, new byte[256]));
        assertThrows(ProtocolException.class, () -> LinkSpecifier.decode(h("0900ff")));
        assertEquals(0, LinkSpecifier.decode(h("0900")).body().length);
        List<LinkSpecifier> twoEd = Arrays.asList(LinkSpecifier.ed25519Id(new byte[32]),
                LinkSpecifier.ed25519Id(new byte[32]));
        assertThrows(ProtocolException.class, () -> new Extend2(twoEd, 2, new byte[0]));
    }

    @Test
    void resolvedAnswers() {
        Resolved r = Resolved.decode(new Resolved(Arrays.asList(
                Resolved.Answer.address(IpAddress.of(new byte[16]), 1),
                new Resolved.Answer(Resolved.TYPE_ERROR, Bytes.ascii("x"), 0))).encode());
        assertEquals("::", r.answers().get(0).address().toString());
        assertNull(r.answers().get(0).hostname());
        assertTrue(r.answers().get(1).isError());
        assertNull(r.answers().get(1).address());
        assertEquals(0, Resolved.decode(new byte[0]).answers().size());
        assertThrows(ProtocolException.class, () -> Resolve.decode(h("00")));
        assertThrows(ProtocolException.class, () -> Resolve.decode(h("41ff00")));
        assertEquals("a", Resolve.decode(h("610042")).hostname());
    }

    @Test
    void otherChannelMessages() {
        AuthChallenge ac = new AuthChallenge(new byte[32], new int[] {1, 3});
        assertTrue(ac.offers(3));
        assertTrue(!ac.offers(2));
        AuthChallenge extra = AuthChallenge.decode(Bytes.concat(ac.encode(), h("ffff")));
        assertEquals(ac, extra);
        assertEquals(ac, AuthChallenge.decode(ac.encode()));
        assertThrows(ProtocolException.class, () -> new AuthChallenge(new byte[31], new int[0]));
        Authenticate a = Authenticate.decode(h("0003 0001 aa ffff"));
        assertArrayEquals(h("aa"), a.authentication());
        assertEquals(PaddingNegotiate.STOP, PaddingNegotiate.decode(PaddingNegotiate.stop().encode()).paddingCommand());
        assertEquals(0, PaddingNegotiate.startDefault().itoHighMs());
        assertThrows(ProtocolException.class, () -> new PaddingNegotiate(2, 70000, 0));
        assertEquals(12, VPadding.decode(new byte[12]).length());
        assertEquals("DESTROY[FINISHED]", new Destroy(DestroyReason.FINISHED).toString());
        assertTrue(Relay.early(new byte[509]).isEarly());
        assertEquals(CellCommand.RELAY_EARLY, Relay.decodeEarly(new byte[509]).command());
        assertThrows(ProtocolException.class, () -> new OpaqueMessage(300, new byte[0]));
        assertThrows(ProtocolException.class, () -> new Destroy(256));
        assertEquals(4, new Extend(new byte[Extend.LEN]).address().length());
    }

    /** decode(buf, off, len) views the body: same fields and bytes as a decode of a copy, and the same encoding. */
    @Test
    void aRelayCellDecodedInPlaceViewsItsBody() {
        RelayCell sent = new RelayCell(RelayCommand.DATA, 0, 77, new byte[] {1, 2, 3, 4}, new byte[] {9, 8, 7, 6, 5});
        byte[] body = sent.encode(PaddingSource.ZEROS);
        byte[] buf = new byte[100 + body.length + 3];
        System.arraycopy(body, 0, buf, 100, body.length);
        RelayCell view = RelayCell.decode(buf, 100, body.length);
        assertEquals(RelayCell.decode(body), view);
        assertEquals(sent, view);
        assertSame(buf, view.dataArray());
        assertEquals(100 + RelayCell.DATA_OFFSET, view.dataOffset());
        assertEquals(5, view.dataLength());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, view.digest());
        assertArrayEquals(body, view.encode(PaddingSource.ZEROS));
        byte[] d = view.takeData();
        d[0] = 0; // a copy: the body is untouched
        assertEquals(9, buf[100 + RelayCell.DATA_OFFSET]);
    }

    /** A link encodes each cell into one reused scratch: the bytes must be those of encode(), whatever was there. */
    @Test
    void aCellEncodedIntoADirtyArrayIsByteForByteItsEncoding() {
        byte[] scratch = new byte[600];
        Arrays.fill(scratch, (byte) 0x55);
        Cell shortFixed = new Cell(7, CellCommand.RELAY, new byte[] {1, 2, 3}); // padded to 509 with zeros
        Cell variable = new Cell(9, CellCommand.VPADDING, new byte[] {4, 5});
        for (Cell c : List.of(shortFixed, variable)) {
            for (LinkFormat f : List.of(LinkFormat.V3, LinkFormat.V4)) {
                byte[] want = c.encode(f);
                assertEquals(want.length, c.encode(scratch, 3, f));
                assertArrayEquals(want, Arrays.copyOfRange(scratch, 3, 3 + want.length), c + " " + f);
                assertEquals(0x55, scratch[2] & 0xff, "nothing written before the offset");
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shortFixed.encode(new byte[600], 100, LinkFormat.V4));
        assertEquals("no room for a 514-byte cell", e.getMessage());
    }

    /** Cell.lend views its buffer (a relay passing a cell on from its link's buffer) until it is detached. */
    @Test
    void aLentCellViewsItsBufferUntilDetached() {
        byte[] buf = new byte[Cell.PAYLOAD_LEN + 10];
        buf[10] = 42;
        Cell c = Cell.lend(5, CellCommand.RELAY, buf, 10);
        assertEquals(Cell.PAYLOAD_LEN, c.payloadLength());
        assertEquals(42, c.payload()[0]);
        buf[10] = 43;
        assertEquals(43, c.encode(LinkFormat.V4)[5], "a view: it sees its buffer change");
        c.detach();
        buf[10] = 44;
        assertEquals(43, c.payload()[0], "detached: its own copy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cell.lend(5, CellCommand.VPADDING, buf, 0));
        assertEquals("not a fixed cell over 519 bytes at 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Cell.lend(5, CellCommand.RELAY, buf, 11));
        assertEquals("not a fixed cell over 519 bytes at 11", e.getMessage());
    }

    /** An exit makes DATA bodies straight from its read buffer: the same bytes as a RelayCell's encoding. */
    @Test
    void aRelayBodyWrittenFromARangeIsTheCellsEncoding() {
        byte[] src = new byte[1000];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) (i * 7);
        }
        PaddingSource ff = (b, off, len) -> Arrays.fill(b, off, off + len, (byte) 0xff);
        byte[] out = new byte[RelayCell.BODY_LEN + 2];
        for (int len : new int[] {0, 1, 493, 494, 497, RelayCell.MAX_DATA_LEN}) {
            Arrays.fill(out, (byte) 0x33);
            RelayCell.encodeInto(RelayCommand.DATA, 513, src, 100, len, out, 2, ff);
            byte[] want = new RelayCell(RelayCommand.DATA, 513, Arrays.copyOfRange(src, 100, 100 + len)).encode(ff);
            assertArrayEquals(want, Arrays.copyOfRange(out, 2, out.length), "length " + len);
        }
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> RelayCell.encodeInto(RelayCommand.DATA, 1, src, 0, RelayCell.MAX_DATA_LEN + 1, out, 0, ff));
        assertEquals("relay data too long: 499", e.getMessage());
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> RelayCell.encodeInto(RelayCommand.DATA, 1, src, 0, 10, out, 3, ff));
        assertEquals("no room for a relay body", r.getMessage());
    }
}
