package org.onionpeer.cell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;

/**
 * Known answers for the cell layer. Expected hex is either laid out by hand from tor-spec field tables (marked
 * "spec layout") or copied from tor's own unit tests, src/test/test_cell_formats.c (marked "tor test"). Then
 * round trips for every message type and rejections of malformed input. Deterministic: all "random" bytes
 * are fixed patterns.
 */
public final class CellKnownAnswers implements KnownAnswers {
    @Override
    public String name() {
        return "cell";
    }

    @Override
    public void run(Check c) {
        framing(c);
        reader(c);
        channelMessages(c);
        relayCells(c);
        relayMessages(c);
        roundTrips(c);
        rejections(c);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** {@code n} copies of one hex byte. */
    static String rep(String hexByte, int n) {
        StringBuilder sb = new StringBuilder(2 * n);
        for (int i = 0; i < n; i++) {
            sb.append(hexByte);
        }
        return sb.toString();
    }

    /** Bytes start, start+1, ... (mod 256): a fixed stand-in for random key material. */
    static byte[] seq(int start, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (start + i);
        }
        return b;
    }

    private static byte[] h(String hex) {
        return Bytes.unhex(hex);
    }

    private static byte[] ascii(String s) {
        return Bytes.ascii(s);
    }

    /** A fixed padding source so relay bodies are reproducible on every platform. */
    static final PaddingSource FIXED_PAD = (buf, off, len) -> {
        for (int i = 0; i < len; i++) {
            buf[off + i] = (byte) 0xee;
        }
    };

    // ---- framing -------------------------------------------------------------------------------------------

    private void framing(Check c) {
        // spec layout (tor-spec §3, §4.1): CircID(2)=0 Cmd=07 Len=0006 then 0003 0004 0005.
        Cell versions = LinkVersions.ours().toCell(0);
        c.bytes("versions-345", "0000 07 0006 000300040005", versions.encode(LinkFormat.INITIAL));

        // spec layout (tor-spec §4.5) on link v4: CircID(4)=0 Cmd=08, TIME=0, OTHERADDR 04 04 127.0.0.1, NMYADDR 0,
        // NUL padding to 509 payload bytes.
        Netinfo ni = Netinfo.forClient(IpAddress.ipv4(127, 0, 0, 1));
        c.bytes("netinfo-client-v4", "00000000 08 00000000 04 04 7f000001 00" + rep("00", 509 - 11),
                ni.toCell(0).encode(LinkFormat.V4));

        // spec layout (tor-spec §3, §5.4) on link v3: 2-byte CircID, DESTROY reason REQUESTED, 512 bytes in all.
        byte[] destroy = new Destroy(DestroyReason.REQUESTED).toCell(0x1234).encode(LinkFormat.V3);
        c.bytes("destroy-v3", "1234 04 03" + rep("00", 508), destroy);
        c.that("v3-cell-len", destroy.length == 512 && LinkFormat.V3.fixedCellLen() == 512, "" + destroy.length);
        c.that("v4-cell-len", LinkFormat.V4.fixedCellLen() == 514 && LinkFormat.V5.fixedCellLen() == 514, "514");

        // spec layout (tor-spec §5.1.5): CREATE_FAST X(20) with the initiator's CircID MSB set (§5.1.1).
        c.bytes("create-fast-v4", "80000001 05" + Bytes.hex(seq(0, 20)) + rep("00", 489),
                new CreateFast(seq(0, 20)).toCell(0x80000001L).encode(LinkFormat.V4));

        // spec layout (tor-spec §5.1): CREATE2 HTYPE 0002 (ntor) HLEN 0054 (84) HDATA.
        c.bytes("create2-ntor-v4", "80000002 0a 0002 0054" + Bytes.hex(seq(0x40, 84)) + rep("00", 509 - 88),
                new Create2(Create2.HTYPE_NTOR, seq(0x40, 84)).toCell(0x80000002L).encode(LinkFormat.V4));

        // spec layout (tor-spec §4.3): variable cell 82 (AUTH_CHALLENGE), Len 0024 = 32 + 2 + 2 = 36, methods [3].
        byte[] challenge = seq(0xa0, 32);
        c.bytes("auth-challenge-v4", "00000000 82 0024" + Bytes.hex(challenge) + "0001 0003",
                new AuthChallenge(challenge, new int[] {3}).toCell(0).encode(LinkFormat.V4));

        c.bytes("vpadding-v5", "00000000 80 0003 000000", new VPadding(3).toCell(0).encode(LinkFormat.V5));

        // Decoding the same bytes gives the same cell back.
        Cell back = Cell.decode(LinkFormat.V3, destroy);
        c.that("decode-destroy-v3", back.circId() == 0x1234 && back.command() == CellCommand.DESTROY
                && ((Destroy) ChannelMessages.decode(back)).reason() == DestroyReason.REQUESTED, back.toString());
        Cell wide = Cell.decode(LinkFormat.V4, h("fffffffe 07 0002 0004"));
        c.that("circid-unsigned-32", wide.circId() == 0xfffffffeL, Long.toString(wide.circId()));

        c.that("negotiate-arti", LinkVersions.highestCommon(new int[] {3, 4, 5}, new int[] {4, 5}) == 5, "5");
        c.that("negotiate-v3-only", LinkVersions.highestCommon(new int[] {3, 4, 5}, new int[] {3, 2}) == 3, "3");
        c.that("negotiate-from-cell", LinkVersions.negotiate(Versions.decode(h("000300040005"))) == 5, "5");
        c.rejects("negotiate-none", () -> LinkVersions.highestCommon(new int[] {3, 4, 5}, new int[] {1, 2, 6}));
        c.rejects("link-v2-unsupported", () -> LinkFormat.forVersion(2));
        c.that("command-names", CellCommand.name(CellCommand.AUTHORIZE).equals("AUTHORIZE")
                && CellCommand.name(CellCommand.PADDING_NEGOTIATE).equals("PADDING_NEGOTIATE")
                && CellCommand.isVariable(7) && CellCommand.isVariable(128) && !CellCommand.isVariable(12)
                && !CellCommand.isVariable(127), CellCommand.name(200));
    }

