package org.onionpeer.e2e;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.onionpeer.jvm.Bridge;

/**
 * The peer network's figures (issue: pages relaying over WebRTC), all in one run on loopback, each page a
 * separate headless Chromium:
 * <ul>
 * <li>bulk through A -> B -> C -> JVM exit (B, C pages linked over WebRTC) against the raw rate of one data
 * channel between two of the same browsers (signalled by the bench itself, 16 KiB messages, the
 * browser's own back-pressure): the goal is at least 0.5;</li>
 * <li>page open -> first WebRTC peer linked (the page asked at load to build its circuits through peers),
 * median of 10;</li>
 * <li>DHT lookup rounds at 1,000 and 10,000 simulated nodes ({@link DhtBench}).</li>
 * </ul>
 */
public final class PeerBench {
    static final int RAW_BYTES = 20 << 20;
    static final long BULK_BYTES = 20_000_000;
    /** -Dpeer.bench.bulkOnly=true: only the raw and bulk figures (no page-open or DHT part), for quick runs. */
    static final boolean BULK_ONLY = Boolean.getBoolean("peer.bench.bulkOnly");

    private PeerBench() {
    }

    public static void main(String[] args) throws Exception {
        run();
    }

    static final String GATHER = "function gather$(pc) { return new Promise(function (r) {"
            + " if (pc.iceGatheringState === 'complete') { r(); return; } var t = setTimeout(r, 3000);"
            + " pc.addEventListener('icegatheringstatechange', function () {"
            + "  if (pc.iceGatheringState === 'complete') { clearTimeout(t); r(); } }); }); }";

