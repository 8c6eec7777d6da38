package org.onionpeer.jvm.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.CertsValidator;
import org.onionpeer.cert.Ed25519Cert;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.crypto.Rsa;

class TlsContextsTest {
    private static final SecureRandom RND = new SecureRandom();
    private static long now;
    private static RelayCredentials creds;
    private static TlsIdentity identity;
    private static TlsIdentity other;

    @BeforeAll
    static void keys() throws Exception {
        now = System.currentTimeMillis() / 1000;
        creds = RelayCredentials.create(RelayKeys.generate(RND), now);
        identity = TlsIdentity.create(creds, RND, now);
        other = TlsIdentity.create(creds, RND, now); // same relay, another link key
    }

    /** Result of one loopback handshake, seen from the client. */
    private static final class Seen {
        String protocol;
        byte[] peerDer;
        int echoed;
    }

    /** Serves one connection with {@code server}, connects with our client context restricted to {@code proto}. */
    private static Seen handshake(TlsIdentity server, String proto) throws Exception {
        try (SSLServerSocket ss = TlsContexts.listen(server.sslContext(), "127.0.0.1", 0, 4)) {
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(10_000);
                    int b = s.getInputStream().read();
                    s.getOutputStream().write(b + 1);
                    s.getOutputStream().flush();
                    return s.getSession().getProtocol();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            SSLContext client = TlsContexts.client();
            Seen seen = new Seen();
            try (SSLSocket c = TlsContexts.connect(client, "127.0.0.1", ss.getLocalPort(), 10_000,
                    new String[] {proto})) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write(41);
                c.getOutputStream().flush();
                seen.echoed = c.getInputStream().read();
                seen.protocol = c.getSession().getProtocol();
                seen.peerDer = TlsContexts.peerCertificateDer(c);
            }
            assertEquals(seen.protocol, served.get(10, TimeUnit.SECONDS));
            return seen;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void handshakeServesTheLinkCertificate(String proto) throws Exception {
        Seen seen = handshake(identity, proto);
        assertEquals(proto, seen.protocol);
        assertEquals(42, seen.echoed);
        assertArrayEquals(identity.certificateDer(), seen.peerDer);
        assertArrayEquals(identity.linkDigest(), Rsa.sha256(seen.peerDer));
    }

    @Test
    void typeFiveCertBindsExactlyThisTlsCertificate() throws Exception {
        byte[] peer = handshake(identity, "TLSv1.3").peerDer;
        Ed25519Cert type5 = creds.linkCert(identity.linkDigest(), now);
        assertTrue(LinkBinding.tlsCertificate(peer).matches(type5.certifiedKey()));
        assertFalse(LinkBinding.tlsCertificate(peer).matches(other.linkCert(now).certifiedKey()));

        // The whole responder check a client runs: CERTS cell + the TLS certificate it saw.
        RelayIdentity id = CertsValidator.validateResponder(identity.certsCell(now),
                LinkBinding.tlsCertificate(peer), now);
        assertEquals(creds.identity(), id);
        byte[] otherPeer = handshake(other, "TLSv1.2").peerDer;
        assertThrows(ProtocolException.class, () -> CertsValidator.validateResponder(identity.certsCell(now),
                LinkBinding.tlsCertificate(otherPeer), now));
    }

    @Test
    void linkCertificateIsIssuedByTheIdentity() {
        assertEquals(TlsIdentity.LINK_KEY_BITS, identity.certificate().rsaPublicKey().bits());
        assertEquals(identity.tlsKey().publicKey(), identity.certificate().rsaPublicKey());
        assertTrue(identity.certificate().signatureValidBy(creds.keys().rsaIdentity().publicKey()));
        assertTrue(identity.certificate().validAt(now, 0, 0));
    }

    @Test
    void jcaSeesTheSameCertificate() throws Exception {
        java.security.cert.X509Certificate c = TlsContexts.toJca(identity.certificateDer());
        c.verify(TlsContexts.toJca(creds.identityCert().encode()).getPublicKey());
        c.checkValidity();
        assertArrayEquals(identity.certificateDer(), c.getEncoded());
    }

    @Test
    void serverRefusesACertificateForAnotherKey() {
        assertThrows(IllegalArgumentException.class,
                () -> TlsContexts.server(identity.tlsKey(), other.certificate()));
    }
}
