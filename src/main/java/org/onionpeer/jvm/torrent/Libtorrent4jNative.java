package org.onionpeer.jvm.torrent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.libtorrent4j.LibTorrent;

/** Loads libtorrent4j's JNI library from the libtorrent4j-linux jar on the classpath. */
final class Libtorrent4jNative {
    private Libtorrent4jNative() {
    }

    private static boolean loaded;

    /**
     * libtorrent4j loads its JNI library only from java.library.path or -Dlibtorrent4j.jni.path, not from
     * its own jar: copy the jar's .so to a temp file once, load it, and unlink it (the mapping stays valid).
     */
    static synchronized void load() {
        if (loaded || !System.getProperty("libtorrent4j.jni.path", "").isEmpty()) {
            loaded = true;
            return;
        }
        String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        String resource = "lib/" + arch + "/libtorrent4j.so";
        try (InputStream in = Libtorrent4jNative.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no libtorrent4j native library for " + arch
                    + " on the classpath (org.libtorrent4j:libtorrent4j-linux)");
            }
            Path so = Files.createTempFile("libtorrent4j-", ".so");
            try {
                Files.copy(in, so, StandardCopyOption.REPLACE_EXISTING);
                System.setProperty("libtorrent4j.jni.path", so.toString());
                LibTorrent.version();
            } finally {
                Files.deleteIfExists(so);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not unpack libtorrent4j's native library: " + e.getMessage(), e);
        }
        loaded = true;
    }
}
