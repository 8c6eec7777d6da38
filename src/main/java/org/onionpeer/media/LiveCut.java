package org.onionpeer.media;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * A fragmented MP4 cut for a live stream: the init segment (everything before the first {@code moof}: ftyp,
 * moov) and the fragments ({@code moof} + {@code mdat}, each up to the next {@code moof}), each with its
 * duration from the first track's {@code tfdt} times and {@code mdhd} timescale. A joiner gets the init
 * segment and then fragments from a fragment boundary, which a player can start on: each fragment begins
 * at a key frame when the file was made with {@code -movflags frag_keyframe+empty_moov+default_base_moof}.
 */
public final class LiveCut {
    private static final int TRAF = Mp4.fourcc("traf");
    private static final int TFDT = Mp4.fourcc("tfdt");

    private final byte[] init;
    private final List<byte[]> fragments;
    private final List<Long> millis;

    private LiveCut(byte[] init, List<byte[]> fragments, List<Long> millis) {
        this.init = init;
        this.fragments = fragments;
        this.millis = millis;
    }

    /** Cuts {@code file}; throws with the reason when it is no fragmented MP4. */
    public static LiveCut of(byte[] file) {
        int len = file.length;
        if (len < 8 || Mp4.type(file, 0) != Mp4.FTYP) {
            throw new ProtocolException("a live stream from a file needs a fragmented MP4 (it starts with ftyp)");
        }
        List<Integer> moofs = new ArrayList<>();
        int moov = -1;
        for (int p = 0; p < len; p = Mp4.end(file, p, len)) {
            int t = Mp4.type(file, p);
            if (t == Mp4.MOOF) {
                moofs.add(p);
            } else if (t == Mp4.MOOV) {
                moov = p;
            }
        }
        if (moov < 0 || moofs.isEmpty()) {
            throw new ProtocolException("not a fragmented MP4 (" + (moov < 0 ? "no moov" : "no moof")
                    + "): make one with ffmpeg -movflags frag_keyframe+empty_moov+default_base_moof");
        }
        int timescale = timescale(file, moov);
        List<byte[]> frags = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        for (int i = 0; i < moofs.size(); i++) {
            int from = moofs.get(i);
            int to = i + 1 < moofs.size() ? moofs.get(i + 1) : len;
            frags.add(Bytes.slice(file, from, to - from));
            starts.add(decodeTime(file, from));
        }
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < frags.size(); i++) {
            long d = -1;
            if (timescale > 0 && i + 1 < starts.size() && starts.get(i) >= 0 && starts.get(i + 1) > starts.get(i)) {
                d = (starts.get(i + 1) - starts.get(i)) * 1000 / timescale;
            } else if (i > 0) {
                d = ms.get(i - 1); // the last fragment: as long as the one before
            }
            ms.add(d);
        }
        return new LiveCut(Bytes.slice(file, 0, moofs.get(0)), Collections.unmodifiableList(frags),
                Collections.unmodifiableList(ms));
    }

    private static int timescale(byte[] b, int moov) {
        int moovEnd = Mp4.end(b, moov, b.length);
        int trak = Mp4.child(b, Mp4.body(b, moov), moovEnd, Mp4.TRAK);
        if (trak < 0) {
            return -1;
        }
        int mdhd = Mp4.path(b, trak, Mp4.end(b, trak, moovEnd), Mp4.MDIA, Mp4.fourcc("mdhd"));
        if (mdhd < 0) {
            return -1;
        }
        int body = Mp4.body(b, mdhd);
        return Mp4.u32(b, body + (b[body] == 1 ? 20 : 12)); // version 1: 64-bit creation and modification times
    }

    /** The first track fragment's baseMediaDecodeTime, or -1. */
    private static long decodeTime(byte[] b, int moof) {
        int moofEnd = Mp4.end(b, moof, b.length);
        int tfdt = Mp4.path(b, moof, moofEnd, TRAF, TFDT);
        if (tfdt < 0) {
            return -1;
        }
        int body = Mp4.body(b, tfdt);
        return b[body] == 1 ? Bytes.u32(b, body + 4) << 32 | Bytes.u32(b, body + 8) : Bytes.u32(b, body + 4);
    }

    public byte[] init() {
        return init.clone();
    }

    public int fragmentCount() {
        return fragments.size();
    }

    public byte[] fragment(int i) {
        return fragments.get(i).clone();
    }

    /** The fragment's duration in ms, or -1 when the file does not say. */
    public long millis(int i) {
        return millis.get(i);
    }
}
