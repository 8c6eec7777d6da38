package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.fuzz.Fuzzer;

/** One million mutated or random inputs through the directory response parser: only ProtocolException escapes. */
class HttpResponseFuzzTest {
    private static final int N = 1_000_000;

    @Test
    void decodeThrowsOnlyProtocolException() {
        Fuzzer f = new Fuzzer(0x4077L).maxLen(400);
        f.seed(Bytes.ascii("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabcdef"));
        f.seed(Bytes.ascii("HTTP/1.0 404 Not found\r\nX: y\r\nContent-Type: text/plain\r\n\r\nno"));
        f.seed(Bytes.ascii("HTTP/1.1 200 OK\r\n\r\n"));
        String summary = f.run("http-response", N, b -> {
            HttpResponse r = HttpResponse.decode(b);
            r.body();
            r.header("content-length");
        });
        System.out.println("[fuzz] " + summary);
        assertTrue(f.accepted() + f.rejected() == N, summary);
        assertTrue(f.accepted() > 1000, "some mutations must still parse: " + summary);
    }

    @Test
    void relayAddressParsingNeverThrows() {
        Fuzzer f = new Fuzzer(0x715L).maxLen(40);
        f.seed(Bytes.ascii("tls://10.0.0.1:9001"));
        f.seed(Bytes.ascii("tls://255.255.255.255:65535/x"));
        String summary = f.run("tls-ipv4", N, b -> {
            char[] c = new char[b.length];
            for (int i = 0; i < b.length; i++) {
                c[i] = (char) (b[i] & 0xff);
            }
            ClientCircuit.linkSpecifiers(new org.onionpeer.dir.RelayInfo("r",
                    new org.onionpeer.cert.RelayIdentity(new byte[20], new byte[32]), new byte[32],
                    java.util.Collections.singletonList(new String(c).isEmpty() ? "x" : new String(c)),
                    java.util.Collections.emptySet(), ""));
        });
        System.out.println("[fuzz] " + summary);
        assertTrue(f.rejected() == 0, "address forms the OP cannot use are skipped, never an error: " + summary);
    }
}
