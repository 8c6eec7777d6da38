package org.onionpeer.media;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * Remuxes an ordinary MP4 into fragmented MP4 as its bytes arrive, so Media Source can play it while it
 * downloads. Built from the moov box: {@link #init} is ftyp + that moov with empty sample tables and an
 * mvex; then {@link #feed} takes the file's bytes in order (from any point before the first sample) and
 * {@link #take} hands out one moof+mdat per track for every run of samples whose bytes are all in. Only the
 * bytes of samples not yet sent are held, so memory follows the file's interleaving, not its size.
 */
public final class Mp4Fragmenter {
    private static final int SYNC = 0x02000000;       // sample_depends_on = 2: a key frame
    private static final int NON_SYNC = 0x01010000;   // depends on others, not a sync sample

    private final byte[] moov;
    private final Mp4Track[] tracks;
    private final int[] next;
    private final long[] decode;
    private final List<byte[]> out = new ArrayList<>();
    private int seq;
    private byte[] buf = new byte[0];
    private long bufAt;
    private int bufLen;

    /** moov: the whole moov box. */
    public Mp4Fragmenter(byte[] moov) {
        this.moov = moov;
        if (moov.length < 8 || Mp4.type(moov, 0) != Mp4.MOOV) {
            throw new ProtocolException("MP4: not a moov box");
        }
        int end = Mp4.end(moov, 0, moov.length);
        List<Mp4Track> list = new ArrayList<>();
        for (int p = Mp4.body(moov, 0); p < end; p = Mp4.end(moov, p, end)) {
            if (Mp4.type(moov, p) == Mp4.TRAK) {
                Mp4Track t = new Mp4Track(moov, p, Mp4.end(moov, p, end));
                if (t.audio() || t.video()) {
                    t.tables(moov);
                    list.add(t);
                }
            }
        }
        if (list.isEmpty()) {
            throw new ProtocolException("MP4: no audio or video track");
        }
        tracks = list.toArray(new Mp4Track[0]);
        next = new int[tracks.length];
        decode = new long[tracks.length];
    }

    /** The initialization segment: ftyp, then the moov with empty sample tables and one trex a track. */
    public byte[] init() {
        ByteWriter w = new ByteWriter(moov.length + 200);
        w.u32(28).u32(Mp4.FTYP).u32(Mp4.fourcc("isom")).u32(0x200).u32(Mp4.fourcc("isom"))
                .u32(Mp4.fourcc("iso6")).u32(Mp4.fourcc("mp41"));
        ByteWriter mvex = new ByteWriter();
        for (Mp4Track t : tracks) {
            mvex.u32(32).u32(Mp4.fourcc("trex")).u32(0).u32(t.id).u32(1).u32(0).u32(0).u32(0);
        }
        List<byte[]> kids = new ArrayList<>();
        int end = Mp4.end(moov, 0, moov.length);
        for (int p = Mp4.body(moov, 0); p < end; p = Mp4.end(moov, p, end)) {
            int type = Mp4.type(moov, p);
            if (type == Mp4.TRAK) {
                for (Mp4Track t : tracks) {
                    if (t.trak == p) {
                        kids.add(rebuild(p, Mp4.end(moov, p, end)));
                    }
                }
            } else if (type != Mp4.MVEX && type != Mp4.fourcc("udta") && type != Mp4.fourcc("meta")) {
                kids.add(slice(p, Mp4.end(moov, p, end)));
            }
        }
        kids.add(box(Mp4.MVEX, mvex.toByteArray()));
        w.bytes(box(Mp4.MOOV, concat(kids)));
        return w.toByteArray();
    }

    /** A trak down to its stbl: edit lists dropped (the composition shift is applied instead), tables emptied. */
    private byte[] rebuild(int box, int boxEnd) {
        int type = Mp4.type(moov, box);
        List<byte[]> kids = new ArrayList<>();
        for (int p = Mp4.body(moov, box); p < boxEnd; p = Mp4.end(moov, p, boxEnd)) {
            int t = Mp4.type(moov, p);
            int e = Mp4.end(moov, p, boxEnd);
            if (t == Mp4.MDIA || t == Mp4.MINF || t == Mp4.STBL) {
                kids.add(rebuild(p, e));
            } else if (type == Mp4.STBL) {
                if (t == Mp4.fourcc("stsd")) {
                    kids.add(slice(p, e));
                }
            } else if (t != Mp4.fourcc("edts")) {
                kids.add(slice(p, e));
            }
        }
        if (type == Mp4.STBL) {
            byte[] empty = new byte[8];
            kids.add(box(Mp4.fourcc("stts"), empty));
            kids.add(box(Mp4.fourcc("stsc"), empty));
            kids.add(box(Mp4.fourcc("stsz"), new byte[12]));
            kids.add(box(Mp4.fourcc("stco"), empty));
        }
        return box(type, concat(kids));
    }

    /** The next bytes of the file, starting at file offset {@code at}. */
    public void feed(long at, byte[] d, int off, int len) {
        long have = bufAt + bufLen;
        if (at > have) {
            if (at > needed()) {
                throw new ProtocolException("MP4: bytes " + have + " to " + at + " were skipped");
            }
            bufAt = at;
            bufLen = 0;
            have = at;
        }
        int skip = (int) Math.min(len, have - at);
        off += skip;
        len -= skip;
        if (len <= 0) {
            return;
        }
        if (bufLen + len > buf.length) {
            byte[] b = new byte[Math.max(bufLen + len, buf.length * 2)];
            System.arraycopy(buf, 0, b, 0, bufLen);
            buf = b;
        }
        System.arraycopy(d, off, buf, bufLen, len);
        bufLen += len;
        for (int i = 0; i < tracks.length; i++) {
            emit(i);
        }
        // Drop what no track needs any more.
        long keep = Math.min(needed(), bufAt + bufLen);
        int drop = (int) (keep - bufAt);
        if (drop > 0) {
            System.arraycopy(buf, drop, buf, 0, bufLen - drop);
            bufLen -= drop;
            bufAt = keep;
        }
    }

    /** The file offset of the first byte a track still needs (Long.MAX_VALUE when all is sent). */
    private long needed() {
        long n = Long.MAX_VALUE;
        for (int i = 0; i < tracks.length; i++) {
            if (next[i] < tracks[i].count) {
                n = Math.min(n, tracks[i].offset[next[i]]);
            }
        }
        return n;
    }

    /** One moof+mdat for the samples of track i whose bytes are all in. */
    private void emit(int i) {
        Mp4Track t = tracks[i];
        int from = next[i];
        int to = from;
        long bytes = 0;
        long have = bufAt + bufLen;
        while (to < t.count && t.offset[to] + t.size[to] <= have) {
            if (t.offset[to] < bufAt) {
                throw new ProtocolException("MP4: track " + t.id + " goes back in the file at sample " + to);
            }
            bytes += t.size[to++];
        }
        int n = to - from;
        if (n == 0) {
            return;
        }
        int trun = 20 + 16 * n;
        int traf = 8 + 16 + 20 + trun;
        int moof = 8 + 16 + traf;
        ByteWriter w = new ByteWriter((int) (moof + 8 + bytes));
        w.u32(moof).u32(Mp4.MOOF).u32(16).u32(Mp4.fourcc("mfhd")).u32(0).u32(++seq);
        w.u32(traf).u32(Mp4.fourcc("traf"));
        w.u32(16).u32(Mp4.fourcc("tfhd")).u32(0x020000).u32(t.id);
        w.u32(20).u32(Mp4.fourcc("tfdt")).u32(0x01000000).u32(decode[i] >>> 32).u32(decode[i] & 0xffffffffL);
        w.u32(trun).u32(Mp4.fourcc("trun")).u32(0x01000F01).u32(n).u32(moof + 8);
        int shift = t.cts != null ? t.cts[0] : 0;
        for (int k = from; k < to; k++) {
            w.u32(t.duration[k] & 0xffffffffL).u32(t.size[k]);
            w.u32(t.sync == null || t.sync[k] ? SYNC : NON_SYNC);
            w.u32(t.cts != null ? (t.cts[k] - shift) & 0xffffffffL : 0);
            decode[i] += t.duration[k] & 0xffffffffL;
        }
        w.u32(8 + bytes).u32(Mp4.MDAT);
        for (int k = from; k < to; k++) {
            w.bytes(buf, (int) (t.offset[k] - bufAt), t.size[k]);
        }
        next[i] = to;
        out.add(w.toByteArray());
    }

    /**
     * Starts again at the last key frame at or before {@code seconds} (of the first video track, else the
     * first track); every other track resumes at its first sample from that time on. Returns the file offset
     * to feed from; what was buffered or made before is dropped.
     */
    public long seek(double seconds) {
        int ref = 0;
        for (int i = tracks.length - 1; i >= 0; i--) {
            if (tracks[i].video()) {
                ref = i;
            }
        }
        Mp4Track r = tracks[ref];
        long want = (long) (seconds * r.timescale);
        long dts = 0;
        long keyDts = 0;
        int key = 0;
        for (int k = 0; k < r.count && dts <= want; k++) {
            if (r.sync == null || r.sync[k]) {
                key = k;
                keyDts = dts;
            }
            dts += r.duration[k] & 0xffffffffL;
        }
        double start = keyDts / (double) r.timescale;
        for (int i = 0; i < tracks.length; i++) {
            Mp4Track t = tracks[i];
            long d = 0;
            int k = 0;
            if (i == ref) {
                k = key;
                d = keyDts;
            } else {
                while (k < t.count && d < start * t.timescale) {
                    d += t.duration[k++] & 0xffffffffL;
                }
            }
            next[i] = k;
            decode[i] = d;
        }
        out.clear();
        bufLen = 0;
        long from = needed();
        bufAt = from == Long.MAX_VALUE ? 0 : from;
        return from == Long.MAX_VALUE ? -1 : from;
    }

    /** The fragments made since the last call. */
    public List<byte[]> take() {
        List<byte[]> r = new ArrayList<>(out);
        out.clear();
        return r;
    }

    /** True once every sample has gone out. */
    public boolean finished() {
        return needed() == Long.MAX_VALUE;
    }

    private byte[] slice(int from, int to) {
        byte[] b = new byte[to - from];
        System.arraycopy(moov, from, b, 0, b.length);
        return b;
    }

    static byte[] box(int type, byte[] body) {
        return new ByteWriter(body.length + 8).u32(body.length + 8).u32(type).bytes(body).toByteArray();
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteWriter w = new ByteWriter();
        for (byte[] p : parts) {
            w.bytes(p);
        }
        return w.toByteArray();
    }
}
