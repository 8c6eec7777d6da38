package org.onionpeer.media;

import org.onionpeer.bytes.ProtocolException;

/**
 * One trak of a moov: its ID, timescale, kind and codec string; on request ({@link #tables}) its samples
 * expanded from the stbl tables (stsz, stco/co64, stsc, stts, ctts, stss) into per-sample arrays.
 */
final class Mp4Track {
    static final int MAX_SAMPLES = 1 << 21;   // 9 hours at 60 frames a second; bounds what a hostile moov makes us allocate

    final int id;
    final int timescale;
    final int handler;     // 'vide', 'soun', ...
    final String codec;
    final int trak;        // where the trak box starts in the moov buffer
    final int trakEnd;
    int count;
    long[] offset;
    int[] size;
    int[] duration;
    int[] cts;             // composition offsets (signed), or null
    boolean[] sync;        // null: every sample is a sync sample

    Mp4Track(byte[] b, int trak, int trakEnd) {
        this.trak = trak;
        this.trakEnd = trakEnd;
        int tkhd = Mp4.path(b, trak, trakEnd, Mp4.fourcc("tkhd"));
        int mdia = Mp4.path(b, trak, trakEnd, Mp4.MDIA);
        int hdlr = Mp4.path(b, trak, trakEnd, Mp4.MDIA, Mp4.fourcc("hdlr"));
        int mdhd = Mp4.path(b, trak, trakEnd, Mp4.MDIA, Mp4.fourcc("mdhd"));
        int stsd = Mp4.path(b, trak, trakEnd, Mp4.MDIA, Mp4.MINF, Mp4.STBL, Mp4.fourcc("stsd"));
        if (tkhd < 0 || mdia < 0 || hdlr < 0 || mdhd < 0 || stsd < 0) {
            throw new ProtocolException("MP4: a trak lacks tkhd, hdlr, mdhd or stsd");
        }
        int t = Mp4.body(b, tkhd);
        int m = Mp4.body(b, mdhd);
        room(b, tkhd, t + 24);
        room(b, mdhd, m + 24);
        room(b, hdlr, Mp4.body(b, hdlr) + 12);
        id = Mp4.u32(b, t + (b[t] == 1 ? 20 : 12));
        timescale = Mp4.u32(b, m + (b[m] == 1 ? 20 : 12));
        handler = Mp4.u32(b, Mp4.body(b, hdlr) + 8);
        int s = Mp4.body(b, stsd);
        int stsdEnd = Mp4.end(b, stsd, trakEnd);
        if (stsdEnd - s < 16) {
            throw new ProtocolException("MP4: empty stsd");
        }
        codec = codec(b, s + 8, Mp4.end(b, s + 8, stsdEnd));
    }

    private static void room(byte[] b, int box, int need) {
        if (need > Mp4.end(b, box, b.length)) {
            throw new ProtocolException("MP4: '" + Mp4.name(Mp4.type(b, box)) + "' too short");
        }
    }

    boolean video() {
        return handler == Mp4.fourcc("vide");
    }

    boolean audio() {
        return handler == Mp4.fourcc("soun");
    }

    /** The codec string of a sample entry (its configuration box read where the format keeps one). */
    static String codec(byte[] b, int e, int ee) {
        String n = Mp4.name(Mp4.type(b, e));
        int body = Mp4.body(b, e);
        boolean video = n.equals("avc1") || n.equals("avc3") || n.equals("hvc1") || n.equals("hev1")
                || n.equals("av01") || n.equals("vp09") || n.equals("vp08");
        int kids = body + 28;
        if (video) {
            kids = body + 78;
        } else if (ee - body >= 10 && b[body + 9] == 1) {
            kids += 16;   // QuickTime sound description version 1
        } else if (ee - body >= 10 && b[body + 9] == 2) {
            kids += 36;
        }
        if (kids > ee) {
            throw new ProtocolException("MP4: sample entry '" + n + "' too short");
        }
        String cfg = n.equals("av01") ? "av1C" : n.equals("avc1") || n.equals("avc3") ? "avcC"
                : n.equals("hvc1") || n.equals("hev1") ? "hvcC" : n.equals("vp09") ? "vpcC"
                : n.equals("mp4a") ? "esds" : null;
        if (cfg == null) {
            return n.equals("Opus") ? "opus" : n.equals("fLaC") ? "flac" : n.equals(".mp3") ? "mp3" : n.trim();
        }
        int c = Mp4.child(b, kids, ee, Mp4.fourcc(cfg));
        if (c < 0) {
            if (n.equals("mp4a")) {
                return "mp4a.40.2";
            }
            throw new ProtocolException("MP4: '" + n + "' without its '" + cfg + "'");
        }
        int p = Mp4.body(b, c);
        int len = Mp4.end(b, c, ee) - p;
        switch (cfg) {
            case "avcC":
                return Codecs.avc(n, b, p, len);
            case "hvcC":
                return Codecs.hevc(n, b, p, len);
            case "av1C":
                return Codecs.av1(b, p, len);
            case "vpcC":
                return Codecs.vpcc(b, p, len);
            default:
                return Codecs.esds(b, p, len);
        }
    }

