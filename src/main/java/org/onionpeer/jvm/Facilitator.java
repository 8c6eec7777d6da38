package org.onionpeer.jvm;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.HashName;
import org.onionpeer.peer.OrdbNode;

/**
 * A facilitator: the page's node as a background process ({@link JvmPeer}), which keeps peers and files
 * alive when browsers close. It joins through a bridge, relays circuits, answers ORDB requests, advertises
 * with the facilitator flag (DB_INFO F), and keeps the files of {@code --keep DIR}: each regular file is
 * shared at start, files added later are picked up by a poll, changed ones shared again, removed ones no
 * longer shared. Directory listing, reading and hashing run off the loop.
 */
public final class Facilitator implements AutoCloseable {
    public static final String USAGE = String.join("\n",
            "usage: java -jar target/onionpeer.jar facilitator --join URL [--keep DIR] [--max-held-mb N]",
            "",
            "Runs a node of the peer network in the background, as a page does: it joins through the bridge at",
            "URL, relays circuits for pages (never exits), answers ORDB requests and keeps what it is told to",
            "keep, advertised with the facilitator flag. It makes a new identity each run.",
            "",
            "options:",
            "  --join URL       the bridge, e.g. http://127.0.0.1:8080/ (its signed directory: URL/tor/directory)",
            "  --keep DIR       share every regular file in DIR and those added later (links are printed);",
            "                   a changed file is shared again, a removed one no longer",
            "  --max-held-mb N  memory for files kept and seeded (default 512); a file past it is not kept",
            "  --help           this text");

    /** The 16 KiB chunks pages publish with. */
    public static final int CHUNK = 16384;

    /** Parsed command line. */
    public static final class Options {
        public String base;
        public Path keep;
        public long maxHeldBytes = 512L << 20;
        public long pollMillis = 3_000;
        boolean help;
    }

    /** A bad command line, with the message to print. */
    public static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    /** What we know of a kept file: how it looked when read, and what it became. */
    private static final class Kept {
        final long size;
        final long modified;
        HashName hashName;

        Kept(long size, long modified) {
            this.size = size;
            this.modified = modified;
        }
    }

