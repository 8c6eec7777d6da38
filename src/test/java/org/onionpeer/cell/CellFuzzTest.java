package org.onionpeer.cell;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.fuzz.Fuzzer;

/**
 * One million mutated or random inputs through every decoder of the package; anything other than a
 * ProtocolException escaping fails the test (the Fuzzer reports the input). Seeds are valid encodings.
 */
class CellFuzzTest {
    private static final int N = 1_000_000;

    private static void fuzz(String name, int maxLen, Consumer<byte[]> decoder, byte[]... seeds) {
        Fuzzer f = new Fuzzer(0x0c311L).maxLen(maxLen);
        for (byte[] s : seeds) {
            f.seed(s);
        }
        String summary = f.run(name, N, decoder);
        System.out.println("[fuzz] " + summary);
        assertTrue(f.accepted() + f.rejected() == N, summary);
    }

    private static byte[][] channelSeeds(int command) {
        java.util.List<byte[]> l = new java.util.ArrayList<>();
        for (ChannelMessage m : CellKnownAnswers.sampleChannelMessages()) {
            if (m.command() == command) {
                l.add(m.toCell(0).payload());
            }
        }
        return l.toArray(new byte[0][]);
    }

    private static byte[][] relaySeeds(int command) {
        java.util.List<byte[]> l = new java.util.ArrayList<>();
        for (RelayMessage m : CellKnownAnswers.sampleRelayMessages()) {
            if (m.relayCommand() == command) {
                l.add(m.encode());
            }
        }
        l.add(new byte[0]);
        return l.toArray(new byte[0][]);
    }

    // ---- framing ----

    @Test
    void cellDecode() {
        byte[][] seeds = {new Versions(3, 4, 5).toCell(0).encode(LinkFormat.V4),
            new Destroy(1).toCell(9).encode(LinkFormat.V4), new Destroy(1).toCell(9).encode(LinkFormat.V3),
            new AuthChallenge(new byte[32], new int[] {3}).toCell(0).encode(LinkFormat.V3)};
        fuzz("Cell.decode", 1100, in -> {
            if (in.length > 0 && (in[0] & 1) == 0) {
                Cell.decode(LinkFormat.V3, in);
            } else {
                Cell.decode(LinkFormat.V4, in);
            }
        }, seeds);
    }

    @Test
    void cellReader() {
        byte[] stream = CellKnownAnswers.sampleStream();
        byte[] v3 = Bytes.concat(new Versions(3).toCell(0).encode(LinkFormat.INITIAL),
                new Destroy(2).toCell(7).encode(LinkFormat.V3),
                new VPadding(20).toCell(0).encode(LinkFormat.V3));
        byte[] none = Bytes.concat(new Versions(1, 2).toCell(0).encode(LinkFormat.INITIAL));
        fuzz("CellReader", 4000, in -> {
            // Small limits so the size and buffer bounds are reached too; the first input byte picks the chunking.
            CellReader r = new CellReader(1000, 1500);
            int chunk = in.length == 0 ? 1 : 1 + (in[0] & 0xff);
            int off = 0;
            while (off < in.length) {
                int n = r.offer(in, off, Math.min(chunk, in.length - off));
                off += n;
                Cell c;
                while ((c = r.next()) != null) {
                    if (c.command() == CellCommand.VERSIONS && r.format() == LinkFormat.INITIAL) {
                        r.setLinkVersion(LinkVersions.negotiate(Versions.decode(c.payload())));
                    } else {
                        ChannelMessages.decode(c);
                    }
                }
                if (n == 0) {
                    break; // full buffer and no complete cell cannot happen, but never spin
                }
            }
        }, stream, v3, none);
    }

    @Test
    void channelMessageDispatch() {
        java.util.List<byte[]> seeds = new java.util.ArrayList<>();
        for (ChannelMessage m : CellKnownAnswers.sampleChannelMessages()) {
            seeds.add(Bytes.concat(new byte[] {(byte) m.command()}, m.encode()));
        }
        fuzz("ChannelMessages.decode", 1100, in -> {
            if (in.length > 0) {
                byte[] payload = Bytes.slice(in, 1, in.length - 1);
                ChannelMessages.decode(in[0] & 0xff, payload).encode();
            }
        }, seeds.toArray(new byte[0][]));
    }

    // ---- channel messages ----

    @Test
    void versions() {
        fuzz("Versions", 600, Versions::decode, channelSeeds(CellCommand.VERSIONS));
    }

    @Test
    void netinfo() {
        fuzz("Netinfo", 509, in -> Netinfo.decode(in).encode(), channelSeeds(CellCommand.NETINFO));
    }

    @Test
    void create2() {
        fuzz("Create2", 509, in -> Create2.decode(in).encode(), channelSeeds(CellCommand.CREATE2));
    }

    @Test
    void created2() {
        fuzz("Created2", 509, in -> Created2.decode(in).encode(), channelSeeds(CellCommand.CREATED2));
    }

    @Test
    void createFast() {
        fuzz("CreateFast", 509, CreateFast::decode, channelSeeds(CellCommand.CREATE_FAST));
    }

    @Test
    void createdFast() {
        fuzz("CreatedFast", 509, CreatedFast::decode, channelSeeds(CellCommand.CREATED_FAST));
    }

    @Test
    void create() {
        fuzz("Create", 509, Create::decode, channelSeeds(CellCommand.CREATE));
    }

    @Test
    void created() {
        fuzz("Created", 509, Created::decode, channelSeeds(CellCommand.CREATED));
    }

    @Test
    void destroy() {
        fuzz("Destroy", 509, Destroy::decode, channelSeeds(CellCommand.DESTROY));
    }

