package org.onionpeer.browser;

/** Entry point of onionpeer.js, the browser node (the page and the bookmarklet load it). */
public final class BrowserMain {
    private BrowserMain() {
    }

    public static void main(String[] args) {
        JsApi.exportString("version", "0.1.0");
        JsApi.setText("status", "Onionpeer core loaded");
    }
}
