package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.browser.media.Blobs;
import org.onionpeer.browser.media.MediaSource;
import org.onionpeer.browser.storage.Idb;
import org.onionpeer.browser.storage.IdbDatabase;
import org.onionpeer.browser.storage.IdbObjectStore;
import org.onionpeer.browser.storage.IdbTransaction;
import org.onionpeer.browser.storage.StoredFile;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * Downloads through the onion network, stored in IndexedDB as they arrive, resumable, playable while they
 * download ({@link Player}). Built on {@code onionpeer.httpStream} ({@link BrowserHttpStream}). Nothing holds
 * a whole file in memory: the body goes to IndexedDB in records of at most {@link #RECORD} bytes (as Blobs,
 * which Chromium keeps on disk), and a finished file is a Blob made of those records.
 * <ul>
 * <li>{@code onionpeer.download(url, {onProgress(received, total, bytesPerSec, secondsLeft, note), onDone(err, info)})}:
 * note, when given, says in words that a broken stream is being retried (resumed with Range);</li>
 * <li>{@code onionpeer.stream(url, videoElement, {onProgress, onDone})}: the media type comes from the file's
 * own bytes ({@link Player});</li>
 * <li>url may be an http:// URL, a link to shared content ({@code #get=}) or a magnet link (a torrent that
 * facilitators fetch from its swarm), in all of these;</li>
 * <li>{@code onionpeer.files(cb(err, [info]))}, info = {url, name, type, total, received, done, updated, shared};</li>
 * <li>{@code onionpeer.fileBlob(url, cb(err, blob))}, {@code onionpeer.removeFile(url, cb(err))}.</li>
 * </ul>
 * Everything is callback-driven: these run in JavaScript event callbacks, where nothing may suspend.
 */
final class Downloads {
    static final String DB_NAME = "onionpeer-downloads";
    static final int RECORD = 256 * 1024;          // bytes per stored record
    static final int FLUSH_MS = 1000;              // a partial record is stored after this long
    static final double PROGRESS_MS = 100;
    static final double RATE_WINDOW_MS = 3000;
    static final long PAUSE_AT = 8L * 1024 * 1024; // bytes handed to IndexedDB but not yet written
    static final long RESUME_AT = 2L * 1024 * 1024;
    static final int MAX_RETRIES = 5;              // attempts in a row without new bytes after a stream broke
    static final int RETRY_MS = 500;               // first backoff; doubles each retry

    private Downloads() {
    }

    // ---- the page's callbacks ----

    @JSFunctor
    interface ProgressFn extends JSObject {
        void call(double received, double total, double rate, double secondsLeft, String note);
    }

    @JSFunctor
    interface DoneFn extends JSObject {
        void call(String error, JSObject info);
    }

    @JSFunctor
    interface ErrFn extends JSObject {
        void call(String error);
    }

    @JSFunctor
    interface DownloadFn extends JSObject {
        void call(String url, ProgressFn progress, DoneFn done);
    }

    @JSFunctor
    interface StreamFn extends JSObject {
        /** ms: the video's MediaSource, set as its source by onionpeer.js's stream() (FilesModule). */
        void call(String url, JSObject video, ProgressFn progress, DoneFn done, MediaSource ms);
    }

    @JSFunctor
    interface ListFn extends JSObject {
        void call(DoneFn cb);
    }

    @JSFunctor
    interface UrlCbFn extends JSObject {
        void call(String url, DoneFn cb);
    }

    @JSFunctor
    interface UrlErrFn extends JSObject {
        void call(String url, ErrFn cb);
    }

    @JSFunctor
    interface Task extends JSObject {
        void run();
    }

    // files.js's side of the page's API: onionpeer.js's stubs (FilesModule) load files.js on first use and
    // call these, with the page's optional callbacks already made no-ops where missing.
    @JSBody(params = {"download", "stream", "files", "fileBlob", "removeFile"},
            script = "(window.onionpeer = window.onionpeer || {})._files = {download: download, stream: stream,"
            + " files: files, fileBlob: fileBlob, removeFile: removeFile};")
    private static native void exportAll(DownloadFn download, StreamFn stream, ListFn files, UrlCbFn fileBlob,
            UrlErrFn removeFile);

