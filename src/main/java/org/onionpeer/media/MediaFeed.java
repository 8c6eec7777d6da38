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
            out.add(slice(head, 0, headLen));
            head = null;
        }
    }

    /**
     * Bytes of the file from {@link #moovAt} on, in order; true once the moov is whole (the caller may stop
     * fetching). Boxes between the mdat and the moov are passed over.
     */
    public boolean pushTail(byte[] d) {
        if (type != null) {
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
     * For a remuxed MP4: restarts at the key frame at or before seconds and returns the file offset whose
     * bytes {@link #push} must get next; -1 where seeking by bytes is not supported (or not yet possible).
     */
    public long seek(double seconds) {
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
