package org.onionpeer.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.testing.FfmpegMedia;

/**
 * Ordinary MP4s (moov first and moov at the end) remuxed to fragmented MP4 while fed in random pieces:
 * ffprobe reads the result without a complaint, and every packet of the original is in it, byte for byte
 * (ffprobe's MD5 of each packet, compared as multisets).
 */
class Mp4FragmenterTest {
    static final String[] PLAIN = {"h264-aac.mp4", "h264-aac-moov-at-end.mp4", "hevc-aac.mp4", "av1-opus.mp4"};

    /** Feeds b to a MediaFeed in random pieces (the moov from its own offset when it is at the end). */
    static byte[] remux(byte[] b, Random r) {
        MediaFeed feed = new MediaFeed();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int fed = 0; fed < b.length; ) {
            int n = Math.min(b.length - fed, 1 + r.nextInt(40000));
            feed.push(Arrays.copyOfRange(b, fed, fed + n));
            fed += n;
            if (feed.moovAt() >= 0) {
                int at = (int) feed.moovAt();
                while (!feed.pushTail(Arrays.copyOfRange(b, at, Math.min(b.length, at + 700)))) {
                    at += 700;
                }
            }
            for (byte[] o : feed.take()) {
                out.writeBytes(o);
            }
        }
        return out.toByteArray();
    }

    static List<String> packetHashes(Path f) throws Exception {
        String o = FfmpegMedia.run(List.of("ffprobe", "-v", "error", "-show_data_hash", "MD5", "-show_entries",
                "packet=data_hash", "-of", "csv=p=0", f.toString()));
        List<String> h = new ArrayList<>();
        for (String line : o.split("\n")) {
            int i = line.indexOf("MD5:");
            if (i >= 0) {
                h.add(line.substring(i));
            }
        }
        Collections.sort(h);
        return h;
    }

    @Test
    void everySampleArrivesByteForByteInFragments() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the media");
        long seed = new Random().nextLong();
        System.out.println("[media] Mp4FragmenterTest seed " + seed);
        Random r = new Random(seed);
        Path dir = Files.createTempDirectory("onionpeer-frag");
        int done = 0;
        for (String name : PLAIN) {
            byte[] b = MediaFiles.all().get(name);
            if (b == null) {
                continue;
            }
            byte[] out = remux(b, r);
            Path in = dir.resolve(name);
            Path fragmented = dir.resolve("fragmented-" + name);
            Files.write(in, b);
            Files.write(fragmented, out);
            assertEquals("ftyp", new String(out, 4, 4), name);
            String probe = FfmpegMedia.run(List.of("ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                    "-of", "csv=p=0", fragmented.toString()));
            String original = FfmpegMedia.run(List.of("ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                    "-of", "csv=p=0", in.toString()));
            assertEquals(original, probe, name + ": same streams, and ffprobe has no complaint");
            List<String> want = packetHashes(in);
            assertTrue(want.size() > 100, name + ": " + want.size() + " packets");
            assertEquals(want, packetHashes(fragmented), name + ": the same packets (seed " + seed + ")");
            System.out.println("[media] " + name + ": " + b.length + " bytes -> " + out.length + " fragmented, "
                    + want.size() + " packets identical");
            done++;
        }
        assertTrue(done >= 2, "at least the H.264 files were remuxed");
    }

    @Test
    void aSeekRestartsAtTheKeyFrameBeforeIt() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the media");
        FfmpegMedia.Format f = new FfmpegMedia.Format("keyframes.mp4", true, true, "libx264 aac",
                "-c:v libx264 -preset veryfast -g 10 -keyint_min 10 -sc_threshold 0 -c:a aac -movflags +faststart");
        Assumptions.assumeTrue(FfmpegMedia.missing(f) == null, "libx264 and aac");
        Path dir = Files.createTempDirectory("onionpeer-seek");
        byte[] b = FfmpegMedia.make(f, dir, 2, 320, 240);
        MediaFeed feed = new MediaFeed();
        feed.push(Arrays.copyOf(b, 8000));
        List<byte[]> got = feed.take();
        byte[] init = got.get(0);
        long from = feed.seek(1.0);
        // Key frames every 10 frames at 25 fps: the one at or before 1.0 s is frame 20, at 0.8 s.
        MediaProbe.Result p = MediaProbe.probe(b, b.length);
        Mp4Fragmenter ref = new Mp4Fragmenter(Arrays.copyOfRange(b, (int) p.moov, (int) p.moovEnd));
        assertEquals(ref.seek(0.8), from, "the same offset for the key frame's own time");
        assertTrue(from > 8000 && from < b.length, "a byte offset inside the mdat: " + from);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(init);
        for (int at = (int) from; at < b.length; at += 5000) {
            feed.push(Arrays.copyOfRange(b, at, Math.min(b.length, at + 5000)));
            feed.take().forEach(out::writeBytes);
        }
        Path seeked = dir.resolve("seeked.mp4");
        Files.write(seeked, out.toByteArray());
        String frames = FfmpegMedia.run(List.of("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                "packet=pts_time,flags", "-of", "csv=p=0", seeked.toString()));
        String first = frames.split("\n")[0];
        assertTrue(first.startsWith("0.8") && first.contains("K"), "starts with the key frame at 0.8 s: " + first);
        assertEquals(30, frames.trim().split("\n").length, "frames 20 to 49: " + frames);
        List<String> all = packetHashes(dir.resolve("keyframes.mp4"));
        assertTrue(all.containsAll(packetHashes(seeked)), "every packet after the seek is one of the file's");
    }

    @Test
    void aHostileSampleCountIsRefusedBeforeAnythingIsAllocated() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the media");
        byte[] b = MediaFiles.all().get("h264-aac.mp4").clone();
        MediaProbe.Result p = MediaProbe.probe(b, b.length);
        byte[] moov = Arrays.copyOfRange(b, (int) p.moov, (int) p.moovEnd);
        int stsz = new String(moov, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("stsz");
        // A fixed sample size and four million samples: eight bytes, and the tables would need 80 MB.
        org.onionpeer.bytes.Bytes.putU32(moov, stsz + 8, 1);
        org.onionpeer.bytes.Bytes.putU32(moov, stsz + 12, 1 << 22);
        assertEquals("MP4: 4194304 samples in one track",
                assertThrows(ProtocolException.class, () -> new Mp4Fragmenter(moov)).getMessage());
    }

    @Test
    void bytesMayNotBeSkipped() throws Exception {
        Assumptions.assumeTrue(FfmpegMedia.available(), "ffmpeg makes the media");
        byte[] b = MediaFiles.all().get("h264-aac.mp4");
        MediaProbe.Result p = MediaProbe.probe(b, b.length);
        Mp4Fragmenter f = new Mp4Fragmenter(Arrays.copyOfRange(b, (int) p.moov, (int) p.moovEnd));
        f.feed(0, b, 0, (int) p.moovEnd + 100);
        long at = p.moovEnd + 50_000;
        String msg = assertThrows(ProtocolException.class, () -> f.feed(at, b, (int) at, 10)).getMessage();
        assertTrue(msg.matches("MP4: bytes \\d+ to " + at + " were skipped"), msg);
    }
}