    @JSBody(params = {"fn", "ms"}, script = "setTimeout(fn, ms);")
    static native void setTimeout(Task fn, double ms);

    @JSBody(params = {"fn", "ms"}, script = "return setInterval(fn, ms);")
    static native int setInterval(Task fn, int ms);

    @JSBody(params = "id", script = "clearInterval(id);")
    static native void clearInterval(int id);

    @JSBody(script = "return Date.now();")
    static native double wallClock();

    @JSBody(script = "return !!(window.onionpeer && window.onionpeer.httpStream);")
    static native boolean canStream();

    @JSBody(params = {"url", "from", "head", "data", "end"},
            script = "window.onionpeer.httpStream(url, from, head, data, end);")
    static native void httpStream(String url, double from, BrowserHttpStream.HeadFn head,
            BrowserHttpStream.DataFn data, BrowserHttpStream.EndFn end);

    static void export() {
        exportAll((url, progress, done) -> {
            if (org.onionpeer.ordb.HashName.isLiveLink(url)) {
                done.call("a live stream is no file: play it with stream(link, video)", null);
            } else {
                run(url, progress, done, null);
            }
        }, (url, video, progress, done, ms) -> {
            if (org.onionpeer.ordb.HashName.isLiveLink(url)) {
                LivePlayer.play(url, video, progress, done, ms);
            } else {
                Player.play(url, video, progress, done, ms);
            }
        },
                StoredFiles::files, StoredFiles::fileBlob, Downloads::removeFile);
    }

    static final java.util.Map<String, Job> ACTIVE = new java.util.HashMap<>();

    static String nameOf(String url) {
        if (org.onionpeer.torrent.Magnet.isMagnet(url)) {
            String hint = NodeBridge.knownName(url); // the dn= hint until the torrent's info dict names it
            return hint == null || hint.isEmpty() ? "torrent" : hint;
        }
        String p = url;
        int i = p.indexOf('#');
        if (i >= 0) {
            p = p.substring(0, i);
        }
        i = p.indexOf('?');
        if (i >= 0) {
            p = p.substring(0, i);
        }
        p = p.substring(p.lastIndexOf('/') + 1);
        return p.isEmpty() ? "download" : p;
    }

    static void removeFile(String url, ErrFn cb) {
        Job job = ACTIVE.get(url);
        if (job != null) {
            job.cancel();
        }
        StoredFiles.db(new StoredFiles.DbCallback() {
            @Override
            public void opened(IdbDatabase d) {
                IdbTransaction tx = d.transaction(Idb.names("files", "chunks"), "readwrite");
                tx.objectStore("files").delete(Idb.key(url));
                tx.objectStore("chunks").delete(Idb.keysOf(url));
                tx.setOncomplete(e -> cb.call(null));
                StoredFiles.TxFail.onFail(tx, () -> cb.call("IndexedDB write failed: " + Idb.describe(tx.getError())));
            }

            @Override
            public void failed(String error) {
                cb.call(error);
            }
        });
    }

    // ---- the download engine ----

    /** What stream() needs to hear from a download (all optional). */
    interface Hooks {
        void onStart(StoredFile meta, double from);

        void onReset();

        /** Body bytes as they arrive, before they are stored. */
        void onData(Int8Array data);
    }

    /** A write to IndexedDB in flight: a tiny promise, so later steps can wait for the last write. */
    static final class Write {
        private int state;   // 0 pending, 1 written, 2 failed
        private String error;
        private final List<Runnable> oks = new ArrayList<>();
        private final List<Runnable> fails = new ArrayList<>();

        static Write done() {
            Write w = new Write();
            w.state = 1;
            return w;
        }

        void then(Runnable ok, Runnable fail) {
            if (state == 1) {
                ok.run();
            } else if (state == 2) {
                fail.run();
            } else {
                oks.add(ok);
                fails.add(fail);
            }
        }

