package org.onionpeer.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.HashName;

/**
 * The files a facilitator keeps ({@code --keep DIR}), looked at by {@link #scan}: each regular file (not a
 * dot-file) becomes a {@link Content} in 16 KiB chunks named after the file. Files there at the first scan are
 * read at once; a file that appears or changes later is read once its size and modification time stayed the
 * same over one scan (one being copied in is not shared half-written); a file gone is reported removed.
 * Listing, reading and hashing block: call {@link #scan} from one thread that is no event loop.
 */
final class KeepDir {
    /** The 16 KiB chunks pages publish with. */

    interface Events {
        void added(String name, Content c);

        void removed(String name, HashName h, String why);

        /** Something the operator should know (a file too big, a read that failed). */
        void note(String message);
    }

    /** What we know of a file: how it looked when read, and what it became. */
    private static final class Seen {
        final long size;
        final long modified;
        HashName hashName;

        Seen(long size, long modified) {
            this.size = size;
            this.modified = modified;
        }

        boolean same(Seen o) {
            return o != null && o.size == size && o.modified == modified;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final Events events;
    private final Map<Path, Seen> seen = new HashMap<>();
    private final Map<Path, Seen> settling = new HashMap<>();
    private boolean first = true;

    KeepDir(Path dir, long maxBytes, Events events) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.events = events;
    }

    void scan() {
        Set<Path> present = new HashSet<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
            for (Path f : list) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                if (!a.isRegularFile() || f.getFileName().toString().startsWith(".")) {
                    continue; // editors' and copiers' temporary files start with a dot
                }
                present.add(f);
                Seen now = new Seen(a.size(), a.lastModifiedTime().toMillis());
                Seen had = seen.get(f);
                if (now.same(had)) {
                    continue;
                }
                Seen before = first ? now : settling.put(f, now);
                if (!now.same(before)) {
                    continue; // new or still changing: look again at the next scan
                }
                settling.remove(f);
                if (had != null) {
                    forget(f, had, "changed");
                }
                seen.put(f, now);
                read(f, now);
            }
        } catch (IOException | RuntimeException e) {
            events.note("cannot read " + dir + ": " + e.getMessage());
            return;
        }
        first = false;
        settling.keySet().retainAll(present);
        for (Path f : new ArrayList<>(seen.keySet())) {
            if (!present.contains(f)) {
                forget(f, seen.remove(f), "removed");
            }
        }
    }

    private void read(Path f, Seen s) {
        String name = f.getFileName().toString();
        if (s.size > maxBytes || s.size > Integer.MAX_VALUE - 8) {
            events.note("not keeping " + name + ": " + s.size + " bytes, more than the " + maxBytes
                    + " bytes this facilitator holds");
            return;
        }
        byte[] data;
        try {
            data = Files.readAllBytes(f);
        } catch (IOException e) {
            events.note("cannot read " + name + ": " + e.getMessage());
            return;
        }
        Content c = Content.publish(data, name.getBytes(StandardCharsets.UTF_8), mimeOf(name), Content.CHUNK_SIZE);
        s.hashName = c.hashName();
        events.added(name, c);
    }

    private void forget(Path f, Seen s, String why) {
        if (s != null && s.hashName != null) {
            events.removed(f.getFileName().toString(), s.hashName, why);
        }
    }

    /** The MIME type pages play or save a file as, from its extension. */
    static String mimeOf(String name) {
        return org.onionpeer.media.MediaType.mimeOfName(name);
    }
}
