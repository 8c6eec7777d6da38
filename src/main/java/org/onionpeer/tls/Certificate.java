package org.onionpeer.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.Der;

/**
 * An X.509 v3 certificate (RFC 5280), parsed strictly from DER for what a TLS client checks: the signed
 * tbsCertificate bytes, issuer and subject names, validity, the public key, basicConstraints, keyUsage,
 * extKeyUsage, subjectAltName (dNSName, iPAddress), the key identifiers, and the signature. Unknown
 * non-critical extensions are skipped; an unknown critical one makes the certificate unusable (§4.2).
 */
public final class Certificate {
    static final String OID_BASIC_CONSTRAINTS = "2.5.29.19";
    static final String OID_KEY_USAGE = "2.5.29.15";
    static final String OID_EXT_KEY_USAGE = "2.5.29.37";
    static final String OID_SUBJECT_ALT_NAME = "2.5.29.17";
    static final String OID_SUBJECT_KEY_ID = "2.5.29.14";
    static final String OID_AUTHORITY_KEY_ID = "2.5.29.35";
    static final String OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    static final String OID_ANY_EKU = "2.5.29.37.0";

    /** keyUsage bits (RFC 5280 §4.2.1.3), numbered from the most significant bit of the first byte. */
    public static final int KU_DIGITAL_SIGNATURE = 0;
    public static final int KU_KEY_CERT_SIGN = 5;

    private final byte[] der;
    private final byte[] tbs;
    private final int signatureScheme;
    private final String signatureAlgorithm;
    private final byte[] signature;
    private final byte[] issuerDer;
    private final byte[] subjectDer;
    private final String issuer;
    private final String subject;
    private final long notBefore;
    private final long notAfter;
    private final PublicKeyInfo publicKey;
    private boolean ca;
    private int pathLen = -1;
    private int keyUsage = -1;
    private List<String> extKeyUsage;
    private final List<String> dnsNames = new ArrayList<>();
    private final List<byte[]> ipAddresses = new ArrayList<>();
    private byte[] subjectKeyId;
    private byte[] authorityKeyId;
    private String unsupportedCritical;

    private Certificate(byte[] der) {
        this.der = der;
        Der.Reader top = new Der.Reader(der);
        Der.Reader cert = top.sequence("Certificate");
        top.end("Certificate");
        Der.Tlv tbsTlv = cert.expect(Der.SEQUENCE, "tbsCertificate");
        this.tbs = tbsTlv.encoded();
        Der.Tlv outerAlg = cert.expect(Der.SEQUENCE, "signatureAlgorithm");
        this.signature = PublicKeyInfo.bitString(cert.expect(Der.BIT_STRING, "signatureValue"), "signatureValue");
        cert.end("Certificate");

        Der.Reader t = tbsTlv.contents();
        if (t.peekTag() != 0xa0) {
            throw new TlsException(Alert.UNSUPPORTED_CERTIFICATE, "certificate is not X.509 version 3");
        }
        Der.Reader ver = t.next("version").contents();
        if (!ver.integer("version").equals(java.math.BigInteger.valueOf(2))) {
            throw new TlsException(Alert.UNSUPPORTED_CERTIFICATE, "certificate is not X.509 version 3");
        }
        ver.end("version");
        t.expect(Der.INTEGER, "serialNumber");
        Der.Tlv innerAlg = t.expect(Der.SEQUENCE, "signature");
        if (!Bytes.constantTimeEquals(innerAlg.encoded(), outerAlg.encoded())) {
            throw new TlsException(Alert.BAD_CERTIFICATE, "certificate signature algorithms disagree");
        }
        this.signatureAlgorithm = algorithmOid(outerAlg);
        this.signatureScheme = schemeOf(outerAlg);
        Der.Tlv issuerTlv = t.expect(Der.SEQUENCE, "issuer");
        this.issuerDer = issuerTlv.encoded();
        this.issuer = nameString(issuerTlv);
        Der.Reader validity = t.sequence("validity");
        this.notBefore = Der.time(validity.next("notBefore"), "notBefore");
        this.notAfter = Der.time(validity.next("notAfter"), "notAfter");
        validity.end("validity");
        Der.Tlv subjectTlv = t.expect(Der.SEQUENCE, "subject");
        this.subjectDer = subjectTlv.encoded();
        this.subject = nameString(subjectTlv);
        this.publicKey = PublicKeyInfo.parse(t.expect(Der.SEQUENCE, "subjectPublicKeyInfo"));
        if (t.peekTag() == 0x81) {
            t.next("issuerUniqueID");
        }
        if (t.peekTag() == 0x82) {
            t.next("subjectUniqueID");
        }
        if (t.peekTag() == 0xa3) {
            Der.Reader exts = t.next("extensions").contents().sequence("Extensions");
            List<String> seen = new ArrayList<>();
            while (exts.hasMore()) {
                extension(exts.sequence("Extension"), seen);
            }
        }
        t.end("tbsCertificate");
    }

