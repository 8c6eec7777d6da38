package org.onionpeer.jvm;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.onionpeer.jvm.torrent.TorrentBridge;
import org.onionpeer.ordb.Content;
import org.onionpeer.ordb.HashName;
import org.onionpeer.peer.OrdbNode;

/**
 * A facilitator: the page's node as a background process ({@link JvmPeer}), which keeps peers and files
 * alive when browsers close. It joins through a bridge, relays circuits, answers ORDB requests, advertises
 * with the facilitator flag (DB_INFO F), and keeps the files of {@code --keep DIR} ({@link KeepDir}, read
 * off the loop). Every {@link Options#identityMillis} a fresh node with a new identity takes over (the
 * router entry a node signs lasts a day), sharing the same files under the same links.
 */
public final class Facilitator implements AutoCloseable {
    public static final String USAGE = String.join("\n",
            "usage: java -jar target/onionpeer.jar facilitator --join URL [--keep DIR] [--max-held-mb N]",
            "       [--identity-hours N] [--no-torrents] [--torrent-wait-s N] [--allow-private-trackers]",
            "",
            "Runs a node of the peer network in the background, as a page does: it joins through the bridge at",
            "URL, relays circuits for pages (never exits), answers ORDB requests and keeps what it is told to",
            "keep, advertised with the facilitator flag. It makes a new identity each run. It also fetches",
            "torrents pages ask for (magnet links) from their BitTorrent swarms and passes them on as it gets",
            "them: it uploads nothing to the swarm, keeps at most 32 MiB of pieces in memory and 8 torrents at",
            "once, and deletes each torrent's temp dir (under java.io.tmpdir) after 60 s without a request.",
            "",
            "options:",
            "  --join URL       the bridge, e.g. http://127.0.0.1:8080/ (its signed directory: URL/tor/directory)",
            "  --keep DIR       share every regular file in DIR and those added later (links are printed);",
            "                   a changed file is shared again, a removed one no longer",
            "  --max-held-mb N  memory for files kept and seeded (default 512); a file past it is not kept",
            "  --identity-hours N",
            "                   a new identity every N hours, 1..23 (default 20; the router entry lasts 24)",
            "  --no-torrents    do not fetch torrents for pages (no BitTorrent traffic at all)",
            "  --torrent-wait-s N",
            "                   give up on a torrent when no peer sent its metadata or a piece for N s,",
            "                   1..600 (default 20)",
            "  --allow-private-trackers",
            "                   contact trackers at private, loopback and link-local addresses too (refused by",
            "                   default: the trackers come from anonymous requests); for a swarm on one machine",
            "  --help           this text");

    /** Parsed command line. */
    public static final class Options {
        public String base;
        public Path keep;
        public long maxHeldBytes = 512L << 20;
        public long pollMillis = 3_000;
        /** A new identity this often: the router entry a node signs lasts 24 h (PeerService.Limits). */
        public long identityMillis = 20 * 3600_000L;
        /** Torrents for pages through a {@link TorrentBridge}, unless --no-torrents (then null). */
        public TorrentBridge.Options torrents = new TorrentBridge.Options();
        boolean help;
    }