    private final Options options;
    private final Consumer<String> log;
    private final JvmPeer peer;
    /** File listing and reading, off the loop; one thread, so polls never overlap. */
    private final ExecutorService files = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "facilitator-files");
        t.setDaemon(true);
        return t;
    });
    /** Off-loop state (the files thread): seen files and the size/time they had at the previous poll. */
    private final Map<Path, Kept> seen = new HashMap<>();
    private final Map<Path, Kept> settling = new HashMap<>();
    /** For callers (tests, the operator): file name to the hash_name it is shared as. */
    private final Map<String, HashName> kept = new ConcurrentHashMap<>();
    /** On the loop: contents waiting for the ORDB (before the first directory). */
    private final List<Content> pending = new ArrayList<>();
    private volatile boolean closed;
    /** Files there at start are shared at once; later ones once they stopped changing. */
    private boolean firstScan = true;

    public Facilitator(Options options, Consumer<String> log) throws Exception {
        this.options = options;
        this.log = log;
        OrdbNode.Limits l = new OrdbNode.Limits();
        l.facilitator = true;
        l.maxHeldBytes = options.maxHeldBytes;
        this.peer = new JvmPeer("facilitator", options.base, l, null, log);
        if (options.keep != null) {
            peer.loop().execute(this::poll);
        }
    }

    public JvmPeer peer() {
        return peer;
    }

    /** File name to hash_name, of the files shared now. */
    public Map<String, HashName> kept() {
        return new HashMap<>(kept);
    }

    /** The link pages open to fetch {@code h}: {@code BRIDGE/#get=HEX}. */
    public String link(HashName h) {
        return h.link(options.base);
    }

    // ---- --keep DIR -----------------------------------------------------------------------------------------

    /** On the loop: hands pending shares to the ORDB, the directory scan to the files thread, and re-arms. */
    private void poll() {
        if (closed) {
            return;
        }
        flush();
        try {
            files.execute(this::scan);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return; // closing
        }
        peer.loop().schedule(options.pollMillis, this::poll);
    }

    /**
     * On the files thread. A file is read once its size and modification time stayed the same over one poll
     * (one being copied in is not shared half-written); one that changed is read again, one gone unshared.
     */
    private void scan() {
        Set<Path> present = new HashSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(options.keep)) {
            for (Path f : dir) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                if (!a.isRegularFile() || f.getFileName().toString().startsWith(".")) {
                    continue; // editors' and copiers' temporary files start with a dot
                }
                present.add(f);
                Kept now = new Kept(a.size(), a.lastModifiedTime().toMillis());
                Kept had = seen.get(f);
                if (had != null && had.size == now.size && had.modified == now.modified) {
                    continue;
                }
                Kept before = firstScan ? now : settling.put(f, now);
                if (before == null || before.size != now.size || before.modified != now.modified) {
                    continue; // new or still changing: look again at the next poll
                }
                settling.remove(f);
                if (had != null) {
                    forget(f, had, "changed");
                }
                seen.put(f, now);
                read(f, now);
            }
        } catch (IOException | RuntimeException e) {
            log.accept("cannot read " + options.keep + ": " + e.getMessage());
            return;
        }
        firstScan = false;
        settling.keySet().retainAll(present);
        for (Path f : new ArrayList<>(seen.keySet())) {
            if (!present.contains(f)) {
                forget(f, seen.remove(f), "removed");
            }
        }
    }

    private void read(Path f, Kept k) {
        String name = f.getFileName().toString();
        if (k.size > options.maxHeldBytes || k.size > Integer.MAX_VALUE - 8) {
            log.accept("not keeping " + name + ": " + k.size + " bytes, more than the " + options.maxHeldBytes
                    + " bytes this facilitator holds");
            return;
        }
        byte[] data;
        try {
            data = Files.readAllBytes(f);
        } catch (IOException e) {
            log.accept("cannot read " + name + ": " + e.getMessage());
            return;
        }
        Content c = Content.publish(data, name.getBytes(StandardCharsets.UTF_8), mimeOf(name), CHUNK);
        k.hashName = c.hashName();
        peer.loop().execute(() -> {
            pending.add(c);
            flush();
        });
    }

    private void forget(Path f, Kept k, String why) {
        String name = f.getFileName().toString();
        if (k == null || k.hashName == null) {
            return;
        }
        HashName h = k.hashName;
        kept.remove(name, h);
        peer.loop().execute(() -> {
            pending.removeIf(c -> c.hashName().equals(h));
            OrdbNode o = peer.ordb();
            if (o != null) {
                o.unshare(h);
            }
            log.accept("no longer keeping " + name + " (" + why + ")");
        });
    }

    /** On the loop: shares what was read, once the ORDB exists. */
    private void flush() {
        OrdbNode o = peer.ordb();
        if (o == null || closed) {
            return;
        }
        for (Content c : pending) {
            String name = new String(c.manifest().name(), StandardCharsets.UTF_8);
            try {
                o.share(c);
                log.accept("keeping " + name + " (" + c.manifest().length() + " bytes): " + link(c.hashName()));
                kept.put(name, c.hashName());
            } catch (IllegalStateException e) {
                log.accept("not keeping " + name + ": " + e.getMessage());
            }
        }
        pending.clear();
    }

    /** The MIME type pages play or save a file as, from its extension. */
    static String mimeOf(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        switch (ext) {
            case "webm": return "video/webm";
            case "mp4": case "m4v": return "video/mp4";
            case "mkv": return "video/x-matroska";
            case "mp3": return "audio/mpeg";
            case "ogg": case "oga": return "audio/ogg";
            case "opus": return "audio/opus";
            case "m4a": return "audio/mp4";
            case "wav": return "audio/wav";
            case "png": return "image/png";
            case "jpg": case "jpeg": return "image/jpeg";
            case "gif": return "image/gif";
            case "webp": return "image/webp";
            case "svg": return "image/svg+xml";
            case "txt": return "text/plain";
            case "html": case "htm": return "text/html";
            case "pdf": return "application/pdf";
            case "zip": return "application/zip";
            case "json": return "application/json";
            default: return "application/octet-stream";
        }
    }

    @Override
    public void close() {
        closed = true;
        files.shutdownNow();
        peer.close();
    }

    // ---- the command line -----------------------------------------------------------------------------------

    /** Parses the arguments after "facilitator". */
    public static Options parse(String[] args) throws UsageError {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help":
                case "-h":
                    o.help = true;
                    return o;
                case "--join":
                    o.base = base(value(args, ++i, a));
                    break;
                case "--keep":
                    o.keep = Paths.get(value(args, ++i, a));
                    if (!Files.isDirectory(o.keep)) {
                        throw new UsageError("--keep " + o.keep + ": not a directory");
                    }
                    break;
                case "--max-held-mb":
                    String v = value(args, ++i, a);
                    try {
                        long mb = Long.parseLong(v);
                        if (mb < 1 || mb > 1 << 20) {
                            throw new UsageError("--max-held-mb " + v + ": must be 1..1048576");
                        }
                        o.maxHeldBytes = mb << 20;
                    } catch (NumberFormatException e) {
                        throw new UsageError("--max-held-mb " + v + ": not a number");
                    }
                    break;
                default:
                    throw new UsageError("unknown argument '" + a + "'");
            }
        }
        if (o.base == null) {
            throw new UsageError("facilitator needs --join URL (a bridge, e.g. http://127.0.0.1:8080/)");
        }
        return o;
    }

    /** http(s)://host[:port][/], as the base of the directory URL and of links, without the trailing slash. */
    private static String base(String url) throws UsageError {
        URI u;
        try {
            u = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new UsageError("--join " + url + ": not a URL");
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
            throw new UsageError("--join " + url + ": not an http:// or https:// URL of a bridge");
        }
        String s = u.getScheme() + "://" + u.getRawAuthority() + (u.getRawPath() == null ? "" : u.getRawPath());
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String value(String[] args, int i, String option) throws UsageError {
        if (i >= args.length) {
            throw new UsageError(option + " needs a value");
        }
        return args[i];
    }

    /**
     * {@code java -jar onionpeer.jar facilitator ARGS}: returns the exit status of a bad command line or
     * {@code --help}; otherwise runs until the JVM is told to stop (SIGTERM, Ctrl-C), then closes cleanly.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (UsageError e) {
            err.println("onionpeer facilitator: " + e.getMessage() + "\n\n" + USAGE);
            return 2;
        }
        if (o.help) {
            out.println(USAGE);
            return 0;
        }
        // As the bridge does: a JVM whose crypto disagrees with the known answers must not join.
        org.onionpeer.selftest.Check check = org.onionpeer.selftest.SelfTest.run(
                org.onionpeer.selftest.SelfTest.coreSuites());
        if (check.failures() != 0) {
            err.print(check.report());
            return 1;
        }
        Main.log("facilitator joining " + o.base + (o.keep == null ? "" : ", keeping the files of " + o.keep));
        Facilitator f = new Facilitator(o, Main::log);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Main.log("facilitator shutting down");
            f.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }
}
