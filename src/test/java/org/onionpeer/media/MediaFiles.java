package org.onionpeer.media;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.onionpeer.testing.FfmpegMedia;

/** The formats, made once per test run at 320x240, 2 s (formats whose encoder is missing are left out, said so). */
final class MediaFiles {
    private static Map<String, byte[]> files;

    private MediaFiles() {
    }

    static synchronized Map<String, byte[]> all() throws Exception {
        if (files == null) {
            Map<String, byte[]> m = new LinkedHashMap<>();
            if (FfmpegMedia.available()) {
                Path dir = Files.createTempDirectory("onionpeer-media");
                for (FfmpegMedia.Format f : FfmpegMedia.FORMATS) {
                    String lack = FfmpegMedia.missing(f);
                    if (lack != null) {
                        System.out.println("[media] skipped " + lack);
                        continue;
                    }
                    m.put(f.name, FfmpegMedia.make(f, dir, 2, 320, 240));
                }
            }
            files = m;
        }
        return files;
    }
}
