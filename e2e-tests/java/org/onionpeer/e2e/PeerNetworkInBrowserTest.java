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

        // A peer becomes a first hop only once known for a while (10 min by default); here at once.
        a.js("window.onionpeer.usePeers(true, {firstHopMinAgeMillis: 0});");
        Map<String, Object> st = await(a, "s.circuits.some(function (c) { return c.hops[0].kind === 'peer'"
                + " && c.hops[1].kind === 'peer' && c.hops[2].kind === 'relay'; })", 60);
        long before = bridgeRelayBytes();
        long t0 = System.nanoTime();
        String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(42, SIZE);
        Object r = a.jsAsync(DownloadInBrowserTest.SHA_JS + "var cb = arguments[arguments.length - 1];"
                + " var u$ = arguments[0]; window.onionpeer.download(u$, {onDone: function (err) {"
                + " if (err) { cb('error: ' + err); return; } sha$(u$, cb); }});", url);
        double secs = (System.nanoTime() - t0) / 1e9;
        long through = bridgeRelayBytes() - before;
        assertEquals(SIZE + " " + SeededHttpServer.sha256(42, SIZE), String.valueOf(r), "size and SHA-256");
        assertTrue(through < SIZE / 10, "the bridge's relay carried " + through + " bytes during the download");

        List<Map<String, Object>> peers = (List<Map<String, Object>>) a.js("return window.onionpeer.peers();");
        assertTrue(peers.stream().anyMatch(p -> "webrtc".equals(p.get("link"))
                && ((Number) p.get("bytesIn")).longValue() > SIZE), "A got the bytes over WebRTC: " + peers);
        // The pages say so: A lists its WebRTC peers, and a page relaying for A shows it in its badge.
        Object row = a.js("var r = Array.from(document.querySelectorAll('#peers tr')).map(function (t) {"
                + " return t.textContent; }).filter(function (t) { return /WebRTC/.test(t); }); return r.length;");
        assertTrue(((Number) row).intValue() >= 1, "the peers table lists a WebRTC peer");
        boolean badge = false;
        for (Chromium p : pages.subList(1, pages.size())) {
            badge |= String.valueOf(p.js("return document.getElementById('relay-badge').textContent;"))
                    .matches("relaying [1-9][0-9]* circuits? for others");
        }
        assertTrue(badge, "a page relaying A's circuit says so in its badge");
        System.out.printf("PeerNetworkInBrowserTest: 5 MB over A -> page -> page -> exit in %.1f s (%.2f MB/s)%n",
                secs, SIZE / 1e6 / secs);
        System.out.println("PeerNetworkInBrowserTest: circuits " + st.get("circuits") + "; bridge relay bytes "
                + through + "; peers " + peers);
    }

    /**
     * A hostile page floods the bridge with garbage peer messages, INTRODUCEs with bad descriptions for
     * page A, unknown peers and malformed DHT messages: the bridge counts and drops or rate-limits them,
     * A refuses the bad offers, and A still downloads through its peers.
     */
    @Test
    @Order(2)
    void aHostilePageIsIgnoredOrRateLimited() throws Exception {
        Chromium a = pages.get(0);
        Chromium evil = pages.get(pages.size() - 1);
        String aId = String.valueOf(a.js("return window.onionpeer.status().identity;"));
        long[] before = stats();
        Object sent = evil.js("var id = arguments[0], n = 0;"
                + "function hex(s) { return Array.from(s).map(function (c) {"
                + "  return ('0' + c.charCodeAt(0).toString(16)).slice(-2); }).join(''); }"
                + "function u16(n) { return ('000' + n.toString(16)).slice(-4); }"
                + "var garbageSdp = 'v=0\\r\\no=- 1 1 IN IP4 0.0.0.0\\r\\na=fingerprint:sha-256 ZZ\\r\\n';"
                + "for (var i = 0; i < 200; i++) {"
                + " window.onionpeer.peerRawSend('03' + id + u16(garbageSdp.length) + hex(garbageSdp)); n++;"
                + " window.onionpeer.peerRawSend('03' + 'ab'.repeat(20) + u16(3) + hex('v=0')); n++;"
                + " window.onionpeer.peerRawSend('ff' + '00'.repeat(20)); n++;"
                + " window.onionpeer.peerRawSend('02' + '00'.repeat(20) + 'deadbeef'); n++;"
                + " window.onionpeer.peerRawSend('01' + '00'.repeat(20) + '01'); n++; }"
                + "return n;", aId);
        assertEquals(1000, ((Number) sent).intValue(), "the hostile page sent its garbage");
        long[] after = stats();
        for (int i = 0; i < 20 && (after[0] - before[0] < 200 || after[1] == before[1]); i++) {
            Thread.sleep(100); // polling the bridge's counters: the messages are in flight on the WebSocket
            after = stats();
        }
        assertTrue(after[0] - before[0] >= 200, "malformed messages counted: " + (after[0] - before[0]));
        assertTrue(after[1] > before[1], "the INTRODUCE flood was rate-limited");
        assertTrue(after[2] - before[2] <= 10, "at most a few introductions per second reached A: "
                + (after[2] - before[2]));
        // A still works through its peers, and is still in the peer network.
        String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(44, 1_000_000);
        Object r = a.jsAsync(DownloadInBrowserTest.SHA_JS + "var cb = arguments[arguments.length - 1];"
                + " var u$ = arguments[0]; window.onionpeer.download(u$, {onDone: function (err) {"
                + " if (err) { cb('error: ' + err); return; } sha$(u$, cb); }});", url);
        assertEquals(1_000_000 + " " + SeededHttpServer.sha256(44, 1_000_000), String.valueOf(r), "size and SHA-256");
        await(a, "s.peers.state === 'in the peer network'", 5);
    }

    /**
     * With the default rule, peers just met are middle hops only: the first hop is the bridge (a first hop
     * sees the page's address). A relay rate set through the API shows in the status.
     */
    @Test
    @Order(3)
    void newPeersAreMiddleHopsBehindTheBridge() {
        Chromium b = pages.get(1);
        b.js("window.onionpeer.usePeers(true); window.onionpeer.setRelaying(true, {bytesPerSecond: 2000000});");
        await(b, "s.circuits.some(function (c) { return c.hops[0].kind === 'bridge'"
                + " && c.hops[1].kind === 'peer' && c.hops[2].kind === 'relay'; })", 60);
        await(b, "!s.circuits.some(function (c) { return c.hops[0].kind === 'peer'; })"
                + " && s.peers.relayBytesPerSecond === 2000000", 5);
        Object err = b.js("try { window.onionpeer.setRelaying(true, {bytesPerSecond: 10}); return 'taken'; }"
                + " catch (e) { return e.message; }");
        assertEquals("bytesPerSecond must be at least 4112 (8 cells)", err);
        b.js("window.onionpeer.usePeers(false);");
    }

    /** The bridge's peer counters: {malformed, rate-limited, introductions relayed}. */
    long[] stats() throws Exception {
        return bridge.bridgeRelay().loop().call(() -> new long[] {bridge.peers().stats().malformed,
                bridge.peers().stats().rateLimited, bridge.peers().stats().introductionsRelayed}, 10);
    }

    /**
     * The page relaying A's download (its first hop, linked to A over WebRTC) closes mid-transfer: A's
     * circuit dies, the download resumes on a circuit through the pages that are left, and the file is whole.
     */
    @Test
    @Order(4)
    @SuppressWarnings("unchecked")
    void aRelayingPageClosedMidDownloadIsRoutedAround() throws Exception {
        Chromium a = pages.get(0);
        long size = 20_000_000;
        String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(43, size);
        a.js("window.done$ = null; window.got$ = 0; window.notes$ = []; window.onionpeer.download(arguments[0], {"
                + " onProgress: function (r, t, rate, left, note) { window.got$ = r; if (note) window.notes$.push(note); },"
                + " onDone: function (e) { window.done$ = e || 'ok'; }});", url);
        Object first = a.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now(); (function poll() {"
                + " var c$ = window.onionpeer.status().circuits.filter(function (c) { return c.streams > 0; })[0];"
                + " if (c$ && window.got$ > 3000000) cb(c$.hops[0]); else if (Date.now() - t0 > 60000)"
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
                + " if (window.done$) cb(window.done$); else if (Date.now() - t0 > 150000) cb('timeout at ' + window.got$"
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
