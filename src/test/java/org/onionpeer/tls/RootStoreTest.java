package org.onionpeer.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The root store the page ships (webapp/tls-roots.js, written by src/tools/update-roots.sh): every root parses
 * with our strict certificate parser, the count in its header is the count of its blocks, and none is a
 * duplicate. A root the parser refused would silently make every site under it fail in the page.
 */
class RootStoreTest {
    static String pem() throws Exception {
        String js = Files.readString(Path.of("webapp/tls-roots.js"), StandardCharsets.UTF_8);
        int start = js.indexOf("pem: \"\\\n") + 8;
        int end = js.lastIndexOf("\"};");
        return js.substring(start, end).replace("\\n\\\n", "\n");
    }

    @Test
    void everyShippedRootParses() throws Exception {
        String js = Files.readString(Path.of("webapp/tls-roots.js"), StandardCharsets.UTF_8);
        String pem = pem();
        List<byte[]> ders = TrustStore.pemCertificates(pem);
        int count = Integer.parseInt(js.replaceAll("(?s).*count: (\\d+),.*", "$1"));
        assertEquals(count, ders.size(), "count in the header");
        assertTrue(count > 100, "a real root store has over 100 roots, got " + count);
        List<String> refused = new ArrayList<>();
        for (byte[] der : ders) {
            try {
                Certificate.parse(der);
            } catch (RuntimeException e) {
                refused.add(e.getMessage());
            }
        }
        assertEquals(List.of(), refused, "roots our parser refused");
        TrustStore store = TrustStore.fromPem(pem);
        assertEquals(count, store.size(), "no duplicates");
        // The script checked the source against its pinned SHA-256; the header must name that hash.
        assertTrue(js.matches("(?s).*sha256: \"[0-9a-f]{64}\".*"), "pinned SHA-256 in the header");
    }
}
