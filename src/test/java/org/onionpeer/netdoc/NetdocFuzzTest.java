package org.onionpeer.netdoc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.fuzz.Fuzzer;

/**
 * One million mutated documents through each parser, seeded with the captured tor 0.4.9.11 documents: only
 * ProtocolException may escape. A share of what parses is also verified (RSA is too slow for all of it).
 */
class NetdocFuzzTest {
    private static final int N = 1_000_000;
    private static final long NOW = Captured.now();

    private static byte[] bytes(String s) {
        return NetDoc.bytes(s, 0, s.length());
    }

    private static void check(Fuzzer f, String summary) {
        System.out.println("[fuzz] " + summary);
        assertEquals(N, f.accepted() + f.rejected(), summary);
        assertTrue(f.accepted() > 0, summary);
    }

    @Test
    void consensus() {
        String c = Captured.consensus();
        // A shortened consensus (one router) keeps each input small; the full one is a seed too.
        int r2 = c.indexOf("\nr auth0 ") + 1;
        int footer = c.indexOf("directory-footer\n");
        String shortC = c.substring(0, r2) + c.substring(footer);
        Fuzzer f = new Fuzzer(0x4e7d0c1L).maxLen(200).seed(bytes(shortC)).seed(bytes(c))
                .seed(bytes(Captured.text("consensus-microdesc.txt")));
        List<AuthorityCertificate> certs = AuthorityCertificate.parseAll(Captured.keys());
        List<byte[]> trusted = Captured.trusted();
        int[] n = {0};
        String s = f.run("Consensus.parse", N, in -> {
            Consensus k = Consensus.parse(NetDoc.text(in));
            k.routers().size();
            if (n[0]++ % 200 == 0) {
                k.verify(certs, trusted, NOW);
            }
        });
        check(f, s);
    }

    @Test
    void serverDescriptor() {
        String all = Captured.servers();
        String one = all.substring(0, all.indexOf("\nrouter ", 1) + 1);
        Fuzzer f = new Fuzzer(0x5e7de5cL).maxLen(200).seed(bytes(one))
                .seed(bytes(Captured.text("server-authority.txt")));
        int[] n = {0};
        String s = f.run("ServerDescriptor.parseAll", N, in -> {
            for (ServerDescriptor d : ServerDescriptor.parseAll(NetDoc.text(in))) {
                d.exitPolicy();
                if (n[0]++ % 100 == 0) {
                    d.digest();
                    d.verify(NOW);
                }
            }
        });
        check(f, s);
    }

    @Test
    void authorityCertificate() {
        Fuzzer f = new Fuzzer(0xce27L).maxLen(200).seed(bytes(Captured.keys()));
        int[] n = {0};
        String s = f.run("AuthorityCertificate.parseAll", N, in -> {
            for (AuthorityCertificate c : AuthorityCertificate.parseAll(NetDoc.text(in))) {
                if (n[0]++ % 1000 == 0) {
                    c.verify(NOW);
                }
            }
        });
        check(f, s);
    }

    @Test
    void authorityLine() {
        Fuzzer f = new Fuzzer(0xa0741L).maxLen(200).seed(bytes(Captured.authorityLine()))
                .seed(bytes("DirAuthority moria1 orport=9201 no-v2 v3ident=F533C81CEF0BC0267857C99B2F471ADF249FA232 "
                        + "ipv6=[2001:db8::1]:9201 128.31.0.39:9231 1A25 C633 9E73 9C2C 0E76 C5CA 1A6D F74A 4E1D 1C87"));
        String s = f.run("AuthorityLine.parse", N, in -> AuthorityLine.parse(NetDoc.text(in)));
        check(f, s);
    }

    @Test
    void base64() {
        Fuzzer f = new Fuzzer(0xb64L).maxLen(100).seed(bytes("Zm9vYmFy")).seed(bytes("Zm9vYg=="))
                .seed(bytes("4d1X7pnmgEVMG8HSIAB/YN5o59aFiUyWGsCp7GpfzTQ"));
        String s = f.run("Base64.decode", N, in -> {
            byte[] b = Base64.decode(NetDoc.text(in));
            if (!java.util.Arrays.equals(b, Base64.decode(Base64.encode(b)))) {
                throw new AssertionError("round trip");
            }
        });
        check(f, s);
    }
}
