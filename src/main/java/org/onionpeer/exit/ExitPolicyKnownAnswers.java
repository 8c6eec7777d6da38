package org.onionpeer.exit;

import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;

/**
 * Exit policy decisions that must come out the same on every platform: the default policy's refusals of
 * private, loopback, link-local, CGNAT, multicast and mapped addresses (tor's private_nets, policies.c, plus
 * RFC 6598 and the IPv4 multicast/reserved blocks), first-match order, port ranges, canonical text, the
 * port summary (dir-spec §3.1.2 "p" line form) and rejection of malformed rules. No published vectors exist
 * for policies, so these are properties checked against hand-derived answers.
 */
public final class ExitPolicyKnownAnswers implements KnownAnswers {
    @Override
    public String name() {
        return "exit-policy";
    }

    @Override
    public void run(Check c) {
        ExitPolicy d = ExitPolicy.defaultPolicy();
        String[] refused = {"127.0.0.1", "10.1.2.3", "192.168.1.1", "172.16.0.1", "172.31.255.255", "169.254.1.1",
            "0.0.0.0", "0.1.2.3", "100.64.0.1", "100.127.255.255", "224.0.0.1", "239.255.255.250",
            "255.255.255.255", "[::1]", "[::]", "[fe80::1]", "[fc00::1]", "[fd12:3456::1]", "[fec0::1]", "[ff02::1]",
            "[::ffff:127.0.0.1]", "[::ffff:10.0.0.1]", "[::ffff:192.168.0.1]", "[::127.0.0.1]"};
        for (String a : refused) {
            c.that("default refuses " + a, !d.allows(addr(a), 80), "refused");
        }
        String[] allowed = {"93.184.216.34", "8.8.8.8", "100.63.255.255", "100.128.0.0", "172.15.255.255",
            "172.32.0.0", "223.255.255.255", "[2606:2800:220:1:248:1893:25c8:1946]", "[2001:db8::1]",
            "[::ffff:93.184.216.34]"};
        for (String a : allowed) {
            c.that("default allows " + a, d.allows(addr(a), 443), "allowed");
        }
        c.that("port 0 never allowed", !d.allows(addr("93.184.216.34"), 0), "refused");
        c.that("port 65536 never allowed", !d.allows(addr("93.184.216.34"), 65536), "refused");
        c.that("wrong address length refused", !d.allows(new byte[5], 80), "refused");

        ExitPolicy t = ExitPolicy.withDefault("accept 127.0.0.0/8:*");
        c.that("prepended accept opens loopback", t.allows(addr("127.0.0.1"), 8080), t.rule(0));
        c.that("prepended accept opens mapped loopback", t.allows(addr("[::ffff:127.0.0.2]"), 1), "allowed");
        c.that("prepended accept leaves 10/8 closed", !t.allows(addr("10.0.0.1"), 80), "refused");
        c.that("prepended accept leaves ::1 closed", !t.allows(addr("[::1]"), 80), "refused");

        ExitPolicy p = ExitPolicy.parse("reject 1.2.3.4:80, accept 1.2.3.0/24:80-90\naccept [2001:db8::]/32:443");
        c.that("first match rejects", !p.allows(addr("1.2.3.4"), 80), "refused");
        c.that("second rule accepts", p.allows(addr("1.2.3.5"), 80), "allowed");
        c.that("range upper bound", p.allows(addr("1.2.3.5"), 90), "allowed");
        c.that("past range", !p.allows(addr("1.2.3.5"), 91), "refused");
        c.that("below range", !p.allows(addr("1.2.3.5"), 79), "refused");
        c.that("ipv6 prefix", p.allows(addr("[2001:db8:ffff::1]"), 443), "allowed");
        c.that("ipv6 outside prefix", !p.allows(addr("[2001:db9::1]"), 443), "refused");
        c.that("no match is refused", !p.allows(addr("8.8.8.8"), 80), "refused");

        canonical(c, "accept 1.2.3.4/8:80", "accept 1.0.0.0/8:80");
        canonical(c, "reject *:*", "reject *:*");
        canonical(c, "accept *4:1-1024", "accept *4:1-1024");
        canonical(c, "accept6 *:443", "accept *6:443");
        canonical(c, "reject [::ffff:10.0.0.0]/104:*", "reject 10.0.0.0/8:*");
        canonical(c, "accept [2001:DB8:0:0:0:0:0:1]", "accept [2001:db8::1]:*");
        canonical(c, "reject6 private:25", "reject [::]/8:25, reject [fc00::]/7:25, reject [fe80::]/10:25,"
            + " reject [fec0::]/10:25, reject [ff00::]/8:25, reject [::]/127:25");
        canonical(c, " accept 1.1.1.1:53 # dns\n\n,reject *:*", "accept 1.1.1.1:53, reject *:*");
        c.that("default text", d.toString().startsWith("reject 0.0.0.0/8:*, reject 169.254.0.0/16:*")
            && d.toString().endsWith("reject 240.0.0.0/4:*, accept *:*") && d.size() == 16, d.toString());

        summary(c, d, "accept 1-65535");
        summary(c, ExitPolicy.parse("reject *:25, reject *:119, accept *:*"), "reject 25,119");
        summary(c, ExitPolicy.parse("accept *:80, accept *:443, accept 1.2.3.4:22, reject *:*"), "accept 80,443");
        summary(c, ExitPolicy.parse("accept *:20-23, accept *:22-30, reject *:*"), "accept 20-30");
        summary(c, ExitPolicy.parse("reject *:*"), "reject 1-65535");
        summary(c, ExitPolicy.parse("reject *4:*, accept *6:80"), "reject 1-65535");
        c.that("summary6", ExitPolicy.parse("reject *4:*, accept *6:80").summary6().equals("accept 80"),
            ExitPolicy.parse("reject *4:*, accept *6:80").summary6());

        String[] bad = {"allow *:*", "accept", "accept *:0", "accept *:65536", "accept *:90-80", "accept *:08",
            "accept 1.2.3:80", "accept 1.2.3.4.5:80", "accept 256.1.1.1:80", "accept 01.2.3.4:80",
            "accept 1.2.3.4/33:80", "accept [::1]/129:80", "accept ::1:80", "accept [::1:80", "accept [1::2::3]:80",
            "accept [12345::]:80", "accept [1:2:3:4:5:6:7:8:9]:80", "accept6 1.2.3.4:80", "accept 1.2.3.4: 80",
            "accept *:-", "accept [g::]:80", "accept []:80", "accept *:*:*", "accept *5:80", "accept 1.2.3.4/-1:80",
            "accept [::1%lo]:80", "accept6 *4:*"};
        for (String b : bad) {
            c.rejects("rejects '" + b + "'", () -> ExitPolicy.parse(b));
        }
    }

    private static void canonical(Check c, String in, String want) {
        String got = ExitPolicy.parse(in).toString();
        c.that("canonical '" + in.replace("\n", "\\n") + "'", got.equals(want)
            && ExitPolicy.parse(got).toString().equals(got), got);
    }

    private static void summary(Check c, ExitPolicy p, String want) {
        c.that("summary of " + p, p.summary().equals(want), p.summary());
    }

    /** "1.2.3.4" or "[v6]" to bytes. */
    static byte[] addr(String s) {
        return s.startsWith("[") ? ExitPolicy.parseIpv6(s.substring(1, s.length() - 1)) : ExitPolicy.parseIpv4(s);
    }
}
