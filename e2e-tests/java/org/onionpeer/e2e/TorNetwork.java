package org.onionpeer.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Tor network of Debian's C tor on 127.0.0.1 for interop tests, run by
 * {@code e2e-tests/tor/private-network.sh}: a directory authority ({@code auth0}, also a relay), two middle
 * relays ({@code relay1}, {@code relay2}) and an exit ({@code exit1}) that may reach only 127.0.0.0/8.
 * {@link #start} returns once the authority's consensus lists all four as Running and each of them has
 * bootstrapped (holds that consensus); {@link #close} stops every
 * tor the script started, by pid, and keeps the directory (logs) for debugging.
 *
 * <p>Waiting on an external process has no callback to hang on, so readiness is polled with a short pause,
 * always bounded by a deadline that fails with the tail of the relevant log.
 */
final class TorNetwork implements AutoCloseable {
    static final String[] NODES = {"auth0", "relay1", "relay2", "exit1"};
    static final Duration CONSENSUS_TIMEOUT = Duration.ofSeconds(90);
    static final Duration BOOTSTRAP_TIMEOUT = Duration.ofSeconds(90);
    private static final long POLL_MILLIS = 250;

    private final Path dir;
    private final int basePort;
    private final Map<String, String> env;
    private final List<CTorClient> clients = new ArrayList<>();
    private boolean closed;

    private TorNetwork(Path dir, int basePort, Map<String, String> env) {
        this.dir = dir;
        this.basePort = basePort;
        this.env = env;
    }

    /** The script, relative to the project directory (surefire's working directory). */
    static Path script() {
        return Path.of("e2e-tests", "tor", "private-network.sh").toAbsolutePath();
    }

    /** True when Debian's tor and tor-gencert are on the PATH. */
    static boolean torInstalled() {
        for (String p : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(":")) {
            if (Files.isExecutable(Path.of(p, "tor")) && Files.isExecutable(Path.of(p, "tor-gencert"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts the network in {@code dir} (a previous run's directory there is removed first) with ports
     * {@code basePort} .. {@code basePort + 5}, and waits until its consensus lists all four relays Running.
     */
    static TorNetwork start(Path dir, int basePort) throws IOException, InterruptedException {
        return start(dir, basePort, 0);
    }

    /** As above; exit1 refuses {@code exitRejectPort} (0: none), so that only another exit can serve it. */
    static TorNetwork start(Path dir, int basePort, int exitRejectPort) throws IOException, InterruptedException {
        if (!torInstalled()) {
            throw new IllegalStateException("tor and tor-gencert are not installed (apt-get install tor; see .ci/run)");
        }
        for (int p = basePort; p <= basePort + 5; p++) {
            if (!portFree(p)) {
                throw new IllegalStateException("port " + p + " on 127.0.0.1 is in use; pick another base port");
            }
        }
        dir = dir.toAbsolutePath();
        if (Files.isDirectory(dir)) {
            // A previous run's tors may still run if its JVM died: stop them (by their pids) before deleting.
            run(dir, List.of("bash", script().toString(), "stop", dir.toString()));
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        run(dir, List.of("bash", script().toString(), "start", dir.toString(), Integer.toString(basePort)),
                exitRejectPort);
        TorNetwork net = new TorNetwork(dir, basePort, readEnv(dir.resolve("network.env")));
        try {
            net.awaitConsensus(CONSENSUS_TIMEOUT);
        } catch (RuntimeException | Error | InterruptedException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /** True when nothing listens on 127.0.0.1:{@code port} (probed by binding it). */
    static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port in [from, to) whose {@code span} ports are all free, for clients' SOCKS/control ports. */
    static int freePorts(int from, int to, int span) {
        outer:
        for (int p = from; p + span <= to; p++) {
            for (int i = 0; i < span; i++) {
                if (!portFree(p + i)) {
                    p += i;
                    continue outer;
                }
            }
            return p;
        }
        throw new IllegalStateException("no " + span + " free ports in " + from + ".." + to);
    }

    private static void run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        run(dir, cmd, 0);
    }

    private static void run(Path dir, List<String> cmd, int exitRejectPort) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("script-" + cmd.get(2) + ".log").toFile());
        if (exitRejectPort > 0) {
            pb.environment().put("EXIT_REJECT_PORT", Integer.toString(exitRejectPort));
        }
        // Circuit-domain info lines (conflux linking, the exit's Vegas state per SENDME) in each node's extra.log:
        // the tors' own account of what our client did (see extraLog).
        pb.environment().putIfAbsent("TOR_EXTRA_LOG", EXTRA_LOG);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": "
                    + tail(dir.resolve("script-" + cmd.get(2) + ".log"), 20));
        }
    }

    private static Map<String, String> readEnv(Path f) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String v = line.substring(eq + 1);
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                v = v.substring(1, v.length() - 1);
            }
            m.put(line.substring(0, eq), v);
        }
        for (String k : new String[] {"AUTHORITY_LINE", "AUTHORITY_FINGERPRINT", "AUTHORITY_V3IDENT", "DIRPORT"}) {
            if (!m.containsKey(k)) {
                throw new IllegalStateException(f + " lacks " + k);
            }
        }
        return m;
    }

    // ---- accessors --------------------------------------------------------------------------------------

    Path dir() {
        return dir;
    }

    /** The shared {@code DirAuthority} line: {@code auth0 orport=P no-v2 v3ident=HEX 127.0.0.1:DIRPORT FP}. */
    String authorityLine() {
        return env.get("AUTHORITY_LINE");
    }

    String authorityV3Ident() {
        return env.get("AUTHORITY_V3IDENT");
    }

    /** The authority's RSA fingerprint (upper-case hex) as its DirAuthority line says. */
    String authorityFingerprint() {
        return env.get("AUTHORITY_FINGERPRINT");
    }

    int dirPort() {
        return Integer.parseInt(env.get("DIRPORT"));
    }

    /** ORPort of auth0, relay1, relay2 or exit1. */
    int orPort(String name) {
        switch (name) {
            case "auth0":
                return basePort;
            case "relay1":
                return basePort + 3;
            case "relay2":
                return basePort + 4;
            case "exit1":
                return basePort + 5;
            default:
                throw new IllegalArgumentException("no relay " + name);
        }
    }

    private Path nodeDir(String name) {
        return dir.resolve(name.equals("auth0") ? "auth" : name);
    }

    /**
     * The relay's RSA fingerprint (upper-case hex), from the {@code fingerprint} file tor writes at start-up
     * (NoSuchFileException until then).
     */
    String fingerprint(String name) throws IOException {
        orPort(name); // validates the name
        String[] f = Files.readString(nodeDir(name).resolve("fingerprint"), StandardCharsets.US_ASCII).trim()
                .split("\\s+");
        // The authority's file first says "Unnamed" (written by --list-fingerprint before its torrc existed).
        if (f.length != 2 || f[1].length() != 40) {
            throw new IllegalStateException("unexpected fingerprint file for " + name + ": " + String.join(" ", f));
        }
        return f[1].toUpperCase(Locale.ROOT);
    }

    /** What every tor of the network logs to {@link #extraLog}: circuit-domain info (torrc Log syntax). */
    static final String EXTRA_LOG = "[circ]info";

    /** A node's {@link #EXTRA_LOG} file. */
    Path extraLog(String name) {
        return noticeLog(name).resolveSibling("extra.log");
    }

    Path noticeLog(String name) {
        return nodeDir(name).resolve("notice.log");
    }

    /** GET http://127.0.0.1:DIRPORT{@code path} from the authority's DirPort; null unless 200. */
    String dirGet(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + dirPort() + path).openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(10_000);
        try {
            if (c.getResponseCode() != 200) {
                return null;
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        } finally {
            c.disconnect();
        }
    }

    /** The authority's current consensus (text), or null when it has none yet. */
    String consensusText() throws IOException {
        return dirGet("/tor/status-vote/current/consensus");
    }

    /** RSA fingerprints (upper-case hex) of the routers the consensus lists with the Running flag. */
    static List<String> runningRouters(String consensus) {
        List<String> out = new ArrayList<>();
        String id = null;
        for (String line : consensus.split("\n")) {
            if (line.startsWith("r ")) {
                String[] f = line.split(" ");
                id = null;
                if (f.length > 2) {
                    try {
                        id = HexFormat.of().withUpperCase().formatHex(Base64.getDecoder().decode(f[2]));
                    } catch (IllegalArgumentException e) {
                        id = null;
                    }
                }
            } else if (line.startsWith("s ") && id != null) {
                if ((" " + line.substring(2) + " ").contains(" Running ")) {
                    out.add(id);
                }
                id = null;
            }
        }
        return out;
    }

    private void awaitConsensus(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no consensus yet";
        while (true) {
            List<String> want = new ArrayList<>();
            for (String n : NODES) {
                if (Files.exists(nodeDir(n).resolve("fingerprint"))) {
                    want.add(fingerprint(n));
                }
            }
            String c = want.size() == NODES.length ? fetchQuietly() : null;
            if (want.size() < NODES.length) {
                last = "not every relay has written its fingerprint yet";
            } else if (c != null) {
                List<String> running = runningRouters(c);
                // Each relay must hold that consensus too: an exit refuses BEGIN (END MISC) on a circuit whose
                // previous hop it does not know as a relay yet (tor's RefuseUnknownExits). tor writes the
                // consensus it uses to DataDirectory/cached-consensus (atomically: a temporary file, then rename).
                List<String> notBootstrapped = new ArrayList<>();
                for (String n : NODES) {
                    Path cached = nodeDir(n).resolve("cached-consensus");
                    String own = Files.exists(cached) ? Files.readString(cached, StandardCharsets.ISO_8859_1) : "";
                    if (!runningRouters(own).containsAll(want)) {
                        notBootstrapped.add(n);
                    }
                }
                if (running.containsAll(want) && notBootstrapped.isEmpty()) {
                    return;
                }
                last = "consensus lists Running " + running + ", want " + want + "; relays whose own consensus lacks a relay: "
                        + notBootstrapped;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no consensus with all four relays Running after " + timeout.toSeconds()
                        + " s (" + last + "); authority notice.log ends:\n" + tail(noticeLog("auth0"), 25));
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private String fetchQuietly() {
        try {
            return consensusText();
        } catch (IOException e) {
            return null; // the authority is not listening yet
        }
    }

    /** Waits until the consensus lists {@code hexFingerprint} as Running (our relay joining the network). */
    void waitForRouterInConsensus(String hexFingerprint, Duration timeout) throws IOException, InterruptedException {
        String want = hexFingerprint.toUpperCase(Locale.ROOT);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String c = fetchQuietly();
            if (c != null && runningRouters(c).contains(want)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(want + " not Running in the consensus after " + timeout.toSeconds()
                        + " s; authority notice.log ends:\n" + tail(noticeLog("auth0"), 25));
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Waits until relay {@code node} of this network has a cached consensus listing {@code hexFingerprint} as
     * Running: the authorities' consensus reaches each relay a little later, and an exit that does not yet
     * know the relay before it refuses the streams of its circuits (RefuseUnknownExits: END MISC).
     */
    void waitForRouterKnownTo(String node, String hexFingerprint, Duration timeout)
            throws IOException, InterruptedException {
        String want = hexFingerprint.toUpperCase(Locale.ROOT);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String f : new String[] {"cached-consensus", "cached-microdesc-consensus"}) {
                Path p = nodeDir(node).resolve(f);
                if (Files.exists(p) && runningRouters(Files.readString(p, StandardCharsets.UTF_8)).contains(want)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(node + " does not list " + want + " as Running after "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Starts a C tor client of this network named {@code name} (its directory DIR/NAME) with the given SOCKS
     * and control ports and extra torrc lines, and waits for it to bootstrap.
     */
    CTorClient startClient(String name, int socksPort, int controlPort, List<String> extraTorrcLines)
            throws IOException, InterruptedException {
        if (!portFree(socksPort) || !portFree(controlPort)) {
            throw new IllegalStateException("SOCKS port " + socksPort + " or control port " + controlPort + " is in use");
        }
        List<String> cmd = new ArrayList<>(List.of("bash", script().toString(), "client", dir.toString(), name,
                Integer.toString(socksPort), Integer.toString(controlPort)));
        if (extraTorrcLines != null && !extraTorrcLines.isEmpty()) {
            Path extra = dir.resolve(name + "-extra.torrc");
            Files.write(extra, extraTorrcLines, StandardCharsets.UTF_8);
            cmd.add(extra.toString());
        }
        run(dir, cmd);
        CTorClient c = new CTorClient(name, dir.resolve(name), socksPort, controlPort);
        synchronized (clients) {
            clients.add(c);
        }
        try {
            c.awaitBootstrap(BOOTSTRAP_TIMEOUT);
            c.connectControl();
        } catch (IOException | RuntimeException | InterruptedException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Pids of every tor the script launched and that still runs (from DIR/NODE/launched.pid). */
    private List<ProcessHandle> launched() throws IOException {
        List<ProcessHandle> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path d : (Iterable<Path>) s::iterator) {
                Path pf = d.resolve("launched.pid");
                if (Files.isRegularFile(pf)) {
                    try {
                        ProcessHandle.of(Long.parseLong(Files.readString(pf).trim())).ifPresent(out::add);
                    } catch (NumberFormatException e) {
                        // a half-written pid file: the script's stop will skip it too
                    }
                }
            }
        }
        return out;
    }

    /** Stops every tor of the network (clients too) by pid and waits for them to exit; keeps the logs. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (clients) {
            for (CTorClient c : clients) {
                c.closeControl();
            }
        }
        try {
            List<ProcessHandle> procs = launched();
            run(dir, List.of("bash", script().toString(), "stop", dir.toString()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (ProcessHandle p : procs) {
                long left = deadline - System.nanoTime();
                try {
                    p.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    p.destroyForcibly(); // the very pid we launched, never a name
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("stopping the tor network in " + dir + ": " + e, e);
        }
    }

    static boolean logContains(Path f, String text) throws IOException {
        return Files.exists(f) && Files.readString(f, StandardCharsets.ISO_8859_1).contains(text);
    }

    static String tail(Path f, int lines) {
        try {
            List<String> all = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + f + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
