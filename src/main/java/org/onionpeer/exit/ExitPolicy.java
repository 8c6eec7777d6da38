package org.onionpeer.exit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.transport.Connector;

/**
 * A tor-style exit policy: an ordered list of {@code accept|reject ADDRSPEC[:PORTSPEC]} rules, first match wins
 * (tor's torrc ExitPolicy and the descriptor "accept"/"reject" lines, dir-spec §2.1.1 "exitpattern").
 *
 * <p>ADDRSPEC is {@code *} (both families), {@code *4}, {@code *6}, an IPv4 address with an optional
 * {@code /bits}, a bracketed IPv6 address with an optional {@code /bits}, or {@code private} (tor's private
 * set, policies.c {@code private_nets}). PORTSPEC is {@code *}, {@code N} or {@code N-M} with 1 &lt;= N &lt;= M
 * &lt;= 65535; a missing PORTSPEC means every port, as in tor. {@code accept6}/{@code reject6} restrict a rule
 * to IPv6. A policy text is a list of rules separated by commas or newlines; {@code #} starts a comment that
 * runs to the end of the line.
 *
 * <p>An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is the IPv4 address {@code a.b.c.d} for every
 * purpose: {@link #allows} matches it against the IPv4 rules, and a rule written as a mapped prefix (bits
 * &gt;= 96) becomes the equivalent IPv4 rule. That way {@code ::ffff:127.0.0.1} cannot slip past
 * {@code reject 127.0.0.0/8}. An address no rule matches is rejected (fail closed).
 *
 * <p>Errors: every malformed policy text raises {@link ProtocolException} with a message naming the offending
 * rule — the one error type of the project's decoders, so a bad policy from configuration or from a directory
 * document is handled the same way. Immutable; safe to share.
 */
public final class ExitPolicy implements Connector.AddressFilter {
    /** Longest policy text accepted by {@link #parse} (tor's descriptors stay far below this). */
    public static final int MAX_TEXT = 65536;
    /** Most rules one policy may hold after {@code private} is expanded. */
    public static final int MAX_RULES = 4096;

    /** tor's private_nets (policies.c), the expansion of the {@code private} keyword. */
    private static final String[] PRIVATE_NETS = {"0.0.0.0/8", "169.254.0.0/16", "127.0.0.0/8", "192.168.0.0/16",
        "10.0.0.0/8", "172.16.0.0/12", "[::]/8", "[fc00::]/7", "[fe80::]/10", "[fec0::]/10", "[ff00::]/8",
        "[::]/127"};

    /**
     * What an exit must never reach unless configured to: tor's private set (loopback, RFC 1918, link-local,
     * unspecified, ULA, site-local, IPv6 multicast), plus CGNAT (RFC 6598), IPv4 multicast and the reserved
     * 240/4 block with the broadcast address. Mapped addresses are covered by the IPv4 rules (see above).
     */
    private static final String DEFAULT_TEXT = "reject private:*, reject 100.64.0.0/10:*, reject 224.0.0.0/4:*,"
        + " reject 240.0.0.0/4:*, accept *:*";

    private static final ExitPolicy DEFAULT = parse(DEFAULT_TEXT);
    private static final ExitPolicy REJECT_ALL = parse("reject *:*");

    private final Rule[] rules;

    private ExitPolicy(Rule[] rules) {
        this.rules = rules;
    }

    /** The policy an exit runs with when nothing is configured: see {@link #DEFAULT_TEXT}. */
    public static ExitPolicy defaultPolicy() {
        return DEFAULT;
    }

    /** A policy that allows nothing. */
    public static ExitPolicy rejectAll() {
        return REJECT_ALL;
    }

