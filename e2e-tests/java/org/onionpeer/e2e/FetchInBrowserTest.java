package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;

/**
 * {@code onionpeer.fetch} through 3 hops against a server that answers raw bytes: the response head is parsed
 * once, as it arrives (BrowserMain.collect sizes its buffer from it), and what HttpHead refuses, or a response
 * that ends too early, comes back as the fetch's error in words, never as a body.
 */
@Tag("browser")
class FetchInBrowserTest {
    /** Path -> the whole raw response; the server closes after writing it. */
    static final Map<String, String> ANSWERS = Map.of(
            "/ok", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "/chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "/two-lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
            "/status-99", "HTTP/1.1 099 Odd\r\nContent-Length: 5\r\n\r\nhello",
            "/short", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
            "/no-blank-line", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n");
    static ServerSocket server;
    static Bridge bridge;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        server = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(FetchInBrowserTest::serve, "raw-http");
        t.setDaemon(true);
        t.start();
        bridge = new Bridge(TestBridges.options(3));
        chromium = new Chromium();
        chromium.open(bridge.server().url(""));
        DownloadInBrowserTest.openAndWaitForCircuit(chromium);
    }

    @AfterAll
    static void stop() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        server.close();
    }

    static void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                int b;
                while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
                    head.append((char) b);
                }
                String path = head.toString().split(" ", 3)[1];
                OutputStream out = s.getOutputStream();
                out.write(ANSWERS.getOrDefault(path, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException | RuntimeException e) {
                // the next connection, or the test is over
            }
        }
    }

    /** "status body" or "error: ...". */
    static String fetch(String path) {
        return String.valueOf(chromium.jsAsync("var cb = arguments[arguments.length - 1];"
                + "window.onionpeer.fetch(arguments[0], function () {}, function (err, status, body) {"
                + " cb(err ? 'error: ' + err : status + ' ' + new TextDecoder().decode(body)); });",
                "http://127.0.0.1:" + server.getLocalPort() + path));
    }

    static void assertRefused(String path, String why) {
        String r = fetch(path);
        assertTrue(r.startsWith("error: " + why + " ("), path + ": " + r);
    }

    @Test
    void aWellFormedResponseIsItsBody() {
        assertEquals("200 hello", fetch("/ok"));
    }

    @Test
    void whatTheHeadParserRefusesIsAnError() {
        assertRefused("/chunked", "bad HTTP response: transfer coding chunked not supported");
        assertRefused("/two-lengths", "bad HTTP response: conflicting Content-Length headers");
        assertRefused("/status-99", "bad HTTP response: HTTP status below 100");
    }

    @Test
    void aResponseEndingEarlyIsAnError() {
        assertRefused("/short", "bad HTTP response: HTTP body shorter than its Content-Length");
        assertRefused("/no-blank-line", "bad HTTP response: HTTP response ends inside its header block");
    }
}