    // ---- streaming reader ----------------------------------------------------------------------------------

    /** A responder's opening as it arrives: VERSIONS (2-byte CircID), then v4 VPADDING, DESTROY, NETINFO. */
    static byte[] sampleStream() {
        Netinfo ni = new Netinfo(0x65000000L, IpAddress.ipv4(10, 0, 0, 2),
                Collections.singletonList(IpAddress.ipv4(10, 0, 0, 1)));
        return Bytes.concat(new Versions(3, 4, 5).toCell(0).encode(LinkFormat.INITIAL),
                new VPadding(7).toCell(0).encode(LinkFormat.V4),
                new Destroy(DestroyReason.NONE).toCell(0x80000005L).encode(LinkFormat.V4),
                ni.toCell(0).encode(LinkFormat.V4));
    }

    /** Feeds {@code stream} in chunks of the given sizes (cycled) and returns the command sequence. */
    static String readAll(byte[] stream, int[] chunks) {
        CellReader r = new CellReader();
        StringBuilder out = new StringBuilder();
        int off = 0;
        int k = 0;
        while (off < stream.length) {
            int n = Math.min(chunks[k++ % chunks.length], stream.length - off);
            r.push(stream, off, n);
            off += n;
            Cell cell;
            while ((cell = r.next()) != null) {
                out.append(CellCommand.name(cell.command())).append('/').append(cell.circId()).append(' ');
                if (cell.command() == CellCommand.VERSIONS && r.format() == LinkFormat.INITIAL) {
                    r.setLinkVersion(LinkVersions.negotiate(Versions.decode(cell.payload())));
                }
            }
        }
        return out.append(r.buffered()).toString();
    }

    private void reader(Check c) {
        byte[] s = sampleStream();
        String want = "VERSIONS/0 VPADDING/0 DESTROY/2147483653 NETINFO/0 0";
        String whole = readAll(s, new int[] {s.length});
        c.that("reader-whole", whole.equals(want), whole);
        String bytewise = readAll(s, new int[] {1});
        c.that("reader-byte-by-byte", bytewise.equals(want), bytewise);
        String uneven = readAll(s, new int[] {3, 500, 7, 1, 64});
        c.that("reader-uneven", uneven.equals(want), uneven);

        c.rejects("reader-fixed-before-versions", () -> {
            CellReader r = new CellReader();
            r.push(new Padding().toCell(0).encode(LinkFormat.INITIAL));
            r.next();
        });
        c.rejects("reader-oversized-var", () -> {
            CellReader r = new CellReader(1024, 4096);
            r.push(h("0000 81 0401")); // CERTS claiming 1025 bytes: refused from the header alone
            r.next();
        });
        c.rejects("reader-buffer-bound", () -> {
            CellReader r = new CellReader(1024, 2048);
            r.push(new byte[2049]);
        });
        CellReader bounded = new CellReader(1024, 2048);
        int took = bounded.offer(new byte[3000], 0, 3000);
        c.that("reader-offer-partial", took == 2048 && bounded.room() == 0, "" + took);
    }

    // ---- channel messages ----------------------------------------------------------------------------------

