package org.onionpeer.ordb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;

/** Links to shared content: {@code http://BRIDGE/#get=HASH_NAME}. */
class OrdbLinkTest {
    final HashName h = Content.publish(new byte[1000], "a".getBytes(), "video/webm", 64).hashName();

    @Test
    void aLinkCarriesTheHashNameInItsFragment() {
        String link = h.link("http://127.0.0.1:8080");
        assertEquals("http://127.0.0.1:8080/#get=" + h.hex(), link);
        assertEquals(h, HashName.ofLink(link));
        assertEquals(h, HashName.ofLink(h.link("http://127.0.0.1:8080/")));
        assertEquals(h, HashName.ofLink(link.toUpperCase().replace("#GET=", "#get=")));
        assertEquals(h, HashName.ofLink(link + "&name=clip.webm"));
    }

    @Test
    void otherUrlsAreNoLinksAndMalformedOnesSayWhy() {
        assertNull(HashName.ofLink("http://example.org/video.webm"));
        assertNull(HashName.ofLink(null));
        assertEquals("the link's hash_name has 10 characters, not 64 hex digits",
                assertThrows(ProtocolException.class, () -> HashName.ofLink("http://b/#get=0123456789")).getMessage());
        String bad = h.hex().substring(0, 63) + "z";
        assertEquals("the link's hash_name has a non-hex character at 63",
                assertThrows(ProtocolException.class, () -> HashName.ofLink("http://b/#get=" + bad)).getMessage());
    }
}