        void settle(String err) {
            if (state != 0) {
                return;
            }
            state = err == null ? 1 : 2;
            error = err;
            for (Runnable r : err == null ? oks : fails) {
                r.run();
            }
            oks.clear();
            fails.clear();
        }

        String error() {
            return error;
        }
    }

    static Job run(String url, ProgressFn onProgress, DoneFn onDone, Hooks hooks) {
        Job job = new Job(url, onProgress, onDone, hooks);
        if (!canStream()) {
            job.done("the node is not loaded");
            return null;
        }
        if (ACTIVE.containsKey(url)) {
            job.done("already downloading " + url);
            return null;
        }
        ACTIVE.put(url, job);
        job.begin();
        return job;
    }

    static final class Job {
        final String url;
        final ProgressFn onProgress;
        final DoneFn onDone;
        final Hooks hooks;
        boolean finished;
        BrowserHttpStream.ControlFn control;
        IdbDatabase d;
        StoredFile meta;
        final JSObject buf = Blobs.buffer(RECORD);
        int bufLen;
        Write lastWrite = Write.done();
        int flushTimer = -1;
        double lastProgress;
        final List<double[]> samples = new ArrayList<>();
        String error;
        long pending;
        boolean paused;
        int retries;
        int readyWait = -1;   // a NodeBridge.whenReady id

        Job(String url, ProgressFn onProgress, DoneFn onDone, Hooks hooks) {
            this.url = url;
            this.onProgress = onProgress;
            this.onDone = onDone;
            this.hooks = hooks;
        }

        void done(String err) {
            if (finished) {
                return;
            }
            finished = true;
            if (ACTIVE.get(url) == this) {
                ACTIVE.remove(url);
            }
            onDone.call(err, meta != null ? Idb.info(meta) : null);
        }

        void cancel() {
            if (readyWait >= 0) {
                NodeBridge.cancelReady(readyWait);
                readyWait = -1;
            }
            if (control != null) {
                control.call("close");
            }
            done("cancelled");
        }

        private void stopFlushing() {
            if (flushTimer >= 0) {
                clearInterval(flushTimer);
                flushTimer = -1;
            }
        }

        void begin() {
            StoredFiles.db(new StoredFiles.DbCallback() {
                @Override
                public void opened(IdbDatabase database) {
                    d = database;
                    StoredFiles.getMeta(d, url, new StoredFiles.Result<StoredFile>() {
                        @Override
                        public void ok(StoredFile m) {
                            if (m != null && m.isDone()) {
                                meta = m;
                                if (hooks != null) {
                                    hooks.onStart(m, -1);
                                }
                                onProgress.call(m.getReceived(), m.getTotal(), 0, 0, null);
                                done(null);
                                return;
                            }
                            if (m == null) {
                                m = Idb.newFile();
                                m.setUrl(url);
                                m.setName(nameOf(url));
                                m.setUpdated(wallClock());
                            }
                            meta = m;
                            if (hooks != null) {
                                hooks.onStart(meta, meta.getReceived());
                            }
                            whenReadyThen(null, Job.this::attempt);
                        }

                        @Override
                        public void failed(String e) {
                            fail(e);
                        }
                    });
                }

                @Override
                public void failed(String e) {
                    fail(e);
                }
            });
        }

        /**
         * One transaction per record; IndexedDB runs read-write transactions of overlapping scope in the
         * order they were created, so records and the metadata that counts them stay consistent.
         */
        Write store(boolean reset) {
            IdbTransaction tx = d.transaction(Idb.names("files", "chunks"), "readwrite");
            if (reset) {
                tx.objectStore("chunks").delete(Idb.keysOf(url));
            }
            JSObject rec = null;
            if (bufLen > 0) {
                rec = Blobs.slice(buf, bufLen);
                tx.objectStore("chunks").put(Blobs.of(rec), Idb.key(url, meta.getChunks()));
                meta.setChunks(meta.getChunks() + 1);
                meta.setReceived(meta.getReceived() + bufLen);
                bufLen = 0;
            }
            meta.setUpdated(wallClock());
            IdbObjectStore files = tx.objectStore("files");
            files.put(meta);
            Write w = new Write();
            lastWrite = w;
            tx.setOncomplete(e -> w.settle(null));
            StoredFiles.TxFail.onFail(tx, () -> w.settle("IndexedDB write failed: " + Idb.describe(tx.getError())));
            // Backpressure: while IndexedDB lags, stop reading; the circuit then stops after one stream window.
            int size = rec != null ? Blobs.byteLength(rec) : 0;
            pending += size;
            if (pending > PAUSE_AT && !paused && control != null) {
                paused = true;
                control.call("pause");
            }
            w.then(() -> {
                pending -= size;
                if (paused && pending < RESUME_AT && control != null) {
                    paused = false;
                    control.call("resume");
                }
            }, () -> fail(w.error()));
            return w;
        }

