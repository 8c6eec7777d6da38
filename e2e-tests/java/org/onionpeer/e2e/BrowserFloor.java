package org.onionpeer.e2e;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The browser's own share of a page's download through 3 hops, with none of our code: what any page must spend
 * per MB before it parses a cell, whatever it is written in. A page served by this class (no CSP) takes
 * {@code bytes} in 64 KiB binary WebSocket messages from a minimal RFC 6455 endpoint on a plain socket (no
 * extension), in four {@link Mode}s: count them; XOR three layers of keystream into them in 32-bit words and
 * keep them in one body; the same with fresh WebCrypto AES-CTR keystream per block (64 KiB a call, 8 calls ahead
 * per layer, as the page's pool asks); and that with the SENDMEs' bytes sent back once per message. The page's
 * result is checked (the count, or the body's SHA-256 against javax.crypto's AES-CTR with the same keys), so no
 * run can skip its work.
 *
 * <p>It leaves out the relay digest (SHA-1 per cell), cell parsing and the stream, so its Chromium CPU per MB is
 * a floor for the page's path; with the JVM onion proxy's CPU per MB in the same run it bounds the page/JVM
 * ratio where both are CPU-bound (src/docs/browser-throughput.md, issue 13). The server's CPU is not counted.
 */
final class BrowserFloor implements AutoCloseable {
    static final int MESSAGE = 64 * 1024;
    static final int LAYERS = 3;
    /** Keystream blocks asked ahead per layer, as the page's pool does (8 x 64 KiB = 512 KiB). */
    static final int AHEAD = 8;
    /** Four 514-byte cells: ceil(127 / 100 + 127 / 50) SENDMEs per 64 KiB message. */
    static final int ACK_BYTES = 4 * 514;

    /** What the page does with each message. */
    enum Mode {
        /** Counts the bytes, nothing else. */
        RECEIVE(0, false),
        /** XORs three layers of keystream into it and keeps it in the body, reusing 8 blocks of keystream per layer. */
        XOR_AND_KEEP(LAYERS, true),
        /** The same with fresh keystream from WebCrypto for every block: all the browser-side work of 3 layers. */
        DECRYPT_AND_KEEP(LAYERS, false),
        /**
         * The same, and one send of {@link #ACK_BYTES} per message received: the SENDMEs 127 cells call for with the
         * classic windows (a circuit SENDME per 100 cells, a stream SENDME per 50), sent once per message.
         */
        DECRYPT_KEEP_AND_ACK(LAYERS, false);

        final int layers;
        final boolean reuseKeystream;

        Mode(int layers, boolean reuseKeystream) {
            this.layers = layers;
            this.reuseKeystream = reuseKeystream;
        }
    }

    /** One run: wall-clock MB/s in the page and Chromium's CPU (all its processes) per MB. */
    record Run(double mbPerSecond, double chromiumCpuMsPerMb) {
    }

    private final byte[] data;
    private final String decryptedSha;
    private final String reusedSha;
    private final ServerSocket server;
    private final Thread acceptor;
    /** For the test that the page's answer is checked: flips one byte of what is sent (never in the bench). */
    volatile boolean tamper;

    BrowserFloor(int bytes) throws IOException, GeneralSecurityException {
        if (bytes % MESSAGE != 0) {
            throw new IllegalArgumentException("floor size must be a multiple of 64 KiB: " + bytes);
        }
        data = new byte[bytes];
        new SeededHttpServer.Generator(65).fill(data, bytes);
        byte[] plain = data.clone();
        byte[] reused = data.clone();
        for (int l = 0; l < LAYERS; l++) {
            byte[] ks = keystream(l, data.length);
            for (int i = 0; i < data.length; i++) {
                plain[i] ^= ks[i];
                reused[i] ^= ks[i % (AHEAD * MESSAGE)];
            }
        }
        decryptedSha = sha256(plain);
        reusedSha = sha256(reused);
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "floor-ws");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Layer l's AES-CTR keystream from counter 0, as WebCrypto makes it with a 64-bit counter. */
    private static byte[] keystream(int l, int n) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key(l), "AES"), new IvParameterSpec(new byte[16]));
        return c.update(new byte[n]);
    }

    private static String sha256(byte[] b) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Layer l's AES-128 key: bytes 16l+1 .. 16l+16. */
    static byte[] key(int l) {
        byte[] k = new byte[16];
        for (int i = 0; i < 16; i++) {
            k[i] = (byte) (16 * l + i + 1);
        }
        return k;
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/";
    }

    /** A thread per connection: Chromium opens spare connections it may never send a request on. */
    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        serve(s);
                    } catch (IOException e) {
                        // the page went away, or we closed
                    }
                }, "floor-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        InputStream in = new BufferedInputStream(s.getInputStream());
        String head = NetworkBench.headText(in, "request");
        OutputStream out = s.getOutputStream();
        String key = null;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(18).trim();
            }
        }
        if (key == null) {
            byte[] page = "<!doctype html><title>floor</title>".getBytes(StandardCharsets.US_ASCII);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + page.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(page);
            out.flush();
            return;
        }
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + LinkLoad.WebSocketClient.accept(key) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        Thread drain = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // what the page sends
                }
            } catch (IOException e) {
                // closed
            }
        });
        drain.setDaemon(true);
        drain.start();
        // Binary frames of exactly 64 KiB: FIN + opcode 2, length 127 + 64-bit length, no mask (server side).
        byte[] frame = new byte[10 + MESSAGE];
        frame[0] = (byte) 0x82;
        frame[1] = 127;
        for (int i = 0; i < 8; i++) {
            frame[2 + i] = (byte) ((long) MESSAGE >>> (56 - 8 * i));
        }
        for (int off = 0; off < data.length; off += MESSAGE) {
            System.arraycopy(data, off, frame, 10, MESSAGE);
            if (tamper && off == 0) {
                frame[10 + 4096] ^= 1;
            }
            out.write(frame);
        }
        out.flush();
        // Hold the connection until the page closes it, so its last messages are not cut short.
        try {
            drain.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One run in {@code chromium}, which is first sent to {@link #url()} (a page without a CSP, same origin as the
     * WebSocket). The page's result is checked: the byte count, or the kept body's SHA-256.
     */
    Run run(Chromium chromium, Mode mode) throws IOException {
        chromium.open(url());
        double[] c0 = PageProfile.cpu();
        Object r = chromium.jsAsync(SCRIPT, data.length, mode.layers, "ws" + url().substring(4) + "ws",
                mode.reuseKeystream, AHEAD, mode == Mode.DECRYPT_KEEP_AND_ACK ? ACK_BYTES : 0);
        double[] c1 = PageProfile.cpu();
        String[] p = String.valueOf(r).split(" ");
        if (p.length != 2 || p[0].startsWith("error")) {
            throw new IOException("browser floor " + mode + ": " + r);
        }
        String expected = expected(mode);
        if (!p[1].equals(expected)) {
            throw new IOException("browser floor " + mode + ": page answered " + p[1] + ", expected " + expected);
        }
        double mb = data.length / (double) (1 << 20);
        return new Run(mb / (Double.parseDouble(p[0]) / 1e3), (c1[0] + c1[1] - c0[0] - c0[1]) / mb);
    }

    /** The page's answer a run in {@code mode} must give: the byte count, or the body's SHA-256 in hex. */
    String expected(Mode mode) {
        return switch (mode) {
            case RECEIVE -> String.valueOf(data.length);
            case XOR_AND_KEEP -> reusedSha;
            case DECRYPT_AND_KEEP, DECRYPT_KEEP_AND_ACK -> decryptedSha;
        };
    }

    /**
     * arguments: total bytes, layers, WebSocket URL, reuse the first AHEAD keystream blocks, AHEAD; answers
     * "ms sha256hex" (or "ms bytes" for 0 layers). Keystream blocks are asked AHEAD messages ahead of the one being
     * decrypted and kept by index, so their order of arrival does not matter.
     */
    private static final String SCRIPT = "var cb = arguments[arguments.length - 1], total = arguments[0],"
            + " layers = arguments[1], url = arguments[2], reuse = arguments[3], AHEAD = arguments[4],"
            + " ack = arguments[5], M = 65536, n = total / M;"
            + "var body = layers > 0 ? new Uint8Array(total) : null, msgs = [], got = 0, next = 0, t0 = 0,"
            + " ended = false;"
            + "var keys = [], ks = [], asked = [], zeros = new Uint8Array(M);"
            + "function fail(e) { if (!ended) { ended = true; cb('error: ' + e); } }"
            + "function ask(l) { if (reuse && asked[l] >= AHEAD) { while (asked[l] < n && asked[l] < next + AHEAD) {"
            + "  ks[l][asked[l]] = ks[l][asked[l] % AHEAD]; asked[l]++; } return; }"
            + " while (asked[l] < n && asked[l] < next + AHEAD) { (function (i) {"
            + "  var iv = new Uint8Array(16); new DataView(iv.buffer).setUint32(12, i * (M / 16));"
            + "  crypto.subtle.encrypt({name: 'AES-CTR', counter: iv, length: 64}, keys[l], zeros).then(function (b) {"
            + "   ks[l][i] = new Int32Array(b); pump(); }, fail); })(asked[l]++); } }"
            + "function ready(i) { for (var l = 0; l < layers; l++) if (!ks[l][i]) return false; return true; }"
            + "function pump() { while (next < n && msgs[next] && ready(next)) {"
            + "  var d = new Int32Array(msgs[next]);"
            + "  for (var l = 0; l < layers; l++) { var k = ks[l][next];"
            + "   for (var j = 0; j < d.length; j++) d[j] ^= k[j];"
            + "   if (!reuse || next >= AHEAD) ks[l][next] = null; }"
            + "  body.set(new Uint8Array(msgs[next]), next * M); msgs[next] = null; next++;"
            + "  for (var l2 = 0; l2 < layers; l2++) ask(l2); }"
            + " if (next === n) finish(); }"
            + "function finish() { if (ended) return; ended = true; var ms = performance.now() - t0; ws.close();"
            + " if (layers === 0) { cb(ms + ' ' + got); return; }"
            + " crypto.subtle.digest('SHA-256', body).then(function (h) { cb(ms + ' ' + Array.from(new Uint8Array(h))"
            + "  .map(function (x) { return ('0' + x.toString(16)).slice(-2); }).join('')); }, fail); }"
            + "var ws; var imports = []; var ackBuf = new Uint8Array(ack);"
            + "for (var l = 0; l < layers; l++) { ks.push([]); asked.push(0); var kb = new Uint8Array(16);"
            + " for (var i = 0; i < 16; i++) kb[i] = 16 * l + i + 1;"
            + " imports.push(crypto.subtle.importKey('raw', kb, {name: 'AES-CTR'}, false, ['encrypt'])); }"
            + "Promise.all(imports).then(function (k) { keys = k; t0 = performance.now();"
            + " for (var l = 0; l < layers; l++) ask(l);"
            + " ws = new WebSocket(url); ws.binaryType = 'arraybuffer'; var recv = 0;"
            + " ws.onmessage = function (e) { got += e.data.byteLength;"
            + "  if (layers === 0) { if (got === total) finish(); return; }"
            + "  msgs[recv++] = e.data; if (ack > 0) ws.send(ackBuf); pump(); };"
            + " ws.onerror = function () { fail('WebSocket error after ' + got + ' bytes'); };"
            + " ws.onclose = function () { fail('WebSocket closed after ' + got + ' bytes'); }; }, fail);";

    static final int FLOOR_RUNS = 5;

    /**
     * Where the ratio's ceiling is on this machine: the page's path costs {@code page} CPU ms per MB (renderer,
     * other Chromium, this JVM), the JVM onion proxy's {@code jvmPath}; where both are CPU-bound on the same cores
     * the ratio cannot pass jvmPath / page. This then measures the browser's own part of the page's
     * work with none of our code, and the ceiling if our page code cost nothing beyond it.
     */
    static void report(Chromium chromium, double[] page, double jvmPath, int bytes) throws Exception {
        double pageTotal = page[0] + page[1] + page[2];
        System.out.printf(Locale.ROOT, "web  CPU per MB, page runs: renderer %.1f, other Chromium %.1f, JVM %.1f ="
                + " %.1f ms; JVM OP runs %.1f ms -> where both are CPU-bound the ratio is at most %.2fx%n", page[0],
                page[1], page[2], pageTotal, jvmPath, jvmPath / pageTotal);
        Mode[] modes = Mode.values();
        double[][] mbs = new double[modes.length][FLOOR_RUNS];
        double[][] cpu = new double[modes.length][FLOOR_RUNS];
        try (BrowserFloor f = new BrowserFloor(bytes)) {
            f.run(chromium, Mode.DECRYPT_KEEP_AND_ACK); // warm-up
            for (int i = 0; i < FLOOR_RUNS; i++) {
                for (Mode mode : modes) { // interleaved, so a change of load touches every mode alike
                    Run r = f.run(chromium, mode);
                    mbs[mode.ordinal()][i] = r.mbPerSecond();
                    cpu[mode.ordinal()][i] = r.chromiumCpuMsPerMb();
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Mode mode : modes) {
            sb.append(String.format(Locale.ROOT, "%n       %-20s %6.1f MB/s, Chromium CPU %5.1f ms/MB  [%s]",
                    mode.name().toLowerCase(Locale.ROOT), NetworkBench.median(mbs[mode.ordinal()]),
                    NetworkBench.median(cpu[mode.ordinal()]), NetworkBench.runs(cpu[mode.ordinal()])));
        }
        double receive = NetworkBench.median(cpu[Mode.RECEIVE.ordinal()]);
        double all = NetworkBench.median(cpu[Mode.DECRYPT_KEEP_AND_ACK.ordinal()]);
        System.out.printf(Locale.ROOT, "web  browser floor, no code of ours (%d MB in 64 KiB WebSocket messages;"
                + " 3 layers of WebCrypto AES-CTR keystream, XOR, body kept, SHA-256 checked; SENDMEs' bytes sent"
                + " back), medians of %d:%s%n     -> with this JVM's share of the page runs (%.1f ms/MB), if our page"
                + " code cost nothing beyond the floor the ratio would be at most %.2fx (%.2fx with no decryption at"
                + " all)%n", bytes >> 20, FLOOR_RUNS, sb, page[2], jvmPath / (all + page[2]),
                jvmPath / (receive + page[2]));
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