    /** Exactly the rules in {@code text}; anything they do not match is rejected. */
    public static ExitPolicy parse(String text) {
        if (text == null) {
            throw new ProtocolException("exit policy: no text");
        }
        if (text.length() > MAX_TEXT) {
            throw new ProtocolException("exit policy: text longer than " + MAX_TEXT + " characters");
        }
        List<Rule> out = new ArrayList<>();
        int lineStart = 0;
        while (lineStart <= text.length()) {
            int nl = text.indexOf('\n', lineStart);
            int lineEnd = nl < 0 ? text.length() : nl;
            String line = text.substring(lineStart, lineEnd);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            int itemStart = 0;
            while (itemStart <= line.length()) {
                int comma = line.indexOf(',', itemStart);
                int itemEnd = comma < 0 ? line.length() : comma;
                String item = trim(line.substring(itemStart, itemEnd));
                if (!item.isEmpty()) {
                    parseRule(item, out);
                }
                itemStart = itemEnd + 1;
            }
            lineStart = lineEnd + 1;
        }
        return new ExitPolicy(out.toArray(new Rule[0]));
    }

    /** {@code config}'s rules first, then the {@link #defaultPolicy()}: how an operator opens up a hole. */
    public static ExitPolicy withDefault(String config) {
        return parse(config).then(DEFAULT);
    }

    /** This policy's rules followed by {@code next}'s. */
    public ExitPolicy then(ExitPolicy next) {
        if (rules.length + next.rules.length > MAX_RULES) {
            throw new ProtocolException("exit policy: more than " + MAX_RULES + " rules");
        }
        Rule[] r = new Rule[rules.length + next.rules.length];
        System.arraycopy(rules, 0, r, 0, rules.length);
        System.arraycopy(next.rules, 0, r, rules.length, next.rules.length);
        return new ExitPolicy(r);
    }

    /**
     * Whether a connection to {@code address} (4 or 16 bytes, network order) and {@code port} is allowed.
     * Anything malformed (null, another length, a port outside 1..65535) is refused rather than thrown.
     */
    @Override
    public boolean allows(byte[] address, int port) {
        if (address == null || (address.length != 4 && address.length != 16) || port < 1 || port > 65535) {
            return false;
        }
        byte[] a = isMapped(address) ? tail4(address) : address;
        for (Rule r : rules) {
            if (r.matches(a, port)) {
                return r.accept;
            }
        }
        return false;
    }

