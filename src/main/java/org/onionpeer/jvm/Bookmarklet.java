package org.onionpeer.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bookmarklet, made per request from the readable sources in bookmarklet/ (copied to the class path by
 * the build): the bridge's origin goes into the code, the code is minified (whole-line comments dropped,
 * lines trimmed) and percent-encoded into a {@code javascript:} URL, and that URL into the install page.
 * No minifier dependency: the source is written so that line-wise trimming is safe.
 */
public final class Bookmarklet {
    static final String BRIDGE = "__ONIONPEER_BRIDGE__";
    static final String HREF = "__ONIONPEER_HREF__";
    private static final String DIR = "/org/onionpeer/bookmarklet/";

    private Bookmarklet() {
    }

    /** The minified JavaScript that loads and starts the node from {@code bridgeOrigin} (no javascript: prefix). */
    public static String code(String bridgeOrigin) {
        requireOrigin(bridgeOrigin);
        StringBuilder sb = new StringBuilder();
        for (String line : resource("bookmarklet.js").split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("//")) {
                continue;
            }
            sb.append(sb.length() == 0 ? "" : "\n").append(t);
        }
        return sb.toString().replace(BRIDGE, bridgeOrigin);
    }

    /** {@code javascript:} + the code, percent-encoded as encodeURIComponent does. */
    public static String href(String bridgeOrigin) {
        return "javascript:" + percentEncode(code(bridgeOrigin));
    }

    /**
     * Serves the install page at /bookmarklet with the bridge's own origin ({@link BridgeServer#origin}: the
     * public URL or host:port as configured), never one taken from the request's Host header.
     */
    public static void install(org.onionpeer.jvm.bridge.BridgeServer server) {
        server.addRequestTextRoute("/bookmarklet", "text/html; charset=utf-8", req -> page(server.origin()));
    }

    /** The install page: a link to drag to the bookmarks bar. */
    public static String page(String bridgeOrigin) {
        return resource("install.html").replace(HREF, href(bridgeOrigin)).replace(BRIDGE, bridgeOrigin);
    }

    /**
     * {@code scheme://host[:port]} if {@code host} (a Host header) is a plain host name, IPv4 or bracketed
     * IPv6 address with an optional port, else {@code fallback}: only such a value may enter the code.
     */
    public static String origin(String scheme, String host, String fallback) {
        if (host != null && ("http".equals(scheme) || "https".equals(scheme)) && validHost(host)) {
            return scheme + "://" + host;
        }
        return fallback;
    }

    static boolean validHost(String h) {
        if (h.isEmpty() || h.length() > 255) {
            return false;
        }
        int i = 0;
        if (h.charAt(0) == '[') {
            int close = h.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (int k = 1; k < close; k++) {
                char c = h.charAt(k);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < h.length() && h.charAt(i) != ':') {
                char c = h.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                        || c == '-')) {
                    return false;
                }
                i++;
            }
            if (i == 0) {
                return false;
            }
        }
        if (i == h.length()) {
            return true;
        }
        if (h.charAt(i) != ':' || h.length() - i - 1 < 1 || h.length() - i - 1 > 5) {
            return false;
        }
        for (int k = i + 1; k < h.length(); k++) {
            if (h.charAt(k) < '0' || h.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }

    private static void requireOrigin(String o) {
        int p = o.indexOf("://");
        if (p < 0 || !origin(o.substring(0, p), o.substring(p + 3), "").equals(o)) {
            throw new IllegalArgumentException("not an origin: " + o);
        }
    }

    static String percentEncode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-_.!~*'()".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    private static String resource(String name) {
        try (InputStream in = Bookmarklet.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("bookmarklet source missing from the class path: " + DIR + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
