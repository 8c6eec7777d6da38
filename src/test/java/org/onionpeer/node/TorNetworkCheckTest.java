package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.netdoc.Consensus;
import org.onionpeer.netdoc.NetDoc;
import org.onionpeer.netdoc.ServerDescriptor;
import org.onionpeer.netdoc.TorDocuments;

/**
 * A page's check of the Tor network behind its bridge ({@link TorNetworkCheck}) on the documents captured
 * from a private tor 0.4.9.11 network (src/test/resources/org/onionpeer/netdoc, tor's own signatures): the
 * good set gives the bridge plus the four C tor relays; a consensus with a changed byte or a broken signature,
 * an expired one, one checked against another authority, and a descriptor whose digest the consensus does not
 * name are each refused with these exact words, and the bootstrap then shows them and builds nothing.
 */
class TorNetworkCheckTest {
    static final String AUTH = "35E76C300C0FB8C808C78281665EF02E9652974D";
    static final String BASE = "http://bridge.test";

    static String doc(String name) {
        try (InputStream in = TorNetworkCheckTest.class.getResourceAsStream("/org/onionpeer/netdoc/" + name)) {
            return NetDoc.text(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static final long NOW = Long.parseLong(doc("captured-at-unix.txt").trim());
    static final String CONSENSUS = doc("consensus-ns.txt");
    static final String KEYS = doc("keys-all.txt");
    static final String SERVERS = doc("server-all.txt");

    static List<byte[]> trusted(String hex) {
        List<byte[]> l = new ArrayList<>();
        l.add(Bytes.unhex(hex));
        return l;
    }

    static String tamper(String text, String from, String to) {
        int i = text.indexOf(from);
        assertTrue(i >= 0, from);
        return text.substring(0, i) + to + text.substring(i + from.length());
    }

    /** exit1's descriptor alone, as /tor/server/d/ would give it. */
    static String exit1() {
        int i = SERVERS.indexOf("router exit1 ");
        int j = SERVERS.indexOf("\nrouter ", i);
        return SERVERS.substring(i, j < 0 ? SERVERS.length() : j + 1);
    }

    @Test
    void goodDocumentsVerify() {
        Consensus c = TorDocuments.consensus(CONSENSUS, KEYS, trusted(AUTH), NOW);
        List<RelayInfo> relays = TorDocuments.relays(c, SERVERS, NOW);
        assertEquals(4, relays.size());
        int exits = 0;
        for (RelayInfo r : relays) {
            if (r.hasFlag(RelayInfo.FLAG_EXIT)) {
                exits++;
                assertEquals("exit1", r.nickname());
            }
        }
        assertEquals(1, exits);
        // Descriptors left out (the bridge did not have them) cost only their routers.
        assertEquals(1, TorDocuments.relays(c, exit1(), NOW).size());
        assertEquals(0, TorDocuments.relays(c, "", NOW).size());
    }

    /** The verified relays cross from torcheck.js to onionpeer.js as relay lines: nothing is lost on the way. */
    @Test
    void relayLinesCarryTheVerifiedRelays() {
        Consensus c = TorDocuments.consensus(CONSENSUS, KEYS, trusted(AUTH), NOW);
        List<RelayInfo> relays = TorDocuments.relays(c, SERVERS, NOW);
        List<RelayInfo> back = Directory.parseRelayLines(Directory.relayLines(relays));
        assertEquals(relays.size(), back.size());
        for (int i = 0; i < relays.size(); i++) {
            RelayInfo a = relays.get(i);
            RelayInfo b = back.get(i);
            assertEquals(a.nickname(), b.nickname());
            assertEquals(a.identity(), b.identity());
            assertEquals(Bytes.hex(a.ntorKey()), Bytes.hex(b.ntorKey()));
            assertEquals(a.addresses(), b.addresses());
            assertEquals(a.flags(), b.flags());
            assertEquals(a.exitPolicy(), b.exitPolicy());
            assertEquals(a.protocols().text(), b.protocols().text());
        }
        assertTrue(Directory.parseRelayLines("").isEmpty());
    }

    @Test
    void aChangedConsensusIsRefused() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> TorDocuments.consensus(
                tamper(CONSENSUS, "127.0.0.1 17105", "127.0.0.2 17105"), KEYS, trusted(AUTH), NOW));
        assertEquals("Tor consensus refused: signed by 0 of 1 trusted authorities, need more than half"
                + " (bad signature by authority " + AUTH + ")", e.getMessage());
    }

    @Test
    void aBrokenSignatureIsRefused() {
        int sig = CONSENSUS.indexOf("-----BEGIN SIGNATURE-----\n") + 26;
        char c = CONSENSUS.charAt(sig + 10);
        String t = CONSENSUS.substring(0, sig + 10) + (c == 'A' ? 'B' : 'A') + CONSENSUS.substring(sig + 11);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> TorDocuments.consensus(t, KEYS, trusted(AUTH), NOW));
        assertEquals("Tor consensus refused: signed by 0 of 1 trusted authorities, need more than half"
                + " (bad signature by authority " + AUTH + ")", e.getMessage());
    }

