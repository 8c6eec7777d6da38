package org.onionpeer.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.fuzz.Fuzzer;

class LinkTargetTest {
    private static final String PEER = "0123456789abcdef0123456789abcdef01234567";

    /** Every form the directories, relays and tests write today parses and gives back the same string. */
    @Test
    void canonicalAddressesRoundTrip() {
        for (String s : List.of("tls://127.0.0.1:9001", "tls://relay.example.org:443", "tls://[2001:db8::1]:9001",
                "tls://10.0.0.1:1", "tls://10.0.0.1:65535", "ws://127.0.0.1:8080/link", "wss://bridge.example.org:443/link",
                "ws://[::1]:8080/link", "ws://host", "ws://host/relay/relay1?x=1", "wss://h:1", "inproc:guard",
                "inproc:relay_1.a-b", "webrtc:" + PEER)) {
            LinkTarget t = LinkTarget.parse(s);
            assertEquals(s, t.toString());
            assertEquals(t, LinkTarget.parse(t.toString()));
            assertEquals(t.hashCode(), LinkTarget.parse(s).hashCode());
        }
    }

    @Test
    void partsOfEachKind() {
        LinkTarget tls = LinkTarget.parse("tls://[2001:db8::1]:9001");
        assertEquals(LinkTarget.TLS, tls.kind());
        assertEquals("2001:db8::1", tls.host());
        assertEquals(9001, tls.port());
        assertNull(tls.path());
        assertNull(tls.origin());
        assertEquals(tls, LinkTarget.tls("2001:db8::1", 9001));

        LinkTarget ws = LinkTarget.parse("wss://[::1]:8443/link?a=b");
        assertEquals(LinkTarget.WEBSOCKET, ws.kind());
        assertTrue(ws.isSecure());
        assertEquals("::1", ws.host());
        assertEquals(8443, ws.port());
        assertEquals("/link?a=b", ws.path());
        assertEquals("wss://[::1]:8443", ws.origin());
        LinkTarget noPort = LinkTarget.parse("ws://bridge.example/link");
        assertFalse(noPort.isSecure());
        assertEquals(-1, noPort.port());
        assertEquals("ws://bridge.example", noPort.origin());

        LinkTarget in = LinkTarget.parse("inproc:relay1");
        assertEquals(LinkTarget.INPROC, in.kind());
        assertEquals("relay1", in.name());
        assertNull(in.host());
        assertEquals(-1, in.port());

        LinkTarget peer = LinkTarget.parse("webrtc:" + PEER.toUpperCase());
        assertEquals(LinkTarget.WEBRTC, peer.kind());
        assertEquals(PEER, peer.name());
        assertEquals("webrtc:" + PEER, peer.toString(), "the ID is kept in lower case");
    }

    /** A relay bound to an IPv6 address writes its ORPort without brackets; dialers always read it this way. */
    @Test
    void tlsIpv6WithoutBracketsTakesThePortAfterTheLastColon() {
        LinkTarget t = LinkTarget.parse("tls://::1:9001");
        assertEquals("::1", t.host());
        assertEquals(9001, t.port());
        assertEquals("tls://[::1]:9001", t.toString());
    }

