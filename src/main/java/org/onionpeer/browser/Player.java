package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.browser.media.Blobs;
import org.onionpeer.browser.media.MediaSource;
import org.onionpeer.browser.media.SourceBuffer;
import org.onionpeer.browser.storage.Idb;
import org.onionpeer.browser.storage.StoredFile;
import org.teavm.jso.JSObject;

/**
 * {@code onionpeer.stream(url, video, opts)}: plays url in a video element while it downloads. A
 * MediaSource with one SourceBuffer for the Content-Type (or opts.mime), fed the stored records first (when
 * resuming or finished) and then each new record as it is stored.
 */
final class Player implements Downloads.Hooks {
    private final String url;
    private final String wantedMime;
    private final Downloads.DoneFn onDone;
    private final MediaSource ms = MediaSource.create();
    private SourceBuffer sb;
    private boolean opened;
    private boolean attachWhenOpen;
    private final List<JSObject> queue = new ArrayList<>();   // Blobs (stored records) or Uint8Arrays
    private boolean busy;
    private boolean loadingStored;
    private boolean discardStored;
    private boolean ended;
    private boolean failed;
    private boolean downloadDone;
    private String mime;

    private Player(String url, String mime, Downloads.DoneFn onDone) {
        this.url = url;
        this.wantedMime = mime;
        this.onDone = onDone;
    }

    static void play(String url, JSObject video, Downloads.ProgressFn onProgress, Downloads.DoneFn onDone,
            String mime) {
        Player p = new Player(url, mime, onDone);
        Blobs.setSrc(video, Blobs.createObjectUrl(p.ms));
        p.ms.addEventListener("sourceopen", e -> {
            if (p.opened) {
                return;
            }
            p.opened = true;
            if (p.attachWhenOpen) {
                p.addBuffer();
            }
        });
        Downloads.run(url, onProgress, (err, info) -> {
            if (err != null) {
                p.fail(err);
                return;
            }
            p.downloadDone = true;
            p.pump();
            onDone.call(null, info);
        }, p);
    }

    private void fail(String msg) {
        if (failed) {
            return;
        }
        failed = true;
        onDone.call(msg, null);
    }

    private void pump() {
        if (sb == null || busy || sb.isUpdating() || failed) {
            return;
        }
        if (queue.isEmpty()) {
            if (downloadDone && !ended && "open".equals(ms.getReadyState())) {
                ended = true;
                ms.endOfStream();
            }
            return;
        }
        JSObject item = queue.remove(0);
        if (Blobs.isBlob(item)) {
            busy = true;
            Blobs.read(item, bytes -> {
                busy = false;
                append(bytes);
            }, this::fail);
        } else {
            append(item);
        }
    }

    private void append(JSObject bytes) {
        String err = SourceBuffer.append(sb, bytes);
        if (err != null) {
            fail("the video cannot take more data: " + err);
        }
    }

    private String chooseMime(String type) {
        String[] cands = {wantedMime, type, "video/webm; codecs=\"vp9\"", "video/webm; codecs=\"vp8\""};
        for (int i = 0; i < cands.length; i++) {
            if (cands[i] != null && !cands[i].isEmpty() && MediaSource.isTypeSupported(cands[i])) {
                if (i < 2 || (type != null && type.contains("webm"))) {
                    return cands[i];
                }
            }
        }
        return null;
    }

    private void attach(String type) {
        if (sb != null || mime != null || failed) {
            return;
        }
        mime = chooseMime(type);
        if (mime == null) {
            fail("this browser cannot play " + (type != null && !type.isEmpty() ? type : "an unknown type")
                    + " while downloading");
            return;
        }
        if (opened) {
            addBuffer();
        } else {
            attachWhenOpen = true;
        }
    }

    private void addBuffer() {
        if (failed || sb != null) {
            return;
        }
        sb = ms.addSourceBuffer(mime);
        sb.addEventListener("updateend", e -> pump());
        sb.addEventListener("error", e -> fail("the video could not decode the data"));
        pump();
    }

    @Override
    public void onStart(StoredFile meta, double from) {
        if (from != 0) {
            // Finished or resuming: what is stored plays first, in order.
            loadingStored = true;
            Downloads.records(url, new Downloads.Result<JSObject>() {
                @Override
                public void ok(JSObject parts) {
                    loadingStored = false;
                    if (!discardStored) {
                        List<JSObject> stored = new ArrayList<>();
                        for (int i = 0; i < Idb.length(parts); i++) {
                            stored.add(Idb.at(parts, i));
                        }
                        queue.addAll(0, stored);
                    }
                    attach(meta.getType());
                    pump();
                }

                @Override
                public void failed(String error) {
                    fail(error);
                }
            });
        }
    }

    @Override
    public void onReset() {
        // The server sent the whole file again: what was stored is gone and must not play twice.
        if (loadingStored) {
            discardStored = true;
        } else if (sb != null) {
            fail("the server restarted the file; play it again");
        }
    }

    @Override
    public void onHead(String type) {
        if (!loadingStored) {
            attach(type);
        }
    }

    @Override
    public void onRecord(JSObject record) {
        queue.add(record);
        pump();
    }
}