        void fail(String msg) {
            if (error != null || finished) {
                return;
            }
            error = msg;
            if (control != null) {
                control.call("close");
            }
            stopFlushing();
            done(msg);
        }

        void progress(boolean force) {
            double now = JsApi.now();
            if (!force && now - lastProgress < PROGRESS_MS) {
                return;
            }
            lastProgress = now;
            double got = meta.getReceived() + bufLen;
            // The rate over the last few seconds (since the head arrived, at first), so it follows the network.
            samples.add(new double[] {now, got});
            while (samples.size() > 2 && now - samples.get(1)[0] > RATE_WINDOW_MS) {
                samples.remove(0);
            }
            double secs = (now - samples.get(0)[0]) / 1000;
            double rate = secs > 0.05 ? (got - samples.get(0)[1]) / secs : 0;
            double left = meta.getTotal() >= 0 && rate > 0 ? (meta.getTotal() - got) / rate : -1;
            onProgress.call(got, meta.getTotal(), rate, left, null);
        }

        /**
         * Runs {@code next} once the node has a circuit; meanwhile onProgress's note says what the node waits
         * for ("waiting for the node: fetching the directory (attempt 3)"); after the bound, the download fails
         * with the node's own words (after {@code cause}, the error that broke a stream, when retrying).
         */
        void whenReadyThen(String cause, Runnable next) {
            if (finished || error != null) {
                return;
            }
            readyWait = NodeBridge.whenReady(
                    state -> onProgress.call(meta.getReceived(), meta.getTotal(), 0, -1, "waiting for the node: " + state),
                    () -> {
                        readyWait = -1;
                        if (!finished && error == null) {
                            next.run();
                        }
                    }, message -> {
                        readyWait = -1;
                        fail(cause == null ? message : cause + "; " + message);
                    });
        }