    /** A bad command line, with the message to print. */
    public static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    private final Options options;
    private final Consumer<String> log;
    private volatile JvmPeer peer;
    /** The node being replaced by a new identity, until the new one is in the peer network. */
    private volatile JvmPeer retiring;
    private final AtomicInteger identities = new AtomicInteger(1);
    private volatile java.util.concurrent.ScheduledFuture<?> nextIdentity;
    /** Directory scans, file reads and identity changes: blocking work, on one thread that is no event loop. */
    private final ScheduledExecutorService files = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "facilitator-files");
        t.setDaemon(true);
        return t;
    });
    /** What is kept, by hash_name; shared by whichever node is current ({@link #flush}, on its loop). */
    private final Map<HashName, Content> contents = new ConcurrentHashMap<>();
    /** For callers (tests, the operator): file name to the hash_name it is shared as. */
    private final Map<String, HashName> kept = new ConcurrentHashMap<>();
    private final Set<HashName> told = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public Facilitator(Options options, Consumer<String> log) throws Exception {
        this.options = options;
        this.log = log;
        this.peer = node();
        if (options.keep != null) {
            KeepDir dir = new KeepDir(options.keep, options.maxHeldBytes, new KeepDir.Events() {
                @Override
                public void added(String name, Content c) {
                    contents.put(c.hashName(), c);
                    peer.loop().execute(Facilitator.this::flush);
                }

                @Override
                public void removed(String name, HashName h, String why) {
                    forget(name, h, why);
                }

                @Override
                public void note(String message) {
                    log.accept(message);
                }
            });
            files.scheduleWithFixedDelay(() -> {
                dir.scan();
                peer.loop().execute(this::flush); // shares what waited for the first directory
            }, 0, options.pollMillis, TimeUnit.MILLISECONDS);
        }
        nextIdentity = files.schedule(this::newIdentity, options.identityMillis, TimeUnit.MILLISECONDS);
    }

    private JvmPeer node() throws Exception {
        OrdbNode.Limits l = new OrdbNode.Limits();
        l.facilitator = true;
        l.maxHeldBytes = options.maxHeldBytes;
        return new JvmPeer("facilitator", options.base, l, null, options.torrents, log);
    }

    /** The current node (it changes with each new identity). */
    public JvmPeer peer() {
        return peer;
    }

    /** How many identities this facilitator had (1 until the first change). */
    public int identities() {
        return identities.get();
    }

    /** Changes identity now (as it does every {@link Options#identityMillis}). */
    public void renewIdentity() {
        files.execute(this::newIdentity);
    }

    /** True while an old node waits for the new one to join before it leaves. */
    public boolean renewing() {
        return retiring != null;
    }

    /** File name to hash_name, of the files shared now. */
    public Map<String, HashName> kept() {
        return new HashMap<>(kept);
    }

    /** The link pages open to fetch {@code h}: {@code BRIDGE/#get=HEX}. */
    public String link(HashName h) {
        return h.link(options.base);
    }

    /** On the current node's loop: shares what it does not share yet, once its ORDB exists. */
    private void flush() {
        JvmPeer p = peer;
        OrdbNode o = p.ordb();
        if (o == null || closed || !p.loop().inLoop()) {
            return; // no directory yet, or a task left on a node already replaced
        }
        for (Content c : contents.values()) {
            HashName h = c.hashName();
            if (o.isShared(h)) {
                continue;
            }
            String name = new String(c.manifest().name(), StandardCharsets.UTF_8);
            try {
                o.share(c);
                if (told.add(h)) {
                    log.accept("keeping " + name + " (" + c.manifest().length() + " bytes): " + link(h));
                }
                kept.put(name, h);
            } catch (IllegalStateException e) {
                contents.remove(h);
                log.accept("not keeping " + name + ": " + e.getMessage());
            }
        }
    }

    private void forget(String name, HashName h, String why) {
        contents.remove(h);
        told.remove(h);
        kept.remove(name, h);
        JvmPeer p = peer;
        p.loop().execute(() -> {
            OrdbNode o = p.ordb();
            if (o != null) {
                o.unshare(h);
            }
            log.accept("no longer keeping " + name + " (" + why + ")");
        });
    }

    /**
     * On the files thread: a fresh node with a new identity (and onion key) takes over, sharing all that is
     * kept (same hash_names, same links); the old one leaves once the new one is in the peer network.
     */
    private void newIdentity() {
        if (closed) {
            return;
        }
        nextIdentity.cancel(false);
        nextIdentity = files.schedule(this::newIdentity, options.identityMillis, TimeUnit.MILLISECONDS);
        if (retiring != null) {
            return; // the previous change is not done yet
        }
        JvmPeer old = peer;
        try {
            peer = node();
        } catch (Exception e) {
            log.accept("cannot start a node with a new identity: " + e.getMessage());
            nextIdentity.cancel(false);
            nextIdentity = files.schedule(this::newIdentity, 60, TimeUnit.SECONDS);
            return;
        }
        retiring = old; // before the count, so a caller that sees the new count also sees the change running
        identities.incrementAndGet();
        log.accept("new identity: joining again");
        peer.loop().execute(this::flush);
        retireWhenJoined(old, System.currentTimeMillis() + 120_000);
    }

    private void retireWhenJoined(JvmPeer old, long deadline) {
        boolean joined;
        try {
            joined = peer.inPeerNetwork();
        } catch (Exception e) {
            joined = false;
        }
        if (joined || closed || System.currentTimeMillis() > deadline) {
            old.close();
            if (retiring == old) {
                retiring = null;
            }
            return;
        }
        files.schedule(() -> retireWhenJoined(old, deadline), 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        closed = true;
        files.shutdownNow();
        JvmPeer r = retiring;
        if (r != null) {
            r.close();
        }
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
                case "--identity-hours":
                    o.identityMillis = hours(value(args, ++i, a)) * 3600_000L;
                    break;
                case "--no-torrents":
                    o.torrents = null;
                    break;
                case "--allow-private-trackers":
                    if (o.torrents != null) {
                        o.torrents.allowPrivateTrackers = true;
                    }
                    break;
                case "--torrent-wait-s":
                    String w = value(args, ++i, a);
                    try {
                        long s = Long.parseLong(w);
                        if (s < 1 || s > 600) {
                            throw new UsageError("--torrent-wait-s " + w + ": must be 1..600");
                        }
                        if (o.torrents != null) {
                            o.torrents.peerWaitMillis = s * 1000;
                        }
                    } catch (NumberFormatException e) {
                        throw new UsageError("--torrent-wait-s " + w + ": not a number");
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

    private static long hours(String v) throws UsageError {
        try {
            long h = Long.parseLong(v);
            if (h < 1 || h > 23) {
                throw new UsageError("--identity-hours " + v + ": must be 1..23");
            }
            return h;
        } catch (NumberFormatException e) {
            throw new UsageError("--identity-hours " + v + ": not a number");
        }
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
