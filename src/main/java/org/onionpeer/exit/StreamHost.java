package org.onionpeer.exit;

import org.onionpeer.cell.IpAddress;

/**
 * What the host of a BEGIN or RESOLVE means, decided once in the core so that every platform's resolver
 * sees the same thing tor would: an address literal, a DNS name that no resolver can read as a number, or
 * a refusal (answered with END RESOLVEFAILED / a RESOLVED error before any resolver is asked).
 *
 * <p>Literals follow tor's {@code tor_addr_parse}: IPv4 is exactly four dot-separated decimal fields of 1-3
 * digits, each at most 255, and (as tor's {@code tor_inet_aton} in lib/net/inaddr.c does today) without
 * leading zeros: {@code 010.0.0.1} is no literal to tor, while inet_aton reads it as octal 8.0.0.1 and Java
 * as 10.0.0.1. IPv6 is RFC 4291 §2.2 text (hex groups, at most one "::" standing for at least one group, an
 * optional dotted-quad tail), bare or in brackets; zone IDs ("%eth0") are refused. A bracketed IPv4 is
 * refused, as tor does.
 *
 * <p>Names: at most 253 characters (a single trailing dot, which marks a fully qualified name, is allowed and
 * not counted), labels of 1-63 letters, digits, '-' and '_' (tor's string_is_valid_nonrfc_hostname allows '_'
 * for misconfigured zones in the wild) that do not start with '-' or '_'. A name is refused when a platform
 * resolver could read it as a number although tor does not: when its last label is all digits (RFC 3696 §2:
 * no top-level domain is all-numeric), e.g. {@code 2130706433}, {@code 127.1}, {@code 0177.0.0.1},
 * {@code 127.0.0.1.}, or is an inet_aton hex number ({@code 0x7f}, {@code 1.0x7f}). Reverse-lookup names
 * (in-addr.arpa, ip6.arpa) are refused too: tor refuses to connect to them, and we do not answer PTR queries
 * (an exit's reverse lookups would reveal what its resolver knows about its own network). Names are handed
 * to the resolver in lower case (tor lowercases them too).
 *
 * <p>Immutable; {@link #classify} never throws.
 */
public final class StreamHost {
    /** The kinds of host. */
    public enum Kind { IPV4, IPV6, NAME, REFUSED }

    /** Longest name accepted, without the optional trailing dot (RFC 1035 §2.3.4 in text form). */
    public static final int MAX_NAME = 253;
    public static final int MAX_LABEL = 63;

    private final Kind kind;
    private final IpAddress address;
    private final String name;
    private final String refusal;

    private StreamHost(Kind kind, IpAddress address, String name, String refusal) {
        this.kind = kind;
        this.address = address;
        this.name = name;
        this.refusal = refusal;
    }

    /** Classifies a BEGIN/RESOLVE host; null is refused too. */
    public static StreamHost classify(String host) {
        if (host == null || host.isEmpty()) {
            return refused("empty host");
        }
        if (host.length() > MAX_NAME + 2) {
            return refused("host too long");
        }
        boolean bracketed = host.length() > 2 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']';
        String h = bracketed ? host.substring(1, host.length() - 1) : host;
        if (h.indexOf(':') >= 0 || bracketed) {
            byte[] v6 = ExitPolicy.parseIpv6(h);
            return v6 == null ? refused("not an IPv6 literal") : new StreamHost(Kind.IPV6, IpAddress.of(v6), null, null);
        }
        byte[] v4 = ExitPolicy.parseIpv4(h);
        if (v4 != null) {
            return new StreamHost(Kind.IPV4, IpAddress.of(v4), null, null);
        }
        return name(h);
    }

    /**
     * The address literal {@code host} denotes to tor (IPv4, or IPv6 bare or in brackets), or null when it is
     * none. Platform connectors call this to skip their resolver for literals.
     */
    public static IpAddress parseLiteral(String host) {
        StreamHost h = classify(host);
        return h.address;
    }

    private static StreamHost name(String h) {
        String n = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        if (n.isEmpty() || n.length() > MAX_NAME) {
            return refused(n.isEmpty() ? "empty name" : "name too long");
        }
        char[] lower = new char[n.length()];
        int labelStart = 0;
        for (int i = 0; i <= n.length(); i++) {
            if (i == n.length() || n.charAt(i) == '.') {
                int len = i - labelStart;
                if (len == 0 || len > MAX_LABEL) {
                    return refused(len == 0 ? "empty label" : "label too long");
                }
                char first = n.charAt(labelStart);
                if (first == '-' || first == '_') {
                    return refused("label starts with '" + first + "'");
                }
                if (i < n.length()) {
                    lower[i] = '.';
                }
                labelStart = i + 1;
                continue;
            }
            char c = n.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return refused("bad character in name");
            }
            lower[i] = c;
        }
        String name = new String(lower);
        String last = name.substring(name.lastIndexOf('.') + 1);
        if (allDigits(last) || isHexNumber(last)) {
            return refused("numeric name that is not a literal");
        }
        if (name.equals("in-addr.arpa") || name.endsWith(".in-addr.arpa") || name.equals("ip6.arpa")
                || name.endsWith(".ip6.arpa")) {
            return refused("reverse lookup");
        }
        // Keep the caller's trailing dot: it tells the resolver not to append a search domain.
        return new StreamHost(Kind.NAME, null, h.endsWith(".") ? name + "." : name, null);
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** inet_aton's hex part: 0x followed by hex digits (none at all reads as 0 in some C libraries). */
    private static boolean isHexNumber(String s) {
        if (s.length() < 2 || s.charAt(0) != '0' || s.charAt(1) != 'x') {
            return false;
        }
        for (int i = 2; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static StreamHost refused(String why) {
        return new StreamHost(Kind.REFUSED, null, null, why);
    }

    public Kind kind() {
        return kind;
    }

    public boolean isLiteral() {
        return kind == Kind.IPV4 || kind == Kind.IPV6;
    }

    public boolean isRefused() {
        return kind == Kind.REFUSED;
    }

    /** For literals, the address; otherwise null. */
    public IpAddress address() {
        return address;
    }

    /** For names, the lower-cased name (with the trailing dot if it had one); otherwise null. */
    public String name() {
        return name;
    }

    /** Why it was refused (no part of the host in it), or null. */
    public String refusal() {
        return refusal;
    }

    /**
     * What the exit hands the platform {@code Connector}: the canonical text of a literal (dotted quad, RFC 5952
     * IPv6 without brackets) or the checked name; null when refused.
     */
    public String connectTarget() {
        return address != null ? address.toString() : name;
    }

    @Override
    public String toString() {
        return kind + (kind == Kind.REFUSED ? "(" + refusal + ")" : "(" + connectTarget() + ")");
    }
}