    private void channelMessages(Check c) {
        // spec layout (tor-spec §4.5): TIME 65000000, OTHERADDR 06 10 2001:db8::1, NMYADDR 02: 04 04 10.0.0.1,
        // 06 10 ::1.
        IpAddress v6 = IpAddress.of(h("20010db8000000000000000000000001"));
        IpAddress loop6 = IpAddress.of(h("00000000000000000000000000000001"));
        Netinfo relayNi = new Netinfo(0x65000000L, v6, Arrays.asList(IpAddress.ipv4(10, 0, 0, 1), loop6));
        String niHex = "65000000 06 10 20010db8000000000000000000000001 02 04 04 0a000001 06 10"
                + " 00000000000000000000000000000001";
        c.bytes("netinfo-relay", niHex, relayNi.encode());
        c.that("ipv6-text", v6.toString().equals("2001:db8::1") && loop6.toString().equals("::1"),
                v6 + " " + loop6);

        // §4.5: an unknown ATYPE (05) and an IPv4 with ALEN 3 are ignored; the rest still counts. Padding after.
        Netinfo skip = Netinfo.decode(h("00000001 04 04 7f000001 03 05 05 0102030405 04 03 aabbcc 04 04 0a000001"
                + rep("00", 20)));
        c.that("netinfo-skips-unknown", skip.myAddresses().size() == 1
                && skip.myAddresses().get(0).toString().equals("10.0.0.1") && skip.time() == 1
                && skip.otherAddress().toString().equals("127.0.0.1"), skip.myAddresses().toString());
        Netinfo unknownOther = Netinfo.decode(h("00000000 00 00 00"));
        c.that("netinfo-no-other", unknownOther.otherAddress() == null, "null");

        // tor test test_cfmt_created_cells: CREATED2 with HLEN 0040 and 64 bytes.
        c.bytes("created2-64", "0040" + Bytes.hex(seq(1, 64)), new Created2(seq(1, 64)).encode());
        // tor test: HLEN 01f0 = 496 fits a CREATED2 payload.
        c.that("created2-496", Created2.decode(Bytes.concat(h("01f0"), new byte[507])).handshakeData().length == 496,
                "496");

        c.bytes("created-fast", Bytes.hex(seq(0, 20)) + Bytes.hex(seq(100, 20)),
                new CreatedFast(seq(0, 20), seq(100, 20)).encode());
        c.bytes("padding-negotiate-stop", "00 01 0000 0000", PaddingNegotiate.stop().encode());
        c.bytes("padding-negotiate-start", "00 02 05dc 251c", new PaddingNegotiate(2, 1500, 9500).encode());
        c.bytes("authenticate", "0003 0002 abcd", new Authenticate(3, h("abcd")).encode());
        c.that("destroy-reason-names", DestroyReason.name(12).equals("NOSUCHSERVICE")
                && DestroyReason.name(8).equals("CHANNEL_CLOSED") && DestroyReason.name(99).equals("UNKNOWN(99)"),
                DestroyReason.name(0));
        ChannelMessage certs = ChannelMessages.decode(new Cell(0, CellCommand.CERTS, h("00")));
        c.that("certs-opaque", certs instanceof OpaqueMessage && certs.command() == CellCommand.CERTS,
                certs.toString());
        ChannelMessage unknown = ChannelMessages.decode(new Cell(0, 77, h("01")));
        c.that("unknown-command-opaque", unknown instanceof OpaqueMessage && unknown.command() == 77,
                unknown.toString());
    }

    // ---- relay cells ---------------------------------------------------------------------------------------

    private void relayCells(Check c) {
        // tor test test_cfmt_relay_msg_encoding_simple: DATA on stream 0x250, "hello world", then four zero bytes
        // and random padding (here the fixed 0xee source).
        RelayCell data = RelayCell.of(0x250, new Data(ascii("hello world")));
        byte[] body = data.encode(FIXED_PAD);
        c.bytes("relay-data-hello", "02 0000 0250 00000000 000b 68656c6c6f20776f726c64 00000000"
                + rep("ee", 509 - 26), body);
        RelayCell back = RelayCell.decode(body);
        c.that("relay-data-decode", back.equals(data) && back.message().equals(new Data(ascii("hello world"))),
                back.toString());

        // Full data: no room for padding at all; 494..497 bytes: the zeros are cut short at the body's end.
        byte[] full = RelayCell.of(1, new Data(new byte[498])).encode(FIXED_PAD);
        c.that("relay-full-no-padding", full.length == 509 && Bytes.u16(full, RelayCell.LENGTH_OFFSET) == 498,
                "498");
        byte[] nearlyFull = RelayCell.of(1, new Data(seq(1, 496))).encode(FIXED_PAD);
        c.bytes("relay-zero-pad-cut", "0000", Bytes.slice(nearlyFull, 507, 2));

        // SENDME v1 (tor-spec §7.3.1) carrying tor's test tag "hello i am a tag....".
        RelayCell sendme = RelayCell.of(0, Sendme.authenticated(ascii("hello i am a tag....")));
        c.bytes("relay-sendme-v1", "05 0000 0000 00000000 0017 01 0014 68656c6c6f206920616d2061207461672e2e2e2e"
                + "00000000", Bytes.slice(sendme.encode(FIXED_PAD), 0, 38));
        c.that("relay-offsets", RelayCell.RECOGNIZED_OFFSET == 1 && RelayCell.DIGEST_OFFSET == 5
                && RelayCell.LENGTH_OFFSET == 9 && RelayCell.MAX_DATA_LEN == 498, "1 5 9 498");
    }

    // ---- relay messages ------------------------------------------------------------------------------------