    /** Parses one DER certificate; anything malformed or unsupported is a {@link TlsException}. */
    public static Certificate parse(byte[] der) {
        try {
            return new Certificate(der.clone());
        } catch (TlsException e) {
            throw e;
        } catch (ProtocolException e) {
            throw new TlsException(Alert.BAD_CERTIFICATE, "malformed certificate: " + e.getMessage());
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new TlsException(Alert.BAD_CERTIFICATE, "malformed certificate");
        }
    }

    private void extension(Der.Reader e, List<String> seen) {
        String oid = Der.oidString(e.expect(Der.OID, "extnID"), "extnID");
        if (seen.contains(oid)) {
            throw new TlsException(Alert.BAD_CERTIFICATE, "certificate repeats extension " + oid);
        }
        seen.add(oid);
        boolean critical = false;
        if (e.peekTag() == 0x01) {
            byte[] b = e.next("critical").value();
            if (b.length != 1 || (b[0] != 0 && b[0] != (byte) 0xff)) {
                throw new TlsException(Alert.BAD_CERTIFICATE, "bad BOOLEAN in extension " + oid);
            }
            critical = b[0] != 0;
        }
        byte[] value = e.expect(Der.OCTET_STRING, "extnValue").value();
        e.end("Extension");
        Der.Reader v = new Der.Reader(value);
        switch (oid) {
            case OID_BASIC_CONSTRAINTS: {
                Der.Reader bc = v.sequence("basicConstraints");
                if (bc.peekTag() == 0x01) {
                    byte[] b = bc.next("cA").value();
                    ca = b.length == 1 && b[0] == (byte) 0xff;
                }
                if (bc.hasMore()) {
                    java.math.BigInteger p = bc.integer("pathLenConstraint");
                    if (p.signum() < 0 || p.bitLength() > 16) {
                        throw new TlsException(Alert.BAD_CERTIFICATE, "pathLenConstraint out of range");
                    }
                    pathLen = p.intValue();
                }
                bc.end("basicConstraints");
                break;
            }
            case OID_KEY_USAGE: {
                byte[] ku = v.expect(Der.BIT_STRING, "keyUsage").value();
                if (ku.length < 2) {
                    throw new TlsException(Alert.BAD_CERTIFICATE, "empty keyUsage");
                }
                keyUsage = ((ku[1] & 0xff) << 8) | (ku.length > 2 ? ku[2] & 0xff : 0);
                break;
            }
            case OID_EXT_KEY_USAGE: {
                Der.Reader eku = v.sequence("extKeyUsage");
                extKeyUsage = new ArrayList<>();
                while (eku.hasMore()) {
                    extKeyUsage.add(Der.oidString(eku.expect(Der.OID, "KeyPurposeId"), "KeyPurposeId"));
                }
                break;
            }
            case OID_SUBJECT_ALT_NAME: {
                Der.Reader names = v.sequence("subjectAltName");
                while (names.hasMore()) {
                    Der.Tlv n = names.next("GeneralName");
                    if (n.tag == 0x82) {
                        dnsNames.add(asciiLower(n.value()));
                    } else if (n.tag == 0x87) {
                        byte[] ip = n.value();
                        if (ip.length != 4 && ip.length != 16) {
                            throw new TlsException(Alert.BAD_CERTIFICATE, "iPAddress of " + ip.length + " bytes");
                        }
                        ipAddresses.add(ip);
                    }
                }
                break;
            }
            case OID_SUBJECT_KEY_ID:
                subjectKeyId = v.expect(Der.OCTET_STRING, "subjectKeyIdentifier").value();
                break;
            case OID_AUTHORITY_KEY_ID: {
                Der.Reader aki = v.sequence("authorityKeyIdentifier");
                if (aki.peekTag() == 0x80) {
                    authorityKeyId = aki.next("keyIdentifier").value();
                }
                break;
            }
            default:
                if (critical && unsupportedCritical == null) {
                    unsupportedCritical = oid;
                }
        }
    }

    private static String asciiLower(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        for (byte x : b) {
            int c = x & 0xff;
            if (c < 0x21 || c > 0x7e) {
                throw new TlsException(Alert.BAD_CERTIFICATE, "dNSName holds a non-ASCII or blank character");
            }
            sb.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
        }
        return sb.toString();
    }

    private static String algorithmOid(Der.Tlv alg) {
        return Der.oidString(alg.contents().expect(Der.OID, "signature algorithm"), "signature algorithm");
    }

    /** The TLS SignatureScheme code for a certificate's signature algorithm, or -1 if unsupported. */
    private static int schemeOf(Der.Tlv alg) {
        switch (algorithmOid(alg)) {
            case "1.2.840.113549.1.1.11": return Tls.RSA_PKCS1_SHA256;
            case "1.2.840.113549.1.1.12": return Tls.RSA_PKCS1_SHA384;
            case "1.2.840.113549.1.1.13": return Tls.RSA_PKCS1_SHA512;
            case "1.2.840.10045.4.3.2": return Tls.ECDSA_SECP256R1_SHA256;
            case "1.2.840.10045.4.3.3": return Tls.ECDSA_SECP384R1_SHA384;
            case "1.3.101.112": return Tls.ED25519;
            default: return -1;
        }
    }

