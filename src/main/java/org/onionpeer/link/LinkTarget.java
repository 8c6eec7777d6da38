package org.onionpeer.link;

import org.onionpeer.bytes.ProtocolException;

/**
 * Where a link can be opened to, parsed once from the address strings directories carry:
 * {@code tls://host:port} (an ORPort), {@code ws://host[:port][/path]} or {@code wss://...} (a bridge's
 * WebSocket endpoint), {@code inproc:name} (a node of an in-process network) and {@code webrtc:ID} (a peer,
 * 40 hex digits of its node ID, linked through introductions). {@link #toString} gives the canonical string.
 *
 * <p>Hosts are a name or IPv4 literal ({@code A-Z a-z 0-9 . - _}) or a bracketed IPv6 literal. A TLS
 * address may also carry an IPv6 host without brackets ({@code tls://::1:9001}, as a relay bound to an IPv6
 * address writes it): the port is then after the last colon, as dialers always read it, and the canonical
 * form adds the brackets.
 */
public final class LinkTarget {
    public enum Kind {
        TLS, WEBSOCKET, INPROC, WEBRTC
    }

    private final Kind kind;
    /** TLS and WebSocket: the host, IPv6 without brackets; INPROC: the name; WEBRTC: the ID, lower-case hex. */
    private final String host;
    /** TLS: 1..65535; WebSocket: -1 when the URI names none (the scheme's default). */
    private final int port;
    private final boolean secure;
    /** WebSocket: path and query as written, "" or starting with '/' or '?'. */
    private final String path;
    private final String text;