    private void relayMessages(Check c) {
        // tor test test_cfmt_begin_cells.
        Begin b4 = Begin.decode(ascii("18.9.22.169:80\0"));
        c.that("begin-ipv4", b4.host().equals("18.9.22.169") && b4.port() == 80 && b4.flags() == 0, b4.toString());
        c.bytes("begin-ipv4-encode", Bytes.hex(ascii("18.9.22.169:80")) + "00", b4.encode());
        Begin b6 = Begin.decode(ascii("[2620::6b0:b:1a1a:0:26e5:480e]:80\0"));
        c.that("begin-ipv6", b6.host().equals("2620::6b0:b:1a1a:0:26e5:480e") && b6.isIpv6Literal()
                && b6.port() == 80, b6.toString());
        byte[] withFlags = Bytes.concat(ascii("another.example.com:443\0"), h("01020304"));
        Begin bf = Begin.decode(withFlags);
        c.that("begin-flags", bf.flags() == 0x01020304L && bf.port() == 443, bf.toString());
        c.bytes("begin-flags-encode", Bytes.hex(withFlags), bf.encode());
        Begin cruft = Begin.decode(Bytes.concat(ascii("a-further.example.com:22\0"), h("eeaa00ff"), ascii("Hi mom")));
        c.that("begin-cruft", cruft.flags() == 0xeeaa00ffL && cruft.port() == 22, cruft.toString());
        Begin shortFlags = Begin.decode(Bytes.concat(ascii("a.b:80\0"), h("424344")));
        c.that("begin-short-flags", shortFlags.flags() == 0, shortFlags.toString());
        Begin longName = Begin.decode(ascii("here-is-a-nice-long.hostname.com:65535\0"));
        c.that("begin-65535", longName.port() == 65535, longName.toString());

        // tor test test_cfmt_connected_cells: encodings of 30.40.50.60 ttl 1024 and 2620::6b0:b:1a1a:0:26e5:480e.
        c.bytes("connected-ipv4", "1e28323c00000400", Connected.of(IpAddress.ipv4(30, 40, 50, 60), 1024).encode());
        c.bytes("connected-ipv6", "00000000 06 2620000006b0000b1a1a000026e5480e 00000e10",
                Connected.of(IpAddress.of(h("2620000006b0000b1a1a000026e5480e")), 3600).encode());
        Connected noTtl = Connected.decode(h("20304050"));
        c.that("connected-ipv4-no-ttl", noTtl.address().toString().equals("32.48.64.80") && noTtl.ttl() == -1,
                noTtl.toString());
        Connected cutTtl = Connected.decode(h("1112131415"));
        c.that("connected-cut-ttl", cutTtl.address().toString().equals("17.18.19.20") && cutTtl.ttl() == -1,
                cutTtl.toString());
        Connected v6 = Connected.decode(h("0000000006 2607f8b0400c0c020000000000000068 00000258"));
        c.that("connected-ipv6-decode", v6.address().toString().equals("2607:f8b0:400c:c02::68") && v6.ttl() == 600,
                v6.toString());
        c.that("connected-empty", Connected.decode(new byte[0]).address() == null, "empty");

        // tor test test_cfmt_extend_cells: the four-specifier EXTEND2 with an Ed25519 id, HTYPE 0105, HLEN 0063.
        String extendPrefix = "04 0006 12F40001F0F1 0214 616e7468726f706f6d6f727068697a6174696f6e"
                + " 0320 62726f776e73686f6573646f6e746d616b656974 2f62726f776e73686f657364"
                + " 0112 20020000000000000000000000f0c51e 1112 01050063";
        byte[] hdata = seq(0x30, 99);
        Extend2 e2 = new Extend2(Arrays.asList(LinkSpecifier.ipv4(IpAddress.ipv4(18, 244, 0, 1), 61681),
                LinkSpecifier.rsaId(ascii("anthropomorphization")),
                LinkSpecifier.ed25519Id(ascii("brownshoesdontmakeit/brownshoesd")),
                LinkSpecifier.ipv6(IpAddress.of(h("20020000000000000000000000f0c51e")), 4370)), 0x105, hdata);
        byte[] e2enc = e2.encode();
        c.bytes("extend2-tor", extendPrefix, Bytes.slice(e2enc, 0, e2enc.length - 99));
        Extend2 e2back = Extend2.decode(e2enc);
        c.that("extend2-decode", e2back.equals(e2)
                && e2back.first(LinkSpecifier.TYPE_IPV6).toString().equals("ls[[2002::f0:c51e]:4370]")
                && e2back.first(LinkSpecifier.TYPE_IPV4).port() == 61681, e2back.specifiers().toString());
        // tor test: unknown specifier type f0 ("Konami code") is accepted; we keep it raw.
        byte[] konami = Bytes.concat(h("02 0006 12f40001f0f1 f020"), ascii("upupdowndownleftrightleftrightba"),
                h("ffff 0000"));
        Extend2 withUnknown = Extend2.decode(konami);
        c.that("extend2-unknown-spec-kept", withUnknown.specifiers().get(1).type() == 0xf0
                && !withUnknown.specifiers().get(1).isKnownType(), withUnknown.specifiers().toString());
        c.bytes("extend2-unknown-roundtrip", Bytes.hex(konami), withUnknown.encode());

        // tor test test_cfmt_extended_cells: EXTENDED2 HLEN 002a.
        c.bytes("extended2", "002a" + Bytes.hex(seq(7, 42)), new Extended2(seq(7, 42)).encode());

        // tor test test_cfmt_resolved_cells.
        Resolved r4 = Resolved.decode(h("0404 7f00020a 00000100"));
        c.that("resolved-ipv4", r4.answers().size() == 1
                && r4.answers().get(0).address().toString().equals("127.0.2.10") && r4.answers().get(0).ttl() == 256,
                r4.answers().toString());
        Resolved rh = Resolved.decode(Bytes.concat(h("0011"), ascii("motherbrain.zebes"), h("00000000")));
        c.that("resolved-hostname", rh.answers().get(0).hostname().equals("motherbrain.zebes"),
                rh.answers().toString());
        Resolved r6 = Resolved.decode(h("0610 200290900000000000000000f0f0abcd 02000001"));
        c.that("resolved-ipv6", r6.answers().get(0).address().toString().equals("2002:9090::f0f0:abcd")
                && r6.answers().get(0).ttl() == 0x2000001, r6.answers().toString());
        Resolved err = Resolved.decode(Bytes.concat(h("f02b"), ascii("I'm sorry, Dave. I'm afraid I can't do that"),
                h("00112233")));
        c.that("resolved-error", err.answers().get(0).isError(), err.answers().toString());
        c.bytes("resolve", Bytes.hex(ascii("www.torproject.org")) + "00", new Resolve("www.torproject.org").encode());

        c.bytes("end-done", "06", End.of(EndReason.DONE).encode());
        c.bytes("end-exitpolicy", "04 01020304 00000e10", End.exitPolicy(IpAddress.ipv4(1, 2, 3, 4), 3600).encode());
        End emptyEnd = End.decode(new byte[0]);
        c.that("end-empty-is-misc", emptyEnd.reason() == EndReason.MISC, emptyEnd.toString());
        End badAddr = End.decode(h("04 010203"));
        c.that("end-bad-address-ignored", badAddr.reason() == EndReason.EXITPOLICY && badAddr.address() == null,
                badAddr.toString());
        End v6End = End.decode(h("04 20010db8000000000000000000000001"));
        c.that("end-exitpolicy-v6-no-ttl", v6End.address().toString().equals("2001:db8::1") && v6End.ttl() == -1,
                v6End.toString());
        c.that("end-reason-names", EndReason.name(14).equals("NOTDIRECTORY") && EndReason.name(3)
                .equals("CONNECTREFUSED"), EndReason.name(6));

        c.bytes("sendme-v0", "", Sendme.unauthenticated().encode());
        Sendme longer = Sendme.decode(Bytes.concat(h("01 0016"), seq(0, 22)));
        c.that("sendme-v1-long-data", Arrays.equals(longer.digest(), seq(0, 20)), Bytes.hex(longer.digest()));
        c.that("sendme-v0-data-ignored", Sendme.decode(h("00 0002 abcd")).version() == 0, "0");
        c.bytes("truncated", "07", new Truncated(DestroyReason.OR_IDENTITY).encode());
        c.that("relay-names", RelayCommand.name(15).equals("EXTENDED2") && RelayCommand.name(43).equals("XOFF")
                && RelayCommand.name(44).equals("XON")
                && RelayCommand.name(99).equals("UNKNOWN(99)"), RelayCommand.name(13));
        // prop324 §4.1 / tor's flow_control_cells.trunnel: xoff_cell = u8 version; xon_cell = u8 version, u32 kbps_ewma.
        c.that("xoff-wire", Arrays.equals(new Xoff().encode(), h("00")), Bytes.hex(new Xoff().encode()));
        c.that("xon-wire", Arrays.equals(new Xon(0x01020304L).encode(), h("00 01020304")),
                Bytes.hex(new Xon(0x01020304L).encode()));
        c.that("xon-decode", Xon.decode(h("00 ffffffff 99")).kbpsEwma() == 0xffffffffL, "kbps");
        c.that("xoff-dispatch", RelayMessages.decode(43, h("00")) instanceof Xoff, "43");
        c.that("xon-dispatch", RelayMessages.decode(44, h("00 00000000")) instanceof Xon, "44");
        c.rejects("xoff-version", () -> Xoff.decode(h("01")));
        c.rejects("xoff-empty", () -> Xoff.decode(new byte[0]));
        c.rejects("xon-version", () -> Xon.decode(h("01 00000000")));
        c.rejects("xon-short", () -> Xon.decode(h("00 000000")));
        // prop329 / tor's conflux.trunnel: link = u8 version 1, nonce[32], u64 last_seqno_sent, u64 last_seqno_recv,
        // u8 desired_ux; switch = u32 seqnum; linked_ack is empty.
        ConfluxLink link = ConfluxLink.link(seq(0x40, 32), ConfluxLink.UX_HIGH_THROUGHPUT);
        c.bytes("conflux-link", "01" + Bytes.hex(seq(0x40, 32)) + "0000000000000000" + "0000000000000000" + "03",
                link.encode());
        ConfluxLink linked = ConfluxLink.decode(RelayCommand.CONFLUX_LINKED,
                h("01" + Bytes.hex(seq(0x40, 32)) + "0000000100000002 8000000000000003 04 ff"));
        c.that("conflux-linked-decode", linked.lastSeqSent() == 0x100000002L && linked.lastSeqRecv() == 0x8000000000000003L
                && linked.desiredUx() == 4 && linked.nonceEquals(seq(0x40, 32))
                && linked.relayCommand() == RelayCommand.CONFLUX_LINKED, linked.toString());
        c.that("conflux-link-hides-nonce", !link.toString().contains(Bytes.hex(seq(0x40, 4))), link.toString());
        c.bytes("conflux-switch", "fffffffe", new ConfluxSwitch(0xfffffffeL).encode());
        c.that("conflux-switch-decode", ConfluxSwitch.decode(h("00000007 99")).relativeSeq() == 7, "7");
        c.that("conflux-names", RelayCommand.name(19).equals("CONFLUX_LINK") && RelayCommand.name(22)
                .equals("CONFLUX_SWITCH") && RelayCommand.name(16).equals("UNKNOWN(16)"), RelayCommand.name(21));
        c.rejects("conflux-link-version", () -> ConfluxLink.decode(RelayCommand.CONFLUX_LINK,
                h("02" + Bytes.hex(seq(0x40, 32)) + "00000000000000000000000000000000 03")));
        c.rejects("conflux-link-ux", () -> ConfluxLink.decode(RelayCommand.CONFLUX_LINK,
                h("01" + Bytes.hex(seq(0x40, 32)) + "00000000000000000000000000000000 05")));
        c.rejects("conflux-link-short", () -> ConfluxLink.decode(RelayCommand.CONFLUX_LINK, h("01 4041")));
        c.rejects("conflux-switch-short", () -> ConfluxSwitch.decode(h("000000")));
        RelayMessage opaque = RelayMessages.decode(99, h("00"));
        c.that("relay-unknown-opaque", opaque instanceof OpaqueRelayMessage, opaque.toString());
    }

