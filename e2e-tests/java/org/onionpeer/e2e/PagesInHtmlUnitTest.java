package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.htmlunit.BrowserVersion;
import org.htmlunit.WebClient;
import org.htmlunit.html.HtmlAnchor;
import org.htmlunit.html.HtmlElement;
import org.htmlunit.html.HtmlPage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.Bridge;

/**
 * Light page checks in HtmlUnit (no real browser): the main page and its status area, and the bookmarklet
 * install page, whose link must be a javascript: URL naming this bridge's origin and parsing as JavaScript.
 * HtmlUnit has no Ed25519/X25519 WebCrypto nor the rest a node needs, so the node itself is tested in
 * Chromium (BrowserNodeTest, BookmarkletTest); here script errors of the bundle are recorded, not fatal.
 */
@Tag("browser")
class PagesInHtmlUnitTest {
    static Bridge bridge;
    static WebClient web;

    @BeforeAll
    static void start() throws Exception {
        Bridge.Options o = TestBridges.options(3);
        bridge = new Bridge(o);
        web = new WebClient(BrowserVersion.CHROME);
        web.getOptions().setThrowExceptionOnScriptError(false);
        web.getOptions().setThrowExceptionOnFailingStatusCode(true);
        web.getOptions().setCssEnabled(false);
    }

    @AfterAll
    static void stop() {
        if (web != null) {
            web.close();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    static String bridgeOrigin() {
        String u = bridge.server().url("");
        return u.substring(0, u.length() - 1);
    }

    @Test
    void mainPageLoadsWithItsStatusArea() throws Exception {
        HtmlPage page = web.getPage(bridge.server().url(""));
        web.waitForBackgroundJavaScript(2_000);
        assertEquals("Onionpeer", page.getTitleText());
        HtmlElement status = page.getHtmlElementById("status");
        assertNotNull(status);
        String text = status.getTextContent();
        assertTrue(!text.isBlank(), "the status area shows something");
        Object kind = page.executeJavaScript("typeof window.onionpeer").getJavaScriptResult();
        System.out.println("HtmlUnit main page: status \"" + text + "\", typeof window.onionpeer = " + kind);
    }

    @Test
    void bookmarkletPageHoldsAJavascriptLinkToThisBridge() throws Exception {
        HtmlPage page = web.getPage(bridge.server().url("bookmarklet"));
        HtmlAnchor a = page.getHtmlElementById("bookmarklet");
        String href = a.getHrefAttribute();
        assertTrue(href.startsWith("javascript:"), href);
        assertEquals(bridgeOrigin(), page.getHtmlElementById("bridge").getTextContent());
        // Decode and compile without running: new Function() throws SyntaxError on bad code.
        Object r = page.executeJavaScript("(function () { var a = document.getElementById('bookmarklet');"
                + " var code = decodeURIComponent(a.getAttribute('href').slice('javascript:'.length));"
                + " try { new Function(code); } catch (e) { return 'syntax: ' + e; }"
                + " return code.indexOf(\"'" + bridgeOrigin() + "'\") >= 0 ? 'ok' : 'no origin in ' + code; })()")
                .getJavaScriptResult();
        assertEquals("ok", String.valueOf(r));
        // And a broken body is caught by the same check (the check can fail).
        Object bad = page.executeJavaScript("(function () { try { new Function('(function () {'); return 'parsed'; }"
                + " catch (e) { return 'syntax'; } })()").getJavaScriptResult();
        assertEquals("syntax", String.valueOf(bad));
    }
}
