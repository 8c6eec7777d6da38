package org.onionpeer.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.testing.FfmpegMedia;

/** The exact Media Source type of real ffmpeg-made files, from their bytes alone, however they are cut up. */
class MediaProbeTest {
    static final Map<String, String> EXPECTED = Map.ofEntries(
            Map.entry("vp8-vorbis.webm", "video/webm; codecs=\"vp8,vorbis\""),
            Map.entry("vp9-opus.webm", "video/webm; codecs=\"vp09.00.10.08,opus\""),
            Map.entry("av1-opus.webm", "video/webm; codecs=\"av01.0.00M.08,opus\""),
            Map.entry("h264-aac.mp4", "video/mp4; codecs=\"avc1.64000d,mp4a.40.2\""),
            Map.entry("h264-aac-moov-at-end.mp4", "video/mp4; codecs=\"avc1.64000d,mp4a.40.2\""),
            Map.entry("h264-aac-fragmented.mp4", "video/mp4; codecs=\"avc1.64000d,mp4a.40.2\""),
            Map.entry("hevc-aac.mp4", "video/mp4; codecs=\"hvc1.1.6.L60.90,mp4a.40.2\""),
            Map.entry("av1-opus.mp4", "video/mp4; codecs=\"av01.0.00M.08,opus\""),
            Map.entry("audio.mp3", "audio/mpeg"),
            Map.entry("audio.aac", "audio/aac"),
            Map.entry("audio-opus.webm", "audio/webm; codecs=\"opus\""));

    @Test
    void everyFormatIsNamedExactlyFromItsBytes() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the media");
        Map<String, byte[]> files = MediaFiles.all();
        assertTrue(files.containsKey("h264-aac.mp4") && files.containsKey("vp8-vorbis.webm"), "the common formats were made");
        long seed = new Random().nextLong();
        System.out.println("[media] MediaProbeTest chunking seed " + seed);
        Random r = new Random(seed);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            byte[] b = e.getValue();
            MediaFeed feed = new MediaFeed();
            int fed = 0;
            while (feed.type() == null && fed < b.length) {
                int n = Math.min(b.length - fed, 1 + r.nextInt(3000));
                feed.push(Arrays.copyOfRange(b, fed, fed + n));
                fed += n;
                if (feed.moovAt() >= 0) {
                    assertTrue(e.getKey().contains("moov-at-end"), e.getKey() + " has its moov first");
                    feed.pushTail(Arrays.copyOfRange(b, (int) feed.moovAt(), b.length));
                }
            }
            MediaType t = feed.type();
            assertEquals(EXPECTED.get(e.getKey()), t == null ? null : t.mime(), e.getKey() + " (seed " + seed + ")");
            assertEquals(e.getKey().endsWith(".mp4") && !e.getKey().contains("fragmented"), t.needsRemux(), e.getKey());
            System.out.println("[media] " + e.getKey() + ": " + t + " after " + fed + " of " + b.length + " bytes");
        }
    }

    @Test
    void aFewBytesAreNotEnoughToDecide() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the media");
        byte[] webm = MediaFiles.all().get("vp8-vorbis.webm");
        assertNull(MediaProbe.probe(webm, 40).type, "the EBML header alone does not name the codecs");
        byte[] mp4 = MediaFiles.all().get("h264-aac-moov-at-end.mp4");
        MediaProbe.Result r = MediaProbe.probe(mp4, 64);
        assertNull(r.type);
        assertTrue(r.moov > 1000, "the moov is after the mdat: " + r.moov);
    }

    static String rejection(byte[] b) {
        return assertThrows(ProtocolException.class, () -> MediaProbe.probe(b, b.length)).getMessage();
    }

    static byte[] hex(String h) {
        return org.onionpeer.bytes.Bytes.unhex(h.replace(" ", ""));
    }

    @Test
    void rejectsWhatIsNotMediaInWords() {
        assertEquals("not a media file this player reads (it starts 3c68746d)",
                rejection("<html><body>nothing</body>".getBytes(StandardCharsets.US_ASCII)));
        // EBML header with DocType "mkvx"
        assertEquals("WebM: DocType 'mkvx'", rejection(hex("1a45dfa3 87 4282 84 6d6b7678 18538067 01ffffffffffffff")));
        assertEquals("WebM: a Cluster before the Tracks",
                rejection(hex("1a45dfa3 87 4282 84 7765626d 18538067 01ffffffffffffff 1f43b675 80 00000000000000")));
        assertEquals("MP4: a moof before the moov",
                rejection(hex("00000010 66747970 69736f6d 00000200 00000008 6d6f6f66 0000000000000000")));
        assertEquals("MP4: top-level box 'free' of 3 bytes",
                rejection(hex("00000010 66747970 69736f6d 00000200 00000003 66726565 0000000000000000")));
        // A moov whose only trak lacks its media boxes.
        assertEquals("MP4: a trak lacks tkhd, hdlr, mdhd or stsd",
                rejection(hex("00000010 66747970 69736f6d 00000200 00000010 6d6f6f76 00000008 7472616b")));
        assertEquals("MP4: box 'trak' of 9 bytes overruns its parent",
                rejection(hex("00000010 66747970 69736f6d 00000200 00000010 6d6f6f76 00000009 7472616b")));
    }

    @Test
    void unknownCodecsAreNamedAsTheFileNamesThem() {
        assertEquals("V_THEORA", Matroska.codec("V_THEORA", null));
        assertEquals("vp09.02.31.10", Matroska.codec("V_VP9", hex("010102 02011f 03010a")));
        assertFalse(Matroska.codec("V_VP9", null).isEmpty());
    }
}
