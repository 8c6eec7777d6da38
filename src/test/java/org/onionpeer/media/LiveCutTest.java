package org.onionpeer.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.testing.FfmpegMedia;

/** Cutting a fragmented MP4 (made by ffmpeg now) into the init segment and timed fragments for live. */
class LiveCutTest {
    @Test
    void aFragmentedMp4IsItsInitSegmentAndFragmentsWithTheirDurations() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the media");
        Path dir = Files.createTempDirectory("livecut");
        byte[] file = FfmpegMedia.make(FfmpegMedia.format("h264-aac-fragmented.mp4"), dir, 10, 320, 240);
        LiveCut cut = LiveCut.of(file);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(cut.init());
        long ms = 0;
        for (int i = 0; i < cut.fragmentCount(); i++) {
            all.write(cut.fragment(i));
            assertTrue(cut.millis(i) > 0, "fragment " + i + " has a duration");
            ms += cut.millis(i);
        }
        assertArrayEquals(file, all.toByteArray(), "init + fragments = the file, in order");
        assertTrue(cut.fragmentCount() >= 3, cut.fragmentCount() + " fragments");
        assertTrue(ms > 8_000 && ms < 13_000, "the fragments last about the file's 10 s: " + ms + " ms");
    }

    @Test
    void otherFilesAreRefusedWithTheReason() throws Exception {
        assertEquals("a live stream from a file needs a fragmented MP4 (it starts with ftyp)",
                assertThrows(ProtocolException.class, () -> LiveCut.of(new byte[] {0x1a, 0x45, (byte) 0xdf, (byte) 0xa3,
                    0, 0, 0, 0, 0, 0})).getMessage());
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the media");
        Path dir = Files.createTempDirectory("livecut");
        byte[] plain = FfmpegMedia.make(FfmpegMedia.format("h264-aac.mp4"), dir, 2, 160, 120);
        assertEquals("not a fragmented MP4 (no moof): make one with ffmpeg -movflags frag_keyframe+empty_moov+default_base_moof",
                assertThrows(ProtocolException.class, () -> LiveCut.of(plain)).getMessage());
    }
}
