package org.onionpeer.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A C tor client of a {@link TorNetwork} (started by {@link TorNetwork#startClient}; stopped by {@link #close}
 * or with the network)
 * and a minimal ControlPort client (control-spec): AUTHENTICATE with the empty password (the script sets
 * CookieAuthentication 0 and no password), SETEVENTS CIRC, EXTENDCIRCUIT and CLOSECIRCUIT.
 *
 * <p>One reader thread splits the control connection into replies (2xx-5xx final lines) and asynchronous
 * events (650), so a command's reply and the CIRC events of earlier commands never confuse each other.
 */
final class CTorClient implements AutoCloseable {
    static final Duration CIRCUIT_TIMEOUT = Duration.ofSeconds(60);
    private static final String END = "<closed>";

    /** A circuit EXTENDCIRCUIT built: its id and the time from the command to the BUILT event. */
    record Built(String id, long nanos) {
    }

    private final String name;
    private final Path dir;
    private final int socksPort;
    private final int controlPort;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private Socket control;
    private OutputStream out;

    CTorClient(String name, Path dir, int socksPort, int controlPort) {
        this.name = name;
        this.dir = dir;
        this.socksPort = socksPort;
        this.controlPort = controlPort;
    }

    String name() {
        return name;
    }

    int socksPort() {
        return socksPort;
    }

    int controlPort() {
        return controlPort;
    }

    Path noticeLog() {
        return dir.resolve("notice.log");
    }

    /** Waits (bounded; polling the log, an external process's only signal) for "Bootstrapped 100%". */
    void awaitBootstrap(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(noticeLog()) && Files.readString(noticeLog(), StandardCharsets.ISO_8859_1)
                    .contains("Bootstrapped 100%")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("C tor client " + name + " did not bootstrap in " + timeout.toSeconds()
                        + " s; its notice.log ends:\n" + TorNetwork.tail(noticeLog(), 25));
            }
            Thread.sleep(250);
        }
    }

    /** Opens the control connection, authenticates and subscribes to CIRC events. */
    void connectControl() throws IOException, InterruptedException {
        control = new Socket(InetAddress.getLoopbackAddress(), controlPort);
        out = control.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.US_ASCII));
        Thread t = new Thread(() -> {
            try {
                String line;
                StringBuilder reply = new StringBuilder();
                boolean data = false;
                while ((line = in.readLine()) != null) {
                    if (data) {
                        // control-spec §2.3: a "250+" line's data runs to a line holding only ".".
                        data = !line.equals(".");
                        reply.append(line).append('\n');
                    } else if (line.startsWith("650")) {
                        events.add(line);
                    } else if (line.length() >= 4 && line.charAt(3) == ' ') {
                        replies.add(reply + line); // the final line, after any "250-" / "250+" lines
                        reply.setLength(0);
                    } else {
                        data = line.length() >= 4 && line.charAt(3) == '+';
                        reply.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // closed
            }
            replies.add(END);
            events.add(END);
        }, "ctor-control-" + name);
        t.setDaemon(true);
        t.start();
        expectOk(command("AUTHENTICATE \"\""), "AUTHENTICATE");
        expectOk(command("SETEVENTS CIRC"), "SETEVENTS");
    }

    /** Sends one command line and returns its reply: the final line, after any earlier lines of it. */
    synchronized String command(String line) throws IOException, InterruptedException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String r = replies.poll(30, TimeUnit.SECONDS);
        if (r == null || r.equals(END)) {
            throw new IllegalStateException("no reply to " + line + " from " + name + "'s ControlPort");
        }
        return r;
    }

    /**
     * Waits until this client holds the server descriptor of relay {@code fp} (GETINFO desc/id answers 250):
     * "Bootstrapped 100%" needs only a share of the descriptors, and a client without a relay's descriptor
     * does not use that relay (with ExitNodes it may even pick a "doomed" exit elsewhere).
     */
    void waitForDescriptor(String fp, java.time.Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last;
        while (!(last = command("GETINFO desc/id/" + fp)).startsWith("250")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " has no descriptor of " + fp + " after " + timeout.toSeconds()
                        + " s: " + last);
            }
            Thread.sleep(200); // polling tor's state: nothing tells us when it fetched a descriptor
        }
    }

    /** The asynchronous event lines (650 ...) received so far and not yet consumed, taken off the queue. */
    List<String> drainEvents() {
        List<String> l = new java.util.ArrayList<>();
        events.drainTo(l);
        l.remove(END);
        return l;
    }

    private static void expectOk(String reply, String what) {
        if (!reply.startsWith("250")) {
            throw new IllegalStateException(what + " answered " + reply);
        }
    }

    /**
     * {@code EXTENDCIRCUIT 0 fp1,fp2,..} (RSA fingerprints, hex), then waits for {@code 650 CIRC id BUILT}.
     * Fails on {@code FAILED}/{@code CLOSED} for that circuit or after {@link #CIRCUIT_TIMEOUT}.
     */
    Built buildCircuit(List<String> fingerprints) throws IOException, InterruptedException {
        StringBuilder path = new StringBuilder();
        for (String fp : fingerprints) {
            path.append(path.length() == 0 ? "" : ",").append(fp.startsWith("$") ? fp : "$" + fp);
        }
        events.clear();
        long t0 = System.nanoTime();
        String r = command("EXTENDCIRCUIT 0 " + path);
        if (!r.startsWith("250 EXTENDED ")) {
            throw new IllegalStateException("EXTENDCIRCUIT " + path + " answered " + r);
        }
        String id = r.substring("250 EXTENDED ".length()).trim();
        String prefix = "650 CIRC " + id + " ";
        long deadline = t0 + CIRCUIT_TIMEOUT.toNanos();
        while (true) {
            String e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            long t1 = System.nanoTime();
            if (e == null || e.equals(END)) {
                throw new IllegalStateException("circuit " + id + " (" + path + ") not built: "
                        + (e == null ? "timed out" : "control connection closed"));
            }
            if (!e.startsWith(prefix)) {
                continue;
            }
            String status = e.substring(prefix.length()).split(" ")[0];
            if (status.equals("BUILT")) {
                return new Built(id, t1 - t0);
            }
            if (status.equals("FAILED") || status.equals("CLOSED")) {
                throw new IllegalStateException("circuit " + id + " (" + path + "): " + e);
            }
        }
    }

    /** CLOSECIRCUIT id. */
    void closeCircuit(String id) throws IOException, InterruptedException {
        expectOk(command("CLOSECIRCUIT " + id), "CLOSECIRCUIT " + id);
    }

    void closeControl() {
        if (control != null) {
            try {
                control.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /**
     * Closes the control connection and stops this client's tor by the pid the script recorded
     * (DIR/NAME/launched.pid), waiting for it to exit; its directory (logs) stays.
     */
    @Override
    public void close() {
        closeControl();
        Path pf = dir.resolve("launched.pid");
        try {
            if (!Files.isRegularFile(pf)) {
                return; // already stopped (by the network's stop)
            }
            long pid = Long.parseLong(Files.readString(pf).trim());
            Files.delete(pf);
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("stopping C tor client " + name + ": " + e, e);
        }
    }
}