    // ---- round trips ---------------------------------------------------------------------------------------

    static List<ChannelMessage> sampleChannelMessages() {
        List<ChannelMessage> l = new ArrayList<>();
        l.add(new Versions(3, 4, 5));
        l.add(new Netinfo(0x65000000L, IpAddress.of(seq(0x20, 16)),
                Arrays.asList(IpAddress.ipv4(10, 0, 0, 1), IpAddress.of(seq(1, 16)))));
        l.add(Netinfo.forClient(null));
        l.add(new Create2(Create2.HTYPE_NTOR, seq(0, 84)));
        l.add(new Create2(Create2.HTYPE_NTOR_V3, seq(9, Create2.MAX_HDATA_LEN)));
        l.add(new Created2(seq(3, 64)));
        l.add(new CreateFast(seq(5, 20)));
        l.add(new CreatedFast(seq(6, 20), seq(7, 20)));
        l.add(new Create(seq(8, Create.ONIONSKIN_LEN)));
        l.add(new Created(seq(9, Created.REPLY_LEN)));
        l.add(new Destroy(DestroyReason.NOSUCHSERVICE));
        l.add(new Padding());
        l.add(new VPadding(100));
        l.add(new PaddingNegotiate(PaddingNegotiate.START, 1500, 9500));
        l.add(new AuthChallenge(seq(0x11, 32), new int[] {1, 3}));
        l.add(new Authenticate(3, seq(0x22, 200)));
        l.add(new Authorize(seq(0x33, 10)));
        l.add(Relay.of(seq(0x44, 509)));
        l.add(Relay.early(seq(0x55, 509)));
        l.add(new OpaqueMessage(CellCommand.CERTS, seq(0x66, 300)));
        return l;
    }

