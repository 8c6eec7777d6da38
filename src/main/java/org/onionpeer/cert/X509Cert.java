package org.onionpeer.cert;

import java.math.BigInteger;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Rsa;

/**
 * Just enough X.509 (RFC 5280 §4.1) for Tor's link handshake: CERTS types 1-3 are DER X.509 certificates
 * (tor-spec §4.2) whose only interesting contents are the RSA subject key, the validity window, and an RSA
 * PKCS#1 v1.5 signature (sha256WithRSAEncryption as tor makes them, sha1WithRSAEncryption for old ones).
 * Names and extensions are kept as raw DER and never interpreted: tor does not compare DNs either.
 */
public final class X509Cert {
    public static final String OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    public static final String OID_SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    public static final String OID_SHA1_WITH_RSA = "1.2.840.113549.1.1.5";
    private static final String OID_COMMON_NAME = "2.5.4.3";

    private final byte[] encoded;
    private final byte[] tbs;
    private final int version;
    private final byte[] serial; // DER INTEGER content: two's complement, minimal
    private final byte[] tbsSignatureAlgorithm;
    private final byte[] issuer;
    private final long notBefore;
    private final long notAfter;
    private final byte[] subject;
    private final String publicKeyAlgorithm;
    private final Rsa.PublicKey rsaPublicKey;
    private final byte[] signatureAlgorithmDer;
    private final String signatureAlgorithm;
    private final byte[] signature;

    private X509Cert(byte[] encoded, byte[] tbs, int version, byte[] serial, byte[] tbsSigAlg, byte[] issuer,
            long notBefore, long notAfter, byte[] subject, String pkAlg, Rsa.PublicKey rsa, byte[] sigAlgDer,
            String sigAlg, byte[] signature) {
        this.encoded = encoded;
        this.tbs = tbs;
        this.version = version;
        this.serial = serial;
        this.tbsSignatureAlgorithm = tbsSigAlg;
        this.issuer = issuer;
        this.notBefore = notBefore;
        this.notAfter = notAfter;
        this.subject = subject;
        this.publicKeyAlgorithm = pkAlg;
        this.rsaPublicKey = rsa;
        this.signatureAlgorithmDer = sigAlgDer;
        this.signatureAlgorithm = sigAlg;
        this.signature = signature;
    }

    /**
     * Parses one DER certificate, which must fill {@code der} exactly. Structure is checked strictly; the
     * signature is not (see {@link #signatureValidBy}).
     */
    public static X509Cert decode(byte[] der) {
        if (der.length > Der.MAX_LENGTH) {
            throw new ProtocolException("X.509: certificate longer than 65535 bytes");
        }
        Der.Reader top = new Der.Reader(der);
        Der.Tlv certTlv = top.expect(Der.SEQUENCE, "Certificate");
        top.end("Certificate");
        Der.Reader cert = certTlv.contents();
        Der.Tlv tbsTlv = cert.expect(Der.SEQUENCE, "TBSCertificate");
        Der.Tlv sigAlgTlv = cert.expect(Der.SEQUENCE, "signatureAlgorithm");
        Der.Tlv sigTlv = cert.expect(Der.BIT_STRING, "signatureValue");
        cert.end("Certificate");

        Der.Reader t = tbsTlv.contents();
        int version = 0;
        if (t.peekTag() == 0xa0) { // [0] EXPLICIT Version DEFAULT v1
            Der.Reader v = t.next("version").contents();
            byte[] vi = v.integerBytes("version");
            v.end("version");
            if (vi.length != 1 || vi[0] < 0 || vi[0] > 2) {
                throw new ProtocolException("X.509: unknown version (INTEGER " + Bytes.hex(vi) + ")");
            }
            version = vi[0];
        }
        Der.Tlv serialTlv = t.expect(Der.INTEGER, "serialNumber");
        if (serialTlv.valueLength() > 32) {
            throw new ProtocolException("X.509: serial number too long");
        }
        byte[] serial = Der.integerBytes(serialTlv, "serialNumber");
        Der.Tlv tbsSigAlg = t.expect(Der.SEQUENCE, "signature");
        Der.Tlv issuer = t.expect(Der.SEQUENCE, "issuer");
        Der.Reader validity = t.sequence("validity");
        long notBefore = Der.time(validity.next("notBefore"), "notBefore");
        long notAfter = Der.time(validity.next("notAfter"), "notAfter");
        validity.end("validity");
        Der.Tlv subject = t.expect(Der.SEQUENCE, "subject");
        Der.Reader spki = t.sequence("subjectPublicKeyInfo");
        Der.Reader keyAlg = spki.sequence("subjectPublicKeyInfo.algorithm");
        String pkAlg = Der.oidString(keyAlg.expect(Der.OID, "public key algorithm"), "public key algorithm");
        boolean rsa = pkAlg.equals(OID_RSA_ENCRYPTION);
        if (keyAlg.hasMore()) {
            Der.Tlv params = keyAlg.next("public key parameters");
            if (rsa && (params.tag != Der.NULL || params.valueLength() != 0)) {
                throw new ProtocolException("X.509: rsaEncryption parameters must be NULL");
            }
        }
        keyAlg.end("subjectPublicKeyInfo.algorithm");
        byte[] keyBits = bitStringBytes(spki.expect(Der.BIT_STRING, "subjectPublicKey"), "subjectPublicKey");
        spki.end("subjectPublicKeyInfo");
        Rsa.PublicKey rsaKey = rsa ? Rsa.PublicKey.fromPkcs1Der(keyBits) : null;
        // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: optional, in order; kept unparsed.
        int last = 0;
        while (t.hasMore()) {
            Der.Tlv extra = t.next("TBSCertificate optional field");
            int n = extra.tag == 0x81 || extra.tag == 0xa1 ? 1 : extra.tag == 0x82 || extra.tag == 0xa2 ? 2
                    : extra.tag == 0xa3 ? 3 : -1;
            if (n <= last) {
                throw new ProtocolException("X.509: unexpected field in TBSCertificate");
            }
            last = n;
        }
        Der.Reader sa = sigAlgTlv.contents();
        String sigAlg = Der.oidString(sa.expect(Der.OID, "signature algorithm"), "signature algorithm");
        if (sa.hasMore()) {
            sa.next("signature algorithm parameters");
        }
        sa.end("signatureAlgorithm");
        byte[] sig = bitStringBytes(sigTlv, "signatureValue");
        return new X509Cert(der.clone(), tbsTlv.encoded(), version, serial, tbsSigAlg.encoded(), issuer.encoded(),
                notBefore, notAfter, subject.encoded(), pkAlg, rsaKey, sigAlgTlv.encoded(), sigAlg, sig);
    }

