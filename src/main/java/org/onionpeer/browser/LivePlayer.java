package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.browser.media.MediaModule;
import org.onionpeer.browser.media.MediaSource;
import org.onionpeer.browser.media.SourceBuffer;
import org.onionpeer.ordb.DownloadSource;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.LiveDownload;
import org.onionpeer.ordb.LiveListener;
import org.onionpeer.ordb.Manifest;
import org.onionpeer.ordb.LiveWindow;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * {@code stream(liveLink, video)}: plays a live stream from its live edge. The init segment, then media in
 * order, go through the media feed (type and codecs from the bytes, as for files) into one SourceBuffer;
 * playback starts at the first buffered time (a joiner's first fragment is not at 0), jumps over a gap after
 * the stream skipped ahead, and the SourceBuffer keeps about {@link #KEEP_SECONDS} behind the playhead.
 * Nothing is stored in IndexedDB: a live stream is not a file.
 */
final class LivePlayer {
    static final double KEEP_SECONDS = 30;

    private final String url;
    private final JSObject video;
    private final Downloads.ProgressFn onProgress;
    private final Downloads.DoneFn onDone;
    private final MediaSource ms;
    private SourceBuffer sb;
    private boolean opened;
    private int feed = -1;
    private byte[] init;
    private final List<JSObject> in = new ArrayList<>();
    private final List<JSObject> out = new ArrayList<>();
    private String mime;
    private String error;
    private boolean jump = true;
    private double got;
    private String note;
    private LiveDownload download;
    private int connector = -1;   // the node's connector (NodeBridge.liveFind), released when stopped
    /** LiveDownload's clock and entropy here in files.js; its circuits are the node's (NodeBridge.Connector). */
    private static final BrowserScheduler SCHED = new BrowserScheduler();
    private static final java.security.SecureRandom RND = new java.security.SecureRandom();

    private LivePlayer(String url, JSObject video, Downloads.ProgressFn onProgress, Downloads.DoneFn onDone,
            MediaSource ms) {
        this.url = url;
        this.ms = ms;
        this.video = video;
        this.onProgress = onProgress;
        this.onDone = onDone;
    }

    @JSBody(params = "v", script = "var b$ = v.buffered; return b$.length ? b$.start(b$.length - 1) : -1;")
    private static native double lastBufferedStart(JSObject v);

    @JSBody(params = "v", script = "var b$ = v.buffered; return b$.length ? b$.start(0) : -1;")
    private static native double firstBufferedStart(JSObject v);

    @JSBody(params = "v", script = "return v.currentTime;")
    private static native double currentTime(JSObject v);

    @JSBody(params = {"v", "t"}, script = "v.currentTime = t; v.play().catch(function () {});")
    private static native void playFrom(JSObject v, double t);

    @JSBody(params = {"sb", "to"}, script = "try { sb.remove(0, to); } catch (e$) {}")
    private static native void removeBefore(SourceBuffer sb, double to);

    /** ms: the video's source already (FilesModule's stream() set it). */
    static void play(String url, JSObject video, Downloads.ProgressFn onProgress, Downloads.DoneFn onDone,
            MediaSource ms) {
        LivePlayer p = new LivePlayer(url, video, onProgress, onDone, ms);
        HashName h;
        try {
            h = HashName.ofLink(url);
        } catch (ProtocolException e) {
            onDone.call(e.getMessage(), null);
            return;
        }
        MediaModule.attach(p.ms, NodeBridge.base(), () -> {
            p.opened = true;
            p.addBuffer();
        }, err -> {
            if (err != null) {
                p.stop(err);
            } else if (p.error == null) {
                p.feed = MediaModule.open();
                p.next();
            }
        });
        NodeBridge.liveFind(url, p::stop, id -> {
            if (p.error != null) { // stopped meanwhile (media.js failed to load)
                NodeBridge.liveRelease(id);
                return;
            }
            p.connector = id;
            p.download = new LiveDownload(SCHED, RND::nextBytes, h, new NodeBridge.Connector(id),
                    new LiveDownload.Config(), p.listener());
            p.download.setFinder(found -> NodeBridge.liveFind(url, why -> found.accept(null), again -> {
                if (p.error != null) { // stopped meanwhile
                    NodeBridge.liveRelease(again);
                    found.accept(null);
                    return;
                }
                NodeBridge.liveRelease(p.connector); // its sources are all gone; the new lookup's replace them
                p.connector = again;
                found.accept(new NodeBridge.Connector(again));
            }));
            p.download.start();
        });
    }

    private LiveListener listener() {
        return new LiveListener() {
            @Override
            public void onManifest(Manifest m, LiveWindow latest) {
                note = "joining the live stream at window " + latest.window();
                progress();
            }

            @Override
            public void onInit(byte[] bytes) {
                init = bytes;
                in.add(Int8Array.copyFromJavaArray(bytes));
                next();
            }

            @Override
            public void onData(long index, byte[] data) {
                got += data.length;
                in.add(Int8Array.copyFromJavaArray(data));
                note = "live";
                progress();
                next();
            }

            @Override
            public void onSkip(long from, long to, String why) {
                note = "skipped ahead: " + why;
                progress();
                // The feed may be inside a box: start a new one on the init segment, then the next fragment.
                in.clear();
                if (feed >= 0) {
                    MediaModule.close(feed);
                    feed = MediaModule.open();
                    if (init != null) {
                        in.add(Int8Array.copyFromJavaArray(init));
                    }
                }
                jump = true;
            }

            @Override
            public void onSource(DownloadSource s, String event) {
                NodeBridge.event("live " + url.substring(url.length() - 8) + ": " + s.name + " " + event);
            }

            @Override
            public void onDone(String err) {
                stop(err == null ? "the live stream ended" : err);
            }
        };
    }

    private void progress() {
        onProgress.call(got, -1, 0, -1, error != null ? error : note);
    }

    private void stop(String msg) {
        if (error != null) {
            return;
        }
        error = msg;
        in.clear();
        out.clear();
        if (feed >= 0) {
            MediaModule.close(feed);
        }
        if (download != null) {
            download.cancel();
        }
        if (connector >= 0) {
            NodeBridge.liveRelease(connector);
        }
        onProgress.call(got, -1, 0, -1, msg);
        onDone.call(msg, null);
    }

    private void addBuffer() {
        if (!opened || mime == null || sb != null || error != null) {
            return;
        }
        sb = ms.addSourceBuffer(mime);
        sb.addEventListener("updateend", e -> appended());
        sb.addEventListener("error", e -> stop("the video could not decode the live stream (" + mime + ")"));
        next();
    }

    /** After an append: start (or resume after a skip) at the newest buffered range; keep the buffer short. */
    private void appended() {
        double start = lastBufferedStart(video);
        double now = currentTime(video);
        if (jump && start >= 0) {
            jump = false;
            playFrom(video, start);
        } else if (!sb.isUpdating() && firstBufferedStart(video) >= 0
                && firstBufferedStart(video) < now - KEEP_SECONDS * 1.5) {
            // Only when there is something to drop: each remove ends in another updateend, back here.
            removeBefore(sb, now - KEEP_SECONDS);
            return;
        }
        next();
    }

    private void next() {
        if (error != null) {
            return;
        }
        while (feed >= 0 && !in.isEmpty()) {
            MediaModule.Step s = MediaModule.push(feed, in.remove(0), false);
            if (s.getError() != null) {
                stop("cannot play the live stream: " + s.getError());
                return;
            }
            JSObject o = s.getOut();
            for (int i = 0; i < MediaModule.length(o); i++) {
                out.add(MediaModule.at(o, i));
            }
            if (mime == null && s.getType() != null) {
                mime = s.getType();
                if (!MediaSource.isTypeSupported(mime)) {
                    stop("this browser cannot play " + mime);
                    return;
                }
                addBuffer();
            }
        }
        if (sb != null && !sb.isUpdating() && !out.isEmpty()) {
            String err = SourceBuffer.append(sb, out.remove(0));
            if (err != null) {
                stop("the video cannot take more data: " + err);
            }
        }
    }
}
