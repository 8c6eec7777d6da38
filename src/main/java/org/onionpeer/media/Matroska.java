package org.onionpeer.media;

import org.onionpeer.bytes.ProtocolException;

/**
 * The Matroska/WebM header up to the Tracks element, read from a file's first bytes: the DocType and each
 * TrackEntry's TrackType, CodecID and CodecPrivate, turned into Media Source codec strings.
 */
final class Matroska {
    private static final int EBML = 0x1A45DFA3;
    private static final int SEGMENT = 0x18538067;
    private static final int TRACKS = 0x1654AE6B;
    private static final int CLUSTER = 0x1F43B675;
    static final int CUES = 0x1C53BB6B;

    /** Where the Segment's data begins (Cue and SeekHead positions count from there). */
    long segStart;
    /** The Cues element's file offset from the SeekHead, or -1. */
    long cuesAt = -1;
    /** Nanoseconds per timecode unit (Info's TimecodeScale). */
    long scale = 1_000_000;

    private final byte[] b;
    private final int len;
    private int p;
    private long size;   // of the element just read; -1 when unknown

    private Matroska(byte[] b, int len) {
        this.b = b;
        this.len = len;
    }

    static boolean looksLike(byte[] b, int len) {
        return len >= 4 && (b[0] & 0xff) == 0x1A && (b[1] & 0xff) == 0x45 && (b[2] & 0xff) == 0xDF
                && (b[3] & 0xff) == 0xA3;
    }

    /** The header read so far; its type is null when more bytes are needed. */
    static Matroska read(byte[] b, int len) {
        Matroska m = new Matroska(b, len);
        m.type = m.probe();
        return m;
    }

    MediaType type;

    private MediaType probe() {
        if (element() != EBML) {
            throw new ProtocolException("WebM: no EBML header");
        }
        int end = within(p + size);
        if (end < 0) {
            return null;
        }
        String doc = "";
        while (p < end) {
            int id = element();
            int e = within(p + size);
            if (e < 0 || e > end) {
                throw new ProtocolException("WebM: EBML header element overruns the header");
            }
            if (id == 0x4282) {
                doc = org.onionpeer.bytes.Text.latin1(b, p, e - p).trim();
            }
            p = e;
        }
        if (!doc.equals("webm") && !doc.equals("matroska")) {
            throw new ProtocolException("WebM: DocType '" + doc + "'");
        }
        if (p + 12 > len) {
            return null;
        }
        if (element() != SEGMENT) {
            throw new ProtocolException("WebM: no Segment after the EBML header");
        }
        segStart = p;
        while (true) {
            if (p + 12 > len) {
                return null;
            }
            int id = element();
            if (id == CLUSTER) {
                throw new ProtocolException("WebM: a Cluster before the Tracks");
            }
            if (size < 0) {
                throw new ProtocolException("WebM: element " + Integer.toHexString(id) + " of unknown size before the Tracks");
            }
            if (id == TRACKS || id == 0x114D9B74 || id == 0x1549A966) {
                int e = within(p + size);
                if (e < 0) {
                    return null;
                }
                if (id == TRACKS) {
                    return tracks(e, doc);
                }
                index(id, e);
                p = e;
                continue;
            }
            if (p + size > Integer.MAX_VALUE - 16) {
                throw new ProtocolException("WebM: element " + Integer.toHexString(id) + " of " + size + " bytes before the Tracks");
            }
            p += (int) size;
        }
    }

    /** SeekHead (where the Cues are) or Info (the timecode scale), read up to end. */
    private void index(int parent, int end) {
        while (p < end) {
            int id = element();
            int e = inside(end);
            if (id == 0x4DBB) {   // Seek: SeekID, SeekPosition
                int seekId = 0;
                long pos = -1;
                while (p < e) {
                    int f = element();
                    int fe = inside(e);
                    if (f == 0x53AB) {
                        seekId = (int) uint(fe);
                    } else if (f == 0x53AC) {
                        pos = uint(fe);
                    }
                    p = fe;
                }
                if (seekId == CUES && pos >= 0) {
                    cuesAt = segStart + pos;
                }
            } else if (id == 0x2AD7B1 && parent == 0x1549A966) {
                scale = uint(e);
            }
            p = e;
        }
    }

    /** An unsigned integer element's value (at most 8 bytes, the top bit dropped). */
    private long uint(int end) {
        long v = 0;
        for (int i = Math.max(p, end - 8); i < end; i++) {
            v = v << 8 | b[i] & 0xff;
        }
        return v & Long.MAX_VALUE;
    }

