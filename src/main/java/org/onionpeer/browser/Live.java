package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.browser.media.Blobs;
import org.onionpeer.browser.media.MediaModule;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.LivePublisher;
import org.onionpeer.ordb.Manifest;
import org.onionpeer.platform.Scheduler;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * Live streams between pages: {@code onionpeer.shareLive(fragmentedMp4, name, {onProgress(note),
 * onDone(err, link), onEnd(err)})} streams a fragmented MP4 as live, each fragment when its time comes (its
 * own duration, from the file), and gives a {@code #live=HASH_NAME} link; {@code stream(link, video)} plays
 * it from the live edge ({@link LivePlayer}). Each stream is signed window by window with a key made for it
 * (non-extractable WebCrypto Ed25519), never the page's identity key, which would tie the stream to the
 * page's DHT ID.
 */
final class Live {
    static final int WINDOW_CHUNKS = 64;
    static final long DEFAULT_FRAGMENT_MS = 1000;

    private static final List<LivePublisher> streams = new ArrayList<>();
    /** Media time published so far per stream, in ms (for status: how far the live edge is). */
    private static final java.util.Map<LivePublisher, long[]> mediaMillis = new java.util.HashMap<>();

    private Live() {
    }

    @JSFunctor
    interface ShareLiveFn extends JSObject {
        void call(JSObject blob, String name, JsApi.StringSink progress, Sharing.LinkDoneFn done,
                JsApi.StringSink end);
    }

    @JSBody(params = "share", script = "var o$ = window.onionpeer = window.onionpeer || {}; function n$() {}"
            + "o$.shareLive = function (b$, name$, p$) { p$ = p$ || {};"
            + " share(b$, String(name$ || (b$ && b$.name) || 'live'), p$.onProgress || n$, p$.onDone || n$,"
            + " p$.onEnd || n$); };")
    private static native void exportShareLive(ShareLiveFn share);

    static void export() {
        exportShareLive((blob, name, progress, done, end) -> BrowserMain.scheduler().execute(
                () -> shareLive(blob, name, progress, done, end)));
    }

    private static void shareLive(JSObject blob, String name, JsApi.StringSink progress, Sharing.LinkDoneFn done,
            JsApi.StringSink end) {
        progress.call("waiting for the peer network");
        // The cutting (media/LiveCut) is in media.js, loaded on first use like for stream().
        Sharing.whenOrdb(() -> Blobs.read(blob, ab -> MediaModule.load(BrowserMain.base() + "/media.js",
                err -> BrowserMain.scheduler().execute(() -> {
                    if (err != null) {
                        done.call(err, null);
                        return;
                    }
                    Cut cut;
                    try {
                        cut = new Cut(MediaModule.cut(ab));
                    } catch (ProtocolException e) {
                        done.call(e.getMessage(), null);
                        return;
                    }
                    progress.call("making the stream's key");
                    Identity.newStreamKey((pair, pub) -> start(cut, pair, pub, name, done, end),
                            e -> done.call("cannot make the stream's key: " + e, null));
                })), e -> done.call("cannot read the file: " + e, null)), e -> done.call(e, null));
    }

    /** media.js's cut of a fragmented MP4 (media/LiveCut), as bytes. */
    private static final class Cut {
        final byte[] init;
        final byte[][] fragments;
        final long[] millis;

        Cut(MediaModule.Cut c) {
            if (c.getError() != null) {
                throw new ProtocolException(c.getError());
            }
            init = c.getInit().copyToJavaArray();
            int n = MediaModule.length(c.getFragments());
            fragments = new byte[n][];
            millis = new long[n];
            for (int i = 0; i < n; i++) {
                fragments[i] = ((Int8Array) MediaModule.at(c.getFragments(), i)).copyToJavaArray();
                millis[i] = (long) MediaModule.numberAt(c.getMillis(), i);
            }
        }
    }

    private static void start(Cut cut, JSObject pair, byte[] pub, String name, Sharing.LinkDoneFn done,
            JsApi.StringSink end) {
        Manifest m = Manifest.live(Content.CHUNK_SIZE, WINDOW_CHUNKS, pub, Sharing.nameBytes(name), "video/mp4");
        Scheduler s = BrowserMain.scheduler();
        LivePublisher p = new LivePublisher(s, m, (tbs, out) -> Identity.signWith(pair, tbs, out::accept,
                e -> BrowserMain.event("cannot sign a window of the live stream: " + e)));
        p.setInit(cut.init);
        try {
            Sharing.ordb().shareLive(p);
        } catch (RuntimeException e) {
            done.call("cannot stream: " + e.getMessage(), null);
            return;
        }
        streams.add(p);
        HashName h = p.hashName();
        BrowserMain.event("streaming " + name + " live: " + cut.fragments.length + " fragments");
        done.call(null, h.liveLink(BrowserMain.base()));
        feed(s, p, cut, 0, end);
    }

    /** Publishes fragment {@code i} (one window at least: a joiner starts on a fragment), then the next in time. */
    private static void feed(Scheduler s, LivePublisher p, Cut cut, int i, JsApi.StringSink end) {
        if (i >= cut.fragments.length) {
            BrowserMain.event("the live stream's file ended");
            end.call(null);
            return;
        }
        p.append(cut.fragments[i]);
        p.flush();
        long ms = cut.millis[i] > 0 ? cut.millis[i] : DEFAULT_FRAGMENT_MS;
        mediaMillis.computeIfAbsent(p, k -> new long[1])[0] += ms;
        s.schedule(ms, () -> feed(s, p, cut, i + 1, end));
    }

    /** A replacement node (the bridge restarted) serves this page's live streams too. */
    static void reattach(org.onionpeer.peer.OrdbNode node) {
        for (LivePublisher p : streams) {
            node.shareLive(p);
        }
    }

    /** For sharing(): each live stream with its link and the window it is at. */
    static String statusJson() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < streams.size(); i++) {
            LivePublisher p = streams.get(i);
            sb.append(i > 0 ? "," : "").append("{\"link\":")
                    .append(BrowserMain.quote(p.hashName().liveLink(BrowserMain.base()))).append(",\"window\":")
                    .append(p.nextToPublish() - 1).append(",\"mediaMillis\":")
                    .append(mediaMillis.containsKey(p) ? mediaMillis.get(p)[0] : 0).append("}");
        }
        return sb.append("]").toString();
    }
}
