package org.onionpeer.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A facilitator as its own JVM ({@code java -cp <this JVM's class path> org.onionpeer.jvm.Main facilitator
 * --join URL}, what {@code java -jar target/onionpeer.jar facilitator} runs), with its own
 * {@code java.io.tmpdir} so a test can look at what it leaves there, and its output kept. {@link #kill} is
 * SIGKILL (a facilitator dying mid-transfer); {@link #close} is SIGTERM, then SIGKILL after a bound.
 */
final class FacilitatorProcess implements AutoCloseable {
    private static final Pattern JOINED = Pattern.compile("peer network: in the peer network \\(as (peer[0-9a-f]{8})\\)");

    final Path tmp;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread killer = new Thread(this::kill, "facilitator-process-killer");

    FacilitatorProcess(String bridgeUrl, Path tmp, String... extra) throws IOException {
        this.tmp = Files.createDirectories(tmp);
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", BridgeProcess.classPath(), "org.onionpeer.jvm.Main", "facilitator",
                "--join", bridgeUrl));
        cmd.addAll(List.of(extra));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Runtime.getRuntime().addShutdownHook(killer);
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(l);
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "facilitator-output");
        drain.setDaemon(true);
        drain.start();
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    String output() {
        return String.join("\n", lines());
    }

    /** The name pages' reports give it ("peer" + 8 hex digits), once it is in the peer network, else null. */
    String peerName() {
        for (String l : lines()) {
            Matcher m = JOINED.matcher(l);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    /** Waits (bounded) until it is in the peer network; its name in pages' reports. */
    String awaitJoined(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (peerName() == null) {
            if (!process.isAlive()) {
                throw new AssertionError("the facilitator exited (" + process.exitValue() + "):\n" + output());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the facilitator did not join within " + millis + " ms:\n" + output());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return peerName();
    }

    /** Regular files under its temp dir (what a torrent may have left there). */
    List<Path> filesInTmp() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, nothing said to anyone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down already
        }
    }
}
