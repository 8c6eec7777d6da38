package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onionpeer.dht.LookupResult;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.jvm.Facilitator;
import org.onionpeer.jvm.JvmPeer;
import org.onionpeer.ordb.DownloadListener;
import org.onionpeer.ordb.HashName;
import org.onionpeer.peer.OrdbSource;

/**
 * A facilitator ({@code java -jar onionpeer.jar facilitator}, started in-process) on a real bridge on
 * loopback: it keeps the files of its directory, a JVM page fetches one by its link (same SHA-256), the
 * page's ORDB record in the DHT carries the facilitator flag it learned, a file added later is served too,
 * and after the bridge restarts (new keys, same port) the facilitator joins again and serves a new page.
 */
@Tag("e2e")
class FacilitatorTest {
    @TempDir
    Path dir;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Test
    void aFacilitatorKeepsItsDirectoryForPagesAndServesAgainAfterTheBridgeRestarts() throws Exception {
        Bridge.Options bo = TestBridges.options(3);
        Bridge bridge = new Bridge(bo);
        int port = bridge.server().port();
        String base = "http://127.0.0.1:" + port;
        byte[] film = random(2 << 20);
        Files.write(dir.resolve("film.webm"), film);
        Facilitator.Options fo = Facilitator.parse(new String[] {"--join", base + "/", "--keep", dir.toString()});
        fo.pollMillis = 300;
        try (Facilitator f = new Facilitator(fo, line -> log.add(line))) {
            BridgeFederationTest.await(() -> f.kept().containsKey("film.webm"), 30_000, "the file is kept");
            HashName h = f.kept().get("film.webm");
            String link = base + "/#get=" + h.hex();
            assertEquals(link, f.link(h));
            assertEquals(h, HashName.ofLink(link));
            assertTrue(log.contains("keeping film.webm (2097152 bytes): " + link), String.join("\n", log));

            try (JvmPeer page = new JvmPeer("page", base, null, null, line -> { })) {
                joined(page);
                knowsASource(page, h);
                // Before it downloads (then it seeds, and its record is about its own copy).
                assertTrue(recordsSayFacilitator(page, h), "the page's ORDB record carries F, from the DB_INFO");
                assertArrayEquals(sha256(film), sha256(download(page, h)));

                byte[] later = random(300_000);
                Files.write(dir.resolve("later.bin"), later);
                BridgeFederationTest.await(() -> f.kept().containsKey("later.bin"), 30_000, "a file added later");
                HashName h2 = f.kept().get("later.bin");
                knowsASource(page, h2);
                assertArrayEquals(later, download(page, h2));

                Files.delete(dir.resolve("later.bin"));
                BridgeFederationTest.await(() -> !f.kept().containsKey("later.bin"), 30_000, "a removed file");
                BridgeFederationTest.await(() -> log.contains("no longer keeping later.bin (removed)"), 10_000,
                        "the operator is told");
                assertTrue(f.peer().call(() -> !f.peer().ordb().isShared(h2)));
            }

            bridge.close();
            bo.port = port;
            bridge = new Bridge(bo);
            Bridge again = bridge;
            BridgeFederationTest.await(() -> BridgeFederationTest.peersOn(again, s -> s.registeredCount()) == 1,
                    120_000, "the facilitator registers with the restarted bridge");
            try (JvmPeer page = new JvmPeer("page2", base, null, null, line -> { })) {
                joined(page);
                knowsASource(page, h);
                assertArrayEquals(sha256(film), sha256(download(page, h)));
            }
        } finally {
            bridge.close();
        }
    }

    @Test
    void aNewIdentityTakesOverAndServesTheSameLinks() throws Exception {
        try (Bridge bridge = new Bridge(TestBridges.options(3))) {
            String base = "http://127.0.0.1:" + bridge.server().port();
            byte[] clip = random(500_000);
            Files.write(dir.resolve("clip.webm"), clip);
            Facilitator.Options fo = Facilitator.parse(new String[] {"--join", base, "--keep", dir.toString()});
            fo.pollMillis = 300;
            try (Facilitator f = new Facilitator(fo, line -> log.add(line))) {
                BridgeFederationTest.await(() -> f.kept().containsKey("clip.webm"), 30_000, "the file is kept");
                HashName h = f.kept().get("clip.webm");
                joined(f.peer());
                JvmPeer first = f.peer();
                Object firstId = first.call(() -> first.peer().service().id());
                f.renewIdentity();
                BridgeFederationTest.await(() -> f.identities() == 2 && !f.renewing(), 60_000, "a new identity");
                assertTrue(f.peer() != first);
                JvmPeer second = f.peer();
                assertTrue(!firstId.equals(second.call(() -> second.peer().service().id())), "another identity");
                assertTrue(second.call(() -> second.ordb().isShared(h)), "the new node shares what was kept");
                BridgeFederationTest.await(() -> BridgeFederationTest.peersOn(bridge, s -> s.registeredCount()) == 1,
                        30_000, "the old node left the bridge");
                try (JvmPeer page = new JvmPeer("page", base, null, null, line -> { })) {
                    joined(page);
                    knowsASource(page, h);
                    assertArrayEquals(clip, download(page, h));
                }
                assertEquals(1, log.stream().filter(l -> l.startsWith("keeping clip.webm ")).count(),
                        "the operator is told once: " + String.join("\n", log));
            }
        }
    }

