package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.media.LiveCut;
import org.onionpeer.media.MediaFeed;
import org.onionpeer.media.MediaType;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * Entry point of media.js, the second bundle (see browser/media/MediaModule): {@code onionpeer.media.open()}
 * gives a handle to a {@link MediaFeed}; {@code push(h, int8array, tail)} feeds it and answers
 * {e: error, t: type, m: moovAt, d: tail whole, o: [bytes to append]}; {@code seek(h, seconds)} gives the
 * file offset to push from (see {@link MediaFeed#seek}); {@code close(h)} frees it; {@code cut(int8array)}
 * cuts a fragmented MP4 for a live stream (see {@link #cut}).
 */
public final class MediaMain {
    private static final List<MediaFeed> FEEDS = new ArrayList<>();

    private MediaMain() {
    }

    @JSFunctor
    interface OpenFn extends JSObject {
        int call();
    }

    @JSFunctor
    interface PushFn extends JSObject {
        JSObject call(int h, Int8Array bytes, boolean tail);
    }

    @JSFunctor
    interface CloseFn extends JSObject {
        void call(int h);
    }

    @JSFunctor
    interface SeekFn extends JSObject {
        double call(int h, double seconds);
    }

    @JSFunctor
    interface CutFn extends JSObject {
        JSObject call(Int8Array file);
    }

    @JSBody(params = {"open", "push", "close", "seek", "cut"}, script = "(window.onionpeer = window.onionpeer ||"
            + " {}).media = {open: open, push: push, close: close, seek: seek, cut: cut};")
    private static native void export(OpenFn open, PushFn push, CloseFn close, SeekFn seek, CutFn cut);

    @JSBody(params = {"e", "i"}, script = "return {e: e, i: i, f: [], ms: []};")
    private static native JSObject cutResult(String e, Int8Array i);

    @JSBody(params = {"c", "f", "ms"}, script = "c.f.push(f); c.ms.push(ms);")
    private static native void addFragment(JSObject c, Int8Array f, double ms);

    @JSBody(params = {"e", "t", "m", "d"}, script = "return {e: e, t: t, m: m, d: d, o: []};")
    private static native JSObject step(String e, String t, double m, boolean d);

    @JSBody(params = {"s", "b"}, script = "s.o.push(b);")
    private static native void add(JSObject s, Int8Array b);

    public static void main(String[] args) {
        export(MediaMain::open, MediaMain::push, h -> FEEDS.set(h, null),
                (h, t) -> FEEDS.get(h) == null ? -1 : FEEDS.get(h).seek(t), MediaMain::cut);
    }

    /** A fragmented MP4 cut for live streaming ({@link LiveCut}): {e: error, i: init, f: [fragment], ms: [millis]}. */
    private static JSObject cut(Int8Array file) {
        LiveCut c;
        try {
            c = LiveCut.of(file.copyToJavaArray());
        } catch (ProtocolException e) {
            return cutResult(e.getMessage(), null);
        }
        JSObject r = cutResult(null, Int8Array.copyFromJavaArray(c.init()));
        for (int i = 0; i < c.fragmentCount(); i++) {
            addFragment(r, Int8Array.copyFromJavaArray(c.fragment(i)), c.millis(i));
        }
        return r;
    }

    private static int open() {
        FEEDS.add(new MediaFeed());
        return FEEDS.size() - 1;
    }

    private static JSObject push(int h, Int8Array bytes, boolean tail) {
        MediaFeed f = FEEDS.get(h);
        if (f == null) {
            return step("this media feed is closed", null, -1, false);
        }
        try {
            byte[] d = bytes.copyToJavaArray();
            boolean done = tail ? f.pushTail(d) : pushed(f, d);
            MediaType t = f.type();
            JSObject s = step(null, t == null ? null : t.mime(), f.moovAt(), done);
            for (byte[] b : f.take()) {
                add(s, Int8Array.fromJavaArray(b));
            }
            return s;
        } catch (ProtocolException e) {
            FEEDS.set(h, null);
            return step(e.getMessage(), null, -1, false);
        }
    }

    private static boolean pushed(MediaFeed f, byte[] d) {
        f.push(d);
        return false;
    }
}