    /** MB/s of one data channel from {@code from} to {@code to}, signalled through Selenium. */
    static double rawRate(Chromium from, Chromium to) {
        String offer = String.valueOf(from.jsAsync(GATHER + "var cb = arguments[arguments.length - 1];"
                + " var pc = window.rawPc = new RTCPeerConnection({iceServers: []});"
                + " var ch = window.rawCh = pc.createDataChannel('raw', {ordered: true}); ch.binaryType = 'arraybuffer';"
                + " pc.createOffer().then(function (d) { return pc.setLocalDescription(d); })"
                + " .then(function () { return gather$(pc); }).then(function () { cb(pc.localDescription.sdp); });"));
        String answer = String.valueOf(to.jsAsync(GATHER + "var cb = arguments[arguments.length - 1];"
                + " var n = arguments[1]; var pc = window.rawPc = new RTCPeerConnection({iceServers: []});"
                + " window.rawDone = null; pc.ondatachannel = function (e) { var ch = e.channel;"
                + "  ch.binaryType = 'arraybuffer'; var got = 0, t0 = 0; ch.onmessage = function (ev) {"
                + "   if (!t0) t0 = performance.now(); got += ev.data.byteLength;"
                + "   if (got >= n && !window.rawDone) window.rawDone = performance.now() - t0; }; };"
                + " pc.setRemoteDescription({type: 'offer', sdp: arguments[0]})"
                + " .then(function () { return pc.createAnswer(); }).then(function (d) { return pc.setLocalDescription(d); })"
                + " .then(function () { return gather$(pc); }).then(function () { cb(pc.localDescription.sdp); });",
                offer, RAW_BYTES));
        from.jsAsync("var cb = arguments[arguments.length - 1]; var n = arguments[1]; var ch = window.rawCh;"
                + " window.rawPc.setRemoteDescription({type: 'answer', sdp: arguments[0]});"
                + " var buf = new Uint8Array(16384); var sent = 0; ch.bufferedAmountLowThreshold = 1 << 20;"
                + " function pump() { while (sent < n && ch.bufferedAmount < 4 << 20) { ch.send(buf); sent += buf.length; }"
                + "  if (sent >= n) cb('sent'); }"
                + " ch.onbufferedamountlow = pump; if (ch.readyState === 'open') pump(); else ch.onopen = pump;",
                answer, RAW_BYTES);
        Object ms = to.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now(); (function poll() {"
                + " if (window.rawDone) cb(window.rawDone); else if (Date.now() - t0 > 60000) cb(-1);"
                + " else setTimeout(poll, 20); })();");
        from.js("window.rawPc.close();");
        to.js("window.rawPc.close();");
        double t = ((Number) ms).doubleValue();
        return t <= 0 ? 0 : RAW_BYTES / 1e6 / (t / 1000);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    @SuppressWarnings("unchecked")
    public static void run() throws Exception {
        List<Chromium> pages = new ArrayList<>();
        try (SeededHttpServer web = new SeededHttpServer()) {
            Bridge bridge = new Bridge(TestBridges.options(3));
            try {
                for (int i = 0; i < (BULK_ONLY ? 3 : 4); i++) {
                    pages.add(new Chromium());
                }
                for (Chromium p : pages.subList(0, 3)) {
                    p.open(bridge.server().url(""));
                }
                Chromium a = pages.get(0);
                for (Chromium p : pages.subList(0, 3)) {
                    PeerNetworkInBrowserTest.await(p, "s.state === 'ready' && s.peers.state === 'in the peer network'", 60);
                }
                double[] raw = new double[3];
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = rawRate(pages.get(1), pages.get(2));
                }
                PeerNetworkInBrowserTest.await(a, "s.peers.knownPeers >= 2", 30);
                a.js("window.onionpeer.usePeers(true, {firstHopMinAgeMillis: 0});");
                PeerNetworkInBrowserTest.await(a, "s.circuits.some(function (c) { return c.hops[0].kind === 'peer'"
                        + " && c.hops[1].kind === 'peer'; })", 60);
                double[] bulk = new double[3];
                for (int i = 0; i < bulk.length; i++) {
                    String url = "http://127.0.0.1:" + web.port() + SeededHttpServer.path(100 + i, BULK_BYTES);
                    Object ms = a.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = performance.now();"
                            + " var n = arguments[1];"
                            + " window.onionpeer.fetch(arguments[0], function () {}, function (err, status, body) {"
                            + "  cb(err ? -1 : (body.length === n ? performance.now() - t0 : -2)); });",
                            url, BULK_BYTES);
                    double t = ((Number) ms).doubleValue();
                    bulk[i] = t <= 0 ? 0 : BULK_BYTES / 1e6 / (t / 1000);
                }
                Map<String, Object> st = (Map<String, Object>) a.js("return window.onionpeer.status();");
                double rawMed = median(raw);
                double bulkMed = median(bulk);
                System.out.printf(Locale.ROOT, "peer raw data channel, 2 browsers: median %6.1f MB/s  %s  (%d MiB, 16 KiB"
                        + " messages)%n", rawMed, Arrays.toString(raw), RAW_BYTES >> 20);
                System.out.printf(Locale.ROOT, "peer bulk A > page > page > exit: median %6.1f MB/s  %s  (%d MB"
                        + " onionpeer.fetch) -> %.2fx of raw (goal >= 0.5)%n", bulkMed, Arrays.toString(bulk),
                        BULK_BYTES / 1_000_000, rawMed == 0 ? 0 : bulkMed / rawMed);
                System.out.println("peer circuits: " + st.get("circuits"));

                if (BULK_ONLY) {
                    return;
                }
                // Page open -> first WebRTC peer linked, on a fresh page (a new identity) each time.
                Chromium d = pages.get(3);
                double[] open = new double[10];
                for (int i = 0; i < open.length; i++) {
                    d.open(bridge.server().url(""));
                    d.js("window.onionpeer.usePeers(true, {firstHopMinAgeMillis: 0});");
                    Object ms = d.jsAsync("var cb = arguments[arguments.length - 1]; (function poll() {"
                            + " if (window.onionpeer.peers().some(function (p) { return p.link === 'webrtc'; }))"
                            + "  cb(performance.now()); else if (performance.now() > 60000) cb(-1);"
                            + " else setTimeout(poll, 10); })();");
                    open[i] = ((Number) ms).doubleValue();
                    if (open[i] < 0) { // say why: the state of the page that found no peer
                        System.out.println("peer page open: no WebRTC peer within 60 s: "
                                + d.js("return JSON.stringify(window.onionpeer.status());"));
                    }
                }
                double[] sorted = open.clone();
                Arrays.sort(sorted);
                System.out.printf(Locale.ROOT, "peer page open -> first WebRTC peer linked: median %.0f ms,"
                        + " min %.0f, max %.0f  %s%n", median(open), sorted[0], sorted[sorted.length - 1],
                        Arrays.toString(open));
            } finally {
                for (Chromium p : pages) {
                    p.close();
                }
                bridge.close();
            }
        }
        if (BULK_ONLY || "false".equals(System.getProperty("peer.bench.dht"))) {
            return; // -Dpeer.bench.dht=false: no DHT simulation (10,000 nodes take minutes)
        }
        long seed = Long.getLong("dht.bench.seed", 20261206L);
        System.setProperty("dht.bench.seed", Long.toString(seed));
        DhtBench.main(new String[0]);
    }
}
