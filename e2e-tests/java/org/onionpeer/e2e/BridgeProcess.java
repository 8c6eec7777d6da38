package org.onionpeer.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bridge as a separate JVM ({@code java -cp <this JVM's class path> org.onionpeer.jvm.Main ...}), so its
 * own threads and resident memory can be read from {@code /proc/PID/status} without the test's counting. Ports
 * are 0 (any free one); the actual ones come from the start-up lines it prints, waited for with a deadline.
 * Its output is drained all along (the last {@link #TAIL} lines kept, for failure messages); {@link #close}
 * stops it (SIGTERM, then SIGKILL after a bounded wait).
 */
final class BridgeProcess implements AutoCloseable {
    static final int TAIL = 200;
    private static final Pattern RELAY = Pattern.compile("\\[onionpeer\\] relay (\\S+) (\\S+) (.*) at (.*)");
    private static final Pattern WEB = Pattern.compile("\\[onionpeer\\] web app on (http://\\S+/)");
    private static final Pattern SOCKS = Pattern.compile("\\[onionpeer\\] SOCKS5 onion proxy on [^:]+:(\\d+)");

    /** One relay line: nickname, RSA fingerprint, flags, addresses (ws://... and/or tls://...). */
    record Relay(String nickname, String fingerprint, List<String> flags, List<URI> addresses) {
        URI tls() {
            return addresses.stream().filter(a -> a.getScheme().equals("tls")).findFirst().orElse(null);
        }
    }

    /**
     * The class path this code was loaded from: the class loader's URLs when it has them (the benchmark runs
     * inside Maven under exec:java, where java.class.path is Maven's own), else java.class.path (surefire).
     */
    static String classPath() {
        ClassLoader l = BridgeProcess.class.getClassLoader();
        if (l instanceof java.net.URLClassLoader) {
            List<String> parts = new ArrayList<>();
            for (java.net.URL u : ((java.net.URLClassLoader) l).getURLs()) {
                try {
                    parts.add(Paths.get(u.toURI()).toString());
                } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                    // not a file: not for a child JVM's class path
                }
            }
            if (!parts.isEmpty()) {
                return String.join(java.io.File.pathSeparator, parts);
            }
        }
        return System.getProperty("java.class.path");
    }

    /** {@code args}, plus {@code --webapp} with the built web app when there is one (else the jar's copy). */
    static List<String> args(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        String webapp = System.getProperty("onionpeer.webapp");
        if (webapp != null && Files.isDirectory(Paths.get(webapp))) {
            a.add("--webapp");
            a.add(webapp);
        }
        return a;
    }

    private final Process process;
    private final Thread killer = new Thread(this::kill, "bridge-process-killer");
    private final Deque<String> tail = new ArrayDeque<>();
    private final List<Relay> relays = new ArrayList<>();
    private URI web;
    private int socksPort = -1;
    private boolean ready;

    /**
     * Starts {@code Main} with {@code args} (plus {@code --port 0}) and the given JVM options; returns once
     * the start-up lines (relays, web app, and the SOCKS port unless {@code --socks-port -1}) are printed.
     */
    BridgeProcess(List<String> jvmOptions, List<String> args, long startMillis) throws IOException,
            InterruptedException, TimeoutException {
        this(Paths.get(System.getProperty("java.home")), jvmOptions, args, startMillis);
    }

    /** As above, on the JVM of {@code javaHome} (e.g. a Java 25 JDK beside the build's 17). */
    BridgeProcess(Path javaHome, List<String> jvmOptions, List<String> args, long startMillis) throws IOException,
            InterruptedException, TimeoutException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin").resolve("java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("org.onionpeer.jvm.Main");
        cmd.add("--port");
        cmd.add("0");
        cmd.addAll(args);
        boolean wantSocks = !args.contains("--socks-port") || !args.get(args.indexOf("--socks-port") + 1).equals("-1");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // Should this JVM be stopped before close() runs (Ctrl-C, a killed fork), the bridge goes too.
        Runtime.getRuntime().addShutdownHook(killer);
        Thread drain = new Thread(this::drain, "bridge-process-output");
        drain.setDaemon(true);
        drain.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(startMillis);
        synchronized (this) {
            while (!(web != null && (socksPort > 0 || !wantSocks))) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (!process.isAlive()) {
                    throw new IOException("bridge exited (" + process.exitValue() + ") during start-up:\n" + tail());
                }
                if (left <= 0) {
                    close();
                    throw new TimeoutException("bridge not started within " + startMillis + " ms:\n" + tail());
                }
                wait(Math.min(left, 200));
            }
            ready = true;
        }
    }

    private void drain() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    tail.addLast(line);
                    if (tail.size() > TAIL) {
                        tail.removeFirst();
                    }
                    if (!ready) {
                        parse(line);
                    }
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        synchronized (this) {
            notifyAll();
        }
    }

    private void parse(String line) {
        Matcher m = RELAY.matcher(line);
        if (m.matches()) {
            List<URI> addrs = new ArrayList<>();
            for (String a : m.group(4).split(",\\s*")) {
                addrs.add(URI.create(a.trim()));
            }
            relays.add(new Relay(m.group(1), m.group(2), List.of(m.group(3).trim().split("\\s+")), addrs));
            return;
        }
        m = WEB.matcher(line);
        if (m.lookingAt()) {
            web = URI.create(m.group(1));
            return;
        }
        m = SOCKS.matcher(line);
        if (m.lookingAt()) {
            socksPort = Integer.parseInt(m.group(1));
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    synchronized List<Relay> relays() {
        return new ArrayList<>(relays);
    }

    /** The TLS ORPorts of every relay the bridge runs (its own first). */
    List<URI> orPorts() {
        List<URI> out = new ArrayList<>();
        for (Relay r : relays()) {
            if (r.tls() != null) {
                out.add(r.tls());
            }
        }
        return out;
    }

    synchronized URI web() {
        return web;
    }

    /** The WebSocket link endpoint, ws://host:port/link. */
    URI link() {
        URI w = web();
        return URI.create("ws://" + w.getHost() + ":" + w.getPort() + "/link");
    }

    synchronized int socksPort() {
        return socksPort;
    }

    synchronized String tail() {
        return String.join("\n", tail);
    }

    /** A field of /proc/PID/status as a number (kB for memory fields), or -1 if absent. */
    long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    int threads() throws IOException {
        return (int) status("Threads");
    }

    /** The bridge's threads by name (Linux's 15-character names, trailing digits folded), most first. */
    String threadNames() throws IOException {
        java.util.Map<String, Integer> n = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid()), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(t.resolve("comm")).trim().replaceAll("[-#@]?[0-9]+$", "");
                    n.merge(name, 1, Integer::sum);
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        StringBuilder b = new StringBuilder();
        n.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue())
                .forEach(e -> b.append(b.length() == 0 ? "" : ", ").append(e.getValue()).append(" ").append(e.getKey()));
        return b.toString();
    }

    /** Resident set size in bytes. */
    long rssBytes() throws IOException {
        return status("VmRSS") * 1024;
    }

    /**
     * Resident set size in bytes after a full GC in the bridge ({@code jcmd PID GC.run}, bounded wait), so that
     * garbage not yet collected does not count as the cost of what it holds; plain {@link #rssBytes} if jcmd is
     * missing or fails. G1 gives freed regions back concurrently after the GC, so RSS is read until two reads
     * 250 ms apart differ by less than 1 MB (at most 5 s).
     */
    long rssAfterGc() throws IOException, InterruptedException {
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        if (Files.isExecutable(jcmd)) {
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long last = rssBytes();
        while (System.nanoTime() < deadline) {
            Thread.sleep(250); // sampling RSS until it settles, bounded
            long now = rssBytes();
            if (Math.abs(now - last) < (1 << 20)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** Open file descriptors of the bridge process. */
    int fds() {
        String[] l = Path.of("/proc", String.valueOf(pid()), "fd").toFile().list();
        return l == null ? -1 : l.length;
    }

    private void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already, or never added
        }
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
