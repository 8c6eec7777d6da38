package org.onionpeer.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Validates a server's certificate chain (RFC 5280 §6, reduced to what the web PKI needs) at a given time:
 *
 * <ol>
 *   <li>builds the path from the leaf through the certificates the server sent to a trust anchor, matching
 *       each issuer name to a subject name (DER byte equality) and, when both are present, the authority key
 *       identifier to the subject key identifier; at most {@link #MAX_DEPTH} intermediates;</li>
 *   <li>checks every signature on the path with the issuer's key (through {@link TlsCrypto#verify});</li>
 *   <li>checks validity periods (not the anchor's), CA flag, keyCertSign, pathLenConstraint, serverAuth in
 *       extKeyUsage where present, and refuses unknown critical extensions;</li>
 *   <li>checks that the leaf names the host (subjectAltName only, {@link Hostnames}).</li>
 * </ol>
 *
 * The first problem ends the check with a {@link TlsException} whose message names it, e.g.
 * "no trust anchor for issuer CN=Test CA", "certificate expired on 2026-01-01T00:00:00Z",
 * "certificate for 127.0.0.1 does not match host example.test".
 *
 * <p>Path building takes the first candidate at each step and does not backtrack; a cross-signed chain whose
 * first candidate fails is rejected (noted in src/docs/tls-in-the-page.md as work left).
 */
public final class ChainValidator {
    public static final int MAX_DEPTH = 6;

    private ChainValidator() {
    }

    /**
     * Validates {@code chain} (leaf first, as the server sent it) for {@code host} at {@code now} (seconds
     * since the epoch); answers with null when it is good, else the exception saying why.
     */
    public static void validate(List<Certificate> chain, String host, long now, TrustStore trust,
            TlsCrypto crypto, TlsCrypto.Done<TlsException> done) {
        List<Certificate> path;
        try {
            path = buildPath(chain, trust);
            checkConstraints(path, host, now);
        } catch (TlsException e) {
            done.done(e);
            return;
        }
        verifySignatures(path, 0, crypto, done);
    }

    /** Leaf first, trust anchor last. */
    static List<Certificate> buildPath(List<Certificate> chain, TrustStore trust) {
        if (chain.isEmpty()) {
            throw new TlsException(Alert.BAD_CERTIFICATE, "server sent no certificate");
        }
        List<Certificate> path = new ArrayList<>();
        Certificate current = chain.get(0);
        path.add(current);
        if (trust.anchors().contains(current)) {
            return path; // the leaf itself is trusted (a pinned self-signed test server)
        }
        List<Certificate> unused = new ArrayList<>(chain.subList(1, chain.size()));
        while (true) {
            Certificate anchor = issuerIn(current, trust.anchors());
            if (anchor != null) {
                path.add(anchor);
                return path;
            }
            Certificate next = issuerIn(current, unused);
            if (next == null || path.size() > MAX_DEPTH) {
                throw new TlsException(Alert.UNKNOWN_CA, path.size() > MAX_DEPTH
                        ? "certificate chain longer than " + MAX_DEPTH + " intermediates"
                        : "no trust anchor for issuer " + current.issuer());
            }
            unused.remove(next);
            path.add(next);
            current = next;
        }
    }

    private static Certificate issuerIn(Certificate child, List<Certificate> candidates) {
        for (Certificate c : candidates) {
            if (!Arrays.equals(c.subjectDer(), child.issuerDer())) {
                continue;
            }
            if (child.authorityKeyId() != null && c.subjectKeyId() != null
                    && !Arrays.equals(child.authorityKeyId(), c.subjectKeyId())) {
                continue;
            }
            return c;
        }
        return null;
    }

    static void checkConstraints(List<Certificate> path, String host, long now) {
        int last = path.size() - 1;
        for (int i = 0; i < path.size(); i++) {
            Certificate c = path.get(i);
            boolean leaf = i == 0;
            boolean anchor = i == last && i > 0;
            String who = leaf ? "certificate" : "certificate " + c.subject();
            if (c.unsupportedCriticalExtension() != null) {
                throw new TlsException(Alert.UNSUPPORTED_CERTIFICATE,
                        who + " has unsupported critical extension " + c.unsupportedCriticalExtension());
            }
            if (!anchor) {
                if (now > c.notAfter()) {
                    throw new TlsException(Alert.CERTIFICATE_EXPIRED, who + " expired on " + iso(c.notAfter()));
                }
                if (now < c.notBefore()) {
                    throw new TlsException(Alert.CERTIFICATE_EXPIRED,
                            who + " is not valid before " + iso(c.notBefore()));
                }
                if (c.signatureScheme() < 0) {
                    throw new TlsException(Alert.UNSUPPORTED_CERTIFICATE,
                            who + " is signed with unsupported algorithm " + c.signatureAlgorithmOid());
                }
            }
            if (leaf) {
                if (path.size() > 1 && c.isCa()) {
                    throw new TlsException(Alert.BAD_CERTIFICATE, "certificate is a CA certificate, not a server's");
                }
                if (!c.allowsKeyUsage(Certificate.KU_DIGITAL_SIGNATURE)) {
                    throw new TlsException(Alert.BAD_CERTIFICATE, "certificate key usage does not allow signing");
                }
            } else {
                if (!c.isCa()) {
                    throw new TlsException(Alert.BAD_CERTIFICATE, who + " is not a CA certificate");
                }
                if (!c.allowsKeyUsage(Certificate.KU_KEY_CERT_SIGN)) {
                    throw new TlsException(Alert.BAD_CERTIFICATE, who + " key usage does not allow certificate signing");
                }
                int below = i - 1; // intermediate CAs under this one
                if (c.pathLen() >= 0 && below > c.pathLen()) {
                    throw new TlsException(Alert.BAD_CERTIFICATE,
                            who + " allows " + c.pathLen() + " intermediates below it, the chain has " + below);
                }
            }
            if (!c.allowsServerAuth()) {
                throw new TlsException(Alert.BAD_CERTIFICATE, who + " is not valid for server authentication");
            }
        }
        Certificate leaf = path.get(0);
        if (leaf.dnsNames().isEmpty() && leaf.ipAddresses().isEmpty()) {
            throw new TlsException(Alert.BAD_CERTIFICATE, "certificate has no subjectAltName for host " + host);
        }
        if (!Hostnames.matches(leaf, host)) {
            throw new TlsException(Alert.BAD_CERTIFICATE,
                    "certificate for " + leaf.namesForMessage() + " does not match host " + host);
        }
    }

    private static void verifySignatures(List<Certificate> path, int i, TlsCrypto crypto,
            TlsCrypto.Done<TlsException> done) {
        if (i >= path.size() - 1) {
            done.done(null);
            return;
        }
        Certificate child = path.get(i);
        Certificate parent = path.get(i + 1);
        if (!parent.publicKey().fitsCertificateSignature(child.signatureScheme())) {
            done.done(new TlsException(Alert.BAD_CERTIFICATE, "certificate " + child.subject() + " is signed with "
                    + Tls.schemeName(child.signatureScheme()) + " but its issuer has a " + parent.publicKey().type()
                    + " key"));
            return;
        }
        crypto.verify(child.signatureScheme(), parent.publicKey(), child.tbs(), child.signature(), ok -> {
            if (!ok) {
                done.done(new TlsException(Alert.BAD_CERTIFICATE,
                        "bad signature on certificate " + child.subject() + " by " + parent.subject()));
            } else {
                verifySignatures(path, i + 1, crypto, done);
            }
        });
    }

    /** "2026-01-01T00:00:00Z" for seconds since the epoch (proleptic Gregorian, UTC). */
    public static String iso(long epochSeconds) {
        // The same civil-date arithmetic as directory documents, in ISO 8601 form.
        return org.onionpeer.netdoc.NetDoc.formatTime(epochSeconds).replace(' ', 'T') + "Z";
    }
}
