package org.onionpeer.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a {@link TlsClient} needs to know about one connection: the host it means to reach (sent as SNI and
 * checked against the certificate), the trust anchors, the time to validate at, and optionally ALPN
 * protocols, cipher suites, key-share groups and the oldest TLS version accepted (TLS 1.2 by default).
 * Immutable; the {@code with...} methods return copies.
 */
public final class TlsConfig {
    /** TLS 1.3 suites, then the TLS 1.2 ones (ECDHE + AEAD only; each list is offered only for its version). */
    static final int[] DEFAULT_SUITES = {
        Tls.TLS_AES_128_GCM_SHA256, Tls.TLS_CHACHA20_POLY1305_SHA256, Tls.TLS_AES_256_GCM_SHA384,
        Tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        Tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, Tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        Tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, Tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
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
    /** Oldest version accepted: {@link Tls#TLS12} (default) or {@link Tls#TLS13}. */
    final int minVersion;

    private TlsConfig(String host, TrustStore trust, long now, List<String> alpn, int[] suites, int[] groups,
            int minVersion) {
        this.host = host;
        this.trust = trust;
        this.now = now;
        this.alpn = alpn;
        this.suites = suites;
        this.groups = groups;
        this.minVersion = minVersion;
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
                DEFAULT_GROUPS, Tls.TLS12);
    }

    /** Offers these ALPN protocol names (e.g. "http/1.1"), most preferred first. */
    public TlsConfig withAlpn(String... protocols) {
        List<String> l = new ArrayList<>();
        Collections.addAll(l, protocols);
        return new TlsConfig(host, trust, now, Collections.unmodifiableList(l), suites, groups, minVersion);
    }

    /**
     * Offers only these cipher suites, in this order. TLS 1.3 and TLS 1.2 suites may be mixed; a version
     * left without suites is not offered (so TLS 1.3 suites alone mean a TLS 1.3-only client).
     */
    public TlsConfig withCipherSuites(int... cipherSuites) {
        return new TlsConfig(host, trust, now, alpn, cipherSuites.clone(), groups, minVersion);
    }

    /** Accepts these groups; the first gets a key share in the ClientHello. */
    public TlsConfig withGroups(int... namedGroups) {
        return new TlsConfig(host, trust, now, alpn, suites, namedGroups.clone(), minVersion);
    }

    /**
     * The oldest protocol version to accept: {@link Tls#TLS12} (the default) or {@link Tls#TLS13}, which
     * turns TLS 1.2 off (it is then neither offered nor accepted).
     */
    public TlsConfig withMinimumVersion(int version) {
        if (version != Tls.TLS12 && version != Tls.TLS13) {
            throw new IllegalArgumentException("minimum TLS version must be TLS 1.2 (0x0303) or TLS 1.3 (0x0304)");
        }
        return new TlsConfig(host, trust, now, alpn, suites, groups, version);
    }

    /** True if TLS 1.2 may be offered: allowed, and at least one TLS 1.2 suite configured. */
    boolean offersTls12() {
        return minVersion == Tls.TLS12 && countSuites(false) > 0;
    }

    /** True if TLS 1.3 may be offered: at least one TLS 1.3 suite configured. */
    boolean offersTls13() {
        return countSuites(true) > 0;
    }

    /** True if {@code suite} is configured and belongs to the given version. */
    boolean offers(int suite, boolean tls13) {
        for (int s : suites) {
            if (s == suite && Tls.isTls13Suite(s) == tls13) {
                return tls13 || offersTls12();
            }
        }
        return false;
    }

    int countSuites(boolean tls13) {
        int n = 0;
        for (int s : suites) {
            n += Tls.isTls13Suite(s) == tls13 ? 1 : 0;
        }
        return n;
    }

    public String host() {
        return host;
    }
}
