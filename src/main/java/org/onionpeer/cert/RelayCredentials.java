package org.onionpeer.cert;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.crypto.Rsa;

/**
 * The certificates one of our ORs presents as a responder (tor-spec §4.2): the self-signed RSA identity
 * certificate (type 2), the Ed25519 identity-&gt;signing certificate (type 4), the RSA-&gt;Ed25519 cross-cert
 * (type 7), and per link the signing-&gt;link certificate (type 5) and, on TLS, the RSA link certificate
 * (type 1, the TLS certificate itself, issued by the identity key).
 *
 * <p>Everything is a function of the keys and the given time, so identical inputs give identical bytes (the
 * known-answer suite depends on that): serial numbers are derived from the subject key and start time
 * instead of being random, and validity starts at the previous UTC midnight as tor's does (x509.c rounds its
 * start back to a day boundary).
 */
public final class RelayCredentials {
    public static final long DAY = 24L * 60 * 60;
    /** Lifetimes, close to tor's defaults: X.509 one year, signing key 30 days, link cert 2 days. */
    public static final long X509_LIFETIME_SECONDS = 365 * DAY;
    public static final long SIGNING_CERT_HOURS = 30 * 24;
    public static final long LINK_CERT_HOURS = 2 * 24;
    public static final long CROSSCERT_HOURS = 180 * 24;

    private final RelayKeys keys;
    private final X509Cert identityCert;
    private final Ed25519Cert identityToSigning;
    private final RsaCrossCert crossCert;
    private final String identityName;

    private RelayCredentials(RelayKeys keys, X509Cert identityCert, Ed25519Cert identityToSigning,
            RsaCrossCert crossCert, String identityName) {
        this.keys = keys;
        this.identityCert = identityCert;
        this.identityToSigning = identityToSigning;
        this.crossCert = crossCert;
        this.identityName = identityName;
    }

    /** Makes the long-lived certificates (types 2, 4, 7) at {@code nowSeconds}. */
    public static RelayCredentials create(RelayKeys keys, long nowSeconds) {
        Rsa.PrivateKey rsa = keys.rsaIdentity();
        String name = hostName(keys.identity().rsaIdentity());
        long start = startOfValidity(nowSeconds);
        X509Cert id = X509Cert.create(rsa.publicKey(), name, name, rsa, serial(rsa.publicKey(), start), start,
                start + X509_LIFETIME_SECONDS);
        Ed25519Cert idToSigning = Ed25519Cert.create(Ed25519Cert.TYPE_IDENTITY_V_SIGNING,
                keys.ed25519Signing().publicKey(), Ed25519Cert.KEY_ED25519, hoursAfter(nowSeconds, SIGNING_CERT_HOURS),
                keys.ed25519Identity(), true);
        RsaCrossCert cross = RsaCrossCert.create(keys.ed25519Identity().publicKey(),
                hoursAfter(nowSeconds, CROSSCERT_HOURS), rsa);
        return new RelayCredentials(keys, id, idToSigning, cross, name);
    }

    /** Type 5: the signing key certifies {@code linkDigest} (SHA-256 of our TLS certificate on TLS). */
    public Ed25519Cert linkCert(byte[] linkDigest, long nowSeconds) {
        return Ed25519Cert.create(Ed25519Cert.TYPE_SIGNING_V_TLS_CERT, linkDigest, Ed25519Cert.KEY_SHA256_OF_X509,
                hoursAfter(nowSeconds, LINK_CERT_HOURS), keys.ed25519Signing(), false);
    }

    /**
     * Type 1: an X.509 certificate for a TLS link key, issued by the RSA identity (the JVM's TLS layer serves
     * it as its TLS certificate; its SHA-256 is then the link digest of {@link #linkCert}).
     */
    public X509Cert issueTlsCert(Rsa.PublicKey tlsKey, String tlsName, long nowSeconds) {
        long start = startOfValidity(nowSeconds);
        return X509Cert.create(tlsKey, tlsName, identityName, keys.rsaIdentity(), serial(tlsKey, start), start,
                start + X509_LIFETIME_SECONDS);
    }

