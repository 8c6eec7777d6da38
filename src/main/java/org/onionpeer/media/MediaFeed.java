package org.onionpeer.media;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ProtocolException;

/**
 * Turns a media file's bytes, pushed in order as they download, into what a Media Source buffer takes:
 * the type is read from the first bytes ({@link MediaProbe}); WebM, fragmented MP4, MP3 and ADTS then pass
 * through; an ordinary MP4 goes through {@link Mp4Fragmenter}. When its moov follows the mdat,
 * {@link #moovAt} says where, the caller fetches from there (a Range request) into {@link #pushTail}, and
 * the file's bytes are held until the moov is in.
 */
public final class MediaFeed {
    /** While the moov at the end is fetched, at most this much of the file is held. */
    public static final int MAX_HELD = 64 << 20;

    private byte[] head = new byte[64 * 1024];
    private int headLen;
    private long at;
    private MediaType type;
    private long moovAt = -1;
    private byte[] tail;
    private int tailLen;
    private Mp4Fragmenter frag;
    private Matroska webm;
    private long[][] cues;
    private boolean wantCues;
    private final List<byte[]> out = new ArrayList<>();

    /** The next bytes of the file. */
    public void push(byte[] d) {
        if (frag != null) {
            frag.feed(at, d, 0, d.length);
            at += d.length;
            out.addAll(frag.take());
            return;
        }
        if (type != null) {
            out.add(d);
            at += d.length;
            return;
        }
        if (headLen + d.length > MAX_HELD) {
            throw new ProtocolException("the moov at the end of the MP4 did not arrive within " + (MAX_HELD >> 20) + " MB");
        }
        if (headLen + d.length > head.length) {
            byte[] b = new byte[Math.max(headLen + d.length, head.length * 2)];
            System.arraycopy(head, 0, b, 0, headLen);
            head = b;
        }
        System.arraycopy(d, 0, head, headLen, d.length);
        headLen += d.length;
        at += d.length;
        if (moovAt >= 0) {
            return;
        }
        MediaProbe.Result r = MediaProbe.probe(head, headLen);
        if (r.type == null) {
            moovAt = r.moov;
        } else if (r.type.needsRemux()) {
            start(r.type, slice(head, (int) r.moov, (int) r.moovEnd));
        } else {
            type = r.type;
            webm = r.webm;
            out.add(slice(head, 0, headLen));
            head = null;
        }
    }

    /**
     * Bytes of the file from {@link #moovAt} on, in order; true once the moov is whole (the caller may stop
     * fetching). Boxes between the mdat and the moov are passed over.
     */
    public boolean pushTail(byte[] d) {
        if (type != null && !wantCues) {
            return true;
        }
        if (tail == null) {
            tail = new byte[Math.max(d.length, 64 * 1024)];
        }
        if (tailLen + d.length > tail.length) {
            byte[] b = new byte[Math.max(tailLen + d.length, tail.length * 2)];
            System.arraycopy(tail, 0, b, 0, tailLen);
            tail = b;
        }
        System.arraycopy(d, 0, tail, tailLen, d.length);
        tailLen += d.length;
        if (wantCues) {
            cues = Matroska.cues(tail, tailLen);
            wantCues = cues == null;
            return cues != null;
        }
        while (tailLen >= 8) {
            long size = Mp4.u32(tail, 0) & 0xffffffffL;
            if (size < 8 || size > MediaProbe.MAX_HEADER) {
                throw new ProtocolException("MP4: a box of " + size + " bytes after the mdat");
            }
            if (tailLen < size) {
                return false;
            }
            if (Mp4.type(tail, 0) == Mp4.MOOV) {
                byte[] moov = slice(tail, 0, (int) size);
                tail = null;
                start(MediaProbe.moov(moov, 0, moov.length), moov);
                return true;
            }
            moovAt += size;
            System.arraycopy(tail, (int) size, tail, 0, tailLen - (int) size);
            tailLen -= (int) size;
        }
        return false;
    }

    private void start(MediaType t, byte[] moov) {
        if (!t.needsRemux()) {
            throw new ProtocolException("MP4: a fragmented moov after the mdat");
        }
        frag = new Mp4Fragmenter(moov);
        out.add(frag.init());
        frag.feed(0, head, 0, headLen);
        out.addAll(frag.take());
        head = null;
        type = t;
    }

    /**
     * For a remuxed MP4, restarts at the key frame at or before seconds; for a WebM with Cues, finds the
     * Cluster to start from. Returns the file offset whose bytes {@link #push} must get next; -1 where
     * seeking by bytes is not supported; for a WebM whose Cues are not in yet, -2 minus their offset: fetch
     * from there into {@link #pushTail} (true once they are whole), then seek again.
     */
    public long seek(double seconds) {
        if (webm != null && webm.cuesAt >= 0) {
            return seekWebm(seconds);
        }
        if (frag == null) {
            return -1;
        }
        long from = frag.seek(seconds);
        out.clear();
        if (from >= 0) {
            at = from;
        }
        return from;
    }

    /** A WebM: the Cluster the last cue at or before seconds names; -2 - the Cues' offset while they are not in. */
    private long seekWebm(double seconds) {
        if (cues == null) {
            wantCues = true;
            tail = null;
            tailLen = 0;
            return -2 - webm.cuesAt;
        }
        long want = (long) (seconds * 1e9 / webm.scale);
        int k = -1;
        for (int i = 0; i < cues[0].length; i++) {
            if (cues[0][i] <= want && (k < 0 || cues[0][i] >= cues[0][k])) {
                k = i;
            }
        }
        if (k < 0) {
            return -1;
        }
        at = webm.segStart + cues[1][k];
        out.clear();
        return at;
    }

    /** The type once known. */
    public MediaType type() {
        return type;
    }

    /** Where the moov begins when it follows the mdat and is not in yet; -1 otherwise. */
    public long moovAt() {
        return type == null ? moovAt : -1;
    }

    /** The bytes for the Media Source buffer since the last call, in order (the init segment first). */
    public List<byte[]> take() {
        List<byte[]> r = new ArrayList<>(out);
        out.clear();
        return r;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        byte[] r = new byte[to - from];
        System.arraycopy(b, from, r, 0, r.length);
        return r;
    }
}
