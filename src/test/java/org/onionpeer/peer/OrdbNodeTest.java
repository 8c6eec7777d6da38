package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.Download;
import org.onionpeer.ordb.DownloadListener;
import org.onionpeer.ordb.DownloadSource;
import org.onionpeer.ordb.HashName;

/**
 * Pages sharing a file through each other ({@link OrdbNode}) on the JVM, in memory: four pages behind one
 * bridge, which extends circuits to them. A shares; its ORDBs (two other pages) learn the hash_name and
 * announce themselves in the DHT; B fetches it by the hash_name alone; A leaves; C fetches it from B, the
 * downloader that seeds. Every page's ORDB circuits start at the bridge and end at a page.
 */
class OrdbNodeTest extends PeerNet {
    RelayInfo bridgeRouter;
    Directory directory;

    /** A page with a PeerNode and an OrdbNode, in the peer network. */
    final class SharingPage {
        final Page page;
        final OnionProxy proxy;
        final PeerNode peer;
        final OrdbNode ordb;

        SharingPage(String name) {
            this(name, true);
        }

        SharingPage(String name, boolean webRtc) {
            this(name, webRtc, null);
        }

        SharingPage(String name, boolean webRtc, OrdbNode.Limits limits) {
            page = new Page(name, bridge, webRtc);
            OnionProxy.Options o = new OnionProxy.Options();
            proxy = new OnionProxy(page.node, new BcRelayPrimitives(), directory, o);
            peer = new PeerNode(page.node, proxy, page.svc, new BcRelayPrimitives(), page.onion, page.routerCert,
                    null);
            o.peerHops = peer.hops();
            ordb = new OrdbNode(peer, proxy, OrdbDiscovery.keyPair(page.key, page.svc.dht().self()), limits);
            peer.start();
            await(() -> peer.state().equals("in the peer network"), 30_000, name + " joins");
        }

        /**
         * Leaves as a closed tab does: every link drops at once, and the page never comes back (before, its
         * node could redial the bridge or answer a peer afterwards, and serve what it had published).
         */
        void close() {
            page.gone = true;
            ordb.close();
            for (Channel c : page.node.links().channels()) {
                c.close("tab closed");
            }
        }
    }

    /** What a download delivered. */
    static final class Sink implements DownloadListener {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();
        String error = "running";

        @Override
        public void onData(long index, byte[] data, byte[][] proof) {
            got.write(data, 0, data.length);
        }

        @Override
        public void onDone(String e) {
            error = e;
        }

        @Override
        public void onSource(DownloadSource s, String event) {
            events.add(s.name + ": " + event);
        }
    }

    @BeforeEach
    void network() throws Exception {
        bridge = new Bridge();
        bridgeRouter = bridgeAsRouter();
        long now = sched.epochSeconds();
        directory = Directory.sign(List.of(bridgeRouter), now - 60, now + 86400, Ed25519.fromSeed(random32()));
    }