        /** One HTTP request for the bytes not stored yet; a broken one is retried by retry(). */
        void attempt() {
            double from = meta.getReceived();
            boolean[] gotHead = new boolean[1];
            paused = false;   // a new stream starts unpaused; the next store pauses it again if IndexedDB lags
            httpStream(url, from, (status, length, type, rangeStart, rangeTotal, ctl) -> {
                control = ctl;
                if (finished) {
                    ctl.call("close");
                    return;
                }
                gotHead[0] = true;
                boolean reset = false;
                if (status == 206 && from > 0) {
                    if (rangeStart != from) {
                        fail("the server resumed at byte " + (long) rangeStart + " instead of " + (long) from);
                        return;
                    }
                    meta.setTotal(rangeTotal >= 0 ? rangeTotal : (length >= 0 ? from + length : -1));
                    meta.setResumedFrom(from);
                } else if (status == 200) {
                    // A full answer: the server ignored Range (or this is a fresh start); store from scratch.
                    reset = from > 0 || meta.getChunks() > 0;
                    meta.setReceived(0);
                    meta.setChunks(0);
                    meta.setTotal(length);
                } else if (status == 416 && from > 0) {
                    fail("the server no longer has bytes from " + (long) from
                            + " (HTTP 416); remove the file and retry");
                    return;
                } else {
                    fail("the server answered HTTP " + status);
                    return;
                }
                if (type != null && !type.isEmpty()) {
                    meta.setType(type);
                }
                meta.setStatus(status);
                String shared = NodeBridge.knownName(url);
                if (shared != null && !shared.isEmpty()) {
                    meta.setName(shared); // a link names only the hash; its manifest names the file
                }
                if (reset && hooks != null) {
                    hooks.onReset();
                }
                store(reset);
                stopFlushing();
                flushTimer = setInterval(() -> {
                    if (bufLen > 0 && !finished) {
                        store(false);
                    }
                }, FLUSH_MS);
                progress(true);
            }, data -> {
                if (error != null || finished) {
                    return;
                }
                if (hooks != null) {
                    hooks.onData(data);
                }
                int len = data.getLength();
                int off = 0;
                while (off < len) {
                    int n = Math.min(RECORD - bufLen, len - off);
                    Blobs.copy(buf, bufLen, data, off, n);
                    bufLen += n;
                    off += n;
                    if (bufLen == RECORD) {
                        store(false);
                    }
                }
                progress(false);
            }, err -> {
                stopFlushing();
                if (error != null || finished) {
                    return;
                }
                if (err != null) {
                    // What arrived is kept: download(url) again resumes from there, and so does retry() when
                    // the stream broke after it opened (circuit destroyed, stream closed early) or during a
                    // retry. A stream that could not be opened at all on the first try (refused, no exit) is
                    // an answer, not a break.
                    if (meta != null && bufLen > 0) {
                        store(false);
                    }
                    boolean broken = gotHead[0] || retries > 0 || err.startsWith("the stream closed");
                    lastWrite.then(() -> {
                        if (broken) {
                            retry(err, from);
                        } else {
                            done(err);
                        }
                    }, () -> done(err));
                    return;
                }
                if (meta.getTotal() < 0) {
                    meta.setTotal(meta.getReceived() + bufLen);
                }
                if (meta.getReceived() + bufLen != meta.getTotal()) {
                    String shortBy = "got " + (long) (meta.getReceived() + bufLen) + " of " + (long) meta.getTotal()
                            + " bytes";
                    store(false).then(() -> retry(shortBy, from), () -> { });
                    return;
                }
                meta.setDone(true);
                store(false).then(() -> {
                    progress(true);
                    done(null);
                }, () -> { });
            });
        }

        /**
         * After a broken stream: wait (backoff), then until the node is ready again (bounded), then ask for
         * the rest with a Range request. At most MAX_RETRIES attempts in a row that add no bytes; each is
         * reported through onProgress's note; the last failure is reported in words through onDone.
         */
        void retry(String err, double startedAt) {
            if (error != null || finished) {
                return;
            }
            if (meta.getReceived() > startedAt) {
                retries = 0;
            }
            if (retries >= MAX_RETRIES) {
                done(err + " (gave up after " + MAX_RETRIES + " retries)");
                return;
            }
            retries++;
            int wait = RETRY_MS << (retries - 1);
            String note = "connection lost (" + err + "); retry " + retries + " of " + MAX_RETRIES + " from byte "
                    + (long) meta.getReceived() + " in " + seconds(wait) + " s";
            onProgress.call(meta.getReceived(), meta.getTotal(), 0, -1, note);
            setTimeout(() -> whenReadyThen(err, () -> {
                onProgress.call(meta.getReceived(), meta.getTotal(), 0, -1, "resuming from byte "
                        + (long) meta.getReceived() + " (retry " + retries + " of " + MAX_RETRIES + ")");
                samples.clear();
                attempt();
            }), wait);
        }
    }

    /** Milliseconds as seconds the way JavaScript prints them: 500 -> "0.5", 2000 -> "2". */
    static String seconds(int ms) {
        if (ms % 1000 == 0) {
            return String.valueOf(ms / 1000);
        }
        // What String.valueOf(ms / 1000.0) prints (shortest decimal, plain notation below 10^7), written
        // by hand so no double-to-text code is compiled into onionpeer.js.
        String frac = String.valueOf(1000 + Math.abs(ms % 1000)).substring(1);
        while (frac.endsWith("0")) {
            frac = frac.substring(0, frac.length() - 1);
        }
        return (ms < 0 ? "-" : "") + Math.abs(ms / 1000) + "." + frac;
    }
}
