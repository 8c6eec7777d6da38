package org.onionpeer.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.onionpeer.fuzz.Fuzzer;

/**
 * One million mutated policy texts through the parser: only ProtocolException may escape, and whatever
 * parses must survive a round trip through its canonical text and answer allows() without throwing.
 */
class ExitPolicyFuzzTest {
    @Test
    void parserOnlyThrowsProtocolException() {
        Fuzzer f = new Fuzzer(0xe417L).maxLen(300);
        String[] seeds = {"accept *:*", "reject private:*", "accept 127.0.0.0/8:*, reject *:*",
            "accept [2001:db8::]/32:80-443\nreject6 *:*", "accept [::ffff:1.2.3.4]/120:22", "reject *4:1-1024 # x",
            "accept6 [fe80::1%]:1", "accept 1.2.3.4/24:8080-8090,reject 0.0.0.0/8:*,accept *6:443",
            "accept [1:2:3:4:5:6:7:8]/128:65535", "reject 255.255.255.255/32:1"};
        for (String s : seeds) {
            f.seed(s.getBytes(StandardCharsets.ISO_8859_1));
        }
        byte[] v4 = {8, 8, 8, 8};
        byte[] v6 = ExitPolicy.parseIpv6("::ffff:1.2.3.4");
        String summary = f.run("ExitPolicy.parse", 1_000_000, in -> {
            ExitPolicy p = ExitPolicy.parse(new String(in, StandardCharsets.ISO_8859_1));
            p.allows(v4, 80);
            p.allows(v6, 22);
            if (in.length > 0 && (in[0] & 7) == 0) { // round trip for a share of what parses
                String text = p.toString();
                if (!ExitPolicy.parse(text).toString().equals(text)) {
                    throw new AssertionError("round trip changed " + text);
                }
                p.summary();
            }
        });
        System.out.println("[fuzz] " + summary);
        assertEquals(1_000_000, f.accepted() + f.rejected(), summary);
        assertTrue(f.accepted() > 10_000, summary);
    }
}
