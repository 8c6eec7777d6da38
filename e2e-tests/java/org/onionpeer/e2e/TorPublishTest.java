package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.onionpeer.exit.ExitPolicy;
import org.onionpeer.jvm.JvmRelay;
import org.onionpeer.jvm.TorPublisher;
import org.onionpeer.jvm.bridge.WebSocketConnector;
import org.onionpeer.netdoc.ServerDescriptorWriter;

/**
 * Our relay joins a real Tor network: a private network of Debian's tor 0.4.9 on loopback
 * (e2e-tests/tor/private-network.sh, base port 17400), a {@link JvmRelay} publishes its server descriptor to
 * the directory authority over HTTP (dir-spec §3.2), the authority answers 200, and a later consensus lists
 * us Running and Valid (the authority connected to our ORPort and completed the link handshake for that).
 *
 * <p>Waits poll the authority's DirPort (an external process: nothing to subscribe to) with a short pause
 * between attempts, each under a deadline; there are no fixed sleeps standing in for synchronisation.
 */
@Tag("e2e")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
public class TorPublishTest {
    private static final int BASE_PORT = 17400;
    private static final long CONSENSUS_DEADLINE_MILLIS = 90_000;
    private static final Path SCRIPT = Paths.get("e2e-tests/tor/private-network.sh").toAbsolutePath();

    private static Path dir;
    private static int dirPort;
    private static JvmRelay relay;

    @BeforeAll
    static void startNetwork() throws Exception {
        dir = Files.createTempDirectory("onionpeer-torpublish");
        run("start", dir.toString(), Integer.toString(BASE_PORT));
        Map<String, String> env = readEnv(dir.resolve("network.env"));
        dirPort = Integer.parseInt(env.get("DIRPORT"));
        int relays = Integer.parseInt(env.get("RELAYS"));
        long t0 = System.nanoTime();
        String consensus = awaitConsensus(c -> countRouters(c) >= relays, "a consensus listing " + relays + " relays");
        System.out.println("first consensus with " + countRouters(consensus) + " relays after "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    @AfterAll
    static void stopNetwork() throws Exception {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            if (dir != null) {
                run("stop", dir.toString());
            }
        }
    }

    @Test
    void relayIsAcceptedAndEntersTheConsensus() throws Exception {
        relay = new JvmRelay("onionpeer1", "127.0.0.1", ExitPolicy.parse("accept 127.0.0.0/8:*, reject *:*"),
                () -> null, new WebSocketConnector(), null);
        ServerDescriptorWriter.Input in = relay.descriptorInput("127.0.0.1");
        in.contact = "onionpeer-test";
        String descriptor = ServerDescriptorWriter.write(in);
        System.out.println(descriptor);

        TorPublisher.Response r = TorPublisher.post("127.0.0.1", dirPort, descriptor, 10_000);
        System.out.println("authority answered: " + r.statusLine());
        assertEquals(200, r.status(), "authority refused: " + r.statusLine() + " (see " + dir.resolve("auth/notice.log") + ")");
        long published = System.nanoTime();

        // The consensus "r" line names us by base-64 (unpadded) RSA identity digest (dir-spec §3.4.1).
        String id = Base64.getEncoder().withoutPadding().encodeToString(relay.keys().identity().rsaIdentity());
        String consensus = awaitConsensus(c -> flagsOf(c, id) != null && flagsOf(c, id).contains(" Running")
                && flagsOf(c, id).contains(" Valid"), "our relay Running and Valid in a consensus");
        System.out.println("in the consensus after " + (System.nanoTime() - published) / 1_000_000 + " ms: "
                + routerLine(consensus, id) + " / " + flagsOf(consensus, id));
        assertTrue(routerLine(consensus, id).contains(" 127.0.0.1 " + relay.orPort() + " "), routerLine(consensus, id));

        // The authority serves our descriptor back as it received it.
        String served = get("/tor/server/fp/" + relay.keys().identity().fingerprint());
        assertNotNull(served);
        assertEquals(descriptor, served.strip() + "\n");
    }

    private interface Check {
        boolean ok(String consensus);
    }

    private static String awaitConsensus(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONSENSUS_DEADLINE_MILLIS);
        String last = null;
        while (System.nanoTime() < deadline) {
            last = get("/tor/status-vote/current/consensus");
            if (last != null && check.ok(last)) {
                return last;
            }
            Thread.sleep(500); // polling an external process; the deadline bounds the wait
        }
        fail("no " + what + " within " + CONSENSUS_DEADLINE_MILLIS + " ms; last consensus:\n" + last);
        return null;
    }

    /** GET from the authority's DirPort; null on 404 or a connection failure (not up yet). */
    private static String get(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + dirPort + path).toURL()
                    .openConnection();
            c.setConnectTimeout(2_000);
            c.setReadTimeout(5_000);
            if (c.getResponseCode() != 200) {
                c.disconnect();
                return null;
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return null;
        }
    }

    private static int countRouters(String consensus) {
        int n = 0;
        for (String line : consensus.split("\n")) {
            if (line.startsWith("r ")) {
                n++;
            }
        }
        return n;
    }

    private static String routerLine(String consensus, String id) {
        for (String line : consensus.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[0].equals("r") && f[2].equals(id)) {
                return line;
            }
        }
        return null;
    }

    /** The "s" line following our "r" line, or null. */
    private static String flagsOf(String consensus, String id) {
        String[] lines = consensus.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            if (f.length > 2 && f[0].equals("r") && f[2].equals(id)) {
                for (int j = i + 1; j < lines.length && !lines[j].startsWith("r "); j++) {
                    if (lines[j].startsWith("s ") || lines[j].equals("s")) {
                        return lines[j];
                    }
                }
            }
        }
        return null;
    }

    private static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                String v = line.substring(eq + 1);
                if (v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                env.put(line.substring(0, eq), v);
            }
        }
        return env;
    }

    private static void run(String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "bash";
        cmd[1] = SCRIPT.toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail("private-network.sh " + String.join(" ", args) + " failed:\n" + out);
        }
    }
}