    private LinkTarget(Kind kind, String host, int port, boolean secure, String path) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.secure = secure;
        this.path = path;
        switch (kind) {
            case TLS:
                text = "tls://" + hostForUri() + ":" + port;
                break;
            case WEBSOCKET:
                text = origin() + path;
                break;
            case INPROC:
                text = "inproc:" + host;
                break;
            default:
                text = "webrtc:" + host;
        }
    }

    /** An ORPort; {@code host} a name, an IPv4 or an IPv6 literal (without brackets). */
    public static LinkTarget tls(String host, int port) {
        return new LinkTarget(Kind.TLS, checkHost(host), checkPort(port), false, "");
    }

    public static LinkTarget inproc(String name) {
        if (name.isEmpty()) {
            throw new ProtocolException("empty in-process name");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isNameChar(name.charAt(i))) {
                throw new ProtocolException("bad character in in-process name");
            }
        }
        return new LinkTarget(Kind.INPROC, name, -1, false, "");
    }

    /** A peer by its node ID in hex (either case). */
    public static LinkTarget webrtc(String idHex) {
        if (idHex.length() != 40) {
            throw new ProtocolException("WebRTC peer ID must be 40 hex digits");
        }
        for (int i = 0; i < idHex.length(); i++) {
            if (!isHex(idHex.charAt(i))) {
                throw new ProtocolException("WebRTC peer ID must be 40 hex digits");
            }
        }
        return new LinkTarget(Kind.WEBRTC, idHex.toLowerCase(), -1, false, "");
    }

    /** Parses a directory's address string; {@link ProtocolException} says what is wrong with it. */
    public static LinkTarget parse(String address) {
        if (address == null || address.isEmpty()) {
            throw new ProtocolException("empty link address");
        }
        if (address.startsWith("tls://")) {
            String hp = address.substring(6);
            int colon = hp.lastIndexOf(':');
            if (colon < 0) {
                throw new ProtocolException("TLS address needs a port");
            }
            String h = hp.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]") && h.length() > 2) {
                h = h.substring(1, h.length() - 1);
                if (h.indexOf(':') < 0) {
                    throw new ProtocolException("bad host in link address");
                }
            }
            return tls(h, parsePort(hp.substring(colon + 1)));
        }
        boolean wss = address.startsWith("wss://");
        if (wss || address.startsWith("ws://")) {
            return parseWebSocket(address.substring(wss ? 6 : 5), wss);
        }
        if (address.startsWith("inproc:")) {
            return inproc(address.substring(7));
        }
        if (address.startsWith("webrtc:")) {
            return webrtc(address.substring(7));
        }
        throw new ProtocolException("unknown link address kind (tls://, ws://, wss://, inproc:, webrtc:)");
    }

    /** As {@link #parse}, or null for an address this version cannot read (another kind, a bad one). */
    public static LinkTarget parseOrNull(String address) {
        try {
            return parse(address);
        } catch (ProtocolException e) {
            return null;
        }
    }

    private static LinkTarget parseWebSocket(String rest, boolean secure) {
        int end = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?') {
                end = i;
                break;
            }
        }
        String authority = rest.substring(0, end);
        String path = rest.substring(end);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            // WebSocket URIs have no fragment (RFC 6455 §3); a page's WebSocket constructor refuses one.
            if (c <= ' ' || c >= 0x7f || c == '#') {
                throw new ProtocolException("bad character in WebSocket path");
            }
        }
        String h = authority;
        int port = -1;
        int bracket = authority.lastIndexOf(']');
        int colon = authority.lastIndexOf(':');
        if (colon > bracket) {
            h = authority.substring(0, colon);
            port = parsePort(authority.substring(colon + 1));
        }
        if (h.startsWith("[") && h.endsWith("]") && h.length() > 2) {
            h = h.substring(1, h.length() - 1);
            if (h.indexOf(':') < 0) {
                throw new ProtocolException("bad host in link address");
            }
        } else if (h.indexOf(':') >= 0) {
            throw new ProtocolException("bad host in link address");
        }
        return new LinkTarget(Kind.WEBSOCKET, checkHost(h), port, secure, path);
    }

    private static String checkHost(String h) {
        if (h.isEmpty()) {
            throw new ProtocolException("empty host in link address");
        }
        boolean ipv6 = h.indexOf(':') >= 0;
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (ipv6 ? !(c == ':' || c == '.' || isHex(c)) : !isNameChar(c)) {
                throw new ProtocolException("bad host in link address");
            }
        }
        return h;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                || c == '_';
    }

    private static int parsePort(String s) {
        if (s.isEmpty() || s.length() > 5) {
            throw new ProtocolException("bad port in link address");
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("bad port in link address");
            }
            v = v * 10 + (c - '0');
        }
        return checkPort(v);
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new ProtocolException("port in link address must be 1..65535");
        }
        return port;
    }

    public Kind kind() {
        return kind;
    }

    /** TLS and WebSocket: the host (an IPv6 literal without brackets); null for the other kinds. */
    public String host() {
        return kind == Kind.TLS || kind == Kind.WEBSOCKET ? host : null;
    }

    /** TLS: the port; WebSocket: the port, or -1 when the URI names none; -1 for the other kinds. */
    public int port() {
        return port;
    }

    /** Whether a WebSocket address is wss://. */
    public boolean isSecure() {
        return secure;
    }

    /** WebSocket: the path and query as written ("" when none); null for the other kinds. */
    public String path() {
        return kind == Kind.WEBSOCKET ? path : null;
    }

    /** INPROC: the node's name; WEBRTC: the peer's node ID in lower-case hex; null for the other kinds. */
    public String name() {
        return kind == Kind.INPROC || kind == Kind.WEBRTC ? host : null;
    }

    /** WebSocket: {@code ws://host[:port]} or {@code wss://...}, the origin a page's policy must allow. */
    public String origin() {
        return kind != Kind.WEBSOCKET ? null
                : (secure ? "wss://" : "ws://") + hostForUri() + (port < 0 ? "" : ":" + port);
    }

    private String hostForUri() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinkTarget && ((LinkTarget) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The canonical address string (what directories carry). */
    @Override
    public String toString() {
        return text;
    }
}
