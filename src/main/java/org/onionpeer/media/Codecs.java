package org.onionpeer.media;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;

/** RFC 6381 codec strings from the codec configuration records the containers carry. */
final class Codecs {
    private Codecs() {
    }

    static String hex2(int v) {
        String s = Integer.toHexString(v & 0xff);
        return s.length() == 1 ? "0" + s : s;
    }

    static String dec2(int v) {
        return v < 10 ? "0" + v : String.valueOf(v);
    }

    /** avcC (ISO 14496-15): "avc1.PPCCLL" (or avc3), profile, constraint flags and level in hex. */
    static String avc(String entry, byte[] b, int off, int len) {
        if (len < 4) {
            throw new ProtocolException("avcC: " + len + " bytes, need 4");
        }
        return entry + "." + hex2(b[off + 1]) + hex2(b[off + 2]) + hex2(b[off + 3]);
    }

    /** hvcC: "hvc1.[A-C]P.FLAGS.[LH]LEVEL.C1.C2..." (ISO 14496-15 annex E), trailing zero constraint bytes left out. */
    static String hevc(String entry, byte[] b, int off, int len) {
        if (len < 13) {
            throw new ProtocolException("hvcC: " + len + " bytes, need 13");
        }
        int p = b[off + 1] & 0xff;
        StringBuilder s = new StringBuilder(entry).append('.');
        if (p >> 6 != 0) {
            s.append((char) ('A' + (p >> 6) - 1));
        }
        s.append(p & 31).append('.');
        int compat = 0;
        for (int i = 0; i < 4; i++) {
            compat = compat << 8 | (b[off + 2 + i] & 0xff);
        }
        s.append(Integer.toHexString(Integer.reverse(compat))).append('.');
        s.append((p & 0x20) != 0 ? 'H' : 'L').append(b[off + 12] & 0xff);
        int last = 5;
        while (last >= 0 && b[off + 6 + last] == 0) {
            last--;
        }
        for (int i = 0; i <= last; i++) {
            s.append('.').append(Text.asciiUpper(Integer.toHexString(b[off + 6 + i] & 0xff)));
        }
        return s.toString();
    }

    /** av1C (AV1 ISOBMFF binding): "av01.P.LLT.DD". */
    static String av1(byte[] b, int off, int len) {
        if (len < 4 || (b[off] & 0xff) != 0x81) {
            throw new ProtocolException("av1C: not version 1");
        }
        int p = b[off + 1] & 0xff;
        int q = b[off + 2] & 0xff;
        String depth = (q & 0x20) != 0 ? "12" : (q & 0x40) != 0 ? "10" : "08";
        return "av01." + (p >> 5) + "." + dec2(p & 31) + ((q & 0x80) != 0 ? "H" : "M") + "." + depth;
    }

    /** vpcC (VP codec ISOBMFF binding, version 1): "vp09.PP.LL.DD". */
    static String vpcc(byte[] b, int off, int len) {
        if (len < 7) {
            throw new ProtocolException("vpcC: " + len + " bytes, need 7");
        }
        return vp9(b[off + 4] & 0xff, b[off + 5] & 0xff, (b[off + 6] & 0xff) >> 4);
    }

    static String vp9(int profile, int level, int depth) {
        return "vp09." + dec2(profile) + "." + dec2(level) + "." + dec2(depth);
    }

    /** WebM VP9 CodecPrivate: (id, length, value) features; absent ones default to profile 0, level 1, 8 bits. */
    static String webmVp9(byte[] priv) {
        int[] f = {0, 0, 10, 8};
        if (priv != null) {
            ByteReader r = new ByteReader(priv);
            while (r.hasRemaining()) {
                int id = r.u8();
                int n = r.u8();
                if (n == 1 && id >= 1 && id <= 3) {
                    f[id] = r.u8();
                } else {
                    r.skip(n);
                }
            }
        }
        return vp9(f[1], f[2], f[3]);
    }

    /** esds (ISO 14496-1 descriptors): "mp4a.40.N" for MPEG-4 audio (N its object type), else "mp4a.OTI". */
    static String esds(byte[] b, int off, int len) {
        ByteReader r = new ByteReader(b, off, len);
        r.skip(4);   // version, flags
        expectTag(r, 3);
        r.skip(2);
        int flags = r.u8();
        if ((flags & 0x80) != 0) {
            r.skip(2);
        }
        if ((flags & 0x40) != 0) {
            r.skip(r.u8());
        }
        if ((flags & 0x20) != 0) {
            r.skip(2);
        }
        expectTag(r, 4);
        int oti = r.u8();
        if (oti != 0x40) {
            return "mp4a." + Text.asciiUpper(hex2(oti));
        }
        r.skip(12);
        expectTag(r, 5);
        return "mp4a.40." + audioObjectType(r);
    }

    /** The first field of an AudioSpecificConfig (ISO 14496-3 1.6.2.1). */
    static int audioObjectType(ByteReader r) {
        int a = r.u8();
        int t = a >> 3;
        return t == 31 ? 32 + ((a & 7) << 3 | r.u8() >> 5) : t;
    }

    private static void expectTag(ByteReader r, int tag) {
        int t = r.u8();
        if (t != tag) {
            throw new ProtocolException("esds: descriptor tag " + t + " where " + tag + " belongs");
        }
        for (int i = 0; i < 4 && (r.u8() & 0x80) != 0; i++) {
            // the size: up to four 7-bit groups; the nested descriptors are read in place
        }
    }
}
