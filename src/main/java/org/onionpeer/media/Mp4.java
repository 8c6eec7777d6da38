package org.onionpeer.media;

import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/** ISO BMFF boxes inside a buffer that holds them whole (a moov): bounds-checked walking, four-character codes. */
final class Mp4 {
    static final int FTYP = fourcc("ftyp");
    static final int MOOV = fourcc("moov");
    static final int MDAT = fourcc("mdat");
    static final int MOOF = fourcc("moof");
    static final int TRAK = fourcc("trak");
    static final int MVEX = fourcc("mvex");
    static final int MDIA = fourcc("mdia");
    static final int MINF = fourcc("minf");
    static final int STBL = fourcc("stbl");

    private Mp4() {
    }

    static int fourcc(String s) {
        return s.charAt(0) << 24 | s.charAt(1) << 16 | s.charAt(2) << 8 | s.charAt(3);
    }

    static String name(int t) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            int v = t >>> (24 - 8 * i) & 0xff;
            c[i] = v >= 0x20 && v < 0x7f ? (char) v : '?';
        }
        return new String(c);
    }

    static int u32(byte[] b, int at) {
        return (int) Bytes.u32(b, at);
    }

    /** The type of the box at box; its size is checked by {@link #end}, called next by every walker. */
    static int type(byte[] b, int box) {
        if (box < 0 || box > b.length - 8) {
            throw new ProtocolException("MP4: a box header is cut off");
        }
        return u32(b, box + 4);
    }

    /** Where the box at {@code box} ends, checked against its parent's end. */
    static int end(byte[] b, int box, int parentEnd) {
        if (parentEnd - box < 8) {
            throw new ProtocolException("MP4: " + (parentEnd - box) + " stray bytes where a box header belongs");
        }
        long size = u32(b, box) & 0xffffffffL;
        int header = 8;
        if (size == 1) {
            if (parentEnd - box < 16) {
                throw new ProtocolException("MP4: box '" + name(type(b, box)) + "' lacks its 64-bit size");
            }
            size = (long) u32(b, box + 8) << 32 | u32(b, box + 12) & 0xffffffffL;
            header = 16;
        } else if (size == 0) {
            size = parentEnd - box;
        }
        if (size < header || size > parentEnd - box) {
            throw new ProtocolException("MP4: box '" + name(type(b, box)) + "' of " + size + " bytes overruns its parent");
        }
        return box + (int) size;
    }

    /** Where the payload of the box at {@code box} begins. */
    static int body(byte[] b, int box) {
        return box + (u32(b, box) == 1 ? 16 : 8);
    }

    /** The first child of type {@code type} among the boxes in [from, to), or -1. */
    static int child(byte[] b, int from, int to, int type) {
        for (int p = from; p < to; p = end(b, p, to)) {
            if (to - p >= 8 && type(b, p) == type) {
                end(b, p, to);
                return p;
            }
        }
        return -1;
    }

    /** Like {@link #child} but the box must be there. */
    static int need(byte[] b, int from, int to, int type) {
        int p = child(b, from, to, type);
        if (p < 0) {
            throw new ProtocolException("MP4: no '" + name(type) + "' box");
        }
        return p;
    }

    /** The child box at the path of types under the box at {@code box}, or -1. */
    static int path(byte[] b, int box, int boxEnd, int... types) {
        int p = box;
        int e = boxEnd;
        for (int t : types) {
            int c = child(b, body(b, p), e, t);
            if (c < 0) {
                return -1;
            }
            e = end(b, c, e);
            p = c;
        }
        return p;
    }
}