    static List<RelayMessage> sampleRelayMessages() {
        List<RelayMessage> l = new ArrayList<>();
        l.add(new Begin("www.example.com", 443));
        l.add(new Begin("2001:db8::1", 80, Begin.FLAG_IPV6_OK | Begin.FLAG_IPV6_PREFERRED));
        l.add(new Begin("10.0.0.1", 1, Begin.FLAG_IPV4_NOT_OK));
        l.add(Connected.empty());
        l.add(Connected.of(IpAddress.ipv4(1, 2, 3, 4), 300));
        l.add(Connected.of(IpAddress.ipv4(1, 2, 3, 4), -1));
        l.add(Connected.of(IpAddress.of(seq(0x20, 16)), 0xffffffffL));
        l.add(new Data(seq(0, 498)));
        l.add(new Data(new byte[0]));
        l.add(End.of(EndReason.TORPROTOCOL));
        l.add(End.exitPolicy(IpAddress.of(seq(0x20, 16)), 60));
        l.add(End.exitPolicy(IpAddress.ipv4(9, 9, 9, 9), -1));
        l.add(Sendme.unauthenticated());
        l.add(Sendme.authenticated(seq(0x77, 20)));
        l.add(new Extend2(Arrays.asList(LinkSpecifier.ipv4(IpAddress.ipv4(127, 0, 0, 1), 9001),
                LinkSpecifier.rsaId(seq(1, 20)), LinkSpecifier.ed25519Id(seq(2, 32)),
                LinkSpecifier.raw(0x42, seq(3, 5))), Create2.HTYPE_NTOR, seq(4, 84)));
        l.add(new Extended2(seq(5, 64)));
        l.add(new BeginDir());
        l.add(new Truncate());
        l.add(new Truncated(DestroyReason.CONNECTFAILED));
        l.add(new Drop(seq(6, 30)));
        l.add(new Resolve("in-addr.arpa"));
        l.add(new Resolved(Arrays.asList(Resolved.Answer.address(IpAddress.ipv4(1, 1, 1, 1), 30),
                Resolved.Answer.hostname("one.one.one.one", 40), new Resolved.Answer(0xee, seq(1, 3), 5))));
        l.add(new Extend(seq(7, Extend.LEN)));
        l.add(new Extended(seq(8, Created.REPLY_LEN)));
        l.add(new OpaqueRelayMessage(99, seq(9, 3)));
        l.add(new Xoff());
        l.add(new Xon(Xon.UNLIMITED));
        l.add(new Xon(0xfedcba98L));
        return l;
    }

