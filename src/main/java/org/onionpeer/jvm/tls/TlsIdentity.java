package org.onionpeer.jvm.tls;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.net.ssl.SSLContext;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.Ed25519Cert;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.X509Cert;
import org.onionpeer.crypto.Rsa;

/**
 * One TLS identity of an OR: a fresh RSA link key, its type-1 certificate issued by the relay's RSA identity,
 * and the server SSLContext serving it. The CERTS cell of every link made with it certifies
 * {@link #linkDigest()} (tor-spec §4.2, type 5 = SHA-256 of the TLS certificate DER).
 *
 * <p>Tor rotates link keys (every couple of hours, tortls.c); rotation here is simply making a new identity
 * and serving new connections with it. Holds a secret key: never log it.
 */
public final class TlsIdentity {
    /** tor's RSA_LINK_KEY_BITS (src/lib/tls/tortls.c): link keys are 2048-bit, unlike 1024-bit identities. */
    public static final int LINK_KEY_BITS = 2048;

    private final RelayCredentials creds;
    private final Rsa.PrivateKey tlsKey;
    private final X509Cert cert;
    private final byte[] linkDigest;
    private final SSLContext context;

    private TlsIdentity(RelayCredentials creds, Rsa.PrivateKey tlsKey, X509Cert cert, SSLContext context) {
        this.creds = creds;
        this.tlsKey = tlsKey;
        this.cert = cert;
        this.linkDigest = cert.sha256();
        this.context = context;
    }

    /** A fresh 2048-bit link key (a few hundred ms) and its certificate, valid from {@code nowSeconds}. */
    public static TlsIdentity create(RelayCredentials creds, SecureRandom rnd, long nowSeconds)
            throws GeneralSecurityException {
        return of(creds, Rsa.generate(LINK_KEY_BITS, rnd), randomHostName(rnd), nowSeconds);
    }

    /** An identity for a given link key (stored keys, tests). */
    public static TlsIdentity of(RelayCredentials creds, Rsa.PrivateKey tlsKey, String tlsName, long nowSeconds)
            throws GeneralSecurityException {
        X509Cert cert = creds.issueTlsCert(tlsKey.publicKey(), tlsName, nowSeconds);
        return new TlsIdentity(creds, tlsKey, cert, TlsContexts.server(tlsKey, cert));
    }

    /** "www.&lt;random letters&gt;.net": tor's link certificates carry random names too (tortls.c). */
    static String randomHostName(SecureRandom rnd) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        int n = 8 + rnd.nextInt(13);
        StringBuilder sb = new StringBuilder("www.");
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return sb.append(".net").toString();
    }

    /** SHA-256 of the certificate DER: what the type-5 certificate must certify. */
    public byte[] linkDigest() {
        return linkDigest.clone();
    }

    public X509Cert certificate() {
        return cert;
    }

    public byte[] certificateDer() {
        return cert.encode();
    }

    public Rsa.PrivateKey tlsKey() {
        return tlsKey;
    }

    /** The server context to listen with (see {@link TlsContexts#listen}). */
    public SSLContext sslContext() {
        return context;
    }

    public RelayCredentials credentials() {
        return creds;
    }

    /** The type-5 certificate for links served with this identity. */
    public Ed25519Cert linkCert(long nowSeconds) {
        return creds.linkCert(linkDigest, nowSeconds);
    }

    /** The responder's CERTS cell for a TLS link served with this identity: types 1, 2, 4, 5, 7. */
    public CertsCell certsCell(long nowSeconds) {
        return creds.certsCell(linkDigest, cert, nowSeconds);
    }
}
