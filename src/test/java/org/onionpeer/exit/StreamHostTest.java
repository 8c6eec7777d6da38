package org.onionpeer.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.onionpeer.exit.StreamHost.Kind;
import org.onionpeer.fuzz.Fuzzer;

/** Host classification against tor's tor_addr_parse reading, and a fuzz run of the classifier. */
class StreamHostTest {
    private static void literal(String host, String canonical) {
        StreamHost h = StreamHost.classify(host);
        assertTrue(h.isLiteral(), host + " -> " + h);
        assertEquals(canonical, h.connectTarget(), host);
        assertEquals(canonical, StreamHost.parseLiteral(host).toString(), host);
    }

    private static void name(String host, String target) {
        StreamHost h = StreamHost.classify(host);
        assertEquals(Kind.NAME, h.kind(), host + " -> " + h);
        assertEquals(target, h.connectTarget(), host);
        assertNull(StreamHost.parseLiteral(host), host);
    }

    private static void refused(String host, String why) {
        StreamHost h = StreamHost.classify(host);
        assertEquals(Kind.REFUSED, h.kind(), host + " -> " + h);
        assertEquals(why, h.refusal(), host);
        assertNull(h.connectTarget());
    }

    @Test
    void ipv4AsTorReadsIt() {
        literal("127.0.0.1", "127.0.0.1");
        literal("0.0.0.0", "0.0.0.0");
        literal("255.255.255.255", "255.255.255.255");
        literal("1.22.133.4", "1.22.133.4");
        // tor_inet_aton: %3u fields, no leading zeros (lib/net/inaddr.c), nothing after the fourth field.
        refused("0177.0.0.1", "numeric name that is not a literal");
        refused("010.0.0.1", "numeric name that is not a literal");
        refused("127.0.0.01", "numeric name that is not a literal");
        refused("256.0.0.1", "numeric name that is not a literal");
        refused("1.2.3.1000", "numeric name that is not a literal");
        refused("2130706433", "numeric name that is not a literal");
        refused("127.1", "numeric name that is not a literal");
        refused("127.0.1", "numeric name that is not a literal");
        refused("1.2.3.4.5", "numeric name that is not a literal");
        refused("127.0.0.1.", "numeric name that is not a literal");
        refused("0x7f.0.0.1", "numeric name that is not a literal");
        refused("0x7f000001", "numeric name that is not a literal");
        refused("0X7F000001", "numeric name that is not a literal");
        refused("1.0x7f", "numeric name that is not a literal");
        refused("127.0.0.0x1", "numeric name that is not a literal");
        refused("[127.0.0.1]", "not an IPv6 literal");
        refused("+1.2.3.4", "bad character in name");
        refused(" 1.2.3.4", "bad character in name");
        refused("1.2.3.4 ", "bad character in name");
        refused("1..2.3", "empty label");
        refused(".1.2.3.4", "empty label");
    }

