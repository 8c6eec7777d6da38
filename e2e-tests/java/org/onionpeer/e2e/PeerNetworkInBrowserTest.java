package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.link.Channel;

/**
 * The peer network in separate headless Chromium instances (one browser per page, as for real users): four
 * pages join through one bridge, register, find each other in the DHT, and page A builds its circuits
 * through two other pages linked over WebRTC (A -> B -> C -> JVM exit), then downloads 5 MB over them.
 * The bridge's own relay must carry none of the download: its links see only the peers' signalling.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PeerNetworkInBrowserTest {
    static final int PAGES = 4;
    static final long SIZE = 5_000_000;
    static Bridge bridge;
    static SeededHttpServer web;
    static final List<Chromium> pages = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        web = new SeededHttpServer();
        bridge = new Bridge(TestBridges.options(3));
        for (int i = 0; i < PAGES; i++) {
            pages.add(new Chromium());
        }
        for (Chromium c : pages) {
            c.open(bridge.server().url(""));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Chromium c : pages) {
            c.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (web != null) {
            web.close();
        }
    }

    /** Polls status() until {@code cond} (a JS expression over s) holds; returns the status. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> await(Chromium page, String cond, int seconds) {
        Object s = page.jsAsync("var cb = arguments[arguments.length - 1]; var secs = arguments[0];"
                + " var t0 = Date.now(); (function poll() {"
                + " var s = window.onionpeer && window.onionpeer.status && window.onionpeer.status();"
                + " if (s && (" + cond + ")) cb(s); else if (Date.now() - t0 > secs * 1000) cb({timeout: s || 'no node'});"
                + " else setTimeout(poll, 50); })();", seconds);
        assertTrue(s instanceof Map && ((Map<String, Object>) s).get("timeout") == null,
                "/" + cond + "/ within " + seconds + " s: " + s);
        return (Map<String, Object>) s;
    }

    long bridgeRelayBytes() throws Exception {
        return bridge.bridgeRelay().loop().call(() -> {
            long n = 0;
            for (Channel c : bridge.bridgeRelay().node().links().channels()) {
                n += c.receivedTotal() + c.queuedTotal();
            }
            return n;
        }, 10);
    }

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void pagesRelayForEachOtherOverWebRtcAndTheBridgeCarriesNoneOfIt() throws Exception {
        for (Chromium p : pages) {
            await(p, "s.state === 'ready' && s.peers.state === 'in the peer network'", 60);
        }
        int registered = bridge.bridgeRelay().loop().call(() -> bridge.peers().registeredCount(), 10);
        assertEquals(PAGES, registered, "every page registered with the bridge");
        Chromium a = pages.get(0);
        await(a, "s.peers.knownPeers >= 2", 30);

        a.js("window.onionpeer.usePeers(true);");
        Map<String, Object> st = await(a, "s.circuits.some(function (c) { return c.hops[0].kind === 'peer'"
                + " && c.hops[1].kind === 'peer' && c.hops[2].kind === 'relay'; })", 60);
        long before = bridgeRelayBytes();
        String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(42, SIZE);
        Object r = a.jsAsync(DownloadInBrowserTest.SHA_JS + "var cb = arguments[arguments.length - 1];"
                + " var u$ = arguments[0]; window.onionpeer.download(u$, {onDone: function (err) {"
                + " if (err) { cb('error: ' + err); return; } sha$(u$, cb); }});", url);
        long through = bridgeRelayBytes() - before;
        assertEquals(SIZE + " " + SeededHttpServer.sha256(42, SIZE), String.valueOf(r), "size and SHA-256");
        assertTrue(through < SIZE / 10, "the bridge's relay carried " + through + " bytes during the download");

        List<Map<String, Object>> peers = (List<Map<String, Object>>) a.js("return window.onionpeer.peers();");
        assertTrue(peers.stream().anyMatch(p -> "webrtc".equals(p.get("link"))
                && ((Number) p.get("bytesIn")).longValue() > SIZE), "A got the bytes over WebRTC: " + peers);
        System.out.println("PeerNetworkInBrowserTest: circuits " + st.get("circuits") + "; bridge relay bytes "
                + through + "; peers " + peers);
    }

    /**
     * The page relaying A's download (its first hop, linked to A over WebRTC) closes mid-transfer: A's
     * circuit dies, the download resumes on a circuit through the pages that are left, and the file is whole.
     */
    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void aRelayingPageClosedMidDownloadIsRoutedAround() throws Exception {
        Chromium a = pages.get(0);
        long size = 40_000_000;
        String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(43, size);
        a.js("window.done$ = null; window.got$ = 0; window.notes$ = []; window.onionpeer.download(arguments[0], {"
                + " onProgress: function (r, t, rate, left, note) { window.got$ = r; if (note) window.notes$.push(note); },"
                + " onDone: function (e) { window.done$ = e || 'ok'; }});", url);
        Object first = a.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now(); (function poll() {"
                + " var c$ = window.onionpeer.status().circuits.filter(function (c) { return c.streams > 0; })[0];"
                + " if (c$ && window.got$ > 4000000) cb(c$.hops[0]); else if (Date.now() - t0 > 60000)"
                + "  cb('none: ' + window.got$ + ' ' + JSON.stringify(window.onionpeer.status().circuits));"
                + " else setTimeout(poll, 20); })();");
        assertTrue(first instanceof Map && "peer".equals(((Map<String, Object>) first).get("kind")),
                "the download runs over a circuit whose first hop is a page: " + first);
        String victimId = String.valueOf(((Map<String, Object>) first).get("id"));
        Chromium victim = null;
        for (Chromium p : pages.subList(1, pages.size())) {
            if (victimId.equals(p.js("return window.onionpeer.status().identity;"))) {
                victim = p;
            }
        }
        assertTrue(victim != null, "the first hop " + victimId + " is one of our pages");
        victim.close(); // the user closes the tab
        pages.remove(victim);

        Object done = a.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now(); (function poll() {"
                + " if (window.done$) cb(window.done$); else if (Date.now() - t0 > 90000) cb('timeout at ' + window.got$"
                + " + ' notes ' + window.notes$.join(' | ') + ' status ' + JSON.stringify(window.onionpeer.status()));"
                + " else setTimeout(poll, 100); })();");
        assertEquals("ok", done, "the download finished by itself");
        Object hash = a.jsAsync(DownloadInBrowserTest.SHA_JS + "var cb = arguments[arguments.length - 1];"
                + " sha$(arguments[0], cb);", url);
        assertEquals(size + " " + SeededHttpServer.sha256(43, size), String.valueOf(hash), "size and SHA-256");
        List<Map<String, Object>> circuits = (List<Map<String, Object>>) ((Map<String, Object>) a.js(
                "return window.onionpeer.status();")).get("circuits");
        for (Map<String, Object> c : circuits) {
            assertTrue(!String.valueOf(c.get("hops")).contains(victimId), "no circuit through the closed page: " + c);
        }
    }
}