    byte[] randomFile(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    Sink fetch(SharingPage p, HashName h, long fromByte) {
        Sink s = new Sink();
        p.ordb.download(h, fromByte, null, s);
        await(() -> s.error == null || !"running".equals(s.error), 120_000, p.page.name + " downloads");
        return s;
    }

    @Test
    void aFileSharedByOnePageIsFetchedByAnotherAndThenFromTheDownloaderAfterThePublisherLeft() {
        SharingPage a = new SharingPage("pageA");
        SharingPage b = new SharingPage("pageB");
        SharingPage c = new SharingPage("pageC");
        SharingPage d = new SharingPage("pageD");
        byte[] file = randomFile(600_000);
        Content content = Content.publish(file, "clip.webm".getBytes(), "video/webm", 16384);
        HashName h = content.hashName();
        a.ordb.share(content);
        await(() -> a.ordb.publishOrdbs().size() == 2, 60_000, "A publishes through 2 ORDBs");
        assertEquals("published through 2 ORDBs", a.ordb.publishState());
        List<SharingPage> ordbs = new ArrayList<>();
        for (SharingPage p : List.of(b, c, d)) {
            if (p.ordb.discovery().stats().announced > 0) {
                ordbs.add(p);
            }
        }
        await(() -> b.ordb.discovery().stats().announced + c.ordb.discovery().stats().announced
                + d.ordb.discovery().stats().announced == 2, 30_000, "A's two ORDBs announce the hash_name");
        for (ClientCircuit cc : a.ordb.circuits().circuits()) {
            assertEquals(bridgeRouter.nickname(), cc.path().get(0).nickname(), "A's first hop is its bridge");
            assertEquals(3, cc.path().size(), "with two other pages to pass through, 3 hops");
        }

        Sink got = fetch(b, h, 0);
        assertNull(got.error, String.join("\n", got.events));
        assertArrayEquals(file, got.got.toByteArray());

        a.close();
        await(() -> bridge.svc.registeredRouter(a.page.id().bytes()) == null, 5_000, "A gone");
        Sink again = fetch(c, h, 0);
        assertNull(again.error, String.join("\n", again.events));
        assertArrayEquals(file, again.got.toByteArray());
        assertTrue(b.ordb.server().stats().servedChunks > 0, "B, the first downloader, served C");
    }

    @Test
    void aResumedDownloadStartsAtTheChunkHoldingItsFirstByte() {
        SharingPage a = new SharingPage("pageA");
        SharingPage b = new SharingPage("pageB");
        SharingPage c = new SharingPage("pageC");
        byte[] file = randomFile(200_000);
        Content content = Content.publish(file, "f.bin".getBytes(), "application/octet-stream", 16384);
        a.ordb.share(content);
        await(() -> a.ordb.publishOrdbs().size() == 2, 60_000, "A publishes");
        Sink got = fetch(c, content.hashName(), 5 * 16384 + 100); // from the chunk holding that byte
        assertNull(got.error, String.join("\n", got.events));
        byte[] rest = java.util.Arrays.copyOfRange(file, 5 * 16384, file.length);
        assertArrayEquals(rest, got.got.toByteArray());
    }

    @Test
    void aHashNameNobodySharesEndsWithAClearError() {
        new SharingPage("pageA");
        SharingPage b = new SharingPage("pageB");
        Content nobody = Content.publish(randomFile(1000), new byte[0], "application/octet-stream", 16384);
        Sink got = fetch(b, nobody.hashName(), 0);
        assertTrue(got.error != null && !got.error.equals("running"));
        // A is asked (a peer that searches itself) and finds nothing either.
        assertEquals("nobody shares this now: 1 ORDB asked, none knows a source", got.error, String.join("\n", got.events));
    }

    @Test
    void sharingMoreThanTheMemoryLimitIsRefusedWithTheNumbers() {
        SharingPage a = new SharingPage("pageA");
        OrdbNode.Limits l = new OrdbNode.Limits();
        l.maxHeldBytes = 100_000;
        OrdbNode small = new OrdbNode(a.peer, a.proxy, OrdbDiscovery.keyPair(a.page.key, a.page.svc.dht().self()), l);
        Content big = Content.publish(randomFile(150_000), new byte[0], "application/octet-stream", 16384);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> small.share(big));
        assertEquals("holding 150000 more bytes would pass this node's limit of 100000 bytes (0 held)", e.getMessage());
    }

