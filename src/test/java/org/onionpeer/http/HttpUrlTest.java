package org.onionpeer.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;

class HttpUrlTest {
    @Test
    void readsSchemeHostPortAndPath() throws Exception {
        HttpUrl u = HttpUrl.parse("https://example.test/a/b?c=d#frag");
        assertTrue(u.secure());
        assertEquals("example.test", u.host());
        assertEquals(443, u.port());
        assertEquals("/a/b?c=d", u.path());
        assertEquals("example.test", u.hostHeader());
        assertEquals("GET /a/b?c=d HTTP/1.0\r\nHost: example.test\r\nConnection: close\r\n\r\n", u.getRequest(0));
        assertEquals("GET /a/b?c=d HTTP/1.0\r\nHost: example.test\r\nConnection: close\r\nRange: bytes=7-\r\n\r\n",
                u.getRequest(7));

        HttpUrl p = HttpUrl.parse("http://127.0.0.1:8080");
        assertEquals("/", p.path());
        assertEquals(8080, p.port());
        assertEquals("127.0.0.1:8080", p.hostHeader());
        assertEquals("/?q", HttpUrl.parse("http://h?q").path());
        assertEquals("h", HttpUrl.parse("http://h:80/").hostHeader());

        HttpUrl v6 = HttpUrl.parse("https://[::1]:8443/x");
        assertEquals("::1", v6.host());
        assertEquals(8443, v6.port());
        assertEquals("[::1]:8443", v6.hostHeader());
        assertEquals("https://[::1]:8443/x", v6.toString());
    }

    @Test
    void refusesWhatItCannotSendWithExactErrors() {
        assertEquals("only http:// and https:// URLs can be fetched: ftp://h/", err("ftp://h/"));
        assertEquals("bad port in http://h:99999/", err("http://h:99999/"));
        assertEquals("bad port in http://h:8a/", err("http://h:8a/"));
        assertEquals("not a valid URL: http:///x", err("http:///x"));
        assertEquals("not a valid URL: http://h/a b", err("http://h/a b"));
        assertEquals("URLs with a user name or password are not fetched: http://u:p@h/", err("http://u:p@h/"));
        assertEquals("not a valid URL (unclosed IPv6 literal): http://[::1/", err("http://[::1/"));
    }

    private static String err(String url) {
        return assertThrows(ProtocolException.class, () -> HttpUrl.parse(url)).getMessage();
    }
}
