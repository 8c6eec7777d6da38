package org.onionpeer.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a {@link TlsClient} needs to know about one connection: the host it means to reach (sent as SNI and
 * checked against the certificate), the trust anchors, the time to validate at, and optionally ALPN
 * protocols, cipher suites and key-share groups. Immutable; the {@code with...} methods return copies.
 */
public final class TlsConfig {
    static final int[] DEFAULT_SUITES = {
        Tls.TLS_AES_128_GCM_SHA256, Tls.TLS_CHACHA20_POLY1305_SHA256, Tls.TLS_AES_256_GCM_SHA384,
    };
    /** Groups we accept; the first is the one we send a key share for (HelloRetryRequest may pick another). */
    static final int[] DEFAULT_GROUPS = {Tls.X25519, Tls.SECP256R1};
    /** signature_algorithms, most preferred first; rsa_pkcs1_* are for certificates only (RFC 8446 §4.2.3). */
    static final int[] SIGNATURE_SCHEMES = {
        Tls.ECDSA_SECP256R1_SHA256, Tls.ED25519, Tls.RSA_PSS_RSAE_SHA256, Tls.ECDSA_SECP384R1_SHA384,
        Tls.RSA_PSS_RSAE_SHA384, Tls.RSA_PSS_RSAE_SHA512, Tls.RSA_PKCS1_SHA256, Tls.RSA_PKCS1_SHA384,
        Tls.RSA_PKCS1_SHA512,
    };

    final String host;
    final TrustStore trust;
    final long now;
    final List<String> alpn;
    final int[] suites;
    final int[] groups;

    private TlsConfig(String host, TrustStore trust, long now, List<String> alpn, int[] suites, int[] groups) {
        this.host = host;
        this.trust = trust;
        this.now = now;
        this.alpn = alpn;
        this.suites = suites;
        this.groups = groups;
    }

    /**
     * A configuration for {@code host} (a DNS name or an IP literal), trusting {@code trust}, validating
     * certificates at {@code nowEpochSeconds}.
     */
    public static TlsConfig of(String host, TrustStore trust, long nowEpochSeconds) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("TLS needs the host name it connects to");
        }
        return new TlsConfig(host, trust, nowEpochSeconds, Collections.<String>emptyList(), DEFAULT_SUITES,
                DEFAULT_GROUPS);
    }

    /** Offers these ALPN protocol names (e.g. "http/1.1"), most preferred first. */
    public TlsConfig withAlpn(String... protocols) {
        List<String> l = new ArrayList<>();
        Collections.addAll(l, protocols);
        return new TlsConfig(host, trust, now, Collections.unmodifiableList(l), suites, groups);
    }

    /** Offers only these cipher suites, in this order. */
    public TlsConfig withCipherSuites(int... cipherSuites) {
        return new TlsConfig(host, trust, now, alpn, cipherSuites.clone(), groups);
    }

    /** Accepts these groups; the first gets a key share in the ClientHello. */
    public TlsConfig withGroups(int... namedGroups) {
        return new TlsConfig(host, trust, now, alpn, suites, namedGroups.clone());
    }

    public String host() {
        return host;
    }
}
