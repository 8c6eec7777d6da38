package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.browser.media.Blobs;
import org.onionpeer.browser.media.MediaModule;
import org.onionpeer.browser.media.MediaSource;
import org.onionpeer.browser.media.SourceBuffer;
import org.onionpeer.browser.storage.Idb;
import org.onionpeer.browser.storage.StoredFile;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * {@code onionpeer.stream(url, video, opts)}: plays url in a video element while it downloads. The file's
 * bytes (stored records first when resuming or finished, then each piece as it arrives) go through a media
 * feed in media.js, which reads the type and codecs from the bytes themselves and remuxes an ordinary MP4;
 * what it gives back goes into one SourceBuffer. An MP4 whose moov follows the mdat gets its moov by a Range
 * request. A type this browser cannot play is said in words (onProgress's note, then onDone's error) while
 * the download goes on.
 */
final class Player implements Downloads.Hooks {
    private final String url;
    private final Downloads.ProgressFn onProgress;
    private final Downloads.DoneFn onDone;
    private final MediaSource ms;
    private SourceBuffer sb;
    private boolean opened;
    private int feed = -1;
    private final List<JSObject> in = new ArrayList<>();    // file bytes: Blobs (stored records) or Int8Arrays
    private final List<JSObject> out = new ArrayList<>();   // bytes for the SourceBuffer
    private boolean reading;
    private boolean loadingStored;
    private boolean discardStored;
    private boolean pushed;
    private boolean ended;
    private boolean tailAsked;
    private String mime;
    private String error;
    private JSObject info;
    private boolean downloadDone;
    private boolean reported;
    private double got;
    private int ranged;                          // seeks served by a Range request so far
    private boolean rangeDone;
    private BrowserHttpStream.ControlFn rangeCtl;
    private double total = -1;

    private Player(String url, Downloads.ProgressFn onProgress, Downloads.DoneFn onDone, MediaSource ms) {
        this.url = url;
        this.ms = ms;
        this.onProgress = onProgress;
        this.onDone = onDone;
    }

    /** ms: the video's source already (FilesModule's stream() set it). */
    static void play(String url, JSObject video, Downloads.ProgressFn onProgress, Downloads.DoneFn onDone,
            MediaSource ms) {
        Player p = new Player(url, onProgress, onDone, ms);
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
        MediaModule.onSeekAway(video, p::seekAway);
        Downloads.run(url, (got, total, rate, left, note) -> {
            p.got = got;
            p.total = total;
            onProgress.call(got, total, rate, left, p.error != null ? p.error : note);
        }, (err, info) -> {
            p.downloadDone = true;
            p.info = info;
            if (err != null) {
                p.stop(err);
            }
            p.next();
        }, p);
    }

    /** Playback stops with msg; the download goes on, and onDone says msg once it ends. */
    private void stop(String msg) {
        if (error == null) {
            error = msg;
            in.clear();
            out.clear();
            if (feed >= 0) {
                MediaModule.close(feed);
            }
            onProgress.call(got, total, 0, -1, msg);   // said now, not only when the download ends
        }
        report();
    }

    private void report() {
        if (downloadDone && !reported && (error != null || mime != null)) {
            reported = true;
            onDone.call(error, info);
        }
    }

    /** Moves bytes along: file bytes into the feed, the feed's output into the SourceBuffer. */
    private void next() {
        report();
        if (error != null) {
            return;
        }
        while (feed >= 0 && !reading && !loadingStored && !in.isEmpty() && error == null) {
            JSObject item = in.remove(0);
            if (Blobs.isBlob(item)) {
                reading = true;
                int seeks = ranged;
                Blobs.read(item, bytes -> {
                    reading = false;
                    if (seeks == ranged) {   // a seek meanwhile: these stored bytes are not the next ones any more
                        push(bytes, false);
                    }
                    next();
                }, this::stop);
            } else {
                push(item, false);
            }
        }
        if (sb == null || sb.isUpdating() || error != null) {
            return;
        }
        if (!out.isEmpty()) {
            String err = SourceBuffer.append(sb, out.remove(0));
            if (err != null) {
                stop("the video cannot take more data: " + err);
            }
        } else if ((ranged > 0 ? rangeDone : downloadDone) && mime != null && in.isEmpty() && !reading && !ended
                && "open".equals(ms.getReadyState())) {
            ended = true;
            ms.endOfStream();
        }
    }