    /**
     * A whole Cues element at the start of b: {cue times in timecode units, cluster positions relative to
     * the Segment's data}, or null while it is not all in.
     */
    static long[][] cues(byte[] b, int len) {
        Matroska m = new Matroska(b, len);
        if (len < 12) {
            return null;
        }
        if (m.element() != CUES) {
            throw new ProtocolException("WebM: no Cues where the SeekHead points");
        }
        if (m.size < 0 || m.size > MediaProbe.MAX_HEADER) {
            throw new ProtocolException("WebM: Cues of " + m.size + " bytes");
        }
        int end = m.within(m.p + m.size);
        if (end < 0) {
            return null;
        }
        java.util.List<long[]> points = new java.util.ArrayList<>();
        while (m.p < end) {
            int id = m.element();
            int e = m.inside(end);
            if (id == 0xBB) {   // CuePoint: CueTime, CueTrackPositions { CueClusterPosition }
                long[] point = {-1, -1};
                while (m.p < e) {
                    int f = m.element();
                    int fe = m.inside(e);
                    if (f == 0xB3) {
                        point[0] = m.uint(fe);
                    } else if (f == 0xB7) {
                        while (m.p < fe) {
                            int g = m.element();
                            int ge = m.inside(fe);
                            if (g == 0xF1 && point[1] < 0) {
                                point[1] = m.uint(ge);
                            }
                            m.p = ge;
                        }
                    }
                    m.p = fe;
                }
                if (point[0] >= 0 && point[1] >= 0) {
                    points.add(point);
                }
            }
            m.p = e;
        }
        long[][] r = new long[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            r[0][i] = points.get(i)[0];
            r[1][i] = points.get(i)[1];
        }
        return r;
    }

    private MediaType tracks(int end, String doc) {
        StringBuilder codecs = new StringBuilder();
        boolean video = false;
        while (p < end) {
            int id = element();
            int e = inside(end);
            if (id == 0xAE) {
                int type = 0;
                String codec = "";
                byte[] priv = null;
                while (p < e) {
                    int f = element();
                    int fe = inside(e);
                    if (f == 0x83) {
                        for (int i = p; i < fe; i++) {
                            type = type << 8 | b[i] & 0xff;
                        }
                    } else if (f == 0x86) {
                        codec = org.onionpeer.bytes.Text.latin1(b, p, fe - p).trim();
                    } else if (f == 0x63A2) {
                        priv = java.util.Arrays.copyOfRange(b, p, fe);
                    }
                    p = fe;
                }
                if (type == 1 || type == 2) {
                    video |= type == 1;
                    codecs.append(codecs.length() > 0 ? "," : "").append(codec(codec, priv));
                }
            }
            p = e;
        }
        if (codecs.length() == 0) {
            throw new ProtocolException("WebM: no audio or video track");
        }
        return new MediaType(video ? "video/webm" : "audio/webm", codecs.toString(), false);
    }

    static String codec(String id, byte[] priv) {
        switch (id) {
            case "V_VP8":
                return "vp8";
            case "V_VP9":
                return Codecs.webmVp9(priv);
            case "V_AV1":
                return priv != null ? Codecs.av1(priv, 0, priv.length) : "av01.0.01M.08";
            case "A_OPUS":
                return "opus";
            case "A_VORBIS":
                return "vorbis";
            case "A_AAC":
                return priv != null && priv.length > 0
                        ? "mp4a.40." + Codecs.audioObjectType(new org.onionpeer.bytes.ByteReader(priv)) : "mp4a.40.2";
            case "V_MPEG4/ISO/AVC":
                return priv != null ? Codecs.avc("avc1", priv, 0, priv.length) : "avc1";
            case "V_MPEGH/ISO/HEVC":
                return priv != null ? Codecs.hevc("hev1", priv, 0, priv.length) : "hev1";
            default:
                return id;   // named as it is, so a message can say what the browser lacks
        }
    }

    /** The end of the element just read, which must lie within end. */
    private int inside(int end) {
        if (size < 0 || size > end - p) {
            throw new ProtocolException("WebM: element overruns its parent");
        }
        return p + (int) size;
    }

    /** at, when the bytes up to it are here; -1 otherwise. */
    private int within(long at) {
        if (size < 0) {
            throw new ProtocolException("WebM: unknown size where a size is needed");
        }
        return at <= len ? (int) at : -1;
    }

    /** Reads an element ID and size at p, leaves p at its data; the ID keeps its length marker. */
    private int element() {
        int id = (int) vint(4, true);
        size = vint(8, false);
        return id;
    }

    private long vint(int max, boolean keepMarker) {
        if (p >= len) {
            throw new ProtocolException("WebM: truncated header");
        }
        int first = b[p] & 0xff;
        int n = Integer.numberOfLeadingZeros(first) - 23;
        if (first == 0 || n > max) {
            throw new ProtocolException("WebM: bad variable-length integer at byte " + p);
        }
        if (p + n > len) {
            throw new ProtocolException("WebM: truncated header");
        }
        long v = keepMarker ? first : first & (0xff >> n);
        boolean ones = v == (0xff >> n);
        for (int i = 1; i < n; i++) {
            int x = b[p + i] & 0xff;
            ones &= x == 0xff;
            v = v << 8 | x;
        }
        p += n;
        return !keepMarker && ones ? -1 : v;
    }
}
