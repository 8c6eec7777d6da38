package org.onionpeer.exit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;

class ExitPolicyTest {
    private static byte[] a(String s) {
        return ExitPolicyKnownAnswers.addr(s);
    }

    @Test
    void defaultRejectsLocalAndPrivate() {
        ExitPolicy d = ExitPolicy.defaultPolicy();
        for (String s : new String[] {"127.0.0.1", "10.9.8.7", "192.168.0.1", "169.254.169.254", "[::1]",
            "[fe80::1]", "[::ffff:127.0.0.1]", "100.100.100.100", "0.0.0.0"}) {
            assertFalse(d.allows(a(s), 80), s);
        }
        assertTrue(d.allows(a("93.184.216.34"), 80));
        assertTrue(d.allows(a("[2606:2800:220:1::1]"), 80));
    }

    @Test
    void whatAnOnionProxyMayAskOfAnExit() {
        ExitPolicy loopOnly = ExitPolicy.parse("accept 127.0.0.0/8:*, reject *:*");
        assertTrue(loopOnly.mayAllow("127.0.0.1", 8080), "an allowed literal");
        assertFalse(loopOnly.mayAllow("10.0.0.1", 8080), "a refused literal");
        assertTrue(loopOnly.mayAllow("example.com", 8080), "a hostname might resolve into 127/8");
        assertTrue(loopOnly.allowsAnything());

        ExitPolicy web = ExitPolicy.parse("reject 10.0.0.0/8:*, accept *:80, accept *:443, reject *:*");
        assertTrue(web.mayAllow("example.com", 443));
        assertFalse(web.mayAllow("example.com", 25), "no rule accepts port 25 for any address");
        assertFalse(web.mayAllow("[::1]", 25));
        assertFalse(web.mayAllow("example.com", 0));

        assertFalse(ExitPolicy.rejectAll().allowsAnything());
        assertFalse(ExitPolicy.rejectAll().mayAllow("example.com", 80));
        assertFalse(ExitPolicy.parse("reject *:1-65535").allowsAnything());
        assertTrue(ExitPolicy.defaultPolicy().allowsAnything());
    }

    @Test
    void configIsPrependedToTheDefault() {
        ExitPolicy t = ExitPolicy.withDefault("accept 127.0.0.0/8:*");
        assertTrue(t.allows(a("127.0.0.1"), 80));
        assertFalse(t.allows(a("192.168.1.1"), 80));
        assertEquals(ExitPolicy.defaultPolicy().size() + 1, t.size());
        assertEquals("accept 127.0.0.0/8:*", t.rule(0));
    }

    @Test
    void portRangesAndFirstMatch() {
        ExitPolicy p = ExitPolicy.parse("reject *:6660-6669\naccept *:6000-7000, reject *:*");
        assertFalse(p.allows(a("8.8.8.8"), 6660));
        assertFalse(p.allows(a("8.8.8.8"), 6669));
        assertTrue(p.allows(a("8.8.8.8"), 6670));
        assertTrue(p.allows(a("8.8.8.8"), 6000));
        assertFalse(p.allows(a("8.8.8.8"), 5999));
        assertFalse(p.allows(a("8.8.8.8"), 7001));
        // Order matters: the same rules reversed accept 6665.
        assertTrue(ExitPolicy.parse("accept *:6000-7000, reject *:6660-6669").allows(a("8.8.8.8"), 6665));
    }

    @Test
    void familyWildcards() {
        ExitPolicy p = ExitPolicy.parse("accept *4:80, accept *6:443");
        assertTrue(p.allows(a("1.1.1.1"), 80));
        assertFalse(p.allows(a("1.1.1.1"), 443));
        assertTrue(p.allows(a("[2001:db8::1]"), 443));
        assertFalse(p.allows(a("[2001:db8::1]"), 80));
    }

    @Test
    void prefixBoundaries() {
        ExitPolicy p = ExitPolicy.parse("accept 172.16.0.0/12:*, accept [2001:db8::]/33:*");
        assertTrue(p.allows(a("172.31.255.255"), 1));
        assertFalse(p.allows(a("172.32.0.0"), 1));
        assertFalse(p.allows(a("172.15.255.255"), 1));
        assertTrue(p.allows(a("[2001:db8:7fff::]"), 1));
        assertFalse(p.allows(a("[2001:db8:8000::]"), 1));
    }

    @Test
    void badSyntaxIsAProtocolExceptionNamingTheRule() {
        ProtocolException e = assertThrows(ProtocolException.class,
            () -> ExitPolicy.parse("accept *:80, accept 1.2.3.999:80"));
        assertTrue(e.getMessage().contains("1.2.3.999"), e.getMessage());
        assertThrows(ProtocolException.class, () -> ExitPolicy.parse("accept *:80,, permit *:*"));
        assertThrows(ProtocolException.class, () -> ExitPolicy.parse(null));
        assertThrows(ProtocolException.class, () -> ExitPolicy.parse("accept *:*,".repeat(7000)));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < ExitPolicy.MAX_RULES / 12 + 1; i++) {
            many.append("reject private:*\n");
        }
        assertThrows(ProtocolException.class, () -> ExitPolicy.parse(many.toString()));
    }

    /** Our own address parsers agree with the JDK's on random addresses, in every text form. */
    @Test
    void addressParsersAgreeWithInetAddress() throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 20000; i++) {
            byte[] b = new byte[16];
            for (int k = 0; k < 16; k++) {
                // Plenty of zero groups so that "::" compression appears.
                b[k] = r.nextInt(3) == 0 ? 0 : (byte) r.nextInt(256);
            }
            String full = InetAddress.getByAddress(b).getHostAddress(); // uncompressed groups
            assertArrayEquals(b, ExitPolicy.parseIpv6(full), full);
            String compressed = org.onionpeer.cell.IpAddress.of(b).toString();
            assertArrayEquals(b, ExitPolicy.parseIpv6(compressed), compressed);
            byte[] v4 = {b[0], b[1], b[2], b[3]};
            String dotted = InetAddress.getByAddress(v4).getHostAddress();
            assertArrayEquals(v4, ExitPolicy.parseIpv4(dotted), dotted);
        }
        assertArrayEquals(InetAddress.getByName("::ffff:1.2.3.4").getAddress().length == 4
            ? new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 1, 2, 3, 4} : null,
            ExitPolicy.parseIpv6("::ffff:1.2.3.4"));
        assertArrayEquals(InetAddress.getByName("1:2:3:4:5:6:1.2.3.4").getAddress(),
            ExitPolicy.parseIpv6("1:2:3:4:5:6:1.2.3.4"));
        for (String s : new String[] {":::", "1:::2", ":1::", "1::2:", "1:2:3:4:5:6:7:8::", "::1.2.3", "1.2.3.4::",
            "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", ""}) {
            assertNull(ExitPolicy.parseIpv6(s), s);
        }
    }

    @Test
    void summariesAndCanonicalText() {
        ExitPolicy p = ExitPolicy.withDefault("reject *:25");
        assertEquals("reject 25", p.summary());
        assertEquals("reject 25", p.summary6());
        assertEquals(p, ExitPolicy.parse(p.toString()));
    }
}