    private static byte[] bitStringBytes(Der.Tlv t, String what) {
        byte[] v = t.value();
        if (v.length < 1 || v[0] != 0) {
            throw new ProtocolException(what + ": BIT STRING must have no unused bits");
        }
        return Bytes.slice(v, 1, v.length - 1);
    }

    /**
     * True when {@code issuerKey} made this certificate's signature with a supported algorithm
     * (sha256WithRSAEncryption or sha1WithRSAEncryption, parameters NULL or absent) and the outer algorithm
     * equals the one inside the signed part (RFC 5280 §4.1.1.2).
     */
    public boolean signatureValidBy(Rsa.PublicKey issuerKey) {
        if (!Bytes.constantTimeEquals(signatureAlgorithmDer, tbsSignatureAlgorithm)) {
            return false;
        }
        if (!algorithmParamsOk()) {
            return false;
        }
        if (signatureAlgorithm.equals(OID_SHA256_WITH_RSA)) {
            return issuerKey.verifySha256(tbs, signature);
        }
        if (signatureAlgorithm.equals(OID_SHA1_WITH_RSA)) {
            return issuerKey.verifySha1(tbs, signature);
        }
        return false;
    }

    private boolean algorithmParamsOk() {
        Der.Reader r = new Der.Reader(signatureAlgorithmDer).sequence("signatureAlgorithm");
        r.expect(Der.OID, "signature algorithm");
        if (!r.hasMore()) {
            return true;
        }
        Der.Tlv p = r.next("parameters");
        return p.tag == Der.NULL && p.valueLength() == 0;
    }

    /**
     * Whether the validity window covers {@code now}, allowing the given clock slop: tor treats a certificate
     * as expired only {@code pastSlop} seconds after notAfter and as premature only {@code futureSlop} seconds
     * before notBefore (x509_internal.h: 2 days and 30 days).
     */
    public boolean validAt(long now, long pastSlop, long futureSlop) {
        return notBefore <= now + futureSlop && notAfter >= now - pastSlop;
    }

    /**
     * Creates a v3 certificate, signed with sha256WithRSAEncryption, with one commonName in each of subject
     * and issuer and no extensions: the shape tor_tls_create_certificate() gives its identity and link certs.
     */
    public static X509Cert create(Rsa.PublicKey subjectKey, String subjectCn, String issuerCn,
            Rsa.PrivateKey issuerKey, BigInteger serial, long notBefore, long notAfter) {
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException("serial must be positive");
        }
        byte[] algId = Der.sequence(Der.oid(OID_SHA256_WITH_RSA), Der.nul());
        byte[] spki = Der.sequence(Der.sequence(Der.oid(OID_RSA_ENCRYPTION), Der.nul()),
                Der.bitString(subjectKey.toPkcs1Der()));
        byte[] tbs = Der.sequence(
                Der.tlv(0xa0, Der.integer(BigInteger.valueOf(2))),
                Der.integer(serial),
                algId,
                name(issuerCn),
                Der.sequence(Der.time(notBefore), Der.time(notAfter)),
                name(subjectCn),
                spki);
        byte[] sig = issuerKey.signSha256(tbs);
        return decode(Der.sequence(tbs, algId, Der.bitString(sig)));
    }

    private static byte[] name(String cn) {
        return Der.sequence(Der.tlv(Der.SET, Der.sequence(Der.oid(OID_COMMON_NAME), Der.utf8(cn))));
    }

    public byte[] encode() {
        return encoded.clone();
    }

    /** SHA-256 of the DER: what a CERTS type-5 certificate certifies for the TLS certificate (tor-spec §4.2). */
    public byte[] sha256() {
        return Rsa.sha256(encoded);
    }

    public byte[] tbsCertificate() {
        return tbs.clone();
    }

    /** 0 for v1, 2 for v3. */
    public int version() {
        return version;
    }

    public BigInteger serial() {
        return new BigInteger(serial);
    }

    public byte[] issuerDer() {
        return issuer.clone();
    }

    public byte[] subjectDer() {
        return subject.clone();
    }

    /** Seconds since the Unix epoch. */
    public long notBefore() {
        return notBefore;
    }

    public long notAfter() {
        return notAfter;
    }

    public String publicKeyAlgorithm() {
        return publicKeyAlgorithm;
    }

    /** The subject's RSA key, or null when the key is of another algorithm. */
    public Rsa.PublicKey rsaPublicKey() {
        return rsaPublicKey;
    }

    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public byte[] signature() {
        return signature.clone();
    }
}
