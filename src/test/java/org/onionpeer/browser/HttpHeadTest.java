package org.onionpeer.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.fuzz.Fuzzer;

class HttpHeadTest {
    static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: video/webm\r\nContent-Length: 1234\r\n\r\n";
    static final String PARTIAL = "HTTP/1.1 206 Partial Content\r\ncontent-range: bytes 100-1233/1234\r\n"
            + "Content-Length: 1134\r\n\r\n";

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static HttpHead parse(String s) {
        byte[] x = b(s);
        return HttpHead.decode(x, HttpHead.headEnd(x, x.length));
    }

    @Test
    void parsesStatusLengthAndType() {
        HttpHead h = parse(OK + "body bytes");
        assertEquals(200, h.status());
        assertEquals(1234, h.contentLength());
        assertEquals("video/webm", h.contentType());
        assertEquals(-1, h.rangeStart());
        assertEquals(-1, h.rangeTotal());
    }

    @Test
    void parsesContentRange() {
        HttpHead h = parse(PARTIAL);
        assertEquals(206, h.status());
        assertEquals(100, h.rangeStart());
        assertEquals(1233, h.rangeEnd());
        assertEquals(1234, h.rangeTotal());
        assertEquals(1134, h.contentLength());
        assertEquals("", h.contentType());
        assertEquals(-1, parse("HTTP/1.0 206 x\r\nContent-Range: bytes 5-9/*\r\n\r\n").rangeTotal());
    }

    @Test
    void findsTheEndOfTheHeadOnlyWhenItHasArrived() {
        byte[] x = b(OK + "rest");
        assertEquals(OK.length(), HttpHead.headEnd(x, x.length));
        assertEquals(-1, HttpHead.headEnd(x, OK.length() - 1));
        byte[] big = new byte[HttpHead.MAX_BYTES + 10];
        assertThrows(ProtocolException.class, () -> HttpHead.headEnd(big, big.length));
    }

    @Test
    void rejectsBadHeads() {
        String[] bad = {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "HTTP/1.1 206 OK\r\nContent-Range: bytes 9-5/10\r\n\r\n",
            "HTTP/1.1 206 OK\r\nContent-Range: bytes 0-10/10\r\n\r\n",
            "HTTP/1.1 206 OK\r\nContent-Range: items 0-1/10\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n", "HTTP/1.1 000 x\r\n\r\n"};
        for (String s : bad) {
            assertThrows(ProtocolException.class, () -> parse(s), s);
        }
    }

    @Test
    void fuzzOnlyProtocolExceptionEscapes() {
        Fuzzer f = new Fuzzer(77).seed(b(OK)).seed(b(PARTIAL)).maxLen(160);
        long t0 = System.nanoTime();
        String r = f.run("HttpHead", 1_000_000, x -> {
            int e = HttpHead.headEnd(x, x.length);
            HttpHead.decode(x, e < 0 ? x.length : e);
        });
        System.out.println(r + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertTrue(f.accepted() > 1000, "mutations of valid heads still decode: " + r);
    }
}
