package org.onionpeer.jvm.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.RSAPrivateCrtKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.onionpeer.cert.X509Cert;
import org.onionpeer.crypto.Rsa;

/**
 * JCA/JSSE glue for Tor's TLS links (tor-spec §2, §4.2).
 *
 * <p>A responder serves its RSA link key with the type-1 link certificate issued by its RSA identity. An
 * initiator accepts <em>any</em> server certificate at the TLS layer: TLS here only gives confidentiality and
 * a channel binding. The relay is authenticated inside the link protocol, by the CERTS cell, whose Ed25519
 * signing-&gt;link certificate (type 5) certifies SHA-256 of exactly the certificate the TLS server presented
 * (see {@link #peerCertificateDer} and {@code org.onionpeer.cert.LinkBinding#tlsCertificate}). A client that
 * forgets that check has no authentication at all.
 *
 * <p>TLS 1.3 and 1.2 are enabled (tor 0.4.9 accepts both); nothing older.
 */
public final class TlsContexts {
    /** Protocols we speak, best first. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Password of the in-memory key store; it never leaves the process, so it protects nothing. */
    private static final char[] STORE_PASSWORD = "onionpeer-link".toCharArray();

    private TlsContexts() {
    }

    /**
     * A server context presenting {@code tlsCert} (its subject key must be {@code tlsKey}'s public key) with
     * no further chain, as tor does since the in-protocol (v3) handshake.
     */
    public static SSLContext server(Rsa.PrivateKey tlsKey, X509Cert tlsCert) throws GeneralSecurityException {
        if (!tlsKey.publicKey().equals(tlsCert.rsaPublicKey())) {
            throw new IllegalArgumentException("the TLS certificate does not certify this key");
        }
        PrivateKey key = toJca(tlsKey);
        X509Certificate cert = toJca(tlsCert.encode());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("empty key store", e); // cannot happen for an empty store
        }
        ks.setKeyEntry("link", key, STORE_PASSWORD, new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STORE_PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
        return ctx;
    }

    /**
     * A client context that accepts every server certificate (see the class comment: the CERTS cell does the
     * authentication) and presents none.
     */
    public static SSLContext client() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new AcceptAnyServer()}, new SecureRandom());
        return ctx;
    }

    /** The private key as a JCA RSA CRT key. */
    public static PrivateKey toJca(Rsa.PrivateKey key) throws GeneralSecurityException {
        RSAPrivateKey k = RSAPrivateKey.getInstance(key.toPkcs1Der());
        return KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(k.getModulus(),
                k.getPublicExponent(), k.getPrivateExponent(), k.getPrime1(), k.getPrime2(), k.getExponent1(),
                k.getExponent2(), k.getCoefficient()));
    }

    /** A DER certificate as a JCA X.509 certificate. */
    public static X509Certificate toJca(byte[] certDer) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certDer));
    }

    /** Restricts a socket to {@link #PROTOCOLS}; no host-name check (there is no name to check). */
    public static void configure(SSLSocket socket) {
        socket.setEnabledProtocols(PROTOCOLS);
    }

    /** Restricts an engine to {@link #PROTOCOLS}. */
    public static void configure(SSLEngine engine) {
        engine.setEnabledProtocols(PROTOCOLS);
    }

    /** A listening TLS server socket (the ORPort); {@code port} 0 picks a free port. */
    public static SSLServerSocket listen(SSLContext serverContext, String host, int port, int backlog)
            throws IOException {
        SSLServerSocket s = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(port,
                backlog, InetAddress.getByName(host));
        s.setEnabledProtocols(PROTOCOLS);
        s.setNeedClientAuth(false);
        s.setWantClientAuth(false); // tor authenticates initiating relays with AUTHENTICATE cells instead
        return s;
    }

    /**
     * Connects and completes the TLS handshake (blocking: call it off the event loop). The caller still owes
     * the CERTS check against {@link #peerCertificateDer}.
     */
    public static SSLSocket connect(SSLContext clientContext, String host, int port, int timeoutMillis)
            throws IOException {
        return connect(clientContext, host, port, timeoutMillis, PROTOCOLS);
    }

    /** As {@link #connect(SSLContext, String, int, int)}, offering only {@code protocols} (tests, probes). */
    public static SSLSocket connect(SSLContext clientContext, String host, int port, int timeoutMillis,
            String[] protocols) throws IOException {
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(host, port), timeoutMillis);
            raw.setTcpNoDelay(true);
            raw.setSoTimeout(timeoutMillis);
            SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket(raw, host, port, true);
            s.setEnabledProtocols(protocols);
            s.startHandshake();
            s.setSoTimeout(0);
            return s;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** DER of the certificate the peer presented; on a socket this completes the handshake first (blocking). */
    public static byte[] peerCertificateDer(SSLSocket socket) throws SSLException {
        return peerCertificateDer(socket.getSession());
    }

    /** DER of the leaf certificate the peer presented in {@code session}. */
    public static byte[] peerCertificateDer(SSLSession session) throws SSLException {
        Certificate[] chain = session.getPeerCertificates(); // throws SSLPeerUnverifiedException when none
        if (chain.length == 0) {
            throw new SSLPeerUnverifiedException("peer presented no certificate");
        }
        try {
            return chain[0].getEncoded();
        } catch (CertificateEncodingException e) {
            throw new SSLException("peer certificate cannot be encoded", e);
        }
    }

    /**
     * Trusts any server and no client. An X509ExtendedTrustManager, so that JSSE does not wrap it with its
     * own host-name and algorithm-constraint checks (which would reject tor's self-issued names).
     */
    private static final class AcceptAnyServer extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws
                java.security.cert.CertificateException {
            requireLeaf(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws java.security.cert.CertificateException {
            requireLeaf(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws java.security.cert.CertificateException {
            requireLeaf(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("this context does not accept clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws java.security.cert.CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws java.security.cert.CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }

        /** A certificate must be there: the link binding needs its digest. */
        private static void requireLeaf(X509Certificate[] chain) throws java.security.cert.CertificateException {
            if (chain == null || chain.length == 0) {
                throw new java.security.cert.CertificateException("server presented no certificate");
            }
        }
    }
}