    @Test
    void ipv6AsRfc4291WritesIt() {
        literal("::1", "::1");
        literal("[::1]", "::1");
        literal("::", "::");
        literal("2001:DB8::1", "2001:db8::1");
        literal("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
        literal("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
        literal("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
        literal("::ffff:1.2.3.4", "::ffff:102:304");
        literal("[::1.2.3.4]", "::102:304");
        literal("fe80::", "fe80::");
        refused("fe80::1%eth0", "not an IPv6 literal");
        refused("[fe80::1%25eth0]", "not an IPv6 literal");
        refused("1:2:3:4:5:6:7:8:9", "not an IPv6 literal");
        refused("1:2:3:4:5:6:7::8", "not an IPv6 literal");
        refused("1::2::3", "not an IPv6 literal");
        refused(":::", "not an IPv6 literal");
        refused(":1::", "not an IPv6 literal");
        refused("1::2:", "not an IPv6 literal");
        refused("12345::", "not an IPv6 literal");
        refused("::ffff:1.2.3", "not an IPv6 literal");
        refused("::ffff:01.2.3.4", "not an IPv6 literal");
        refused("::1.2.3.4:5", "not an IPv6 literal");
        refused("0x1::", "not an IPv6 literal");
        refused("[::1", "not an IPv6 literal");
        refused("[]", "bad character in name");
        refused("[example.com]", "not an IPv6 literal");
    }

    @Test
    void namesAndRefusals() {
        name("example.com", "example.com");
        name("WWW.Example.COM", "www.example.com");
        name("example.com.", "example.com.");
        name("localhost", "localhost");
        name("a-b.c_d.example", "a-b.c_d.example");
        name("1.2.3.com", "1.2.3.com");
        name("0x7f.example", "0x7f.example");
        name("x7f", "x7f");
        name("deadbeef", "deadbeef");
        name("1e100.net", "1e100.net");
        name("a1", "a1");
        refused("", "empty host");
        refused(null, "empty host");
        refused(".", "empty name");
        refused("example..com", "empty label");
        refused("example.com..", "empty label");
        refused("-example.com", "label starts with '-'");
        refused("_dmarc.example", "label starts with '_'");
        refused("exa mple.com", "bad character in name");
        refused("exa%mple.com", "bad character in name");
        refused("ex\u00e4mple.com", "bad character in name");
        refused("1.2.3.4.in-addr.arpa", "reverse lookup");
        refused("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa", "reverse lookup");
        refused("IN-ADDR.ARPA.", "reverse lookup");
        String label63 = "a".repeat(63);
        name(label63 + ".com", label63 + ".com");
        refused("a".repeat(64) + ".com", "label too long");
        String n253 = (label63 + ".").repeat(3) + "a".repeat(61);
        assertEquals(253, n253.length());
        name(n253, n253);
        name(n253 + ".", n253 + ".");
        refused(n253 + "a", "name too long");
        refused("a".repeat(400), "host too long");
    }

    /**
     * True when some C library or JVM might read {@code s} as an IPv4 number: 1-4 dot-separated parts (a
     * trailing dot allowed), each decimal, octal or 0x-hex: a superset of glibc inet_aton and Java's
     * InetAddress literal forms.
     */
    static boolean laxNumber(String s) {
        String t = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (t.isEmpty()) {
            return false;
        }
        String[] parts = t.split("\\.", -1);
        if (parts.length > 4) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]+|0[xX][0-9a-fA-F]*")) {
                return false;
            }
        }
        return true;
    }

    private static final String ALPHABET = "0123456789abcdefxX.:[]%-_ ABCDEFgzZ\u0000\u00ff";

    @Test
    void fuzzClassifierNeverThrowsAndNeverPassesANumberAsAName() {
        long seed = System.nanoTime();
        System.out.println("[StreamHostTest] fuzz seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        Fuzzer f = new Fuzzer(seed).maxLen(300);
        String[] seeds = {"127.0.0.1", "0177.0.0.1", "::ffff:1.2.3.4", "[2001:db8::1]", "example.com.",
            "0x7f.0.0.1", "2130706433", "a.b-c.d_e", "1.2.3.4.in-addr.arpa", "fe80::1%eth0"};
        for (String s : seeds) {
            f.seed(s.getBytes(StandardCharsets.ISO_8859_1));
        }
        int[] kinds = new int[Kind.values().length];
        int n = 1_000_000;
        String summary = f.run("StreamHost.classify", n / 2, in -> check(new String(in, StandardCharsets.ISO_8859_1),
                kinds));
        for (int i = 0; i < n / 2; i++) {
            // Short strings over an alphabet rich in what number parsers and IPv6 care about.
            char[] c = new char[1 + r.nextInt(r.nextBoolean() ? 12 : 48)];
            for (int k = 0; k < c.length; k++) {
                c[k] = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
            }
            String s = new String(c);
            try {
                check(s, kinds);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("seed " + seed + ", input '" + s + "'", e);
            }
        }
        System.out.println("[StreamHostTest] " + summary + "; kinds IPV4/IPV6/NAME/REFUSED = "
                + kinds[0] + "/" + kinds[1] + "/" + kinds[2] + "/" + kinds[3]);
        assertTrue(kinds[0] > 0 && kinds[1] > 0 && kinds[2] > 1000 && kinds[3] > 1000, "seed " + seed);
        for (String s : seeds) {
            check(s, kinds);
        }
    }

    private static void check(String s, int[] kinds) {
        StreamHost h = StreamHost.classify(s);
        kinds[h.kind().ordinal()]++;
        switch (h.kind()) {
            case NAME:
                if (laxNumber(s) || laxNumber(h.name())) {
                    throw new AssertionError("a number passed as a name: '" + s + "'");
                }
                if (h.name().length() > 254) {
                    throw new AssertionError("long name passed: '" + s + "'");
                }
                break;
            case IPV4:
            case IPV6:
                if (!StreamHost.classify(h.connectTarget()).address().equals(h.address())) {
                    throw new AssertionError("canonical text reads differently: '" + s + "'");
                }
                break;
            default:
                if (h.refusal() == null || h.connectTarget() != null) {
                    throw new AssertionError("refusal without reason: '" + s + "'");
                }
        }
    }
}
