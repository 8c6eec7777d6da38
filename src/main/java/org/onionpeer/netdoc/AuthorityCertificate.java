package org.onionpeer.netdoc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.crypto.Rsa;

/**
 * A directory authority's key certificate (dir-spec §3.1, served at /tor/keys/all): the authority's
 * long-term identity key vouches for a medium-term signing key, which is the key that signs consensuses.
 *
 * <p>{@link #parse} checks the format only; {@link #verify} checks that the fingerprint line is the SHA-1 of
 * the identity key, that the identity key signed the certificate, that the signing key cross-certified the
 * identity, and the validity dates.
 */
public final class AuthorityCertificate {
    /** Largest /tor/keys/... body accepted. */
    public static final int MAX_BODY = 256 * 1024;
    /** Most certificates in one body. */
    public static final int MAX_CERTS = 32;
    /** Largest single certificate. */
    public static final int MAX_CERT = 16 * 1024;
    /** Most items per body. */
    static final int MAX_ITEMS = MAX_CERTS * 16;
    /** How far in the future "dir-key-published" may lie (clock skew), seconds. */
    public static final long PUBLISHED_SKEW = 24 * 3600L;
    /** Smallest RSA identity and signing key accepted (dir-spec §3.1: "MUST NOT be shorter than 1024"). */
    public static final int MIN_KEY_BITS = 1024;

    private static final String START = "dir-key-certificate-version";
    private static final String END = "dir-key-certification";

    private final byte[] fingerprint;
    private final String address;
    private final long published;
    private final long expires;
    private final Rsa.PublicKey identityKey;
    private final Rsa.PublicKey signingKey;
    private final byte[] crossCert;
    private final byte[] certification;
    private final byte[] signedPart;
    private final byte[] encoded;

    private AuthorityCertificate(byte[] fingerprint, String address, long published, long expires,
            Rsa.PublicKey identityKey, Rsa.PublicKey signingKey, byte[] crossCert, byte[] certification,
            byte[] signedPart, byte[] encoded) {
        this.fingerprint = fingerprint;
        this.address = address;
        this.published = published;
        this.expires = expires;
        this.identityKey = identityKey;
        this.signingKey = signingKey;
        this.crossCert = crossCert;
        this.certification = certification;
        this.signedPart = signedPart;
        this.encoded = encoded;
    }

    /** Every certificate of a /tor/keys/... body as received (bytes). */
    public static List<AuthorityCertificate> parseAll(byte[] body) {
        if (body == null || body.length > MAX_BODY) {
            throw new ProtocolException("key certificates: no body or larger than " + MAX_BODY);
        }
        return parseAll(NetDoc.text(body));
    }

    /** Every certificate of a /tor/keys/... body (at least one). */
    public static List<AuthorityCertificate> parseAll(String body) {
        if (body == null) {
            throw new ProtocolException("key certificates: no text");
        }
        if (body.length() > MAX_BODY) {
            throw new ProtocolException("key certificates: body longer than " + MAX_BODY);
        }
        List<NetDoc.Item> items = NetDoc.tokenize(body, MAX_ITEMS);
        List<List<NetDoc.Item>> docs = NetDoc.splitAt(items, START, MAX_CERTS);
        if (docs.isEmpty()) {
            throw new ProtocolException("key certificates: none");
        }
        List<AuthorityCertificate> out = new ArrayList<>();
        for (List<NetDoc.Item> d : docs) {
            out.add(fromItems(body, d));
        }
        return Collections.unmodifiableList(out);
    }

    /** Exactly one certificate. */
    public static AuthorityCertificate parse(String text) {
        List<AuthorityCertificate> all = parseAll(text);
        if (all.size() != 1) {
            throw new ProtocolException("key certificate: " + all.size() + " certificates, expected one");
        }
        return all.get(0);
    }

