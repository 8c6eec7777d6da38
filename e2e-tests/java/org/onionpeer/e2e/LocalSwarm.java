package org.onionpeer.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A BitTorrent swarm on 127.0.0.1 made of Debian programs: opentracker (whitelist mode, as Debian builds it),
 * torrents made by transmission-create, and aria2c seeders that log to files. Everything it starts it
 * stops on close, by the process it launched.
 */
final class LocalSwarm implements AutoCloseable {
    private static final String[] TOOLS = {"/usr/bin/opentracker", "/usr/bin/aria2c", "/usr/bin/transmission-create",
        "/usr/bin/transmission-show"};

    /** A .torrent made here, with its v1 info hash. */
    record Torrent(Path file, String infoHash) {
    }

    /** A running aria2c seeder and its log. */
    record Seeder(Process process, Path log) {
    }

    private final Path work;
    private final int trackerPort = freePort();
    private final Set<String> whitelist = new LinkedHashSet<>();
    private final List<Process> processes = new ArrayList<>();

    /** Skips the calling test when Debian's aria2, transmission-cli or opentracker is missing. */
    static void assumeTools() {
        for (String t : TOOLS) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of(t)), t + " missing (apt-get install aria2 "
                + "transmission-cli opentracker, as .ci/run does)");
        }
    }

    LocalSwarm(Path work) throws IOException {
        this.work = work;
        Files.createDirectories(work);
        // opentracker chroots into work and reads its whitelist as "nobody" after dropping privileges.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    String announceUrl() {
        return "http://127.0.0.1:" + trackerPort + "/announce";
    }

    /** A magnet link naming the torrent and this swarm's tracker. */
    String magnet(String infoHash) {
        return "magnet:?xt=urn:btih:" + infoHash + "&tr=" + java.net.URLEncoder.encode(announceUrl(), StandardCharsets.UTF_8);
    }

    /** Makes a single-file .torrent announcing on this swarm's tracker, and whitelists it. */
    Torrent createTorrent(Path file, int pieceKiB) throws IOException, InterruptedException {
        Path out = work.resolve(file.getFileName() + ".torrent");
        Files.deleteIfExists(out);
        run("transmission-create", "-o", out.toString(), "-t", announceUrl(), "-s", Integer.toString(pieceKiB),
            file.toString());
        String show = run("transmission-show", out.toString());
        Matcher m = Pattern.compile("Hash: ([0-9a-f]{40})").matcher(show);
        if (!m.find()) {
            throw new IOException("transmission-show printed no info hash");
        }
        allow(m.group(1));
        return new Torrent(out, m.group(1));
    }

    /** Lets the tracker serve this info hash (call before startTracker). */
    void allow(String infoHash) {
        whitelist.add(infoHash);
    }

    void startTracker() throws IOException {
        Path list = work.resolve("whitelist.txt");
        Files.writeString(list, String.join("\n", whitelist) + "\n");
        Files.setPosixFilePermissions(list, PosixFilePermissions.fromString("rw-r--r--"));
        String port = Integer.toString(trackerPort);
        // -w is read inside the chroot (-d), hence the relative name.
        start(work.resolve("opentracker.log"), "opentracker", "-i", "127.0.0.1", "-p", port, "-P", port,
            "-d", work.toString(), "-w", "whitelist.txt");
        pollUntil(Duration.ofSeconds(10), "opentracker listening on " + port, () -> canConnect(trackerPort));
    }

    /**
     * Seeds the torrent from {@code dir} (which holds its file) with aria2c on 127.0.0.1, seeding until
     * stopped. {@code verified=false} seeds the file as it is, without checking it: a peer sending bad pieces.
     */
    Seeder seed(Torrent t, Path dir, boolean verified) throws IOException {
        return aria2c(t, dir, "--seed-ratio=0.0", "--check-integrity=" + verified, "--bt-seed-unverified=" + !verified);
    }

    /** Downloads the torrent into {@code dir} (empty) with aria2c: a peer that asks everyone for pieces. */
    Seeder leech(Torrent t, Path dir) throws IOException {
        return aria2c(t, dir, "--seed-time=0");
    }

    /**
     * Fetches a magnet link into {@code dir} (empty) with aria2c, the metadata from the swarm first as a
     * facilitator gets it; aria2c exits once the file is complete.
     */
    Seeder fetchMagnet(String magnet, Path dir) throws IOException {
        return aria2c(magnet, dir, "--seed-time=0");
    }

    private Seeder aria2c(Torrent t, Path dir, String... mode) throws IOException {
        return aria2c(t.file().toString(), dir, mode);
    }

    private Seeder aria2c(String what, Path dir, String... mode) throws IOException {
        Path log = work.resolve("aria2c-" + processes.size() + ".log");
        List<String> cmd = new ArrayList<>(List.of("aria2c", "--enable-dht=false", "--enable-dht6=false",
            "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--disable-ipv6=true", "--interface=127.0.0.1",
            "--listen-port=" + freePort(), "--dir=" + dir, "--file-allocation=none", "--log=" + log,
            "--log-level=info", "--summary-interval=0", "--console-log-level=warn",
            // Gone with us even if this JVM dies without closing the swarm.
            "--stop-with-process=" + ProcessHandle.current().pid()));
        cmd.addAll(List.of(mode));
        cmd.add(what);
        Process p = start(work.resolve("aria2c-" + processes.size() + ".out"), cmd.toArray(String[]::new));
        return new Seeder(p, log);
    }

    /** BitTorrent messages of one type (aria2c's names: piece, bitfield, have, unchoke…) an aria2c logged receiving. */
    static long received(Seeder s, String type) {
        try {
            Matcher m = Pattern.compile("From: \\S+ " + type + "\\b").matcher(Files.readString(s.log(), StandardCharsets.ISO_8859_1));
            return m.results().count();
        } catch (IOException e) {
            return 0; // not written yet
        }
    }

    /** BitTorrent messages of one type an aria2c logged sending ("piece": blocks it uploaded). */
    static long sent(Seeder s, String type) {
        try {
            Matcher m = Pattern.compile("To: \\S+ " + type + "\\b").matcher(Files.readString(s.log(), StandardCharsets.ISO_8859_1));
            return m.results().count();
        } catch (IOException e) {
            return 0; // not written yet
        }
    }

    /** Waits until the tracker counts {@code n} seeders of the torrent. */
    void awaitSeeders(String infoHash, int n, Duration bound) {
        pollUntil(bound, n + " seeder(s) announced", () -> scrapeComplete(infoHash) >= n);
    }

    private int scrapeComplete(String infoHash) {
        StringBuilder q = new StringBuilder();
        for (byte b : HexFormat.of().parseHex(infoHash)) {
            q.append('%').append(String.format("%02X", b & 0xff));
        }
        try (InputStream in = URI.create("http://127.0.0.1:" + trackerPort + "/scrape?info_hash=" + q).toURL()
            .openStream()) {
            Matcher m = Pattern.compile("8:completei(\\d+)e").matcher(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private Process start(Path out, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
            .redirectOutput(out.toFile()).start();
        processes.add(p);
        return p;
    }

    private String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(cmd[0] + " failed: " + out);
        }
        return out;
    }

    static void pollUntil(Duration bound, String what, java.util.function.BooleanSupplier ok) {
        long end = System.nanoTime() + bound.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + bound.toSeconds() + " s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private static boolean canConnect(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the seeders, then the tracker: SIGTERM, then SIGKILL after a bound, each by its own process. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
