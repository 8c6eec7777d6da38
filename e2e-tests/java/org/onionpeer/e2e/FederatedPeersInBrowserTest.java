package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;

/**
 * Pages of two joined bridges are one peer network, in separate headless Chromium instances: page A of the
 * first bridge finds pages D and E of the second through the federated DHT, is introduced to them across
 * both bridges, and downloads through A -> D -> E -> exit (an exit of the first bridge).
 */
@Tag("browser")
class FederatedPeersInBrowserTest {
    static Bridge first;
    static Bridge second;
    static SeededHttpServer web;
    static final List<Chromium> pages = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        web = new SeededHttpServer();
        first = new Bridge(TestBridges.options(2));
        Bridge.Options o = TestBridges.options(0);
        o.embedded = false;
        o.join = URI.create(first.server().url(""));
        second = new Bridge(o);
        for (int i = 0; i < 3; i++) {
            pages.add(new Chromium());
        }
        pages.get(0).open(first.server().url(""));
        pages.get(1).open(second.server().url(""));
        pages.get(2).open(second.server().url(""));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Chromium c : pages) {
            c.close();
        }
        for (Bridge b : new Bridge[] {second, first}) {
            if (b != null) {
                b.close();
            }
        }
        if (web != null) {
            web.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPageOfOneBridgeRelaysThroughPagesOfTheOther() throws Exception {
        for (Chromium p : pages) {
            PeerNetworkInBrowserTest.await(p, "s.state === 'ready' && s.peers.state === 'in the peer network'", 60);
        }
        assertEquals("federated", second.federationState());
        Chromium a = pages.get(0);
        String d = String.valueOf(pages.get(1).js("return window.onionpeer.status().identity;"));
        String e = String.valueOf(pages.get(2).js("return window.onionpeer.status().identity;"));
        PeerNetworkInBrowserTest.await(a, "s.peers.knownPeers >= 2", 30);
        a.js("window.onionpeer.usePeers(true, {firstHopMinAgeMillis: 0});");
        Map<String, Object> st = PeerNetworkInBrowserTest.await(a, "s.circuits.some(function (c) {"
                + " return c.hops[0].kind === 'peer' && c.hops[1].kind === 'peer' && c.hops[2].kind === 'relay'; })",
                60);
        boolean throughBoth = false;
        for (Map<String, Object> c : (List<Map<String, Object>>) st.get("circuits")) {
            List<Map<String, Object>> hops = (List<Map<String, Object>>) c.get("hops");
            if ("peer".equals(hops.get(0).get("kind")) && "peer".equals(hops.get(1).get("kind"))) {
                throughBoth |= Set.of(d, e).equals(Set.of(String.valueOf(hops.get(0).get("id")),
                        String.valueOf(hops.get(1).get("id"))));
            }
        }
        assertTrue(throughBoth, "A's peer circuit runs through D and E, pages of the other bridge: " + st);
        String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(45, 1_000_000);
        Object r = a.jsAsync(DownloadInBrowserTest.SHA_JS + "var cb = arguments[arguments.length - 1];"
                + " var u$ = arguments[0]; window.onionpeer.download(u$, {onDone: function (err) {"
                + " if (err) { cb('error: ' + err); return; } sha$(u$, cb); }});", url);
        assertEquals(1_000_000 + " " + SeededHttpServer.sha256(45, 1_000_000), String.valueOf(r));
        long federated = first.bridgeRelay().loop().call(() -> first.peers().stats().federated, 10);
        assertTrue(federated > 0, "the first bridge handed A's messages to the second");
    }
}
