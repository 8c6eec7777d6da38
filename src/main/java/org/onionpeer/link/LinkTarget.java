package org.onionpeer.link;

import org.onionpeer.bytes.Bytes;
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
    // Kinds are plain numbers, as in cell/EndReason: an enum (or any static state here) costs a class
    // initialisation check at every use in the browser bundle.
    public static final int TLS = 1;
    public static final int WEBSOCKET = 2;
    public static final int INPROC = 3;
    public static final int WEBRTC = 4;

    private final int kind;
    /** TLS and WebSocket: the host, IPv6 without brackets; INPROC: the name; WEBRTC: the ID, lower-case hex. */
    private final String host;
    /** TLS: 1..65535; WebSocket: -1 when the URI names none (the scheme's default). */
    private final int port;
    private final boolean secure;
    /** WebSocket: path and query as written, "" or starting with '/' or '?'. */
    private final String path;
    private final String text;

    private LinkTarget(int kind, String host, int port, boolean secure, String path) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.secure = secure;
        this.path = path;
        // One builder for every kind (INPROC and WEBRTC have no port and no path): small in the browser bundle.
        StringBuilder b = new StringBuilder(kind == TLS ? "tls://" : kind == WEBSOCKET ? (secure ? "wss://" : "ws://")
                : kind == INPROC ? "inproc:" : "webrtc:");
        boolean v6 = host.indexOf(':') >= 0;
        b.append(v6 ? "[" : "").append(host).append(v6 ? "]" : "");
        if (port >= 0) {
            b.append(':').append(port);
        }
        text = b.append(path).toString();
    }

    /** An ORPort; {@code host} a name, an IPv4 or an IPv6 literal (without brackets). */
    public static LinkTarget tls(String host, int port) {
        return new LinkTarget(TLS, checkHost(host), checkPort(port), false, "");
    }

    /** A node of an in-process network by name ({@code A-Z a-z 0-9 . - _}). */
    public static LinkTarget inproc(String name) {
        boolean ok = !name.isEmpty();
        for (int i = 0; ok && i < name.length(); i++) {
            ok = isNameChar(name.charAt(i));
        }
        if (!ok) {
            throw new ProtocolException("bad in-process name");
        }
        return new LinkTarget(INPROC, name, -1, false, "");
    }

    /** A peer by its node ID in hex (either case). */
    public static LinkTarget webrtc(String idHex) {
        boolean ok = idHex.length() == 40;
        for (int i = 0; ok && i < 40; i++) {
            ok = isHex(idHex.charAt(i));
        }
        if (!ok) {
            throw new ProtocolException("WebRTC peer ID must be 40 hex digits");
        }
        return new LinkTarget(WEBRTC, Bytes.hex(Bytes.unhex(idHex)), -1, false, "");
    }

    /** Parses a directory's address string; {@link ProtocolException} says what is wrong with it. */
    public static LinkTarget parse(String address) {
        if (address == null || address.isEmpty()) {
            throw new ProtocolException("empty link address");
        }
        if (address.startsWith("tls://")) {
            return hostPort(TLS, false, address.substring(6), "");
        }
        boolean wss = address.startsWith("wss://");
        if (wss || address.startsWith("ws://")) {
            String rest = address.substring(wss ? 6 : 5);
            int end = 0;
            while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '?') {
                end++;
            }
            for (int i = end; i < rest.length(); i++) {
                char c = rest.charAt(i);
                // WebSocket URIs have no fragment (RFC 6455 §3); a page's WebSocket constructor refuses one.
                if (c <= ' ' || c >= 0x7f || c == '#') {
                    throw new ProtocolException("bad character in WebSocket path");
                }
            }
            return hostPort(WEBSOCKET, wss, rest.substring(0, end), rest.substring(end));
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

    /** {@code host[:port]} of a TLS or WebSocket address; TLS needs the port. */
    private static LinkTarget hostPort(int kind, boolean secure, String authority, String path) {
        String h = authority;
        int port = -1;
        int colon = authority.lastIndexOf(':');
        if (colon > authority.lastIndexOf(']')) {
            h = authority.substring(0, colon);
            port = parsePort(authority.substring(colon + 1));
        } else if (kind == TLS) {
            throw new ProtocolException("TLS address needs a port");
        }
        boolean bracketed = h.length() > 2 && h.charAt(0) == '[' && h.endsWith("]");
        if (bracketed) {
            h = h.substring(1, h.length() - 1);
        }
        // Brackets hold IPv6 only; only TLS may write IPv6 without them (see the class comment).
        if (h.indexOf(':') >= 0 ? !bracketed && kind != TLS : bracketed) {
            throw new ProtocolException("bad host in link address");
        }
        return new LinkTarget(kind, checkHost(h), port, secure, path);
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
        int v = s.isEmpty() || s.length() > 5 ? -1 : 0;
        for (int i = 0; i < s.length() && v >= 0; i++) {
            char c = s.charAt(i);
            v = c < '0' || c > '9' ? -1 : v * 10 + (c - '0');
        }
        if (v < 0) {
            throw new ProtocolException("bad port in link address");
        }
        return checkPort(v);
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new ProtocolException("port in link address must be 1..65535");
        }
        return port;
    }

    /** {@link #TLS}, {@link #WEBSOCKET}, {@link #INPROC} or {@link #WEBRTC}. */
    public int kind() {
        return kind;
    }

    /** TLS and WebSocket: the host (an IPv6 literal without brackets); null for the other kinds. */
    public String host() {
        return kind == TLS || kind == WEBSOCKET ? host : null;
    }

    public int port() {
        return port;
    }

    /** Whether a WebSocket address is wss://. */
    public boolean isSecure() {
        return secure;
    }

    /** WebSocket: the path and query as written ("" when none); null for the other kinds. */
    public String path() {
        return kind == WEBSOCKET ? path : null;
    }

    /** INPROC: the node's name; WEBRTC: the peer's node ID in lower-case hex; null for the other kinds. */
    public String name() {
        return kind == INPROC || kind == WEBRTC ? host : null;
    }

    /** WebSocket: {@code ws://host[:port]} or {@code wss://...}, the origin a page's policy must allow. */
    public String origin() {
        return kind == WEBSOCKET ? text.substring(0, text.length() - path.length()) : null;
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