    /**
     * A responder's CERTS cell for one link: types 1 (when {@code tlsCertOrNull} is given), 2, 4, 5 and 7, in
     * that order, as tor sends them.
     */
    public CertsCell certsCell(byte[] linkDigest, X509Cert tlsCertOrNull, long nowSeconds) {
        List<CertsCell.Entry> e = new ArrayList<>();
        if (tlsCertOrNull != null) {
            e.add(new CertsCell.Entry(CertsCell.TYPE_RSA_LINK, tlsCertOrNull.encode()));
        }
        e.add(new CertsCell.Entry(CertsCell.TYPE_RSA_IDENTITY, identityCert.encode()));
        e.add(new CertsCell.Entry(CertsCell.TYPE_ED_IDENTITY_V_SIGNING, identityToSigning.encode()));
        e.add(new CertsCell.Entry(CertsCell.TYPE_ED_SIGNING_V_TLS, linkCert(linkDigest, nowSeconds).encode()));
        e.add(new CertsCell.Entry(CertsCell.TYPE_RSA_ED_CROSSCERT, crossCert.encode()));
        return new CertsCell(e);
    }

    /** Type 6: the signing key certifies an Ed25519 link-authentication key (what signs AUTHENTICATE). */
    public Ed25519Cert authKeyCert(byte[] authPublicKey, long nowSeconds) {
        return Ed25519Cert.create(Ed25519Cert.TYPE_SIGNING_V_LINK_AUTH, authPublicKey, Ed25519Cert.KEY_ED25519,
                hoursAfter(nowSeconds, SIGNING_CERT_HOURS), keys.ed25519Signing(), false);
    }

    /**
     * An initiator's CERTS cell (tor-spec §4.4): types 3 (an RSA authentication key's X.509 certificate,
     * issued by the identity: C tor's responder still requires it, torcert.c or_handshake_certs_rsa_ok), 2, 4,
     * 6 and 7, in tor's order (relay_handshake.c).
     */
    public CertsCell initiatorCertsCell(X509Cert rsaAuthCert, Ed25519Cert authKeyCert) {
        List<CertsCell.Entry> e = new ArrayList<>();
        e.add(new CertsCell.Entry(CertsCell.TYPE_RSA_AUTH, rsaAuthCert.encode()));
        e.add(new CertsCell.Entry(CertsCell.TYPE_RSA_IDENTITY, identityCert.encode()));
        e.add(new CertsCell.Entry(CertsCell.TYPE_ED_IDENTITY_V_SIGNING, identityToSigning.encode()));
        e.add(new CertsCell.Entry(CertsCell.TYPE_ED_SIGNING_V_AUTH, authKeyCert.encode()));
        e.add(new CertsCell.Entry(CertsCell.TYPE_RSA_ED_CROSSCERT, crossCert.encode()));
        return new CertsCell(e);
    }

    public RelayKeys keys() {
        return keys;
    }

    public X509Cert identityCert() {
        return identityCert;
    }

    public Ed25519Cert identityToSigning() {
        return identityToSigning;
    }

    public RsaCrossCert crossCert() {
        return crossCert;
    }

    public RelayIdentity identity() {
        return keys.identity();
    }

    /** Previous UTC midnight, minus one day so that a skewed peer still sees the cert as started. */
    static long startOfValidity(long now) {
        return Math.floorDiv(now, DAY) * DAY - DAY;
    }

    /** The first whole hour at or after now + hours (cert-spec expirations count hours). */
    static long hoursAfter(long now, long hours) {
        return Math.floorDiv(now + 3599, 3600) + hours;
    }

    /** 8 positive bytes from SHA-256(key DER | start): unique per key and start, reproducible. */
    private static BigInteger serial(Rsa.PublicKey key, long start) {
        byte[] h = Rsa.sha256(Bytes.concat(key.toPkcs1Der(), new ByteWriter(8).u32(start >>> 32).u32(start)
                .toByteArray()));
        byte[] s = Bytes.slice(h, 0, 8);
        s[0] = (byte) ((s[0] & 0x7f) | 0x40); // positive and a full 8 bytes, like tor's random serials
        return new BigInteger(1, s);
    }

    /** "www.&lt;16 base-32 letters&gt;.net", like tor's random names but derived from the fingerprint. */
    private static String hostName(byte[] fingerprint) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        StringBuilder sb = new StringBuilder("www.");
        for (int i = 0; i < 16; i++) {
            sb.append(alphabet.charAt(fingerprint[i] & 31));
        }
        return sb.append(".net").toString();
    }
}