    @Test
    void theCommandLineSaysWhatIsWrongExactly() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, Facilitator.run(new String[] {"--help"}, new PrintStream(out, true), new PrintStream(err, true)));
        assertEquals(Facilitator.USAGE + System.lineSeparator(), out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));

        assertEquals(2, Facilitator.run(new String[0], new PrintStream(out, true), new PrintStream(err, true)));
        assertEquals("onionpeer facilitator: facilitator needs --join URL (a bridge, e.g. http://127.0.0.1:8080/)"
                + "\n\n" + Facilitator.USAGE + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));

        assertEquals("--join needs a value", usageError("--join"));
        assertEquals("unknown argument '--bogus'", usageError("--join", "http://127.0.0.1:8080/", "--bogus"));
        assertEquals("--join ftp://127.0.0.1/: not an http:// or https:// URL of a bridge",
                usageError("--join", "ftp://127.0.0.1/"));
        assertEquals("--join http://a b/: not a URL", usageError("--join", "http://a b/"));
        Path missing = dir.resolve("missing");
        assertEquals("--keep " + missing + ": not a directory",
                usageError("--join", "http://127.0.0.1:8080/", "--keep", missing.toString()));
        assertEquals("--max-held-mb 0: must be 1..1048576",
                usageError("--join", "http://127.0.0.1:8080/", "--max-held-mb", "0"));
        assertEquals("--max-held-mb lots: not a number",
                usageError("--join", "http://127.0.0.1:8080/", "--max-held-mb", "lots"));
        assertEquals("--identity-hours 24: must be 1..23",
                usageError("--join", "http://127.0.0.1:8080/", "--identity-hours", "24"));
        assertEquals("--torrent-wait-s 0: must be 1..600",
                usageError("--join", "http://127.0.0.1:8080/", "--torrent-wait-s", "0"));
        assertEquals(null, Facilitator.parse(new String[] {"--join", "http://127.0.0.1:8080/", "--no-torrents"}).torrents);
        assertEquals(5_000, Facilitator.parse(new String[] {"--join", "http://127.0.0.1:8080/", "--torrent-wait-s",
                "5"}).torrents.peerWaitMillis);
        assertEquals("http://127.0.0.1:8080", Facilitator.parse(new String[] {"--join", "http://127.0.0.1:8080/"}).base);
        assertEquals(false, Facilitator.parse(new String[] {"--join", "http://127.0.0.1:8080/"}).torrents.allowPrivateTrackers);
        assertEquals(true, Facilitator.parse(new String[] {"--join", "http://127.0.0.1:8080/",
                "--allow-private-trackers"}).torrents.allowPrivateTrackers);
    }

    static String usageError(String... args) {
        return assertThrows(Facilitator.UsageError.class, () -> Facilitator.parse(args)).getMessage();
    }

    static void joined(JvmPeer p) throws InterruptedException {
        BridgeFederationTest.await(() -> {
            try {
                return p.inPeerNetwork();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, 60_000, "the page joins the peer network");
    }

    /** The page is an ORDB of {@code h}: the facilitator's publishing circuit reached it with DB_INFO. */
    static void knowsASource(JvmPeer p, HashName h) throws InterruptedException {
        BridgeFederationTest.await(() -> {
            try {
                return p.call(() -> !p.ordb().server().sourcesOf(h).isEmpty());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, 120_000, "the page learns a source of " + h.hex());
    }

    static byte[] download(JvmPeer p, HashName h) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        CompletableFuture<String> done = new CompletableFuture<>();
        p.loop().execute(() -> p.ordb().download(h, 0, null, new DownloadListener() {
            @Override
            public void onData(long index, byte[] data, byte[][] proof) {
                got.write(data, 0, data.length);
            }

            @Override
            public void onDone(String error) {
                done.complete(error == null ? "ok" : error);
            }
        }));
        assertEquals("ok", done.get(120, TimeUnit.SECONDS));
        return got.toByteArray();
    }

    /**
     * FIND_VALUE for {@code h}'s source records, from the page, until one is stored (the page announces what
     * it learned, its STORE a little later): does one carry the facilitator flag?
     */
    static boolean recordsSayFacilitator(JvmPeer p, HashName h) throws Exception {
        List<OrdbSource> records = new ArrayList<>();
        BridgeFederationTest.await(() -> {
            try {
                CompletableFuture<LookupResult> found = new CompletableFuture<>();
                p.loop().execute(() -> p.peer().service().dht().findValue(OrdbSource.keyOf(h), found::complete));
                for (byte[] v : found.get(30, TimeUnit.SECONDS).values()) {
                    records.add(OrdbSource.decode(v));
                }
                return !records.isEmpty();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, 30_000, "a source record for the file is in the DHT");
        boolean any = false;
        for (OrdbSource rec : records) {
            assertEquals(h, rec.hashName());
            any |= rec.facilitator();
        }
        return any;
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
