package org.onionpeer.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BookmarkletUnitTest {
    static final String FALLBACK = "http://127.0.0.1:8080";

    @Test
    void originAcceptsOnlyPlainHosts() {
        assertEquals("http://localhost:8080", Bookmarklet.origin("http", "localhost:8080", FALLBACK));
        assertEquals("https://bridge.example", Bookmarklet.origin("https", "bridge.example", FALLBACK));
        assertEquals("http://[::1]:9", Bookmarklet.origin("http", "[::1]:9", FALLBACK));
        for (String bad : new String[] {"", "a'b", "x:", "x:123456", "x:8a", "[::1", "[]:1", "a b", "h/';alert(1)//",
                ":80", "\u00e9.example"}) {
            assertEquals(FALLBACK, Bookmarklet.origin("http", bad, FALLBACK), bad);
        }
        assertEquals(FALLBACK, Bookmarklet.origin("javascript", "x", FALLBACK));
        assertEquals(FALLBACK, Bookmarklet.origin("http", null, FALLBACK));
        assertThrows(IllegalArgumentException.class, () -> Bookmarklet.code("http://a'b"));
    }

    @Test
    void hrefIsTheMinifiedCodePercentEncoded() {
        String code = Bookmarklet.code(FALLBACK);
        assertTrue(code.contains("var bridge = '" + FALLBACK + "';"), code);
        assertFalse(code.contains("__ONIONPEER_"), "every placeholder filled");
        assertFalse(code.contains("\n//") || code.startsWith("//"), "comment lines dropped");
        String href = Bookmarklet.href(FALLBACK);
        assertTrue(href.startsWith("javascript:"));
        String body = href.substring("javascript:".length());
        assertTrue(body.matches("[A-Za-z0-9_.!~*'()%-]*"), "only encodeURIComponent's safe characters");
        assertEquals(code, URLDecoder.decode(body.replace("+", "%2B"), StandardCharsets.UTF_8));
        String page = Bookmarklet.page(FALLBACK);
        assertTrue(page.contains("href=\"" + href + "\""), "the link carries the code");
        assertFalse(page.contains("__ONIONPEER_"));
    }
}