    private static AuthorityCertificate fromItems(String text, List<NetDoc.Item> items) {
        NetDoc.Item first = items.get(0);
        NetDoc.Item last = items.get(items.size() - 1);
        if (!last.keyword.equals(END)) {
            throw new ProtocolException("key certificate: does not end with \"" + END + "\"");
        }
        if (last.end - first.start > MAX_CERT) {
            throw new ProtocolException("key certificate: larger than " + MAX_CERT + " bytes");
        }
        // dir-spec §3.1: the version item comes first and exactly once, the certification last, once.
        first.minArgs(1).noObject();
        if (!first.arg(0).equals("3")) {
            throw new ProtocolException("key certificate: version " + first.arg(0) + ", expected 3");
        }
        NetDoc.one(items, START);
        NetDoc.one(items, END);
        byte[] fingerprint = NetDoc.hex20(NetDoc.one(items, "fingerprint").minArgs(1).noObject().arg(0),
                "key certificate fingerprint");
        NetDoc.Item addr = NetDoc.atMostOne(items, "dir-address");
        String address = addr == null ? null : addr.minArgs(1).noObject().arg(0);
        long published = NetDoc.time(NetDoc.one(items, "dir-key-published").noObject(), 0);
        long expires = NetDoc.time(NetDoc.one(items, "dir-key-expires").noObject(), 0);
        Rsa.PublicKey id = key(NetDoc.one(items, "dir-identity-key"));
        Rsa.PublicKey signing = key(NetDoc.one(items, "dir-signing-key"));
        // tor writes "ID SIGNATURE"; older certificates said "SIGNATURE" (dir-spec §3.1).
        byte[] cross = NetDoc.one(items, "dir-key-crosscert").objectOf("ID SIGNATURE", "SIGNATURE");
        byte[] certification = last.objectOf("SIGNATURE");
        // Signed: from the start of "dir-key-certificate-version" through the newline after
        // "dir-key-certification" (dir-spec §3.1).
        byte[] signedPart = NetDoc.bytes(text, first.start, last.lineEnd);
        return new AuthorityCertificate(fingerprint, address, published, expires, id, signing, cross,
                certification, signedPart, NetDoc.bytes(text, first.start, last.end));
    }

    private static Rsa.PublicKey key(NetDoc.Item it) {
        Rsa.PublicKey k = Rsa.PublicKey.fromPkcs1Der(it.objectOf("RSA PUBLIC KEY"));
        if (k.bits() < MIN_KEY_BITS) {
            throw new ProtocolException(it.keyword + ": " + k.bits() + "-bit key is too short");
        }
        return k;
    }

    /**
     * Checks the certificate at {@code nowSeconds}.
     *
     * @throws ProtocolException naming the first failed rule
     */
    public void verify(long nowSeconds) {
        byte[] idDer = identityKey.toPkcs1Der();
        byte[] idDigest = Rsa.sha1(idDer);
        if (!Bytes.constantTimeEquals(idDigest, fingerprint)) {
            throw new ProtocolException("key certificate: fingerprint is not the identity key's digest");
        }
        if (!identityKey.verifyRawDigest(Rsa.sha1(signedPart), certification)) {
            throw new ProtocolException("key certificate " + hexId() + ": bad dir-key-certification signature");
        }
        // dir-key-crosscert: the signing key's signature over SHA-1 of the identity key's DER (dir-spec §3.1).
        if (!signingKey.verifyRawDigest(idDigest, crossCert)) {
            throw new ProtocolException("key certificate " + hexId() + ": bad dir-key-crosscert signature");
        }
        if (nowSeconds > expires) {
            throw new ProtocolException("key certificate " + hexId() + ": expired at "
                    + NetDoc.formatTime(expires));
        }
        if (published > nowSeconds + PUBLISHED_SKEW) {
            throw new ProtocolException("key certificate " + hexId() + ": published in the future ("
                    + NetDoc.formatTime(published) + ")");
        }
        if (expires < published) {
            throw new ProtocolException("key certificate " + hexId() + ": expires before it was published");
        }
    }

    private String hexId() {
        return Text.asciiUpper(Bytes.hex(fingerprint));
    }

    /** The authority's v3 identity: SHA-1 of its identity key (as claimed; {@link #verify} checks it). */
    public byte[] identityFingerprint() {
        return fingerprint.clone();
    }

    /** The certificate's bytes as received (through its END SIGNATURE line): for passing on verbatim. */
    public byte[] encoded() {
        return encoded.clone();
    }

    public Rsa.PublicKey identityKey() {
        return identityKey;
    }

    public Rsa.PublicKey signingKey() {
        return signingKey;
    }

    /** SHA-1 of the signing key's PKCS#1 DER: the second hex field of a "directory-signature" line. */
    public byte[] signingKeyDigest() {
        return Rsa.sha1(signingKey.toPkcs1Der());
    }

    /** The "dir-address" value (IP:port) or null. */
    public String address() {
        return address;
    }

    public long published() {
        return published;
    }

    public long expires() {
        return expires;
    }
}
