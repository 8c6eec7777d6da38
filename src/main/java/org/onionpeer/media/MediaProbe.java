package org.onionpeer.media;

import org.onionpeer.bytes.ProtocolException;

/**
 * Reads what a media file is from its first bytes, never from a name or a Content-Type: WebM/Matroska
 * (EBML magic), ISO BMFF (ftyp/moov/styp), MP3 (ID3 tag or MPEG audio frame sync) and AAC in ADTS.
 */
public final class MediaProbe {
    /** Beyond this, a header that has not ended is refused rather than buffered further. */
    public static final int MAX_HEADER = 16 << 20;

    /** What {@link #probe} found. */
    public static final class Result {
        /** The type, or null when more bytes are needed or the moov must be fetched. */
        public final MediaType type;
        /** With a type to remux: where the moov box lies; without a type: where it begins, after the mdat. */
        public final long moov;
        public final long moovEnd;
        /** A WebM's header, for seeking by its Cues; else null. */
        final Matroska webm;

        Result(MediaType type, long moov, long moovEnd) {
            this(type, moov, moovEnd, null);
        }

        Result(MediaType type, long moov, long moovEnd, Matroska webm) {
            this.type = type;
            this.moov = moov;
            this.moovEnd = moovEnd;
            this.webm = webm;
        }
    }

    private static final Result MORE = new Result(null, -1, -1);

    private MediaProbe() {
    }

    /** The first len bytes of b are the start of the file. */
    public static Result probe(byte[] b, int len) {
        if (len < 12) {
            return MORE;
        }
        if (Matroska.looksLike(b, len)) {
            Matroska m = Matroska.read(b, len);
            return m.type != null ? new Result(m.type, -1, -1, m) : more(len);
        }
        int box = Mp4.u32(b, 4);
        if (box == Mp4.FTYP || box == Mp4.MOOV || box == Mp4.fourcc("styp")) {
            return mp4(b, len);
        }
        int at = 0;
        if (b[0] == 'I' && b[1] == 'D' && b[2] == '3') {
            // ID3v2: a 10-byte header, then a 28-bit "syncsafe" size (7 bits a byte).
            at = 10 + ((b[6] & 0x7f) << 21 | (b[7] & 0x7f) << 14 | (b[8] & 0x7f) << 7 | b[9] & 0x7f);
            if (at + 2 > len) {
                return more(len);
            }
        }
        int b0 = b[at] & 0xff;
        int b1 = b[at + 1] & 0xff;
        if (b0 == 0xff && (b1 & 0xf6) == 0xf0) {
            return new Result(new MediaType("audio/aac", "", false), -1, -1);
        }
        if (b0 == 0xff && (b1 & 0xe0) == 0xe0 && (b1 & 6) != 0) {
            return new Result(new MediaType("audio/mpeg", "", false), -1, -1);
        }
        throw new ProtocolException("not a media file this player reads (it starts " + Codecs.hex2(b[0])
                + Codecs.hex2(b[1]) + Codecs.hex2(b[2]) + Codecs.hex2(b[3]) + ")");
    }

    private static Result more(int len) {
        if (len > MAX_HEADER) {
            throw new ProtocolException("no end of the media header in the first " + (MAX_HEADER >> 20) + " MB");
        }
        return MORE;
    }

    /** Top-level boxes up to the moov; an mdat before it means the moov sits at the end. */
    private static Result mp4(byte[] b, int len) {
        long p = 0;
        while (true) {
            if (p + 16 > len) {
                return more(len);
            }
            int at = (int) p;
            long size = Mp4.u32(b, at) & 0xffffffffL;
            int type = Mp4.u32(b, at + 4);
            int header = 8;
            if (size == 1) {
                size = (long) Mp4.u32(b, at + 8) << 32 | Mp4.u32(b, at + 12) & 0xffffffffL;
                header = 16;
            } else if (size == 0) {
                throw new ProtocolException("MP4: top-level box '" + Mp4.name(type) + "' runs to the end before any moov");
            }
            if (size < header) {
                throw new ProtocolException("MP4: top-level box '" + Mp4.name(type) + "' of " + size + " bytes");
            }
            if (type == Mp4.MOOV) {
                if (size > MAX_HEADER) {
                    throw new ProtocolException("MP4: a moov of " + size + " bytes");
                }
                if (p + size > len) {
                    return more(len);
                }
                return new Result(moov(b, at, (int) (p + size)), p, p + size);
            }
            if (type == Mp4.MDAT) {
                return new Result(null, p + size, -1);
            }
            if (type == Mp4.MOOF) {
                throw new ProtocolException("MP4: a moof before the moov");
            }
            p += size;
        }
    }

    /** The type from a whole moov box in b[at, end). */
    static MediaType moov(byte[] b, int at, int end) {
        StringBuilder codecs = new StringBuilder();
        boolean video = false;
        boolean fragmented = false;
        for (int p = Mp4.body(b, at); p < end; p = Mp4.end(b, p, end)) {
            int type = Mp4.type(b, p);
            fragmented |= type == Mp4.MVEX;
            if (type == Mp4.TRAK) {
                Mp4Track t = new Mp4Track(b, p, Mp4.end(b, p, end));
                if (t.video() || t.audio()) {
                    video |= t.video();
                    codecs.append(codecs.length() > 0 ? "," : "").append(t.codec);
                }
            }
        }
        if (codecs.length() == 0) {
            throw new ProtocolException("MP4: no audio or video track");
        }
        return new MediaType(video ? "video/mp4" : "audio/mp4", codecs.toString(), !fragmented);
    }
}
