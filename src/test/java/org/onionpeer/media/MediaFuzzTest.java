package org.onionpeer.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.onionpeer.fuzz.Fuzzer;
import org.onionpeer.testing.FfmpegMedia;

/**
 * Garbage and mutated real headers through the probe (a million inputs) and whole mutated files through the
 * feed and the MP4 remuxer: only ProtocolException may escape, and the unmutated seeds must decode.
 */
class MediaFuzzTest {
    @Test
    void probeOnlyThrowsProtocolException() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the seeds");
        Fuzzer f = new Fuzzer(0x3ed1aL).maxLen(3000);
        for (Map.Entry<String, byte[]> e : MediaFiles.all().entrySet()) {
            byte[] b = e.getValue();
            if (e.getKey().endsWith(".mp4")) {
                MediaProbe.Result r = MediaProbe.probe(b, b.length);
                assertTrue(r.type != null || r.moov > 0, e.getKey() + " decodes");
                int end = (int) (r.type != null ? r.moovEnd : Math.min(b.length, 4000));
                f.seed(Arrays.copyOf(b, Math.min(end, 8000)));
            } else {
                assertNotNull(MediaProbe.probe(b, Math.min(b.length, 4000)).type, e.getKey() + " decodes");
                f.seed(Arrays.copyOf(b, Math.min(b.length, 4000)));
            }
        }
        String summary = f.run("MediaProbe.probe", 1_000_000, in -> MediaProbe.probe(in, in.length));
        System.out.println("[fuzz] " + summary);
        assertEquals(1_000_000, f.accepted() + f.rejected(), summary);
        assertTrue(f.accepted() > 10_000 && f.rejected() > 10_000, summary);
    }

    @Test
    void feedAndRemuxOnlyThrowProtocolException() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the seeds");
        Fuzzer f = new Fuzzer(0xf33dL).maxLen(2000);
        for (String name : new String[] {"h264-aac.mp4", "h264-aac-moov-at-end.mp4", "audio-opus.webm"}) {
            byte[] b = MediaFiles.all().get(name);
            if (b != null) {
                assertTrue(feed(b) > b.length / 2, name + " decodes");
                f.seed(Arrays.copyOf(b, Math.min(b.length, 30000)));
            }
        }
        String summary = f.run("MediaFeed", 20_000, MediaFuzzTest::feed);
        System.out.println("[fuzz] " + summary);
        assertTrue(f.accepted() > 1000 && f.rejected() > 1000, summary);
    }

    @Test
    void cuesOnlyThrowProtocolException() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the seeds");
        Fuzzer f = new Fuzzer(0xc0e5L).maxLen(600);
        int seeds = 0;
        for (Map.Entry<String, byte[]> e : MediaFiles.all().entrySet()) {
            byte[] b = e.getValue();
            if (e.getKey().endsWith(".webm")) {
                long at = Matroska.read(b, b.length).cuesAt;
                byte[] cues = Arrays.copyOfRange(b, (int) at, b.length);
                assertTrue(Matroska.cues(cues, cues.length)[0].length > 0, e.getKey() + ": its Cues decode");
                f.seed(cues);
                seeds++;
            }
        }
        assertTrue(seeds >= 2, "WebM seeds");
        String summary = f.run("Matroska.cues", 300_000, in -> Matroska.cues(in, in.length));
        System.out.println("[fuzz] " + summary);
        assertTrue(f.accepted() > 1000 && f.rejected() > 1000, summary);
    }

    /** Pushes b in 997-byte pieces (the tail from the moov offset when asked); the bytes given out. */
    static long feed(byte[] b) {
        MediaFeed feed = new MediaFeed();
        long out = 0;
        for (int i = 0; i < b.length; i += 997) {
            feed.push(Arrays.copyOfRange(b, i, Math.min(b.length, i + 997)));
            long at = feed.moovAt();
            if (at >= 0 && at < b.length) {
                feed.pushTail(Arrays.copyOfRange(b, (int) at, b.length));
            }
            for (byte[] o : feed.take()) {
                out += o.length;
            }
        }
        return out;
    }
}