    private MediaModule.Step push(JSObject bytes, boolean tail) {
        if (error != null) {
            return null;
        }
        pushed = true;
        MediaModule.Step s = MediaModule.push(feed, bytes, tail);
        if (s.getError() != null) {
            stop("cannot play " + Downloads.nameOf(url) + ": " + s.getError());
            return null;
        }
        JSObject o = s.getOut();
        for (int i = 0; i < MediaModule.length(o); i++) {
            out.add(MediaModule.at(o, i));
        }
        if (s.getMoovAt() >= 0 && !tailAsked) {
            tailAsked = true;
            fetchTail(s.getMoovAt(), () -> { });   // the moov: push() has done the rest
        }
        if (mime == null && s.getType() != null) {
            mime = s.getType();
            if (!MediaSource.isTypeSupported(mime)) {
                stop("this browser cannot play " + mime + "; the file is still downloaded");
                return null;
            }
            addBuffer();   // appends what came out above, and goes on from there
        }
        return s;
    }

    /**
     * Bytes the feed asks for from another place in the file (an MP4's moov after its mdat, a WebM's Cues):
     * a Range request from there, closed once the feed has them whole; then {@code then}.
     */
    private void fetchTail(double from, Runnable then) {
        BrowserHttpStream.ControlFn[] ctl = new BrowserHttpStream.ControlFn[1];
        boolean[] done = new boolean[1];
        Downloads.httpStream(url, from, (status, length, type, rangeStart, rangeTotal, control) -> {
            ctl[0] = control;
            if (status != 206 || rangeStart != from) {
                done[0] = true;
                control.call("close");
                stop("the server did not answer a Range request for byte " + (long) from + " (HTTP " + status
                        + "); the file plays once downloaded");
            }
        }, data -> {
            MediaModule.Step s = done[0] ? null : push(data, true);
            if (s != null && s.isTailDone()) {
                done[0] = true;
                ctl[0].call("close");
                then.run();
                next();
            }
        }, err -> {
            if (!done[0] && err != null) {
                stop("could not fetch byte " + (long) from + " on: " + err);
            }
        });
    }

    private void addBuffer() {
        if (!opened || mime == null || sb != null || error != null) {
            return;
        }
        sb = ms.addSourceBuffer(mime);
        sb.addEventListener("updateend", e -> next());
        sb.addEventListener("error", e -> stop("the video could not decode the data (" + mime + ")"));
        next();
    }

    @Override
    public void onStart(StoredFile meta, double from) {
        if (from == 0) {
            return;
        }
        // Finished or resuming: what is stored plays first, in order.
        loadingStored = true;
        StoredFiles.records(url, new StoredFiles.Result<JSObject>() {
            @Override
            public void ok(JSObject parts) {
                loadingStored = false;
                if (!discardStored && ranged == 0) {
                    List<JSObject> stored = new ArrayList<>();
                    for (int i = 0; i < Idb.length(parts); i++) {
                        stored.add(Idb.at(parts, i));
                    }
                    in.addAll(0, stored);
                }
                next();
            }

            @Override
            public void failed(String e) {
                stop(e);
            }
        });
    }

    @Override
    public void onReset() {
        // The server sent the whole file again: what was stored is gone and must not play twice.
        if (loadingStored) {
            discardStored = true;
        } else if (pushed) {
            stop("the server restarted the file; play it again");
        }
    }

    @Override
    public void onData(Int8Array data) {
        if (ranged == 0) {
            in.add(data);
            next();
        }
    }

    /**
     * A seek to a time not buffered: where the feed can say which bytes hold it (a remuxed MP4's sample
     * tables, a WebM's Cues), the player fetches from there with a Range request and plays from it, while the
     * download goes on storing the file; elsewhere the seek plays once the download reaches it.
     */
    private void seekAway(double t) {
        if (feed < 0 || error != null || mime == null) {
            return;
        }
        double from = MediaModule.seek(feed, t);
        if (from <= -2) {
            fetchTail(-2 - from, () -> seekAway(t));   // a WebM's Cues first
            return;
        }
        if (from < 0) {
            return;
        }
        if (rangeCtl != null) {
            rangeCtl.call("close");
        }
        int seek = ++ranged;
        rangeDone = false;
        in.clear();
        out.clear();
        if (sb != null) {
            SourceBuffer.abort(sb);   // a WebM append may have ended inside a Cluster
        }
        Downloads.httpStream(url, from, (status, length, type, rangeStart, rangeTotal, ctl) -> {
            if (seek != ranged || status != 206 || rangeStart != from) {
                ctl.call("close");
                if (seek == ranged) {
                    stop("the server did not answer the seek's Range request (HTTP " + status + ")");
                }
            } else {
                rangeCtl = ctl;
            }
        }, data -> {
            if (seek == ranged) {
                push(data, false);
                next();
            }
        }, err -> {
            if (seek == ranged && err == null) {
                rangeDone = true;
                next();
            } else if (seek == ranged) {
                stop("the seek's Range request failed: " + err);
            }
        });
    }
}
