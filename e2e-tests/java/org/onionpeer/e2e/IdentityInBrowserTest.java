package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;

/**
 * The per-session identity in Chromium: status().identity is a 160-bit hex ID once the key pair is made,
 * a new one on every page load, and the private key cannot be exported (extractable=false).
 */
@Tag("browser")
class IdentityInBrowserTest {
    static Bridge bridge;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Bridge.Options o = TestBridges.options(3);
        bridge = new Bridge(o);
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    /** Loads the main page and waits (polling in the page) for its identity; fails after 30 s. */
    static String loadAndGetIdentity() {
        chromium.open(bridge.server().url(""));
        Object id = chromium.jsAsync("var cb = arguments[arguments.length - 1]; var t0 = Date.now();"
                + "(function poll() { var s = window.onionpeer && window.onionpeer.status && window.onionpeer.status();"
                + " if (s && s.identity) cb(s.identity); else if (Date.now() - t0 > 30000) cb('timeout: '"
                + " + (window.onionpeer && window.onionpeer.identityAlgorithm && window.onionpeer.identityAlgorithm()));"
                + " else setTimeout(poll, 20); })();");
        return String.valueOf(id);
    }

    @Test
    void identityIsNewPerPageLoadAndItsPrivateKeyCannotLeave() {
        String first = loadAndGetIdentity();
        assertTrue(first.matches("[0-9a-f]{40}"), "a 160-bit hex ID: " + first);
        assertEquals("Ed25519", chromium.js("return window.onionpeer.identityAlgorithm();"),
                "Chromium " + chromium.version() + " has Ed25519 in WebCrypto");
        assertEquals(Boolean.FALSE, chromium.js("return window.onionpeer.identityKeyExtractable();"));
        Object export = chromium.jsAsync("window.onionpeer.identityTryExport(arguments[arguments.length - 1]);");
        assertEquals("refused: InvalidAccessError", export, "WebCrypto refuses to export a non-extractable key");

        String second = loadAndGetIdentity();
        assertTrue(second.matches("[0-9a-f]{40}"), "a 160-bit hex ID: " + second);
        assertNotEquals(first, second, "a new identity on every page load");
        System.out.println("identities of two page loads: " + first + " " + second);
    }
}