    @Test
    void aLiveStreamSharedByOnePageIsPlayedByAnotherFromItsLiveEdge() {
        SharingPage a = new SharingPage("pageA");
        SharingPage b = new SharingPage("pageB");
        SharingPage c = new SharingPage("pageC");
        new SharingPage("pageD");
        Ed25519.KeyPair streamKey = Ed25519.fromSeed(random32()); // the stream's own key, not the page's
        org.onionpeer.ordb.Manifest m = org.onionpeer.ordb.Manifest.live(16384, 16, streamKey.publicKey(),
                "cam.mp4".getBytes(), "video/mp4");
        org.onionpeer.ordb.LivePublisher pub = new org.onionpeer.ordb.LivePublisher(sched, m,
                org.onionpeer.ordb.LivePublisher.signer(streamKey));
        byte[] init = randomFile(3000);
        pub.setInit(init);
        a.ordb.shareLive(pub);
        ByteArrayOutputStream produced = new ByteArrayOutputStream();
        // One 40 kB fragment a second, each closing a window (as a page cuts a fragmented MP4).
        org.onionpeer.platform.Scheduler.Cancellable[] timer = new org.onionpeer.platform.Scheduler.Cancellable[1];
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            byte[] frag = randomFile(40_000);
            produced.write(frag, 0, frag.length);
            pub.append(frag);
            pub.flush();
            timer[0] = sched.schedule(1000, tick[0]);
        };
        tick[0].run();
        await(() -> a.ordb.publishOrdbs().size() == 2, 60_000, "A publishes the stream through 2 ORDBs");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[][] gotInit = new byte[1][];
        String[] error = {"running"};
        b.ordb.downloadLive(pub.hashName(), null, new org.onionpeer.ordb.LiveListener() {
            @Override
            public void onInit(byte[] i) {
                gotInit[0] = i;
            }

            @Override
            public void onData(long index, byte[] data) {
                got.write(data, 0, data.length);
            }

            @Override
            public void onDone(String e) {
                error[0] = e;
            }
        });
        await(() -> got.size() >= 400_000, 60_000, "B plays 10 s of the stream");
        assertEquals("running", error[0]);
        assertArrayEquals(init, gotInit[0], "the init segment first");
        byte[] all = produced.toByteArray();
        byte[] mine = got.toByteArray();
        // B joined at a window boundary near the live edge: what it got is a contiguous run of what was made.
        int at = -1;
        for (int off = 0; off + mine.length <= all.length && at < 0; off += 40_000) {
            if (java.util.Arrays.equals(mine, java.util.Arrays.copyOfRange(all, off, off + mine.length))) {
                at = off;
            }
        }
        assertTrue(at >= 0, "B's bytes are a contiguous run of the stream, from a fragment boundary");
        assertTrue(at <= all.length - mine.length - 0 && (all.length - at) / 40_000 <= 4 + 12,
                "B joined within the last windows: at fragment " + at / 40_000 + " of " + all.length / 40_000);
        timer[0].cancel();
        c.ordb.close();
    }

    /**
     * A node no page can reach over WebRTC (a JVM facilitator, a strict NAT) said so at once when asked, and
     * paths to it then end at the bridge, which reaches it over its registered link: A publishes through it
     * (B and C are the only other pages, so its two ORDBs) long before an introduction would have timed out,
     * and D, a page that comes later, fetches the file.
     */
    @Test
    void aNodeWithoutWebRtcIsReachedThroughItsBridge() {
        SharingPage a = new SharingPage("pageA");
        SharingPage b = new SharingPage("pageB", false);
        new SharingPage("pageC"); // A's two ORDBs are B and C, the only other pages
        byte[] file = randomFile(100_000);
        Content content = Content.publish(file, "f.bin".getBytes(), "application/octet-stream", 16384);
        long t0 = sched.nowMillis();
        a.ordb.share(content);
        await(() -> b.ordb.server().stats().infosIn > 0, 15_000, "B, without WebRTC, gets A's DB_INFO");
        assertTrue(sched.nowMillis() - t0 < 15_000, "well before the 20 s introduction timeout");
        boolean viaBridge = false;
        for (ClientCircuit cc : a.ordb.circuits().circuits()) {
            List<RelayInfo> p = cc.path();
            if (p.get(p.size() - 1).nickname().equals(b.peer.self().nickname()) && cc.wasBuilt()) {
                viaBridge |= p.get(p.size() - 2).nickname().equals(bridgeRouter.nickname());
            }
        }
        assertTrue(viaBridge, "A's circuit to B ends bridge -> B");
        SharingPage d = new SharingPage("pageD");
        Sink got = fetch(d, content.hashName(), 0);
        assertNull(got.error, String.join("\n", got.events));
        assertArrayEquals(file, got.got.toByteArray());
    }

    /**
     * Issue 11 in the core: a facilitator (a JVM node, no WebRTC, the facilitator flag) announces itself under
     * {@link Facilitators#KEY}; a page with only a magnet link finds it in the DHT and fetches the torrent
     * through it, every piece checked against the info dict; the page then serves the torrent to another
     * page itself. Its "swarm" here answers from memory (the real one: {@code e2e.TorrentBridgeTest}).
     */
    @Test
    void aTorrentIsFetchedThroughAFacilitatorFoundInTheDhtAndThenServedByThePage() {
        byte[] file = randomFile(700_000);
        byte[] info = org.onionpeer.torrent.TorrentFixtures.info("film.webm", file, 32768);
        org.onionpeer.torrent.Magnet m = org.onionpeer.torrent.Magnet.of(
                org.onionpeer.torrent.TorrentFixtures.infoHash(info), List.of("http://127.0.0.1:6969/announce"));
        SharingPage b = new SharingPage("pageB");
        SharingPage c = new SharingPage("pageC");
        // Before any facilitator: said in words.
        Sink none = new Sink();
        b.ordb.downloadTorrent(m, 0, null, none);
        await(() -> !"running".equals(none.error), 60_000, "B is told");
        assertEquals("no facilitator in the network to fetch this torrent, and no page holds it", none.error);

        OrdbNode.Limits fl = new OrdbNode.Limits();
        fl.facilitator = true;
        SharingPage f = new SharingPage("facilitator", false, fl);
        int[] served = {0};
        f.ordb.server().setTorrentProvider((q, a) -> {
            if (q.isInfo()) {
                a.send(org.onionpeer.ordb.DbConnected.of(org.onionpeer.ordb.Manifest.torrent(q.torrent().infoHash(), info)));
            } else {
                for (long i = q.chunk(); i < q.chunk() + q.count(); i++) {
                    int off = (int) (i * 16384);
                    a.send(org.onionpeer.ordb.DbData.of(i, java.util.Arrays.copyOfRange(file, off,
                            Math.min(file.length, off + 16384)), new byte[0][]));
                    served[0]++;
                }
            }
            a.done();
        });
        await(() -> f.ordb.facilitatorRecordsStored() > 0, 30_000, "the facilitator's record is stored");
        Sink got = new Sink();
        b.ordb.downloadTorrent(m, 0, null, got);
        await(() -> !"running".equals(got.error), 120_000, "B fetches the torrent");
        assertNull(got.error, String.join("\n", got.events));
        assertArrayEquals(file, got.got.toByteArray());
        assertEquals(43, served[0], "the facilitator sent every chunk once");

        // B holds it now, checked piece by piece, and serves it: C gets it although the facilitator is gone.
        f.close();
        await(() -> bridge.svc.registeredRouter(f.page.id().bytes()) == null, 5_000, "F gone");
        Sink again = new Sink();
        c.ordb.downloadTorrent(m, 0, null, again);
        await(() -> !"running".equals(again.error), 120_000, "C fetches the torrent");
        assertNull(again.error, String.join("\n", again.events));
        assertArrayEquals(file, again.got.toByteArray());
        assertTrue(b.ordb.server().stats().servedChunks > 0, "B served C");
    }

    @Test
    void aTorrentNobodySeedsEndsWithAClearError() {
        SharingPage b = new SharingPage("pageB");
        OrdbNode.Limits fl = new OrdbNode.Limits();
        fl.facilitator = true;
        SharingPage f = new SharingPage("facilitator", false, fl);
        f.ordb.server().setTorrentProvider((q, a) -> a.end(org.onionpeer.ordb.DbEnd.UNAVAILABLE));
        await(() -> f.ordb.facilitatorRecordsStored() > 0, 30_000, "the facilitator's record is stored");
        Sink got = new Sink();
        b.ordb.downloadTorrent(org.onionpeer.torrent.Magnet.parse(
                "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"), 0, null, got);
        await(() -> !"running".equals(got.error), 60_000, "B is told");
        assertEquals("nobody seeds this torrent now: 1 facilitator asked, none found a peer with it", got.error,
                String.join("\n", got.events));
    }

    /**
     * "A share from the page" (issue 11): A shares a file and asks a facilitator to keep it; the facilitator
     * fetches it down A's circuit and holds it; A leaves as a closed tab; B, a page that comes later, fetches
     * the link from the facilitator.
     */
    @Test
    void aFileSharedForKeepingIsServedByAFacilitatorAfterThePublisherLeft() {
        SharingPage a = new SharingPage("pageA");
        new SharingPage("pageC");
        OrdbNode.Limits fl = new OrdbNode.Limits();
        fl.facilitator = true;
        SharingPage f = new SharingPage("facilitator", false, fl);
        await(() -> f.ordb.facilitatorRecordsStored() > 0, 30_000, "the facilitator's record is stored");
        byte[] file = randomFile(300_000);
        Content content = Content.publish(file, "keep.bin".getBytes(), "application/octet-stream", 16384);
        a.ordb.shareAndKeep(content);
        await(() -> f.ordb.holdsAll(content.hashName()), 60_000, "the facilitator holds the whole file");
        assertTrue(a.ordb.keepState().startsWith("asked facilitator "), a.ordb.keepState());
        a.close();
        await(() -> bridge.svc.registeredRouter(a.page.id().bytes()) == null, 5_000, "A gone");
        SharingPage b = new SharingPage("pageB");
        Sink got = fetch(b, content.hashName(), 0);
        assertNull(got.error, String.join("\n", got.events));
        assertArrayEquals(file, got.got.toByteArray());
        assertTrue(f.ordb.server().stats().servedChunks > 0, "the facilitator served B");
    }

    /**
     * Both ORDBs of a publisher are gone for good (closed tabs) when a download starts: the DHT still names
     * them, and the download's circuits to them fail while being built (as when the bridge restarts). It looks
     * its sources up again and gets the file from the ORDBs the publisher publishes through next, instead of
     * ending "no ORDB left to ask".
     */
    @Test
    void aDownloadWhoseSourcesAllFailWhileItsCircuitsAreBuiltLooksThemUpAgain() {
        SharingPage a = new SharingPage("pageA");
        List<SharingPage> others = new ArrayList<>();
        for (String n : List.of("pageB", "pageC", "pageD", "pageE")) {
            others.add(new SharingPage(n));
        }
        byte[] file = randomFile(300_000);
        Content content = Content.publish(file, "f.bin".getBytes(), "application/octet-stream", 16384);
        a.ordb.share(content);
        await(() -> others.stream().filter(p -> p.ordb.discovery().stats().announced > 0).count() == 2, 60_000,
                "A's two ORDBs announce the hash_name");
        List<String> gone = new ArrayList<>();
        for (SharingPage p : new ArrayList<>(others)) {
            if (p.ordb.discovery().stats().announced > 0) {
                gone.add(p.peer.self().nickname());
                p.page.dialer = new org.onionpeer.link.Dialer() { // never links to the bridge again
                    @Override
                    public boolean canDial(org.onionpeer.link.LinkTarget t) {
                        return false;
                    }

                    @Override
                    public void dial(org.onionpeer.link.LinkTarget t, DialCallback cb) {
                        cb.failed("tab closed");
                    }
                };
                p.close();
                others.remove(p);
            }
        }
        Sink got = fetch(others.get(0), content.hashName(), 0);
        assertNull(got.error, String.join("\n", got.events));
        assertArrayEquals(file, got.got.toByteArray());
        for (String n : gone) {
            assertTrue(got.events.stream().anyMatch(e -> e.startsWith(n + ": dropped: ")), n + " was asked first\n"
                    + String.join("\n", got.events));
        }
    }
}