    private void roundTrips(Check c) {
        LinkFormat[] formats = {LinkFormat.V3, LinkFormat.V4};
        for (ChannelMessage m : sampleChannelMessages()) {
            for (LinkFormat f : formats) {
                byte[] wire = m.toCell(f == LinkFormat.V3 ? 0x7fff : 0x80000007L).encode(f);
                ChannelMessage back = ChannelMessages.decode(Cell.decode(f, wire));
                c.that("rt-" + CellCommand.name(m.command()) + "-" + f, back.equals(m), Bytes.hex(wire, 0, Math.min(12, wire.length)));
            }
        }
        for (RelayMessage m : sampleRelayMessages()) {
            byte[] body = RelayCell.of(7, m).encode(FIXED_PAD);
            RelayCell cell = RelayCell.decode(body);
            c.that("rt-relay-" + RelayCommand.name(m.relayCommand()), cell.message().equals(m) && cell.streamId() == 7,
                    Bytes.hex(body, 0, 16));
        }
    }

    // ---- rejections ----------------------------------------------------------------------------------------

    private void rejections(Check c) {
        c.rejects("versions-odd", () -> Versions.decode(h("000300")));
        c.rejects("cell-truncated", () -> Cell.decode(LinkFormat.V4, new byte[513]));
        c.rejects("cell-trailing", () -> Cell.decode(LinkFormat.V4, new byte[515]));
        c.rejects("var-cell-truncated", () -> Cell.decode(LinkFormat.V4, h("00000000 81 0005 0102")));
        c.rejects("circid-too-wide-for-v3", () -> new Destroy(0).toCell(0x10000).encode(LinkFormat.V3));
        c.rejects("fixed-payload-too-long", () -> new Cell(1, CellCommand.RELAY, new byte[510]));
        // tor test test_cfmt_create_cells: TAP with HLEN 0x0200 (512) cannot fit.
        c.rejects("create2-hlen-512", () -> Create2.decode(Bytes.concat(h("00000200"), new byte[505])));
        c.rejects("create2-hlen-beyond-data", () -> Create2.decode(h("0002 0054 0102")));
        // tor test test_cfmt_created_cells: HLEN 0x02ff too long.
        c.rejects("created2-hlen-02ff", () -> Created2.decode(Bytes.concat(h("02ff"), new byte[507])));
        c.rejects("create-fast-short", () -> CreateFast.decode(new byte[19]));
        c.rejects("created-fast-short", () -> CreatedFast.decode(new byte[39]));
        c.rejects("destroy-empty", () -> Destroy.decode(new byte[0]));
        c.rejects("netinfo-truncated-addr", () -> Netinfo.decode(h("00000000 04 04 7f00")));
        c.rejects("padding-negotiate-v1", () -> PaddingNegotiate.decode(h("01 01 0000 0000")));
        c.rejects("padding-negotiate-cmd3", () -> PaddingNegotiate.decode(h("00 03 0000 0000")));
        c.rejects("auth-challenge-methods-overrun", () -> AuthChallenge.decode(Bytes.concat(seq(0, 32), h("0002 0003"))));
        c.rejects("authenticate-overrun", () -> Authenticate.decode(h("0003 0010 abcd")));
        c.rejects("relay-body-508", () -> Relay.decode(new byte[508]));

        byte[] badLen = new byte[509];
        Bytes.putU16(badLen, RelayCell.LENGTH_OFFSET, 499);
        c.rejects("relay-length-499", () -> RelayCell.decode(badLen));
        c.rejects("relay-body-short", () -> RelayCell.decode(new byte[508]));
        c.rejects("relay-data-499", () -> new Data(new byte[499]));

        // tor test test_cfmt_begin_cells: no body, no colon, no port, bad ports, no NUL.
        c.rejects("begin-empty", () -> Begin.decode(new byte[0]));
        c.rejects("begin-no-colon", () -> Begin.decode(ascii("a.b\0")));
        c.rejects("begin-no-port", () -> Begin.decode(ascii("a.b:\0")));
        c.rejects("begin-port-xyz", () -> Begin.decode(ascii("a.b:xyz\0")));
        c.rejects("begin-port-100000", () -> Begin.decode(ascii("a.b:100000\0")));
        c.rejects("begin-port-0", () -> Begin.decode(ascii("a.b:0\0")));
        c.rejects("begin-no-nul", () -> Begin.decode(ascii("a.b:80")));
        c.rejects("begin-unbracketed-v6", () -> Begin.decode(ascii("::1:80\0")));
        c.rejects("begin-bracket-unclosed", () -> Begin.decode(ascii("[::1:80\0")));

        // tor test test_cfmt_connected_cells: 3 bytes, family 7, truncated IPv6.
        c.rejects("connected-3", () -> Connected.decode(h("000102")));
        c.rejects("connected-family-7", () -> Connected.decode(h("0000000007 2607f8b0400c0c020000000000000068 90000258")));
        c.rejects("connected-v6-truncated", () -> Connected.decode(h("0000000006 2607f8b0400c0c020000000000000068 000002")));

        // tor test test_cfmt_extend_cells: two RSA identities, IPv4 specifier of length 7 and 5, IPv6 of 19 and 17,
        // and a handshake longer than the cell.
        c.rejects("extend2-two-identities", () -> Extend2.decode(Bytes.concat(h("03 0006 12f40001f0f1 0214"),
                ascii("anarchoindividualist"), h("0214"), ascii("autodepolymerization"), h("ffff0010"), new byte[16])));
        c.rejects("extend2-ipv4-len7", () -> Extend2.decode(Bytes.concat(h("02 0007 12f40001f0f1ff 0214"),
                ascii("anarchoindividualist"), h("ffff0000"))));
        c.rejects("extend2-ipv4-len5", () -> Extend2.decode(Bytes.concat(h("02 0005 12f40001f0 0214"),
                ascii("anarchoindividualist"), h("ffff0000"))));
        c.rejects("extend2-ipv6-len19", () -> Extend2.decode(Bytes.concat(h("01 0113"),
                ascii("xxxxxxxxxxxxxxxxYYZ"), h("ffff0000"))));
        c.rejects("extend2-ipv6-len17", () -> Extend2.decode(Bytes.concat(h("01 0111"),
                ascii("xxxxxxxxxxxxxxxxY"), h("ffff0000"))));
        c.rejects("extend2-handshake-too-long", () -> Extend2.decode(Bytes.concat(h("02 0006 12f40001f0f1 0214"),
                ascii("anarchoindividualist"), h("ffff01d0"), new byte[498 - 35])));
        // tor test test_cfmt_extended_cells: HLEN 01f1 (497) cannot fit the 498-byte relay data.
        c.rejects("extended2-01f1", () -> Extended2.decode(Bytes.concat(h("01f1"), new byte[496])));
        c.rejects("link-specifier-rsa-19", () -> LinkSpecifier.decode(Bytes.concat(h("0213"), new byte[19])));
        c.rejects("link-specifier-ed-31", () -> LinkSpecifier.decode(Bytes.concat(h("031f"), new byte[31])));

        c.rejects("sendme-v2", () -> Sendme.decode(h("02 0000")));
        c.rejects("sendme-v1-short", () -> Sendme.decode(Bytes.concat(h("01 0013"), new byte[19])));
        c.rejects("sendme-v1-overrun", () -> Sendme.decode(Bytes.concat(h("01 0014"), new byte[10])));
        c.rejects("truncated-empty", () -> Truncated.decode(new byte[0]));
        c.rejects("resolve-no-nul", () -> Resolve.decode(ascii("example.com")));
        // tor test test_cfmt_resolved_cells: bad IPv4/IPv6 lengths, empty hostname, truncated items.
        c.rejects("resolved-ipv4-len3", () -> Resolved.decode(Bytes.concat(h("0403"), ascii("zzz1234"))));
        c.rejects("resolved-ipv6-len3", () -> Resolved.decode(Bytes.concat(h("0603"), ascii("zzz1234"))));
        c.rejects("resolved-empty-hostname", () -> Resolved.decode(Bytes.concat(h("0000"), ascii("xxxx"))));
        c.rejects("resolved-truncated-type", () -> Resolved.decode(h("04")));
        c.rejects("resolved-truncated-unknown", () -> Resolved.decode(h("ee")));
        c.rejects("resolved-ttl-cut", () -> Resolved.decode(h("0404 7f00020a 000001")));
        c.rejects("extend-short", () -> Extend.decode(new byte[Extend.LEN - 1]));
        c.rejects("extended-short", () -> Extended.decode(new byte[Created.REPLY_LEN - 1]));
    }
}