    @Test
    void rejectionsSayWhatIsWrong() {
        String[][] cases = {
            {"", "empty link address"},
            {"http://127.0.0.1:80/", "unknown link address kind (tls://, ws://, wss://, inproc:, webrtc:)"},
            {"TLS://127.0.0.1:9001", "unknown link address kind (tls://, ws://, wss://, inproc:, webrtc:)"},
            {"tls://127.0.0.1", "TLS address needs a port"},
            {"tls://127.0.0.1:", "bad port in link address"},
            {"tls://127.0.0.1:+80", "bad port in link address"},
            {"tls://127.0.0.1:123456", "bad port in link address"},
            {"tls://127.0.0.1:9001/x", "bad port in link address"},
            {"tls://127.0.0.1:0", "port in link address must be 1..65535"},
            {"tls://127.0.0.1:65536", "port in link address must be 1..65535"},
            {"tls://:9001", "empty host in link address"},
            {"tls://a b:9001", "bad host in link address"},
            {"tls://[1.2.3.4]:9001", "bad host in link address"},
            {"tls://[::g]:9001", "bad host in link address"},
            {"ws://", "empty host in link address"},
            {"ws://:80/link", "empty host in link address"},
            {"ws://user@host/link", "bad host in link address"},
            {"ws://::1/link", "bad host in link address"},
            {"ws://host:x/link", "bad port in link address"},
            {"ws://host/li nk", "bad character in WebSocket path"},
            {"ws://host/link#frag", "bad character in WebSocket path"},
            {"inproc:", "bad in-process name"},
            {"inproc:a:b", "bad in-process name"},
            {"inproc:a/b", "bad in-process name"},
            {"webrtc:abc", "WebRTC peer ID must be 40 hex digits"},
            {"webrtc:" + PEER.substring(1) + "g", "WebRTC peer ID must be 40 hex digits"},
        };
        for (String[] c : cases) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> LinkTarget.parse(c[0]), c[0]);
            assertEquals(c[1], e.getMessage(), c[0]);
            assertNull(LinkTarget.parseOrNull(c[0]));
        }
        assertEquals("empty link address", assertThrows(ProtocolException.class, () -> LinkTarget.parse(null)).getMessage());
        assertEquals("port in link address must be 1..65535",
                assertThrows(ProtocolException.class, () -> LinkTarget.tls("10.0.0.1", 0)).getMessage());
    }

    /** Documents keep every address string; the ones this version cannot read are left out of targets(). */
    @Test
    void relayInfoKeepsItsStringsAndParsesTheReadableOnes() {
        RelayInfo r = new RelayInfo("r", new RelayIdentity(new byte[20], new byte[32]), new byte[32],
                List.of("quic://10.0.0.1:443", "tls://10.0.0.1:9001", "ws://10.0.0.1:80/link"), Set.of(), "");
        assertEquals(List.of("quic://10.0.0.1:443", "tls://10.0.0.1:9001", "ws://10.0.0.1:80/link"), r.addresses());
        assertEquals(List.of(LinkTarget.tls("10.0.0.1", 9001), LinkTarget.parse("ws://10.0.0.1:80/link")), r.targets());
        assertTrue(r.hasTarget(LinkTarget.WEBSOCKET));
        assertFalse(r.hasTarget(LinkTarget.WEBRTC));
    }

    /** Mutated addresses either parse to a target whose canonical string parses to the same target, or fail typed. */
    @Test
    void fuzzedAddressesParseOrFailTyped() {
        String[] seeds = {"tls://10.0.0.1:9001", "tls://[2001:db8::1]:443", "ws://127.0.0.1:8080/link",
            "wss://bridge.example.org/link?x", "inproc:relay1", "webrtc:" + PEER};
        Fuzzer f = new Fuzzer(0x11a7L).maxLen(64);
        for (String s : seeds) {
            assertEquals(s, LinkTarget.parse(s).toString(), "seed " + s + " is valid");
            f.seed(Bytes.ascii(s));
        }
        int n = 200_000;
        String summary = f.run("link-target", n, b -> {
            char[] c = new char[b.length];
            for (int i = 0; i < b.length; i++) {
                c[i] = (char) (b[i] & 0xff);
            }
            LinkTarget t = LinkTarget.parse(new String(c));
            if (!LinkTarget.parse(t.toString()).equals(t)) {
                throw new AssertionError("canonical form does not round-trip: " + t);
            }
        });
        System.out.println("[fuzz] " + summary);
        assertEquals(n, f.accepted() + f.rejected(), summary);
        assertTrue(f.accepted() > 1000 && f.rejected() > 1000, "mutations both parse and fail: " + summary);
    }
}