    // ---- names -------------------------------------------------------------------------------------

    private static String attributeName(String oid) {
        switch (oid) {
            case "2.5.4.3": return "CN";
            case "2.5.4.6": return "C";
            case "2.5.4.7": return "L";
            case "2.5.4.8": return "ST";
            case "2.5.4.10": return "O";
            case "2.5.4.11": return "OU";
            case "0.9.2342.19200300.100.1.25": return "DC";
            default: return oid;
        }
    }

    /** A Name in RFC 4514 string order (last RDN first), e.g. "CN=Test CA,O=Onionpeer". */
    static String nameString(Der.Tlv name) {
        List<String> rdns = new ArrayList<>();
        Der.Reader r = name.contents();
        while (r.hasMore()) {
            Der.Reader set = r.expect(Der.SET, "RelativeDistinguishedName").contents();
            StringBuilder rdn = new StringBuilder();
            while (set.hasMore()) {
                Der.Reader atv = set.sequence("AttributeTypeAndValue");
                String type = Der.oidString(atv.expect(Der.OID, "attribute type"), "attribute type");
                Der.Tlv value = atv.next("attribute value");
                if (rdn.length() > 0) {
                    rdn.append('+');
                }
                rdn.append(attributeName(type)).append('=').append(valueString(value));
            }
            rdns.add(rdn.toString());
        }
        Collections.reverse(rdns);
        return String.join(",", rdns);
    }

    private static String valueString(Der.Tlv v) {
        byte[] b = v.value();
        if (v.tag == Der.UTF8_STRING || v.tag == Der.PRINTABLE_STRING || v.tag == 0x16 || v.tag == 0x14) {
            StringBuilder sb = new StringBuilder();
            String s = v.tag == Der.UTF8_STRING ? org.onionpeer.bytes.Text.utf8(b)
                    : latin1(b);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';'
                        || c == '=') {
                    sb.append('\\');
                }
                sb.append(c < 0x20 ? '?' : c);
            }
            return sb.toString();
        }
        return "#" + Bytes.hex(v.encoded());
    }

    private static String latin1(byte[] b) {
        char[] c = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            c[i] = (char) (b[i] & 0xff);
        }
        return new String(c);
    }

    // ---- accessors ---------------------------------------------------------------------------------

    public byte[] encoded() {
        return der.clone();
    }

    byte[] tbs() {
        return tbs;
    }

    byte[] signature() {
        return signature;
    }

    /** The TLS SignatureScheme this certificate is signed with, or -1 for an algorithm we do not verify. */
    public int signatureScheme() {
        return signatureScheme;
    }

    public String signatureAlgorithmOid() {
        return signatureAlgorithm;
    }

    public String issuer() {
        return issuer;
    }

    public String subject() {
        return subject;
    }

    byte[] issuerDer() {
        return issuerDer;
    }

    byte[] subjectDer() {
        return subjectDer;
    }

    /** Seconds since the Unix epoch. */
    public long notBefore() {
        return notBefore;
    }

    public long notAfter() {
        return notAfter;
    }

    public PublicKeyInfo publicKey() {
        return publicKey;
    }

    public boolean isCa() {
        return ca;
    }

    /** basicConstraints pathLenConstraint, or -1 if absent. */
    public int pathLen() {
        return pathLen;
    }

    /** True if keyUsage is absent or has {@code bit} set. */
    public boolean allowsKeyUsage(int bit) {
        return keyUsage < 0 || (keyUsage & (0x8000 >>> bit)) != 0;
    }

    /** True if extKeyUsage is absent or lists serverAuth or anyExtendedKeyUsage. */
    public boolean allowsServerAuth() {
        return extKeyUsage == null || extKeyUsage.contains(OID_SERVER_AUTH) || extKeyUsage.contains(OID_ANY_EKU);
    }

    /** dNSName entries of subjectAltName, lower-cased. */
    public List<String> dnsNames() {
        return Collections.unmodifiableList(dnsNames);
    }

    /** iPAddress entries of subjectAltName (4 or 16 bytes each). */
    public List<byte[]> ipAddresses() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] ip : ipAddresses) {
            out.add(ip.clone());
        }
        return out;
    }

    byte[] subjectKeyId() {
        return subjectKeyId;
    }

    byte[] authorityKeyId() {
        return authorityKeyId;
    }

    /** The OID of the first critical extension we do not understand, or null. */
    public String unsupportedCriticalExtension() {
        return unsupportedCritical;
    }

    /** The names this certificate is for, as a message shows them: its SAN entries, else its subject. */
    public String namesForMessage() {
        List<String> all = new ArrayList<>(dnsNames);
        for (byte[] ip : ipAddresses) {
            all.add(Hostnames.ipString(ip));
        }
        return all.isEmpty() ? subject : String.join(", ", all);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Certificate && java.util.Arrays.equals(((Certificate) o).der, der);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(der);
    }

    @Override
    public String toString() {
        return "Certificate[" + subject + "]";
    }
}
