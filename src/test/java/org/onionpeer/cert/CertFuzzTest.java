package org.onionpeer.cert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.crypto.Rsa;
import org.onionpeer.fuzz.Fuzzer;

/**
 * A million mutated inputs through each decoder of the cert package (and the PKCS#1 key decoders in
 * crypto.Rsa); only ProtocolException may escape. Seeds are the real chutney certificates and our own.
 * Signature checks stay out of the million-input loops; a smaller run drives the full validator.
 */
class CertFuzzTest {
    private static final int N = 1_000_000;

    private static final RelayKeys KEYS = CertKnownAnswers.katRelayKeys();
    private static final long NOW = 1767225600L;
    private static final RelayCredentials CREDS = RelayCredentials.create(KEYS, NOW);
    private static final X509Cert TLS = CREDS.issueTlsCert(
            X509Cert.decode(Bytes.unhex(CertKnownAnswers.CERT_T1)).rsaPublicKey(), "www.fuzz.example", NOW);

    private static String run(String name, long seed, int maxLen, int n, Consumer<byte[]> decoder, byte[]... seeds) {
        Fuzzer f = new Fuzzer(seed).maxLen(maxLen);
        for (byte[] s : seeds) {
            f.seed(s);
        }
        long t0 = System.nanoTime();
        String summary = shallow(() -> f.run(name, n, decoder));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[fuzz] " + summary + " in " + ms + " ms");
        assertTrue(f.accepted() > 0 || name.startsWith("never"), name + ": the seeds themselves must decode");
        return summary;
    }

    /**
     * Runs {@code body} on a fresh thread. Most fuzz inputs end in a ProtocolException, and filling in a
     * stack trace under JUnit's ~70 frames costs ~5 us, several times the decode itself; a shallow stack keeps
     * each million-input run within its time budget.
     */
    private static String shallow(java.util.function.Supplier<String> body) {
        String[] out = new String[1];
        Throwable[] err = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                out[0] = body.get();
            } catch (Throwable e) {
                err[0] = e;
            }
        }, "fuzz");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (err[0] instanceof Error) {
            throw (Error) err[0];
        }
        if (err[0] != null) {
            throw new AssertionError(err[0]);
        }
        return out[0];
    }

    @Test
    void ed25519CertDecoder() {
        run("Ed25519Cert.decode", 1, 400, N, Ed25519Cert::decode, Bytes.unhex(CertKnownAnswers.CERT_T4),
                Bytes.unhex(CertKnownAnswers.CERT_T5), Bytes.unhex(CertKnownAnswers.TOR_DESC_NTOR_CC),
                CREDS.identityToSigning().encode());
    }

    @Test
    void rsaCrossCertDecoder() {
        run("RsaCrossCert.decode", 2, 400, N, RsaCrossCert::decode, Bytes.unhex(CertKnownAnswers.CERT_T7),
                CREDS.crossCert().encode());
    }

    @Test
    void x509Decoder() {
        run("X509Cert.decode", 3, 1100, N, X509Cert::decode, Bytes.unhex(CertKnownAnswers.CERT_T1),
                Bytes.unhex(CertKnownAnswers.CERT_T2), CREDS.identityCert().encode(), TLS.encode());
    }

    @Test
    void certsCellDecoder() {
        run("CertsCell.decode", 4, 2200, N, CertsCell::decode, Bytes.unhex(CertKnownAnswers.CERTS_BODY),
                CREDS.certsCell(TLS.sha256(), TLS, NOW).encode(), new byte[] {0});
    }

    @Test
    void pkcs1KeyDecoders() {
        run("Rsa.PublicKey.fromPkcs1Der", 5, 600, N, Rsa.PublicKey::fromPkcs1Der,
                KEYS.rsaIdentity().publicKey().toPkcs1Der(),
                X509Cert.decode(Bytes.unhex(CertKnownAnswers.CERT_T1)).rsaPublicKey().toPkcs1Der());
        run("Rsa.PrivateKey.fromPkcs1Der", 6, 700, N, Rsa.PrivateKey::fromPkcs1Der, KEYS.rsaIdentity().toPkcs1Der());
    }

    @Test
    void fullResponderValidation() {
        // Decoding plus every signature check; fewer inputs because each valid-looking one costs RSA and
        // Ed25519 verifications.
        LinkBinding link = LinkBinding.tlsCertificate(TLS.encode());
        run("CertsValidator.validateResponder", 7, 2200, 20_000,
                b -> {
                    // Whatever a mutation leaves acceptable (trailing bytes, the unchecked type-1 cert) must
                    // still prove exactly our identity.
                    if (!CertsValidator.validateResponder(CertsCell.decode(b), link, NOW).equals(KEYS.identity())) {
                        throw new AssertionError("accepted a different identity");
                    }
                },
                CREDS.certsCell(TLS.sha256(), TLS, NOW).encode());
    }
}
