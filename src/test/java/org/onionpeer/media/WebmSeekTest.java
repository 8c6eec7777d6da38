package org.onionpeer.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.onionpeer.testing.FfmpegMedia;

/**
 * A seek in a WebM: the feed asks for the Cues (where the SeekHead says they are), then names the Cluster of
 * the last cue at or before the time; the header plus the file from there is a WebM ffmpeg plays from that
 * cluster's time.
 */
class WebmSeekTest {
    @Test
    void aSeekFetchesTheCuesThenStartsAtTheClusterBeforeTheTime() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the media");
        FfmpegMedia.Format f = new FfmpegMedia.Format("clusters.webm", true, true, "libvpx libvorbis",
                "-c:v libvpx -deadline realtime -cpu-used 8 -b:v 300k -g 10 -c:a libvorbis -cluster_time_limit 400");
        Assumptions.assumeTrue(FfmpegMedia.missing(f) == null, "libvpx and libvorbis");
        Path dir = Files.createTempDirectory("onionpeer-webm");
        byte[] b = FfmpegMedia.make(f, dir, 4, 320, 240);
        MediaFeed feed = new MediaFeed();
        feed.push(Arrays.copyOf(b, 4000));
        byte[] head = feed.take().get(0);
        long ask = feed.seek(3.0);
        assertTrue(ask <= -2, "the Cues must be fetched first: " + ask);
        long cuesAt = -2 - ask;
        assertEquals(Matroska.CUES, (int) org.onionpeer.bytes.Bytes.u32(b, (int) cuesAt), "the Cues are where the SeekHead says");
        int at = (int) cuesAt;
        while (!feed.pushTail(Arrays.copyOfRange(b, at, Math.min(b.length, at + 100)))) {
            at += 100;
        }
        long from = feed.seek(3.0);
        assertEquals(0x1F43B675, (int) org.onionpeer.bytes.Bytes.u32(b, (int) from), "a Cluster begins at " + from);
        // The header (up to the first Cluster) and the file from there play from that cluster's time.
        int firstCluster = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("\u001f\u0043\u00b6\u0075");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(b, 0, firstCluster);
        o.write(b, (int) from, b.length - (int) from);
        Path seeked = dir.resolve("seeked.webm");
        Files.write(seeked, o.toByteArray());
        String first = FfmpegMedia.run(List.of("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                "packet=pts_time,flags", "-of", "csv=p=0", seeked.toString())).split("\\n")[0];
        double t = Double.parseDouble(first.split(",")[0]);
        assertTrue(t > 2.0 && t <= 3.0 && first.contains("K"), "plays from a key frame just before 3 s: " + first);
        assertTrue(head.length == 4000, "the header went out as it was");
    }
}