    /**
     * What an onion proxy asks before choosing an exit for {@code host:port}: for an address literal,
     * {@link #allows}; for a hostname (resolved only at the exit) whether the exit might accept it, as tor's
     * compare_tor_addr_to_addr_policy answers for an unknown address: the first rule for that port that covers
     * every address decides, and an accept rule for some addresses counts as "might" (tor's
     * ADDR_POLICY_PROBABLY_ACCEPTED). False for a port outside 1..65535.
     */
    public boolean mayAllow(String host, int port) {
        if (port < 1 || port > 65535 || host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        byte[] a = parseIpv4(h);
        if (a == null && h.indexOf(':') >= 0) {
            a = parseIpv6(h);
        }
        if (a != null) {
            return allows(a, port);
        }
        for (Rule r : rules) {
            if (port < r.portMin || port > r.portMax) {
                continue;
            }
            if (r.accept) {
                return true;
            }
            if (r.family == 0) {
                return false;
            }
        }
        return false;
    }

    /**
     * Whether {@code address} (4 or 16 bytes) is one an exit keeps to itself: what {@link #defaultPolicy}
     * rejects (tor's private set, CGNAT, multicast, 240/4; IPv4-mapped IPv6 included). Anything malformed
     * counts as internal. An exit never reveals such addresses in RESOLVED answers.
     */
    public static boolean isInternal(byte[] address) {
        return !DEFAULT.allows(address, 1);
    }

    /** Whether any connection at all may be allowed: false for "reject *:*" and its equivalents. */
    public boolean allowsAnything() {
        for (Rule r : rules) {
            if (r.accept) {
                return true;
            }
            if (r.family == 0 && r.portMin == 1 && r.portMax == 65535) {
                return false;
            }
        }
        return false;
    }

    public int size() {
        return rules.length;
    }

    /** The canonical text of rule {@code i} (e.g. {@code reject 10.0.0.0/8:*}). */
    public String rule(int i) {
        return rules[i].toString();
    }

    /** All rules in canonical form; {@code parse(rules joined by ", ")} gives an equal policy. */
    public List<String> rules() {
        List<String> l = new ArrayList<>();
        for (Rule r : rules) {
            l.add(r.toString());
        }
        return Collections.unmodifiableList(l);
    }

    /**
     * The IPv4 port summary in the form of a microdescriptor "p" line (dir-spec §3.1.2): {@code accept
     * 80,443,1000-2000} or {@code reject 25,119}, whichever is shorter. Like tor's policy summary it describes
     * connections to the public internet: only rules that cover every address of the family count (rules about
     * particular networks, such as the private ones, are left out).
     */
    public String summary() {
        return summarize(4);
    }

    /** The same summary for IPv6 (the "p6" line). */
    public String summary6() {
        return summarize(6);
    }

    /** The rules in canonical form, comma separated: for logs and for our directory document. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Rule r : rules) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(r);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExitPolicy && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    // ---- summary ----

    private String summarize(int family) {
        // Interval boundaries: every rule's port range start and end+1.
        List<Integer> cuts = new ArrayList<>();
        cuts.add(1);
        cuts.add(65536);
        List<Rule> relevant = new ArrayList<>();
        for (Rule r : rules) {
            if (r.bits == 0 && (r.family == 0 || r.family == family)) {
                relevant.add(r);
                cuts.add(r.portMin);
                cuts.add(r.portMax + 1);
            }
        }
        Collections.sort(cuts);
        StringBuilder acc = new StringBuilder();
        StringBuilder rej = new StringBuilder();
        int runStart = -1;
        boolean runAccept = false;
        for (int i = 0; i + 1 < cuts.size(); i++) {
            int lo = cuts.get(i);
            int hi = cuts.get(i + 1) - 1;
            if (hi < lo) {
                continue;
            }
            boolean accept = false;
            for (Rule r : relevant) {
                if (lo >= r.portMin && lo <= r.portMax) {
                    accept = r.accept;
                    break;
                }
            }
            if (runStart < 0) {
                runStart = lo;
                runAccept = accept;
            } else if (accept != runAccept) {
                appendRange(runAccept ? acc : rej, runStart, lo - 1);
                runStart = lo;
                runAccept = accept;
            }
        }
        appendRange(runAccept ? acc : rej, runStart, 65535);
        if (acc.length() == 0) {
            return "reject 1-65535";
        }
        return rej.length() > 0 && rej.length() < acc.length() ? "reject " + rej : "accept " + acc;
    }

    private static void appendRange(StringBuilder sb, int lo, int hi) {
        if (sb.length() > 0) {
            sb.append(',');
        }
        sb.append(lo);
        if (hi != lo) {
            sb.append('-').append(hi);
        }
    }

    // ---- parsing ----

    private static void parseRule(String item, List<Rule> out) {
        int sp = 0;
        while (sp < item.length() && !isSpace(item.charAt(sp))) {
            sp++;
        }
        String keyword = item.substring(0, sp);
        boolean accept;
        boolean only6 = false;
        if (keyword.equals("accept")) {
            accept = true;
        } else if (keyword.equals("reject")) {
            accept = false;
        } else if (keyword.equals("accept6")) {
            accept = true;
            only6 = true;
        } else if (keyword.equals("reject6")) {
            accept = false;
            only6 = true;
        } else {
            throw bad(item, "must start with accept, reject, accept6 or reject6");
        }
        String spec = trim(item.substring(sp));
        if (spec.isEmpty()) {
            throw bad(item, "no address");
        }
        for (int i = 0; i < spec.length(); i++) {
            if (isSpace(spec.charAt(i))) {
                throw bad(item, "space inside the address:port pattern");
            }
        }
        // Split ADDRSPEC from PORTSPEC: the colon after the closing bracket for IPv6, else the only colon.
        String addr;
        String ports;
        if (spec.startsWith("[")) {
            int close = spec.indexOf(']');
            if (close < 0) {
                throw bad(item, "IPv6 address without ']'");
            }
            int colon = spec.indexOf(':', close);
            addr = colon < 0 ? spec : spec.substring(0, colon);
            ports = colon < 0 ? null : spec.substring(colon + 1);
        } else {
            int colon = spec.indexOf(':');
            if (colon >= 0 && spec.indexOf(':', colon + 1) >= 0) {
                throw bad(item, "an IPv6 address must be in brackets");
            }
            addr = colon < 0 ? spec : spec.substring(0, colon);
            ports = colon < 0 ? null : spec.substring(colon + 1);
        }
        int portMin = 1;
        int portMax = 65535;
        if (ports != null && !ports.equals("*")) {
            int dash = ports.indexOf('-');
            portMin = parsePort(item, dash < 0 ? ports : ports.substring(0, dash));
            portMax = dash < 0 ? portMin : parsePort(item, ports.substring(dash + 1));
            if (portMax < portMin) {
                throw bad(item, "port range ends before it starts");
            }
        }
        if (addr.equals("private")) {
            for (String net : PRIVATE_NETS) {
                Rule r = addressRule(item, net, accept, portMin, portMax);
                if (!only6 || r.family == 6) {
                    add(out, r);
                }
            }
            return;
        }
        Rule r = addressRule(item, addr, accept, portMin, portMax);
        if (only6) {
            if (r.family == 4) {
                throw bad(item, "accept6/reject6 with an IPv4 address");
            }
            if (r.family == 0) {
                r = new Rule(accept, 6, new byte[16], 0, portMin, portMax);
            }
        }
        add(out, r);
    }

    private static void add(List<Rule> out, Rule r) {
        if (out.size() >= MAX_RULES) {
            throw new ProtocolException("exit policy: more than " + MAX_RULES + " rules");
        }
        out.add(r);
    }

    private static Rule addressRule(String item, String addr, boolean accept, int portMin, int portMax) {
        if (addr.equals("*")) {
            return new Rule(accept, 0, null, 0, portMin, portMax);
        }
        if (addr.equals("*4")) {
            return new Rule(accept, 4, new byte[4], 0, portMin, portMax);
        }
        if (addr.equals("*6")) {
            return new Rule(accept, 6, new byte[16], 0, portMin, portMax);
        }
        String host = addr;
        String mask = null;
        int slash = addr.indexOf('/');
        if (slash >= 0) {
            host = addr.substring(0, slash);
            mask = addr.substring(slash + 1);
        }
        byte[] a;
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.length() < 3) {
                throw bad(item, "malformed bracketed IPv6 address");
            }
            a = parseIpv6(host.substring(1, host.length() - 1));
        } else {
            a = parseIpv4(host);
        }
        if (a == null) {
            throw bad(item, "not an IPv4 address or a bracketed IPv6 address");
        }
        int max = a.length * 8;
        int bits = max;
        if (mask != null) {
            bits = parseSmallInt(mask, 3);
            if (bits < 0 || bits > max) {
                throw bad(item, "prefix length must be 0.." + max);
            }
        }
        if (a.length == 16 && bits >= 96 && isMapped(a)) {
            return new Rule(accept, 4, tail4(a), bits - 96, portMin, portMax);
        }
        return new Rule(accept, a.length == 4 ? 4 : 6, a, bits, portMin, portMax);
    }

    private static int parsePort(String item, String s) {
        int p = parseSmallInt(s, 5);
        if (p < 1 || p > 65535) {
            throw bad(item, "port must be 1..65535");
        }
        return p;
    }

    /** Decimal without sign or leading zeros, at most {@code maxDigits} digits; -1 if not. */
    private static int parseSmallInt(String s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits || (s.length() > 1 && s.charAt(0) == '0')) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * Dotted-quad IPv4: exactly four decimal parts 0..255 without leading zeros (which some resolvers read
     * as octal); null if {@code s} is anything else.
     */
    public static byte[] parseIpv4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '.') {
                if (part >= 4) {
                    return null;
                }
                int v = parseSmallInt(s.substring(start, i), 3);
                if (v < 0 || v > 255) {
                    return null;
                }
                out[part++] = (byte) v;
                start = i + 1;
            }
        }
        return part == 4 ? out : null;
    }

    /**
     * RFC 4291 §2.2 text IPv6 (hex groups, at most one "::", an optional dotted-quad tail), without brackets
     * or zone; null if {@code s} is anything else.
     */
    public static byte[] parseIpv6(String s) {
        if (s.length() < 2 || s.length() > 45) {
            return null;
        }
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        byte[] out = new byte[16];
        if (dbl < 0) {
            return groups(s, out, 0, 16, true) == 16 ? out : null;
        }
        String head = s.substring(0, dbl);
        String tail = s.substring(dbl + 2);
        byte[] h = new byte[16];
        byte[] t = new byte[16];
        int hn = head.isEmpty() ? 0 : groups(head, h, 0, 14, false);
        int tn = tail.isEmpty() ? 0 : groups(tail, t, 0, 14, true);
        if (hn < 0 || tn < 0 || hn + tn > 14) {
            return null;
        }
        System.arraycopy(h, 0, out, 0, hn);
        System.arraycopy(t, 0, out, 16 - tn, tn);
        return out;
    }

    /**
     * Parses colon-separated hex groups (the last may be a dotted quad when {@code v4Tail}, i.e. at the end of
     * the address) into {@code out}; returns the bytes written, or -1 on a bad group or more than
     * {@code maxBytes}.
     */
    private static int groups(String s, byte[] out, int at, int maxBytes, boolean v4Tail) {
        int n = 0;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i < s.length() && s.charAt(i) != ':') {
                continue;
            }
            String g = s.substring(start, i);
            if (v4Tail && i == s.length() && g.indexOf('.') >= 0) {
                byte[] v4 = parseIpv4(g);
                if (v4 == null || n + 4 > maxBytes) {
                    return -1;
                }
                System.arraycopy(v4, 0, out, at + n, 4);
                return n + 4;
            }
            if (g.isEmpty() || g.length() > 4 || n + 2 > maxBytes) {
                return -1;
            }
            int v = 0;
            for (int k = 0; k < g.length(); k++) {
                int d = Bytes.hexDigit(g.charAt(k));
                if (d < 0) {
                    return -1;
                }
                v = v << 4 | d;
            }
            out[at + n] = (byte) (v >>> 8);
            out[at + n + 1] = (byte) v;
            n += 2;
            start = i + 1;
        }
        return n;
    }


    private static boolean isMapped(byte[] a) {
        if (a.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static byte[] tail4(byte[] a) {
        return new byte[] {a[12], a[13], a[14], a[15]};
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static String trim(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    private static ProtocolException bad(String item, String why) {
        String shown = item.length() > 80 ? item.substring(0, 80) + "..." : item;
        return new ProtocolException("exit policy rule '" + shown + "': " + why);
    }

    /** One rule. family 0 = any address; a null prefix with bits 0 matches everything of the family. */
    private static final class Rule {
        final boolean accept;
        final int family;
        final byte[] prefix;
        final int bits;
        final int portMin;
        final int portMax;

        Rule(boolean accept, int family, byte[] prefix, int bits, int portMin, int portMax) {
            this.accept = accept;
            this.family = family;
            this.bits = bits;
            this.portMin = portMin;
            this.portMax = portMax;
            if (prefix != null) {
                // Keep only the network bits (tor masks "1.2.3.4/8" to 1.0.0.0/8 as well).
                prefix = prefix.clone();
                for (int i = 0; i < prefix.length; i++) {
                    int keep = Math.max(0, Math.min(8, bits - 8 * i));
                    prefix[i] &= (byte) (0xff << (8 - keep));
                }
            }
            this.prefix = prefix;
        }

        boolean matches(byte[] a, int port) {
            if (port < portMin || port > portMax) {
                return false;
            }
            if (family == 0) {
                return true;
            }
            if (a.length != (family == 4 ? 4 : 16)) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int m = 0xff << (8 - rest) & 0xff;
            return (a[full] & m) == (prefix[full] & 0xff);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(accept ? "accept " : "reject ");
            if (family == 0) {
                sb.append('*');
            } else if (bits == 0) {
                sb.append(family == 4 ? "*4" : "*6");
            } else if (family == 4) {
                sb.append(IpAddress.of(prefix));
                if (bits != 32) {
                    sb.append('/').append(bits);
                }
            } else {
                sb.append('[').append(IpAddress.of(prefix)).append(']');
                if (bits != 128) {
                    sb.append('/').append(bits);
                }
            }
            sb.append(':');
            if (portMin == 1 && portMax == 65535) {
                sb.append('*');
            } else {
                sb.append(portMin);
                if (portMax != portMin) {
                    sb.append('-').append(portMax);
                }
            }
            return sb.toString();
        }
    }
}