    @Test
    void padding() {
        fuzz("Padding", 509, Padding::decode, channelSeeds(CellCommand.PADDING));
    }

    @Test
    void vpadding() {
        fuzz("VPadding", 1100, VPadding::decode, channelSeeds(CellCommand.VPADDING));
    }

    @Test
    void paddingNegotiate() {
        fuzz("PaddingNegotiate", 509, PaddingNegotiate::decode, channelSeeds(CellCommand.PADDING_NEGOTIATE));
    }

    @Test
    void authChallenge() {
        fuzz("AuthChallenge", 1100, in -> AuthChallenge.decode(in).encode(), channelSeeds(CellCommand.AUTH_CHALLENGE));
    }

    @Test
    void authenticate() {
        fuzz("Authenticate", 1100, in -> Authenticate.decode(in).encode(), channelSeeds(CellCommand.AUTHENTICATE));
    }

    @Test
    void authorize() {
        fuzz("Authorize", 1100, Authorize::decode, channelSeeds(CellCommand.AUTHORIZE));
    }

    @Test
    void relayChannelMessage() {
        fuzz("Relay", 600, in -> {
            Relay.decode(in);
            Relay.decodeEarly(in);
        }, channelSeeds(CellCommand.RELAY));
    }

    // ---- relay cells and messages ----

    @Test
    void relayCell() {
        java.util.List<byte[]> seeds = new java.util.ArrayList<>();
        for (RelayMessage m : CellKnownAnswers.sampleRelayMessages()) {
            seeds.add(RelayCell.of(3, m).encode(CellKnownAnswers.FIXED_PAD));
        }
        fuzz("RelayCell+message", 520, in -> RelayCell.decode(in).message().encode(), seeds.toArray(new byte[0][]));
    }

    @Test
    void relayMessageDispatch() {
        java.util.List<byte[]> seeds = new java.util.ArrayList<>();
        for (RelayMessage m : CellKnownAnswers.sampleRelayMessages()) {
            seeds.add(Bytes.concat(new byte[] {(byte) m.relayCommand()}, m.encode()));
        }
        fuzz("RelayMessages.decode", 499, in -> {
            if (in.length > 0) {
                RelayMessages.decode(in[0] & 0xff, Bytes.slice(in, 1, in.length - 1)).encode();
            }
        }, seeds.toArray(new byte[0][]));
    }

    @Test
    void xoff() {
        fuzz("Xoff", 498, in -> Xoff.decode(in).encode(), relaySeeds(RelayCommand.XOFF));
    }

    @Test
    void xon() {
        fuzz("Xon", 498, in -> Xon.decode(in).encode(), relaySeeds(RelayCommand.XON));
    }

    @Test
    void begin() {
        fuzz("Begin", 498, in -> Begin.decode(in).encode(), relaySeeds(RelayCommand.BEGIN));
    }

    @Test
    void connected() {
        fuzz("Connected", 498, in -> Connected.decode(in).encode(), relaySeeds(RelayCommand.CONNECTED));
    }

    @Test
    void data() {
        fuzz("Data", 600, Data::decode, relaySeeds(RelayCommand.DATA));
    }

    @Test
    void end() {
        fuzz("End", 498, in -> End.decode(in).encode(), relaySeeds(RelayCommand.END));
    }

    @Test
    void sendme() {
        fuzz("Sendme", 498, in -> Sendme.decode(in).encode(), relaySeeds(RelayCommand.SENDME));
    }

    @Test
    void extend2() {
        fuzz("Extend2", 498, in -> Extend2.decode(in).specifiers().toString(), relaySeeds(RelayCommand.EXTEND2));
    }

    @Test
    void extended2() {
        fuzz("Extended2", 498, in -> Extended2.decode(in).encode(), relaySeeds(RelayCommand.EXTENDED2));
    }

    @Test
    void beginDir() {
        fuzz("BeginDir", 498, BeginDir::decode, relaySeeds(RelayCommand.BEGIN_DIR));
    }

    @Test
    void truncate() {
        fuzz("Truncate", 498, Truncate::decode, relaySeeds(RelayCommand.TRUNCATE));
    }

    @Test
    void truncated() {
        fuzz("Truncated", 498, Truncated::decode, relaySeeds(RelayCommand.TRUNCATED));
    }

    @Test
    void drop() {
        fuzz("Drop", 600, Drop::decode, relaySeeds(RelayCommand.DROP));
    }

    @Test
    void resolve() {
        fuzz("Resolve", 498, Resolve::decode, relaySeeds(RelayCommand.RESOLVE));
    }

    @Test
    void resolved() {
        fuzz("Resolved", 498, in -> Resolved.decode(in).answers().toString(), relaySeeds(RelayCommand.RESOLVED));
    }

    @Test
    void extend() {
        fuzz("Extend", 498, Extend::decode, relaySeeds(RelayCommand.EXTEND));
    }

    @Test
    void extended() {
        fuzz("Extended", 498, Extended::decode, relaySeeds(RelayCommand.EXTENDED));
    }

    @Test
    void linkSpecifier() {
        fuzz("LinkSpecifier", 300, in -> LinkSpecifier.decode(in).toString(),
                LinkSpecifier.ipv4(IpAddress.ipv4(1, 2, 3, 4), 1).encode(),
                LinkSpecifier.ipv6(IpAddress.of(new byte[16]), 1).encode(),
                LinkSpecifier.rsaId(new byte[20]).encode(), LinkSpecifier.ed25519Id(new byte[32]).encode(),
                LinkSpecifier.raw(7, new byte[3]).encode());
    }
}
