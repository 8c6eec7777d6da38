package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.dht.Contact;
import org.onionpeer.node.OnionProxy;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.DownloadListener;
import org.onionpeer.ordb.DownloadSource;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.Manifest;
import org.onionpeer.peer.OrdbDiscovery;
import org.onionpeer.peer.OrdbNode;
import org.onionpeer.peer.OrdbSource;
import org.onionpeer.peer.PeerNode;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.torrent.Magnet;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * The page as an ORDB (the core's {@link OrdbNode}) and its API:
 * <ul>
 * <li>{@code onionpeer.share(blob, name, {onProgress(note), onDone(err, link)})}: publishes a file; the link is
 * this page's bridge URL with {@code #get=HASH_NAME};</li>
 * <li>links work wherever URLs do: {@code download(link)}, {@code stream(link, video)}, {@code fileBlob(link)}
 * ({@link Downloads} asks {@code httpStream}, which comes here for links: a Range is a download from the
 * chunk holding the first byte wanted);</li>
 * <li>magnet links work there too ({@code download(magnet)}, {@code stream(magnet, video)}): facilitators
 * fetch the torrent from its swarm and relay it through circuits ({@link OrdbNode#downloadTorrent});</li>
 * <li>{@code onionpeer.sharing()}: what this page shares and fetches (links and magnets), with each source's
 * rate.</li>
 * </ul>
 * Shared files are held in memory to be served (bounded by {@link OrdbNode.Limits#maxHeldBytes}) and kept in
 * IndexedDB like downloads, so {@code files()} lists them. They are shared again by each new node of this
 * page (after the bridge restarted), with the same hash_name.
 */
final class Sharing {
    static final long READY_WAIT_MS = 60_000;

    private static OrdbNode ordb;
    private static String state = "waiting for the peer node";
    private static final List<Runnable> waiting = new ArrayList<>();
    /** Shared by this page, in the order shared; shared again by a replacement node. */
    private static final Map<HashName, Content> shared = new LinkedHashMap<>();
    /** Manifests seen, for names and types (a link carries only the hash_name). */
    private static final Map<HashName, Manifest> manifests = new LinkedHashMap<>();
    private static final Map<HashName, Fetch> fetching = new LinkedHashMap<>();

    private Sharing() {
    }

    @JSFunctor
    interface LinkDoneFn extends JSObject {
        void call(String error, String link);
    }

    @JSFunctor
    interface ShareFn extends JSObject {
        void call(JSObject blob, String name, JsApi.StringSink progress, LinkDoneFn done, boolean keep);
    }

    /** What this page asked a facilitator to keep ({@code share(..., {keep: true})}): asked again after a reload of the node. */
    private static final java.util.Set<HashName> kept = new java.util.HashSet<>();

    @JSBody(params = "blob", script = "return blob && typeof blob.size === 'number' ? blob.size : -1;")
    private static native double sizeOf(JSObject blob);

    @JSBody(params = "blob", script = "return blob.type || '';")
    private static native String typeOf(JSObject blob);

    @JSBody(params = "share", script = "var o$ = window.onionpeer = window.onionpeer || {}; function n$() {}"
            + "o$.share = function (b$, name$, p$) { p$ = p$ || {};"
            + " share(b$, String(name$ || (b$ && b$.name) || 'file'), p$.onProgress || n$, p$.onDone || n$,"
            + " p$.keep === true); };"
            + "o$.sharing = function () { return JSON.parse(o$.sharingJson()); };")
    private static native void exportShare(ShareFn share);

    static void export() {
        exportShare((blob, name, progress, done, keep) -> BrowserMain.scheduler().execute(
                () -> share(blob, name, progress, done, keep)));
        JsApi.export("sharingJson", (JsApi.StringFn) Sharing::statusJson);
    }

    /** Makes the page's fresh peer node an ORDB; what this page shared is shared again through it. */
    static void attach(PeerNode node, OnionProxy proxy) {
        Contact self = node.service().dht().self();
        OrdbDiscovery.Signer signer = (h, p, f, expires, done) -> Identity.sign(
                OrdbSource.toBeSigned(h, p, f, expires, self),
                sig -> done.accept(OrdbSource.of(h, p, f, expires, self, sig)),
                err -> BrowserMain.event("cannot sign the source record of " + h + ": " + err));
        if (ordb != null) {
            ordb.close();
        }
        ordb = new OrdbNode(node, proxy, signer, null);
        for (Content c : shared.values()) {
            if (kept.contains(c.hashName())) {
                ordb.shareAndKeep(c);
            } else {
                ordb.share(c);
            }
        }
        Live.reattach(ordb);
        state = null;
        reshareStored();
        List<Runnable> w = new ArrayList<>(waiting);
        waiting.clear();
        for (Runnable r : w) {
            r.run();
        }
    }

    private static boolean restored;

    /**
     * Shares again, once per page load, what this browser shared before (kept in IndexedDB): the same bytes,
     * name and type give the same hash_name, so old links work again. A stored copy that does not hash to its
     * link (changed storage) is left out and said so.
     */
    private static void reshareStored() {
        if (restored) {
            return;
        }
        restored = true;
        SharedStore.forEachShared((url, name, type, blob) -> {
            HashName h = linkOf(url);
            if (h != null && !shared.containsKey(h)) {
                org.onionpeer.browser.media.Blobs.read(blob, ab -> BrowserMain.scheduler().execute(
                        () -> reshare(h, Int8Array.create((org.teavm.jso.typedarrays.ArrayBuffer) ab)
                                .copyToJavaArray(), name, type)), x -> { });
            }
        });
    }

    private static void reshare(HashName h, byte[] bytes, String name, String type) {
        Content c = Content.publish(bytes, nameBytes(name), mimeOf(type), Content.CHUNK_SIZE);
        if (!c.hashName().equals(h)) {
            BrowserMain.event("the stored copy of " + name + " does not match its link: not shared again");
            return;
        }
        try {
            ordb.share(c);
        } catch (RuntimeException e) {
            BrowserMain.event("cannot share " + name + " again: " + e.getMessage());
            return;
        }
        shared.put(h, c);
        manifests.put(h, c.manifest());
        BrowserMain.event("sharing " + name + " again (" + bytes.length + " bytes)");
    }

    /** The page's ORDB node (null until it joined the peer network). */
    static OrdbNode ordb() {
        return ordb;
    }

    /** The peer side cannot start (no Ed25519 in this browser): sharing says so instead of waiting. */
    static void unavailable(String why) {
        state = why;
        List<Runnable> w = new ArrayList<>(waiting);
        waiting.clear();
        for (Runnable r : w) {
            r.run();
        }
    }

    /** Runs {@code ready} with the ORDB node once there is one (bounded wait), else {@code failed} says why. */
    static void whenOrdb(Runnable ready, java.util.function.Consumer<String> failed) {
        BrowserMain.whenReady(new org.onionpeer.node.Bootstrap.Waiter() {
            @Override
            public void ready(OnionProxy proxy) {
                if (ordb != null) {
                    ready.run();
                    return;
                }
                boolean[] settled = new boolean[1];
                Scheduler.Cancellable t = BrowserMain.scheduler().schedule(READY_WAIT_MS, () -> {
                    settled[0] = true;
                    failed.accept("the page did not join the peer network within " + READY_WAIT_MS / 1000 + " s ("
                            + Peers.stateInWords() + ")");
                });
                waiting.add(() -> {
                    if (settled[0]) {
                        return;
                    }
                    settled[0] = true;
                    t.cancel();
                    if (ordb != null) {
                        ready.run();
                    } else {
                        failed.accept(state);
                    }
                });
            }

            @Override
            public void failed(String message) {
                failed.accept(message);
            }
        });
    }

    // ---- sharing ------------------------------------------------------------------------------------------

    private static void share(JSObject blob, String name, JsApi.StringSink progress, LinkDoneFn done, boolean keep) {
        double size = sizeOf(blob);
        if (size < 0) {
            done.call("share(blob, name): give a File or Blob", null);
            return;
        }
        if (size == 0) {
            done.call("the file is empty", null);
            return;
        }
        progress.call("waiting for the peer network");
        whenOrdb(() -> {
            if (size > ordb.roomBytes()) {
                done.call("the file is " + (long) size + " bytes; this page can hold " + ordb.roomBytes()
                        + " more bytes to share", null);
                return;
            }
            progress.call("reading the file");
            org.onionpeer.browser.media.Blobs.read(blob, ab -> BrowserMain.scheduler().execute(() -> {
                Int8Array bytes = Int8Array.create((org.teavm.jso.typedarrays.ArrayBuffer) ab);
                progress.call("hashing " + (long) size + " bytes");
                Content c;
                try {
                    c = Content.publish(bytes.copyToJavaArray(), nameBytes(name), mimeOf(typeOf(blob)),
                            Content.CHUNK_SIZE);
                    if (keep) {
                        ordb.shareAndKeep(c); // a facilitator fetches it and serves it after this tab closes
                        kept.add(c.hashName());
                    } else {
                        ordb.share(c);
                    }
                } catch (RuntimeException e) {
                    done.call("cannot share: " + e.getMessage(), null);
                    return;
                }
                shared.put(c.hashName(), c);
                manifests.put(c.hashName(), c.manifest());
                String link = c.hashName().link(BrowserMain.base());
                BrowserMain.event("sharing " + name + " (" + (long) size + " bytes)");
                SharedStore.store(link, blob, name, c.manifest().mime(), (long) size, err -> {
                    if (err != null) {
                        BrowserMain.event("the shared file is not in this browser's storage: " + err);
                    }
                    done.call(null, link);
                });
            }), err -> done.call("cannot read the file: " + err, null));
        }, err -> done.call(err, null));
    }

    /** The name as the manifest carries it: UTF-8, at most 255 bytes, cut on a character boundary. */
    static byte[] nameBytes(String name) {
        String n = name;
        byte[] b = Text.utf8(n);
        while (b.length > 255) {
            n = n.substring(0, n.length() - 1);
            b = Text.utf8(n);
        }
        return b;
    }

    /** The blob's type if the manifest can carry it (printable ASCII, 1..127), else a neutral one. */
    static String mimeOf(String type) {
        if (type == null || type.isEmpty() || type.length() > 127) {
            return "application/octet-stream";
        }
        for (int i = 0; i < type.length(); i++) {
            char ch = type.charAt(i);
            if (ch < 0x20 || ch > 0x7e) {
                return "application/octet-stream";
            }
        }
        return type;
    }

    // ---- fetching (httpStream for links) -------------------------------------------------------------------

    /**
     * The name of linked content (a link or a magnet), once its manifest is known (for the stored file's
     * name); before that, a magnet's dn= hint.
     */
    static String knownName(String url) {
        HashName h = linkOf(url);
        Magnet magnet = h == null ? magnetOf(url) : null;
        if (magnet != null) {
            h = HashName.ofTorrent(magnet.infoHash());
        }
        Manifest m = h == null ? null : manifests.get(h);
        if (m != null) {
            return Text.utf8(m.name());
        }
        return magnet == null ? null : magnet.displayName();
    }

    static HashName linkOf(String url) {
        try {
            return HashName.ofLink(url);
        } catch (ProtocolException e) {
            return null;
        }
    }

    /** The magnet link {@code url} is, or null (also when it is malformed: {@link #openMagnet} says why). */
    static Magnet magnetOf(String url) {
        if (!Magnet.isMagnet(url)) {
            return null;
        }
        try {
            return Magnet.parse(url);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** httpStream for a link: HTTP-like head (200, or 206 from {@code from}), the bytes in order, the end. */
    static void open(String url, long from, BrowserHttpStream.HeadFn head, BrowserHttpStream.DataFn data,
            BrowserHttpStream.EndFn end) {
        HashName h;
        try {
            h = HashName.ofLink(url);
        } catch (ProtocolException e) {
            end.call(e.getMessage());
            return;
        }
        if (HashName.isLiveLink(url)) {
            end.call("a live stream is no file: play it with stream(link, video)");
            return;
        }
        whenOrdb(() -> fetch(h, url, from, l -> ordb.download(h, from, null, l), head, data, end), end::call);
    }

    /**
     * httpStream for a magnet link: the torrent fetched by facilitators (which find it in its swarm) and
     * relayed through circuits, as a link's content is; {@code from} (a Range) starts at the piece holding it.
     */
    static void openMagnet(String url, long from, BrowserHttpStream.HeadFn head, BrowserHttpStream.DataFn data,
            BrowserHttpStream.EndFn end) {
        Magnet m;
        try {
            m = Magnet.parse(url);
        } catch (RuntimeException e) {
            end.call("not a usable magnet link: " + e.getMessage());
            return;
        }
        HashName h = HashName.ofTorrent(m.infoHash());
        whenOrdb(() -> fetch(h, url, from, l -> ordb.downloadTorrent(m, from, null, l), head, data, end), end::call);
    }

    private static void fetch(HashName h, String url, long from,
            java.util.function.Function<DownloadListener, OrdbNode.Handle> start, BrowserHttpStream.HeadFn head,
            BrowserHttpStream.DataFn data, BrowserHttpStream.EndFn end) {
        OrdbNode.Handle[] handle = new OrdbNode.Handle[1];
        boolean[] closed = new boolean[1];
        int[] chunkSize = new int[1];
        handle[0] = start.apply(new DownloadListener() {
            @Override
            public void onManifest(Manifest m) {
                manifests.put(h, m);
                chunkSize[0] = m.chunkSize();
                head.call(from > 0 ? 206 : 200, m.length() - from, m.mime(), from, m.length(), command ->
                        BrowserMain.scheduler().execute(() -> {
                            if ("pause".equals(command)) {
                                handle[0].setPaused(true);
                            } else if ("resume".equals(command)) {
                                handle[0].setPaused(false);
                            } else if ("close".equals(command) && !closed[0]) {
                                closed[0] = true;
                                handle[0].cancel();
                            }
                        }));
            }

            @Override
            public void onData(long index, byte[] chunk, byte[][] proof) {
                if (closed[0]) {
                    return;
                }
                // The first chunk holds byte from; what precedes it there is not asked for.
                long skip = from - index * chunkSize[0];
                int off = (int) Math.max(0, Math.min(skip, chunk.length));
                if (off < chunk.length) {
                    data.call(Int8Array.copyFromJavaArray(off == 0 ? chunk
                            : java.util.Arrays.copyOfRange(chunk, off, chunk.length)));
                }
            }

            @Override
            public void onSource(DownloadSource s, String event) {
                BrowserMain.event("content " + h + ": " + s.name + " " + event);
            }

            @Override
            public void onDone(String error) {
                Fetch f = fetching.get(h);
                if (f != null && f.handle == handle[0]) {
                    fetching.remove(h);
                }
                if (!closed[0]) {
                    closed[0] = true;
                    end.call(error);
                }
            }
        });
        fetching.put(h, new Fetch(url, handle[0]));
    }

    /** A running fetch, for the status: what the page asked for (a link or a magnet) and its sources. */
    private static final class Fetch {
        final String url;
        final OrdbNode.Handle handle;

        Fetch(String url, OrdbNode.Handle handle) {
            this.url = url;
            this.handle = handle;
        }
    }

    // ---- status ---------------------------------------------------------------------------------------------

    static String statusJson() {
        StringBuilder sb = new StringBuilder("{\"state\":");
        sb.append(ordb == null ? BrowserMain.quote(state) : "null").append(",\"shared\":[");
        int i = 0;
        for (Content c : shared.values()) {
            sb.append(i++ > 0 ? "," : "").append("{\"link\":").append(BrowserMain.quote(c.hashName().link(BrowserMain.base())))
                    .append(",\"name\":").append(BrowserMain.quote(Text.utf8(c.manifest().name())))
                    .append(",\"size\":").append(c.manifest().length()).append("}");
        }
        sb.append("],\"keeping\":").append(BrowserMain.quote(ordb == null ? "" : ordb.keepState()));
        sb.append(",\"publishing\":").append(BrowserMain.quote(ordb == null ? "" : ordb.publishState()))
                .append(",\"ordbs\":").append(ordb == null ? 0 : ordb.publishOrdbs().size()).append(",\"fetching\":[");
        i = 0;
        for (Map.Entry<HashName, Fetch> e : fetching.entrySet()) {
            Manifest m = manifests.get(e.getKey());
            boolean torrent = Magnet.isMagnet(e.getValue().url);
            sb.append(i++ > 0 ? "," : "").append("{\"link\":").append(BrowserMain.quote(torrent ? e.getValue().url
                    : e.getKey().link(BrowserMain.base())))
                    .append(",\"name\":").append(BrowserMain.quote(m == null ? "" : Text.utf8(m.name())))
                    .append(",\"torrent\":").append(torrent).append(",\"sources\":[");
            int j = 0;
            for (DownloadSource s : e.getValue().handle.sources()) {
                sb.append(j++ > 0 ? "," : "").append("{\"name\":").append(BrowserMain.quote(s.name)).append(",\"bytes\":")
                        .append(s.bytes).append(",\"kBps\":").append((long) s.rate).append(",\"fate\":")
                        .append(BrowserMain.quote(s.fate)).append("}");
            }
            sb.append("]}");
        }
        sb.append("],\"live\":").append(Live.statusJson());
        if (ordb != null) {
            org.onionpeer.ordb.OrdbServer.Stats s = ordb.server().stats();
            sb.append(",\"server\":{\"queries\":").append(s.queries).append(",\"servedChunks\":")
                    .append(s.servedChunks).append(",\"forwarded\":").append(s.forwarded).append(",\"refused\":")
                    .append(s.refused).append("}");
        }
        return sb.append("}").toString();
    }
}
