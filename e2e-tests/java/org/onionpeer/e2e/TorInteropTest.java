package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ConfluxSet;
import org.onionpeer.circuit.NtorV3ExitHandshake;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.netdoc.ServerDescriptor;

/**
 * Onionpeer in a real Tor network: a private network of Debian's tor 0.4.9 on loopback (an authority, two
 * relays and an exit that reaches only 127.0.0.0/8), started by the test itself (e2e-tests/tor). Each
 * direction moves a file and checks its SHA-256:
 * <ul>
 * <li>our JVM onion proxy, given only the authority's DirAuthority line, fetches the consensus, the
 * authority's key certificate and the descriptors over BEGIN_DIR, verifies them and builds circuits made
 * only of C tor relays; curl through our SOCKS port reaches a local server through the C tor exit;</li>
 * <li>the browser: the page -> the bridge over WebSocket -> C tor relays -> the C tor exit -> the server;</li>
 * <li>our relay as a relay of that network: it publishes its descriptor, enters the consensus, and a C tor
 * client (curl through tor's SocksPort) fetches a file with our relay as its exit.</li>
 * </ul>
 */
@Tag("e2e")
@Tag("tor")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TorInteropTest {
    static final int BASE_PORT = 17800;
    static TorNetwork net;
    static SeededHttpServer web;
    /** A server only our exit may reach: exit1 refuses its port. */
    static SeededHttpServer oursOnly;

    @BeforeAll
    static void start() throws Exception {
        web = new SeededHttpServer();
        oursOnly = new SeededHttpServer();
        net = TorNetwork.start(Paths.get("target", "tor-networks", "onionpeer"), BASE_PORT, oursOnly.port());
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
        if (web != null) {
            web.close();
        }
        if (oursOnly != null) {
            oursOnly.close();
        }
    }

    static Bridge.Options torOptions() {
        return TestBridges.tor(net.authorityLine());
    }

    /** The RSA fingerprints of the four C tor relays of the network. */
    static Set<String> cTorFingerprints() throws IOException {
        Set<String> s = new HashSet<>();
        for (String n : TorNetwork.NODES) {
            s.add(net.fingerprint(n));
        }
        return s;
    }

    @Test
    @Order(1)
    void ourOnionProxyBuildsCircuitsOfCTorRelaysAndCurlFetchesThroughThem() throws Exception {
        Bridge.Options o = torOptions();
        o.socksPort = 0;
        // Congestion control is the JVM proxy's default: the C tor exit must take our request as it comes.
        assertSame(NtorV3ExitHandshake.FACTORY, o.proxy.circuit.congestionControl, "congestion control on by default");
        try (Bridge bridge = new Bridge(o)) {
            Directory d = bridge.awaitTorNetwork(90_000);
            Set<String> cTor = cTorFingerprints();
            Set<String> seen = new HashSet<>();
            for (RelayInfo r : d.relays()) {
                seen.add(r.identity().fingerprint());
            }
            assertEquals(cTor, seen, "the verified consensus lists exactly the network's four C tor relays"
                    + " (the test that publishes our relay runs last)");

            long size = 8L << 20;
            String path = SeededHttpServer.path(41, size);
            String sha = curlSha256(bridge.socksPort(), "http://127.0.0.1:" + web.port() + path);
            assertEquals(SeededHttpServer.sha256(41, size), sha, "the file through our SOCKS port and C tor");

            List<ClientCircuit> circuits = TorClient.onLoop(bridge.proxyLoop(), () -> bridge.proxy().circuits());
            assertTrue(!circuits.isEmpty(), "circuits were built");
            for (ClientCircuit c : circuits) {
                assertEquals(3, c.path().size());
                for (RelayInfo hop : c.path()) {
                    assertTrue(cTor.contains(hop.identity().fingerprint()), "every hop is a C tor relay: " + c.path());
                }
                assertTrue(c.usesCongestionControl(), "the C tor exit took our ntor v3 congestion control request");
            }
            // Conflux (prop329) is the default with congestion control: the 8 MB came over a linked set of two
            // circuits to exit1 with different first hops, the exit sending on both legs.
            List<ConfluxSet> sets = TorClient.onLoop(bridge.proxyLoop(), () -> bridge.proxy().confluxSets());
            assertTrue(!sets.isEmpty(), "a conflux set was linked");
            ConfluxSet used = sets.get(0);
            for (ConfluxSet s : sets) {
                if (s.lastSeqDelivered() > used.lastSeqDelivered()) {
                    used = s;
                }
            }
            ConfluxSet set = used;
            long[] cells = TorClient.onLoop(bridge.proxyLoop(), () -> new long[] {set.cellsOn(0), set.cellsOn(1)});
            assertTrue(cells[0] + cells[1] >= (size / 498) && cells[0] > 0 && cells[1] > 0,
                    "the exit sent on both legs: " + cells[0] + " and " + cells[1] + " cells");
            List<ClientCircuit> legs = set.legs();
            assertNotEquals(legs.get(0).path().get(0).identity().fingerprint(),
                    legs.get(1).path().get(0).identity().fingerprint(), "the legs' first hops differ");
            assertEquals(legs.get(0).path().get(2).identity().fingerprint(),
                    legs.get(1).path().get(2).identity().fingerprint(), "one exit");
            // tor's own account: exit1 logged our set (named by its nonce's first bytes) linked on both legs.
            String log = Files.readString(net.extraLog("exit1"), StandardCharsets.ISO_8859_1);
            String acks = "Processing a CONFLUX_LINKED_ACK for set " + set.tag();
            assertEquals(2, log.split(java.util.regex.Pattern.quote(acks), -1).length - 1,
                    "exit1's log has our set's LINKED_ACK once per leg");
        }
    }

    @Test
    @Order(2)
    @Tag("browser")
    @SuppressWarnings("unchecked")
    void thePageReachesCTorRelaysBehindTheBridge() throws Exception {
        try (Bridge bridge = new Bridge(torOptions()); Chromium chromium = new Chromium()) {
            bridge.awaitTorNetwork(90_000);
            chromium.open(bridge.server().url(""));
            Object ready = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                    + "(function poll() { var s = window.onionpeer && window.onionpeer.status();"
                    + " if (s && s.circuits.length > 0) cb(s); else if (Date.now() - t0 > 60000) cb(s);"
                    + " else setTimeout(poll, 50); })();");
            Map<String, Object> status = (Map<String, Object>) ready;
            List<Map<String, Object>> circuits = (List<Map<String, Object>>) status.get("circuits");
            assertTrue(circuits != null && !circuits.isEmpty(), "the page built a circuit: " + status);
            List<Map<String, Object>> hops = (List<Map<String, Object>>) circuits.get(0).get("hops");
            assertEquals("bridge", hops.get(0).get("nickname"), "first hop: the bridge over WebSocket");
            for (Map<String, Object> h : hops.subList(1, hops.size())) {
                assertTrue(List.of(TorNetwork.NODES).contains(h.get("nickname")), "then C tor relays: " + hops);
                assertEquals("relay", h.get("kind"), "of kind relay: " + h);
            }
            // Nothing pinned: the page still checks the documents, against the authorities the bridge offers.
            assertTrue(((List<String>) status.get("events")).stream().anyMatch(e -> e.startsWith(
                    "Tor consensus verified (authorities offered by the bridge, not pinned by the page, 1 trusted): ")),
                    "the page verified the consensus: " + status);

            long size = 2L << 20;
            String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(42, size);
            Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1];"
                    + "window.onionpeer.fetch(arguments[0], function () {}, function (err, status, body) {"
                    + " if (err) { cb('error: ' + err); return; }"
                    + " crypto.subtle.digest('SHA-256', body).then(function (h) {"
                    + "  cb(status + ' ' + body.length + ' ' + Array.from(new Uint8Array(h)).map(function (b) {"
                    + "   return ('0' + b.toString(16)).slice(-2); }).join('')); }); });", url);
            assertEquals("200 " + size + " " + SeededHttpServer.sha256(42, size), r,
                    "status, size and SHA-256 computed in the page");
        }
    }

    /** Loads onionpeer.js into a page of the bridge's origin that does not start it, and starts it with opts. */
    static Object startPage(Chromium chromium, Bridge bridge, String authority) {
        chromium.open(bridge.server().url("no-such-page"));
        return chromium.jsAsync("var cb = arguments[arguments.length - 1]; var a = arguments[0];"
                + "var s = document.createElement('script'); s.src = '/onionpeer.js';"
                + "s.onload = function () { main([]); window.onionpeer.start({authorities: [a]}); cb('started'); };"
                + "s.onerror = function () { cb('onionpeer.js did not load'); };"
                + "document.documentElement.appendChild(s);", authority);
    }

    /**
     * The page checks the Tor network itself: given the authority's v3 identity (not from the bridge), it
     * fetches the consensus, the key certificate and the descriptors from the bridge (C tor's bytes, passed
     * through), verifies them with the core's netdoc code compiled to JavaScript, builds bridge -> C tor relays
     * and fetches a file through tor's exit. Pinned to another authority, the same page refuses the same
     * consensus, says why in status().state and builds nothing.
     */
    @Test
    @Order(2)
    @Tag("browser")
    @SuppressWarnings("unchecked")
    void thePageVerifiesTheConsensusItselfAgainstItsPinnedAuthority() throws Exception {
        String line = net.authorityLine();
        String v3 = line.substring(line.indexOf("v3ident=") + 8, line.indexOf("v3ident=") + 48);
        try (Bridge bridge = new Bridge(torOptions()); Chromium chromium = new Chromium()) {
            bridge.awaitTorNetwork(90_000);
            assertEquals("started", startPage(chromium, bridge, v3));
            Map<String, Object> status = (Map<String, Object>) chromium.jsAsync(
                    "var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                    + "(function poll() { var s = window.onionpeer.status();"
                    + " if (s.circuits.length > 0 || Date.now() - t0 > 60000) cb(s); else setTimeout(poll, 50); })();");
            List<String> events = (List<String>) status.get("events");
            // (How many of the four: the descriptors the bridge holds for the consensus it served a moment ago.)
            assertTrue(events.stream().anyMatch(e -> e.startsWith("Tor consensus verified (authorities pinned by the"
                    + " page, 1 trusted): ")), "the page verified the consensus itself: " + status);
            List<Map<String, Object>> circuits = (List<Map<String, Object>>) status.get("circuits");
            assertTrue(!circuits.isEmpty(), "the page built a circuit: " + status);
            List<Map<String, Object>> hops = (List<Map<String, Object>>) circuits.get(0).get("hops");
            assertEquals("bridge", hops.get(0).get("nickname"), "first hop: the bridge over WebSocket");
            for (Map<String, Object> h : hops.subList(1, hops.size())) {
                assertTrue(List.of(TorNetwork.NODES).contains(h.get("nickname")), "then C tor relays: " + hops);
            }
            long size = 1L << 20;
            String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(43, size);
            Object r = chromium.jsAsync("var cb = arguments[arguments.length - 1];"
                    + "window.onionpeer.fetch(arguments[0], function () {}, function (err, status, body) {"
                    + " if (err) { cb('error: ' + err); return; }"
                    + " crypto.subtle.digest('SHA-256', body).then(function (h) {"
                    + "  cb(status + ' ' + body.length + ' ' + Array.from(new Uint8Array(h)).map(function (b) {"
                    + "   return ('0' + b.toString(16)).slice(-2); }).join('')); }); });", url);
            assertEquals("200 " + size + " " + SeededHttpServer.sha256(43, size), r, "through the verified relays");

            // Another authority pinned: the bridge's (genuine) documents do not verify for it.
            String other = v3.substring(0, 39) + (v3.charAt(39) == '0' ? '1' : '0');
            assertEquals("started", startPage(chromium, bridge, other));
            Map<String, Object> refused = (Map<String, Object>) chromium.jsAsync(
                    "var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                    + "(function poll() { var s = window.onionpeer.status();"
                    + " if (s.state.indexOf('refused') >= 0 || Date.now() - t0 > 30000) cb(s); else setTimeout(poll, 50); })();");
            String state = (String) refused.get("state");
            assertTrue(state.startsWith("waiting for the bridge: Tor consensus refused: signed by 0 of 1 trusted"
                    + " authorities, need more than half (no signature by a trusted authority), retry in "), state);
            assertTrue(((List<?>) refused.get("circuits")).isEmpty(), "no circuit on the bridge's list: " + refused);
        }
    }

    /**
     * The C tor client fetches from a port that exit1 refuses and our relay accepts. (ExitNodes alone is not
     * enough: every relay here has the address 127.0.0.1, and tor sends a stream for a relay's own address to
     * that relay as its exit when its policy allows, an "exit enclave", ahead of ExitNodes.)
     */
    @Test
    @Order(3)
    void aCTorClientUsesOurRelayAsItsExit() throws Exception {
        cTorClientThroughUs(oursOnly);
    }

    void cTorClientThroughUs(SeededHttpServer web) throws Exception {
        Bridge.Options o = torOptions();
        o.torRelay = true;
        o.embedded = true; // the bridge's relay and one more: published as one family
        o.relays = 1;
        o.exitPolicy = "accept 127.0.0.1:" + web.port();
        try (Bridge bridge = new Bridge(o)) {
            String ours = bridge.bridgeRelay().info().identity().fingerprint();
            String sibling = bridge.relays().get(0).info().identity().fingerprint();
            net.waitForRouterInConsensus(ours, Duration.ofSeconds(90));
            net.waitForRouterInConsensus(sibling, Duration.ofSeconds(90));

            // The authority serves our descriptor as we signed it: it verifies, and names the family.
            long now = System.currentTimeMillis() / 1000;
            ServerDescriptor mine = ServerDescriptor.parse(net.dirGet("/tor/server/fp/" + ours));
            mine.verify(now);
            assertEquals(ours, HexFormat.of().withUpperCase().formatHex(mine.rsaIdentity()));
            assertTrue(mine.family().contains("$" + sibling), "family: " + mine.family());
            ServerDescriptor theirs = ServerDescriptor.parse(net.dirGet("/tor/server/fp/" + sibling));
            theirs.verify(now);
            assertTrue(theirs.family().contains("$" + ours), "family: " + theirs.family());
            assertEquals(List.of("accept 127.0.0.1:" + web.port(), "reject *:*"), mine.exitPolicy());

            int ports = TorNetwork.freePorts(BASE_PORT + 10, BASE_PORT + 40, 2);
            long size = 4L << 20;
            try (CTorClient client = net.startClient("client-ours", ports, ports + 1,
                    List.of("ExitNodes $" + ours, "StrictNodes 1"))) {
                client.waitForDescriptor(ours, Duration.ofSeconds(60));
                client.command("SETEVENTS CIRC STREAM");
                String sha;
                try {
                    sha = curlSha256(client.socksPort(), "http://127.0.0.1:" + web.port() + SeededHttpServer.path(43, size));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; tor's events: " + client.drainEvents(), e);
                }
                assertEquals(SeededHttpServer.sha256(43, size), sha, "the file through C tor with our relay as exit");
                long begun = TorClient.onLoop(bridge.bridgeRelay().loop(),
                        () -> bridge.bridgeRelay().router().exitStreamsBegun());
                assertTrue(begun > 0, "our relay opened the exit stream; tor's events: " + client.drainEvents());
            }
        }
    }

    /**
     * A C tor client's circuit: C tor guard -> our relay (middle) -> the C tor exit, which takes the stream only
     * when the hop before it authenticated as a relay of the consensus (tor's RefuseUnknownExits, on by
     * default). Our relay authenticates with AUTH0003, which needs the TLS exporter of Java 25+, so it runs in
     * its own JVM from that JDK ({@code -Donionpeer.java25.home}, else Temurin 25's Debian path); without one
     * the test is skipped. The C tor guard authenticates to our relay too, so our responder's check is on the
     * path. The witness is the C tor client's control port: the BUILT circuit with our relay second and the
     * exit third, and the stream SUCCEEDED on that circuit.
     */
    @Test
    @Order(4)
    void aCTorClientUsesOurRelayAsItsMiddleBeforeATorExit() throws Exception {
        Path java25 = Paths.get(System.getProperty("onionpeer.java25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(java25.resolve("bin").resolve("java")),
                "no Java 25 JDK at " + java25 + ": our relay cannot export TLS keying material to authenticate");
        try (BridgeProcess relay = new BridgeProcess(java25, List.of(), BridgeProcess.args("--tor-authority",
                net.authorityLine(), "--tor-relay", "--socks-port", "-1"), 60_000)) {
            String ours = relay.relays().get(0).fingerprint();
            try {
                net.waitForRouterInConsensus(ours, Duration.ofSeconds(90));
                net.waitForRouterKnownTo("exit1", ours, Duration.ofSeconds(90));
            } catch (IllegalStateException e) {
                throw new AssertionError(e.getMessage() + "\nour relay's output:\n" + relay.tail(), e);
            }
            String exit = net.fingerprint("exit1");
            int ports = TorNetwork.freePorts(BASE_PORT + 10, BASE_PORT + 40, 2);
            long size = 4L << 20;
            try (CTorClient client = net.startClient("client-middle", ports, ports + 1, List.of(
                    "EntryNodes $" + net.fingerprint("relay1") + ",$" + net.fingerprint("relay2"),
                    "MiddleNodes $" + ours, "ExitNodes $" + exit, "StrictNodes 1"))) {
                client.waitForDescriptor(ours, Duration.ofSeconds(60));
                client.command("SETEVENTS CIRC STREAM");
                String sha;
                try {
                    sha = curlSha256(client.socksPort(), "http://127.0.0.1:" + web.port() + SeededHttpServer.path(44, size));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; tor's events: " + client.drainEvents()
                            + "\nour relay's output:\n" + relay.tail(), e);
                }
                assertEquals(SeededHttpServer.sha256(44, size), sha, "the file through C tor, our relay as middle");
                // The stream's circuit (from its SUCCEEDED event), then that circuit's path (GETINFO
                // circuit-status): it may have been built before we subscribed to CIRC events.
                List<String> events = client.drainEvents();
                String circuit = null;
                for (String e : events) {
                    String[] f = e.split(" ");
                    if (f.length > 4 && f[1].equals("STREAM") && f[3].equals("SUCCEEDED") && f[5].contains(":" + web.port())) {
                        circuit = f[4];
                    }
                }
                assertTrue(circuit != null, "tor's control port: the stream SUCCEEDED; events: " + events);
                String status = client.command("GETINFO circuit-status");
                boolean succeeded = false;
                for (String l : status.split("\n")) {
                    String[] f = l.trim().split(" ");
                    if (f.length > 2 && f[0].equals(circuit) && f[1].equals("BUILT")) {
                        String[] hops = f[2].split(",");
                        succeeded = hops.length == 3 && hops[1].startsWith("$" + ours) && hops[2].startsWith("$" + exit);
                    }
                }
                assertTrue(succeeded, "tor's control port: the stream's circuit " + circuit + " runs through $" + ours
                        + " then $" + exit + "; circuit-status: " + status);
            }
        }
    }

    /** curl through a SOCKS5 port (names resolved at the exit); the SHA-256 of what arrived, in hex. */
    static String curlSha256(int socksPort, String url) throws Exception {
        Path out = Files.createTempFile("tor-interop", ".bin");
        try {
            Process p = new ProcessBuilder("curl", "-sS", "--max-time", "120", "--socks5-hostname",
                    "127.0.0.1:" + socksPort, "-o", out.toString(), url).redirectErrorStream(true).start();
            assertTrue(p.waitFor(150, TimeUnit.SECONDS), "curl finished");
            String log = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.exitValue(), "curl: " + log);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(out)));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
