package org.onionpeer.http;

import org.onionpeer.bytes.ProtocolException;

/**
 * An {@code http://} or {@code https://} URL as the page's fetches need it (RFC 9110 §4.2): the scheme, the
 * host to open a stream to (brackets of an IPv6 literal removed), the port (80 or 443 by default), the Host
 * header (RFC 9110 §7.2: the port only when it is not the scheme's default) and the path with its query
 * (the fragment never leaves the page). Immutable; {@link #parse} refuses what it cannot send safely:
 * other schemes, user info, empty hosts, bad ports, spaces and control characters.
 */
public final class HttpUrl {
    private final boolean secure;
    private final String host;
    private final int port;
    private final String path;

    private HttpUrl(boolean secure, String host, int port, String path) {
        this.secure = secure;
        this.host = host;
        this.port = port;
        this.path = path;
    }

    public static boolean isHttp(String url) {
        return url.startsWith("http://") || url.startsWith("https://");
    }

    public static HttpUrl parse(String url) throws ProtocolException {
        boolean secure = url.startsWith("https://");
        if (!secure && !url.startsWith("http://")) {
            throw new ProtocolException("only http:// and https:// URLs can be fetched: " + url);
        }
        String rest = url.substring(secure ? 8 : 7);
        int end = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String authority = rest.substring(0, end);
        String path = rest.substring(end);
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        if (path.isEmpty() || path.charAt(0) == '?') {
            path = "/" + path;
        }
        if (authority.indexOf('@') >= 0) {
            throw new ProtocolException("URLs with a user name or password are not fetched: " + url);
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new ProtocolException("not a valid URL (unclosed IPv6 literal): " + url);
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (after.charAt(0) != ':') {
                    throw new ProtocolException("not a valid URL: " + url);
                }
                portText = after.substring(1);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
        }
        int port = secure ? 443 : 80;
        if (portText != null && !portText.isEmpty()) {
            port = parsePort(portText);
            if (port <= 0) {
                throw new ProtocolException("bad port in " + url);
            }
        }
        if (host.isEmpty() || !printable(host) || !printable(path)) {
            throw new ProtocolException("not a valid URL: " + url);
        }
        return new HttpUrl(secure, host, port, path);
    }

    private static int parsePort(String s) {
        if (s.length() > 5) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n <= 65535 ? n : -1;
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) <= 0x20 || s.charAt(i) >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    public boolean secure() {
        return secure;
    }

    /** The host to connect to: a name or an IP literal (IPv6 without brackets). */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The request target: path and query, never empty, without the fragment. */
    public String path() {
        return path;
    }

    /** The Host header's value. */
    public String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == (secure ? 443 : 80) ? h : h + ":" + port;
    }

    /** An HTTP/1.0 GET that closes after the response, from byte {@code from} on when it is above 0. */
    public String getRequest(long from) {
        return "GET " + path + " HTTP/1.0\r\nHost: " + hostHeader() + "\r\nConnection: close\r\n"
                + (from > 0 ? "Range: bytes=" + from + "-\r\n" : "") + "\r\n";
    }

    @Override
    public String toString() {
        return (secure ? "https://" : "http://") + hostHeader() + path;
    }
}