    /** Expands the sample tables; every count is checked against the others and bounded. */
    void tables(byte[] b) {
        int stbl = Mp4.path(b, trak, trakEnd, Mp4.MDIA, Mp4.MINF, Mp4.STBL);
        int se = Mp4.end(b, stbl, trakEnd);
        int s0 = Mp4.body(b, stbl);
        int sz = Mp4.need(b, s0, se, Mp4.fourcc("stsz"));
        int zp = Mp4.body(b, sz);
        int ze = Mp4.end(b, sz, se);
        if (ze - zp < 12) {
            throw new ProtocolException("MP4: stsz too short");
        }
        int fixed = Mp4.u32(b, zp + 4);
        count = Mp4.u32(b, zp + 8);
        if (count < 0 || count > MAX_SAMPLES) {
            throw new ProtocolException("MP4: " + (count & 0xffffffffL) + " samples in one track");
        }
        size = new int[count];
        if (fixed == 0 && ze - zp - 12 < 4L * count) {
            throw new ProtocolException("MP4: stsz lists fewer sizes than samples");
        }
        for (int i = 0; i < count; i++) {
            size[i] = fixed != 0 ? fixed : Mp4.u32(b, zp + 12 + 4 * i);
            if (size[i] < 0) {
                throw new ProtocolException("MP4: a sample of over 2 GB");
            }
        }
        boolean wide = Mp4.child(b, s0, se, Mp4.fourcc("co64")) >= 0;
        Table co = new Table(b, s0, se, wide ? "co64" : "stco", 4, wide ? 8 : 4);
        Table stsc = new Table(b, s0, se, "stsc", 4, 12);
        offset = new long[count];
        int s = 0;
        for (int i = 0; i < stsc.n && s < count; i++) {
            int first = stsc.u(i, 0);
            int last = i + 1 < stsc.n ? stsc.u(i + 1, 0) - 1 : co.n;
            int per = stsc.u(i, 4);
            if (first < 1 || last > co.n || per < 0) {
                throw new ProtocolException("MP4: stsc names chunks that are not in the chunk table");
            }
            for (int c = first; c <= last && s < count; c++) {
                long o = wide ? (long) co.u(c - 1, 0) << 32 | co.u(c - 1, 4) & 0xffffffffL : co.u(c - 1, 0) & 0xffffffffL;
                for (int k = 0; k < per && s < count; k++) {
                    offset[s] = o;
                    o += size[s++];
                }
            }
        }
        if (s < count) {
            throw new ProtocolException("MP4: the chunks hold " + s + " of " + count + " samples");
        }
        duration = runs(b, s0, se, "stts", true);
        cts = runs(b, s0, se, "ctts", false);
        int ss = Mp4.child(b, s0, se, Mp4.fourcc("stss"));
        if (ss >= 0) {
            Table stss = new Table(b, s0, se, "stss", 4, 4);
            sync = new boolean[count];
            for (int i = 0; i < stss.n; i++) {
                int k = stss.u(i, 0) - 1;
                if (k >= 0 && k < count) {
                    sync[k] = true;
                }
            }
        }
    }

    /** stts or ctts: (count, value) runs expanded to one value a sample; null when an optional table is absent. */
    private int[] runs(byte[] b, int s0, int se, String name, boolean required) {
        if (!required && Mp4.child(b, s0, se, Mp4.fourcc(name)) < 0) {
            return null;
        }
        Table t = new Table(b, s0, se, name, 4, 8);
        int[] out = new int[count];
        int s = 0;
        for (int i = 0; i < t.n && s < count; i++) {
            int n = t.u(i, 0);
            int v = t.u(i, 4);
            for (int k = 0; k < n && s < count; k++) {
                out[s++] = v;
            }
        }
        if (s < count) {
            throw new ProtocolException("MP4: " + name + " covers " + s + " of " + count + " samples");
        }
        return out;
    }

    /** A full box of fixed-size entries after a header of {@code head} bytes (entry count last). */
    private static final class Table {
        final byte[] b;
        final int p;
        final int end;
        final int n;
        final int first;
        final int width;

        Table(byte[] b, int s0, int se, String name, int head, int width) {
            int box = Mp4.need(b, s0, se, Mp4.fourcc(name));
            this.b = b;
            this.p = Mp4.body(b, box);
            this.end = Mp4.end(b, box, se);
            this.width = width;
            if (end - p < head + 4) {
                throw new ProtocolException("MP4: " + name + " too short");
            }
            n = Mp4.u32(b, p + head);
            first = p + head + 4;
            if (n < 0 || (long) n * width > end - first) {
                throw new ProtocolException("MP4: " + name + " lists " + (n & 0xffffffffL) + " entries it does not hold");
            }
        }

        int u(int i, int at) {
            return Mp4.u32(b, first + i * width + at);
        }
    }
}
