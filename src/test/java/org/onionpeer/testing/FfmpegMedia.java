package org.onionpeer.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real media made by ffmpeg at test time (a test pattern and a tone), one {@link Format} per container and
 * codec pair the player supports. A format whose encoder this ffmpeg lacks is reported by {@link #missing}.
 */
public final class FfmpegMedia {
    public static final Path FFMPEG = Paths.get("/usr/bin/ffmpeg");
    private static String encoders;

    private FfmpegMedia() {
    }

    /** One kind of file: its name (with extension), the encoders it needs and ffmpeg's output arguments. */
    public static final class Format {
        public final String name;
        public final boolean video;
        public final boolean audio;
        final String[] encoders;
        final String[] args;

        public Format(String name, boolean video, boolean audio, String encoders, String... args) {
            this.name = name;
            this.video = video;
            this.audio = audio;
            this.encoders = encoders.split(" ");
            this.args = args;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final String VPX = "-deadline realtime -cpu-used 8 -b:v 500k -g 50";
    private static final String X264 = "-c:v libx264 -profile:v high -preset veryfast -g 50";
    public static final List<Format> FORMATS = List.of(
            new Format("vp8-vorbis.webm", true, true, "libvpx libvorbis", "-c:v libvpx " + VPX + " -c:a libvorbis"),
            new Format("vp9-opus.webm", true, true, "libvpx-vp9 libopus", "-c:v libvpx-vp9 " + VPX + " -c:a libopus"),
            new Format("av1-opus.webm", true, true, "libsvtav1 libopus", "-c:v libsvtav1 -preset 12 -g 50 -c:a libopus"),
            new Format("h264-aac.mp4", true, true, "libx264 aac", X264 + " -c:a aac -movflags +faststart"),
            new Format("h264-aac-moov-at-end.mp4", true, true, "libx264 aac", X264 + " -c:a aac"),
            new Format("h264-aac-fragmented.mp4", true, true, "libx264 aac",
                    X264 + " -c:a aac -movflags +frag_keyframe+empty_moov+default_base_moof"),
            new Format("hevc-aac.mp4", true, true, "libx265 aac",
                    "-c:v libx265 -preset ultrafast -tag:v hvc1 -x265-params log-level=error -c:a aac -movflags +faststart"),
            new Format("av1-opus.mp4", true, true, "libsvtav1 libopus",
                    "-c:v libsvtav1 -preset 12 -g 50 -c:a libopus -movflags +faststart"),
            new Format("audio.mp3", false, true, "libmp3lame", "-c:a libmp3lame"),
            new Format("audio.aac", false, true, "aac", "-c:a aac -f adts"),
            new Format("audio-opus.webm", false, true, "libopus", "-c:a libopus"));

    public static Format format(String name) {
        for (Format f : FORMATS) {
            if (f.name.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException(name);
    }

    public static boolean available() {
        return Files.isExecutable(FFMPEG);
    }

    /** The encoders f needs that this ffmpeg lacks, in words; null when it has them all. */
    public static synchronized String missing(Format f) throws IOException, InterruptedException {
        if (!available()) {
            return "no ffmpeg at " + FFMPEG;
        }
        if (encoders == null) {
            encoders = run(List.of(FFMPEG.toString(), "-hide_banner", "-encoders"));
        }
        List<String> lack = new ArrayList<>();
        for (String e : f.encoders) {
            if (!encoders.contains(" " + e + " ")) {
                lack.add(e);
            }
        }
        return lack.isEmpty() ? null : f.name + ": this ffmpeg has no " + String.join(", ", lack);
    }

    /** Makes f, seconds long, at width x height, into dir; returns its bytes. */
    public static byte[] make(Format f, Path dir, double seconds, int width, int height)
            throws IOException, InterruptedException {
        Path out = dir.resolve(f.name);
        List<String> cmd = new ArrayList<>(List.of(FFMPEG.toString(), "-y", "-hide_banner", "-loglevel", "error"));
        if (f.video) {
            cmd.addAll(List.of("-f", "lavfi", "-i", "testsrc=duration=" + seconds + ":size=" + width + "x" + height
                    + ":rate=25"));
        }
        cmd.addAll(List.of("-f", "lavfi", "-i", "sine=frequency=440:duration=" + seconds));
        if (f.video) {
            cmd.addAll(List.of("-pix_fmt", "yuv420p"));
        }
        cmd.addAll(List.of(f.args[0].split(" ")));
        cmd.add(out.toString());
        run(cmd);
        return Files.readAllBytes(out);
    }

    /** Runs a command; its output, or an IOException with it when it fails. */
    public static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] o = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(o));
        }
        return new String(o);
    }
}