    @Test
    void anExpiredConsensusIsRefused() {
        Consensus c = Consensus.parse(CONSENSUS);
        long late = c.validUntil() + Consensus.REASONABLY_LIVE + 1;
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> TorDocuments.consensus(CONSENSUS, KEYS, trusted(AUTH), late));
        assertEquals("Tor consensus refused: too old (valid until 2026-11-26 01:48:00)", e.getMessage());
        // Still usable within tor's 24 hours of "reasonably live".
        TorDocuments.consensus(CONSENSUS, KEYS, trusted(AUTH), late - 1);
    }

    @Test
    void anotherAuthorityIsNotTaken() {
        String other = "35E76C300C0FB8C808C78281665EF02E9652974E";
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> TorDocuments.consensus(CONSENSUS, KEYS, trusted(other), NOW));
        assertEquals("Tor consensus refused: signed by 0 of 1 trusted authorities, need more than half"
                + " (no signature by a trusted authority)", e.getMessage());
    }

    @Test
    void aDescriptorWhoseDigestTheConsensusDoesNotNameIsRefused() {
        Consensus c = TorDocuments.consensus(CONSENSUS, KEYS, trusted(AUTH), NOW);
        String bad = tamper(exit1(), "accept 127.0.0.0/8:*", "accept 0.0.0.0/0:*");
        String digest = Bytes.hex(ServerDescriptor.parse(bad).digest()).toUpperCase();
        ProtocolException e = assertThrows(ProtocolException.class, () -> TorDocuments.relays(c, bad, NOW));
        assertEquals("Tor server descriptor refused: exit1 (digest " + digest + ") is not one the consensus names",
                e.getMessage());
        // One bad descriptor among good ones refuses the set: nothing of it is used.
        assertThrows(ProtocolException.class, () -> TorDocuments.relays(c, SERVERS + bad, NOW));
    }

    @Test
    void authorityOptions() {
        assertEquals(AUTH, Bytes.hex(TorDocumentsFetch.authority(AUTH.toLowerCase())).toUpperCase());
        assertEquals(AUTH, Bytes.hex(TorDocumentsFetch.authority(doc("network.env").lines()
                .filter(l -> l.startsWith("AUTHORITY_LINE=")).findFirst().get().replaceAll("^[^\"]*\"|\"$", "")))
                .toUpperCase());
        assertThrows(ProtocolException.class, () -> TorDocumentsFetch.authority("35E7"));
        assertThrows(ProtocolException.class, () -> TorDocumentsFetch.authority(AUTH.replace('E', 'X')));
    }

    // ---- the whole check, as a page runs it ----

    /** The bridge: answers every GET at once from a map, "HTTP 404" for what it lacks. */
    static final class Bridge implements Bootstrap.TextSource {
        final Map<String, String> docs = new HashMap<>();
        final List<String> asked = new ArrayList<>();

        Bridge(String consensus, String servers) {
            docs.put("/tor/authorities", doc("network.env").lines().filter(l -> l.startsWith("AUTHORITY_LINE="))
                    .findFirst().get().replaceAll("^[^\"]*\"|\"$", "") + "\n");
            docs.put("/tor/status-vote/current/consensus", consensus);
            docs.put("/tor/keys/fp/" + AUTH, KEYS);
            Consensus c = Consensus.parse(CONSENSUS);
            StringBuilder digests = new StringBuilder();
            for (Consensus.Router r : c.routers()) {
                digests.append(digests.length() == 0 ? "" : "+").append(Bytes.hex(r.descriptorDigest()).toUpperCase());
            }
            docs.put("/tor/server/d/" + digests, servers);
        }

        @Override
        public void get(String url, Bootstrap.TextCallback cb) {
            assertTrue(url.startsWith(BASE), url);
            String path = url.substring(BASE.length());
            asked.add(path);
            String body = docs.get(path);
            if (body == null) {
                cb.failed("HTTP 404");
            } else {
                cb.text(body);
            }
        }
    }

    /** The bridge's own signed directory: its relay (Bridge, and Exit, which the page must not believe). */
    static Directory bridgeDirectory(long now) {
        byte[] rsa = new byte[20];
        byte[] ed = new byte[32];
        byte[] ntor = new byte[32];
        rsa[0] = 1;
        ed[0] = 2;
        ntor[0] = 3;
        Set<String> flags = new LinkedHashSet<>(List.of(RelayInfo.FLAG_BRIDGE, RelayInfo.FLAG_GUARD, RelayInfo.FLAG_EXIT));
        RelayInfo bridge = new RelayInfo("bridge", new RelayIdentity(rsa, ed), ntor, List.of("ws://bridge.test/link"),
                flags, "accept *:*");
        return Directory.sign(List.of(bridge), now - 60, now + 3600, Ed25519.generate(new java.security.SecureRandom()));
    }

    static final class Result implements Bootstrap.CheckCallback {
        Directory directory;
        String event;
        String failed;

        @Override
        public void verified(Directory d, String e) {
            assertNull(directory);
            assertNull(failed);
            directory = d;
            event = e;
        }

        @Override
        public void failed(String reason) {
            assertNull(directory);
            assertNull(failed);
            failed = reason;
        }
    }

    static Result run(Bridge bridge, String pinned, long now) {
        org.onionpeer.testing.ManualScheduler s = new org.onionpeer.testing.ManualScheduler();
        s.setEpochSeconds(now);
        Result r = new Result();
        new TorNetworkCheck(s, bridge, BASE, pinned, new TorDocumentsFetch(bridge, BASE)).check(bridgeDirectory(now), r);
        return r;
    }

    @Test
    void thePageGetsTheBridgeAsFirstHopAndTheVerifiedRelays() {
        Bridge bridge = new Bridge(CONSENSUS, SERVERS);
        Result r = run(bridge, AUTH, NOW);
        assertNull(r.failed);
        assertEquals("Tor consensus verified (authorities pinned by the page, 1 trusted): 4 of 4 relays usable",
                r.event);
        List<RelayInfo> relays = r.directory.relays();
        assertEquals(5, relays.size());
        assertEquals("bridge", relays.get(0).nickname());
        assertFalse(relays.get(0).hasFlag(RelayInfo.FLAG_EXIT), "the bridge is a first hop only");
        assertTrue(relays.get(0).hasFlag(RelayInfo.FLAG_BRIDGE));
        for (RelayInfo t : relays.subList(1, 5)) {
            assertTrue(t.addresses().get(0).startsWith("tls://127.0.0.1:171"), t.toString());
        }
        assertEquals(List.of("/tor/authorities", "/tor/status-vote/current/consensus", "/tor/keys/fp/" + AUTH),
                bridge.asked.subList(0, 3));
        assertTrue(bridge.asked.get(3).startsWith("/tor/server/d/"));

        Result offered = run(bridge, "", NOW);
        assertEquals("Tor consensus verified (authorities offered by the bridge, not pinned by the page, 1 trusted):"
                + " 4 of 4 relays usable", offered.event);
    }

    @Test
    void badDocumentsFailTheCheckWithTheirReason() {
        Result sig = run(new Bridge(tamper(CONSENSUS, "w Bandwidth=1 ", "w Bandwidth=9 "), SERVERS), AUTH, NOW);
        assertNull(sig.directory);
        assertEquals("Tor consensus refused: signed by 0 of 1 trusted authorities, need more than half"
                + " (bad signature by authority " + AUTH + ")", sig.failed);

        // Another authority pinned: the bridge has no certificate for it (404), so no signature counts.
        Result other = run(new Bridge(CONSENSUS, SERVERS), "35E76C300C0FB8C808C78281665EF02E9652974E", NOW);
        assertEquals("Tor consensus refused: signed by 0 of 1 trusted authorities, need more than half"
                + " (no signature by a trusted authority)", other.failed);

        Result old = run(new Bridge(CONSENSUS, SERVERS), AUTH, NOW + 3 * 86400);
        assertEquals("Tor consensus refused: too old (valid until 2026-11-26 01:48:00)", old.failed);

        String bad = tamper(SERVERS, "accept 127.0.0.0/8:*", "accept 0.0.0.0/0:*");
        Result desc = run(new Bridge(CONSENSUS, bad), AUTH, NOW);
        assertNull(desc.directory);
        assertTrue(desc.failed.startsWith("Tor server descriptor refused: exit1 (digest "), desc.failed);
        assertTrue(desc.failed.endsWith(") is not one the consensus names"), desc.failed);
    }

    @Test
    void aBridgeWithoutTorNetwork() {
        Bridge none = new Bridge(CONSENSUS, SERVERS);
        none.docs.clear();
        Result plain = run(none, "", NOW);
        assertNotNull(plain.directory, "no authorities pinned, no Tor network: the bridge's own list");
        assertNull(plain.event);
        Result pinned = run(none, AUTH, NOW);
        assertEquals("the page trusts Tor authorities but the bridge offers no Tor network", pinned.failed);
        Bridge noConsensus = new Bridge(CONSENSUS, SERVERS);
        noConsensus.docs.remove("/tor/status-vote/current/consensus");
        assertEquals("/tor/status-vote/current/consensus: HTTP 404", run(noConsensus, "", NOW).failed);
    }

    // ---- in the bootstrap: the state says why, nothing is built on refused documents ----

    @Test
    void theBootstrapShowsTheRefusalAndBuildsNothing() {
        TestNet net = new TestNet();
        net.sched.setEpochSeconds(NOW);
        Bridge bridge = new Bridge(tamper(CONSENSUS, "w Bandwidth=1 ", "w Bandwidth=9 "), SERVERS);
        bridge.docs.put("/tor/directory", bridgeDirectory(NOW).text());
        List<Directory> built = new ArrayList<>();
        Bootstrap b = new Bootstrap(net.sched, x -> java.util.Arrays.fill(x, (byte) 0), bridge,
                BASE + "/tor/directory", d -> {
                    built.add(d);
                    return new OnionProxy(new Node(net.sched, TestNet.ENTROPY, net.dialer(), null),
                            new BcRelayPrimitives(), d, null);
                }, null);
        b.setCheck(new TorNetworkCheck(net.sched, bridge, BASE, AUTH, new TorDocumentsFetch(bridge, BASE)));
        b.start();
        net.sched.runUntilIdle();
        assertEquals("waiting for the bridge: Tor consensus refused: signed by 0 of 1 trusted authorities, need"
                + " more than half (bad signature by authority " + AUTH + "), retry in 1 s", b.state());
        assertNull(b.proxy());
        assertTrue(built.isEmpty(), "no proxy on the bridge's list instead");

        // The bridge gets good documents: the next attempt verifies them and builds on them.
        bridge.docs.put("/tor/status-vote/current/consensus", CONSENSUS);
        net.sched.advance(1000);
        net.sched.runUntilIdle();
        assertEquals(1, built.size());
        assertEquals(5, built.get(0).relays().size());
        assertNull(built.get(0).signer(), "the list is the verified one, not the bridge's signed one");
        b.stop();
    }

    @Test
    void theOfferIsAskedAlongsideTheDirectoryAndOnlyOnceForTheFirstCheck() {
        TestNet net = new TestNet();
        net.sched.setEpochSeconds(NOW);
        Bridge bridge = new Bridge(CONSENSUS, SERVERS);
        bridge.docs.put("/tor/directory", bridgeDirectory(NOW).text());
        // Answers wait until released, so the order of the requests shows what went out together.
        List<Runnable> held = new ArrayList<>();
        Bootstrap.TextSource slow = (url, cb) -> {
            String path = url.substring(BASE.length());
            held.add(() -> bridge.get(url, cb));
            bridge.asked.add("(asked) " + path);
        };
        List<Directory> built = new ArrayList<>();
        Bootstrap b = new Bootstrap(net.sched, x -> java.util.Arrays.fill(x, (byte) 0), slow, BASE + "/tor/directory",
                d -> {
                    built.add(d);
                    return new OnionProxy(new Node(net.sched, TestNet.ENTROPY, net.dialer(), null),
                            new BcRelayPrimitives(), d, null);
                }, null);
        b.setCheck(new TorNetworkCheck(net.sched, slow, BASE, AUTH, new TorDocumentsFetch(bridge, BASE)));
        b.start();
        net.sched.runUntilIdle();
        assertEquals(List.of("(asked) /tor/authorities", "(asked) /tor/directory"), bridge.asked,
                "both out before either answer");
        // The directory answers first; the check waits for the offer already asked for, and asks nothing more.
        held.remove(1).run();
        net.sched.runUntilIdle();
        assertEquals(2, bridge.asked.stream().filter(a -> a.startsWith("(asked)")).count());
        assertTrue(built.isEmpty());
        held.remove(0).run();
        net.sched.runUntilIdle();
        assertEquals(1, built.size(), b.state());
        assertEquals(5, built.get(0).relays().size());
        assertEquals(1, bridge.asked.stream().filter(a -> a.equals("(asked) /tor/authorities")).count(),
                "one request for the offer");
        b.stop();
    }
}
